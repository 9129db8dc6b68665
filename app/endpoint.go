// The endpoint section: TLS, certificate and key, CNAME and leaf label.

package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// renderEndpoint is the load balancer and TLS part, common to both modes.
func (f *Form) renderEndpoint() app.UI {
	r := f.req
	tlsMode := r.TLS.Mode
	if tlsMode == "" {
		tlsMode = rules.TLSDisabled
	}
	radio := func(value rules.TLSMode, label string) app.UI {
		id := "tls-" + string(value)
		return app.Label().For(id).Class("radio").Body(
			checkedIf(app.Input().Type("radio").ID(id).Name("tls.mode").Value(string(value)), tlsMode == value).
				OnChange(f.set(rules.FieldTLSMode, func(v string) { f.req.TLS.Mode = rules.TLSMode(v) })),
			app.Text(" "+label),
		)
	}
	return app.Elem("fieldset").Body(
		app.Elem("legend").Text("Scoring endpoint"),
		f.selectField(rules.FieldLBType, "Load balancer", lbValue(r.LoadBalancer.Type), "", lbOptions,
			func(v string) { f.req.LoadBalancer.Type = rules.LoadBalancerType(v) }),
		app.If(!f.v2() && (r.LoadBalancer.Type == rules.LoadBalancerInternal || r.LoadBalancer.Subnet != ""), func() app.UI {
			return f.text(rules.FieldLBSubnet, "Load balancer subnet", r.LoadBalancer.Subnet, "aks-subnet", "", func(v string) { f.req.LoadBalancer.Subnet = v })
		}),
		app.If(f.v2(), f.kubernetesTLS).Else(func() app.UI {
			return app.Elem("div").Class("field").Attr("role", "radiogroup").Aria("labelledby", "tls-label").Body(
				app.Elem("span").ID("tls-label").Class("label").Text("TLS"),
				radio(rules.TLSDisabled, "Disabled"),
				radio(rules.TLSCustom, "My certificate"),
				radio(rules.TLSMicrosoft, "Microsoft certificate"),
				findingsList(fieldID(rules.FieldTLSMode)+"-findings", f.visible(rules.FieldTLSMode)),
			)
		}),
		app.If(tlsMode == rules.TLSCustom, func() app.UI {
			return app.Elem("div").Body(
				f.textarea(rules.FieldTLSCert, "Certificate (PEM)", r.TLS.CertPEM, "-----BEGIN CERTIFICATE-----", "Paste it, or choose its file below. Kept in this page only: never in a link, an export or a log.", func(v string) { f.req.TLS.CertPEM = v }),
				f.fileInput(rules.FieldTLSCert, "Or choose the certificate file", func(v string) { f.req.TLS.CertPEM = v }),
				f.textarea(rules.FieldTLSKey, "Private key (PEM)", r.TLS.KeyPEM, "-----BEGIN PRIVATE KEY-----", "Paste it, or choose its file below. Sent to Azure only when you submit.", func(v string) { f.req.TLS.KeyPEM = v }),
				f.fileInput(rules.FieldTLSKey, "Or choose the key file", func(v string) { f.req.TLS.KeyPEM = v }),
				f.text(rules.FieldTLSCNAME, "CNAME", r.TLS.CNAME, "scoring.contoso.com", "A name the certificate names.", func(v string) { f.req.TLS.CNAME = strings.TrimSpace(v) }),
			)
		}),
		app.If(tlsMode == rules.TLSMicrosoft && !f.v2(), func() app.UI {
			return app.Elem("div").Body(
				f.text(rules.FieldTLSLeaf, "Leaf domain label", r.TLS.LeafDomainLabel, "myservice", "", func(v string) { f.req.TLS.LeafDomainLabel = strings.TrimSpace(v) }),
				f.field(rules.FieldTLSOverwrite, "Overwrite an existing domain with this label", "", func(id, desc string, invalid bool) app.UI {
					return checkedIf(app.Input().Type("checkbox").ID(id), r.TLS.OverwriteExistingDomain).Aria("describedby", desc).
						OnChange(func(ctx app.Context, e app.Event) {
							f.req.TLS.OverwriteExistingDomain = ctx.JSSrc().Get("checked").Bool()
							f.touched[rules.FieldTLSOverwrite] = true
							f.revalidate(ctx)
						})
				}),
			)
		}),
	)
}

// kubernetesTLS is a Kubernetes compute's choice of HTTPS with the person's
// certificate or HTTP, which is for development and test only (X4). HTTP is
// the extension's allowInsecureConnections; choosing it turns that on.
//
// Neither is chosen until the person chooses: HTTP is never a default.
func (f *Form) kubernetesTLS() app.UI {
	chosen := map[rules.TLSMode]bool{
		rules.TLSCustom:   f.req.TLS.Mode == rules.TLSCustom,
		rules.TLSDisabled: (f.req.TLS.Mode == "" || f.req.TLS.Mode == rules.TLSDisabled) && f.req.Kubernetes.AllowInsecure,
	}
	radio := func(value rules.TLSMode, label string) app.UI {
		id := "tls-" + string(value)
		return app.Label().For(id).Class("radio").Body(
			checkedIf(app.Input().Type("radio").ID(id).Name("tls.mode").Value(string(value)), chosen[value]).
				OnChange(f.set(rules.FieldTLSMode, func(v string) {
					f.req.TLS.Mode = rules.TLSMode(v)
					f.req.Kubernetes.AllowInsecure = f.req.TLS.Mode == rules.TLSDisabled
					f.touched[rules.FieldAllowInsecure] = true
				})),
			app.Text(" "+label),
		)
	}
	return app.Elem("div").Class("field").Attr("role", "radiogroup").Aria("labelledby", "tls-label").Aria("describedby", "tls-hint").Body(
		app.Elem("span").ID("tls-label").Class("label").Text("Scoring protocol"),
		radio(rules.TLSCustom, "HTTPS with my certificate"),
		radio(rules.TLSDisabled, "HTTP (development and test only)"),
		app.Elem("small").ID("tls-hint").Class("hint").Text("A Kubernetes compute serves HTTPS with your own certificate and key; HTTP sends scoring requests unencrypted."),
		findingsList(fieldID(rules.FieldTLSMode)+"-findings", f.visible(rules.FieldTLSMode)),
		findingsList(fieldID(rules.FieldAllowInsecure)+"-findings", f.visible(rules.FieldAllowInsecure)),
	)
}
