// The migration page (/migrate/{subscription}/{resourceGroup}/{workspace}/{name}):
// what moving a v1 AKS compute to a Kubernetes compute will do, its few
// settings, then the steps as progress.

package app

import (
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// Migrate shows a migration's plan from the proxy and starts it.
type Migrate struct {
	app.Compo

	embed   bool
	cfg     config
	ref     rules.WorkspaceRef
	name    string
	plan    *rules.MigrationPlan
	loadErr string

	newName   string
	namespace string
	http      bool // HTTP for development and test, instead of HTTPS with a certificate
	cert, key string
	cname     string
	touched   bool

	sending bool
	sendErr *rules.Error
	self    app.Context // the component's own context: a button's dies with the button
}

// OnMount keeps the component's context for work that outlives a click.
func (m *Migrate) OnMount(ctx app.Context) { m.self = ctx }

// OnNav reads the compute from the URL and loads the plan.
func (m *Migrate) OnNav(ctx app.Context) {
	m.self = ctx
	u := ctx.Page().URL()
	m.embed = embedded(u)
	m.ref, m.name, _ = rules.ParseMigratePage(u.EscapedPath())
	ctx.Page().SetTitle("%s", pageTitle("Migrate "+m.name+" to a Kubernetes compute"))
	if !app.IsClient {
		return // no fetch before the wasm runs
	}
	ctx.Async(func() {
		cfg, _ := loadConfig()
		var plan rules.MigrationPlan
		err := call("GET", m.path(), nil, &plan)
		ctx.Dispatch(func(ctx app.Context) {
			m.cfg = cfg
			watchHeight(cfg, m.embed)
			if err != nil {
				m.loadErr = message(err)
			} else {
				m.plan = &plan
				m.newName = plan.Request.Name
				m.namespace = plan.Request.Kubernetes.Namespace
				m.http = plan.Request.TLS.Mode != rules.TLSCustom
				m.cname = plan.Request.TLS.CNAME
			}
			app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
		})
	})
}

func (m *Migrate) path() string {
	return rules.MigratePath(m.ref, m.name)
}

// request is the migration as the page holds it.
func (m *Migrate) request() rules.MigrateRequest {
	var r rules.MigrateRequest
	if m.plan != nil {
		p := m.plan.Request
		r = rules.MigrateRequest{Purpose: p.Purpose, LoadBalancer: p.LoadBalancer, Kubernetes: p.Kubernetes, Description: p.Description, Tags: p.Tags}
	}
	r.Name = strings.TrimSpace(m.newName)
	r.Kubernetes.Namespace = strings.TrimSpace(m.namespace)
	r.Kubernetes.AllowInsecure = m.http
	if m.http {
		r.TLS = rules.TLS{Mode: rules.TLSDisabled}
	} else {
		r.TLS = rules.TLS{Mode: rules.TLSCustom, CertPEM: m.cert, KeyPEM: m.key, CNAME: strings.TrimSpace(m.cname)}
	}
	return r
}

// findings are the plan's findings with the page's settings checked again
// by the same rules: the name, the namespace and the protocol.
func (m *Migrate) findings() rules.Findings {
	if m.plan == nil {
		return nil
	}
	mr := m.request()
	req := m.plan.Request
	req.Kind, req.Mode = rules.KindKubernetes, rules.ModeAttach
	req.Name, req.Kubernetes, req.TLS = orWords(mr.Name, m.name), mr.Kubernetes, mr.TLS
	local := rules.Validate(req, rules.Facts{})
	own := map[string]bool{rules.FieldName: true, rules.FieldNamespace: true, rules.FieldTLSMode: true, rules.FieldAllowInsecure: true,
		rules.FieldTLSCert: true, rules.FieldTLSKey: true, rules.FieldTLSCNAME: true}
	var out rules.Findings
	for _, f := range m.plan.Findings {
		if !own[f.Field] {
			out = append(out, f)
		}
	}
	for _, f := range local {
		if own[f.Field] && (m.touched || f.Severity != rules.SeverityInfo) {
			out = append(out, f)
		}
	}
	return out
}

// Render shows what will happen, the settings and the button that starts it.
func (m *Migrate) Render() app.UI {
	return layout(m.embed, m.cfg.Backend, "inventory", m.ref,
		app.Elem("section").ID("migrate").Class("review").Body(
			app.Elem("h1").ID("migrate-title").Text("Migrate "+m.name+" to a Kubernetes compute"),
			app.Elem("p").Class("muted").Text("Workspace "+m.ref.Name+" in "+m.ref.ResourceGroup),
			slot(m.loadErr != "", func() app.UI {
				return app.Elem("div").ID("migrate-error").Class("alert error").Attr("role", "alert").Text(m.loadErr)
			}),
			slot(m.plan == nil && m.loadErr == "", func() app.UI {
				return app.Elem("p").ID("migrate-loading").Class("muted loading").Attr("role", "status").Text("Asking Azure what the migration involves…")
			}),
			app.If(m.plan != nil, m.renderPlan),
		),
	)
}

func (m *Migrate) renderPlan() app.UI {
	p := m.plan
	finds := m.findings()
	fieldFinds := func(name string) rules.Findings { return finds.For(name) }
	input := func(id, field, label, value, placeholder, hint string, put func(string)) app.UI {
		fs := fieldFinds(field)
		return app.Elem("div").Class("field").DataSet("field", field).Body(
			app.Label().For(id).Text(label),
			app.Input().Type("text").ID(id).Value(typed(id, value)).Placeholder(placeholder).AutoComplete(false).Spellcheck(false).
				Aria("invalid", fs.HasErrors()).Aria("describedby", id+"-hint "+id+"-findings").
				OnInput(func(ctx app.Context, e app.Event) {
					put(ctx.JSSrc().Get("value").String())
					m.touched = true
					m.sendErr = nil
				}),
			app.Elem("small").ID(id+"-hint").Class("hint").Text(hint),
			findingsList(id+"-findings", fs),
		)
	}
	area := func(id, field, label, value, placeholder, hint string, put func(string)) app.UI {
		fs := fieldFinds(field)
		return app.Elem("div").Class("field").DataSet("field", field).Body(
			app.Label().For(id).Text(label),
			app.Elem("textarea").ID(id).Text(value).Attr("placeholder", placeholder).Attr("rows", 3).Spellcheck(false).
				Aria("invalid", fs.HasErrors()).Aria("describedby", id+"-hint "+id+"-findings").
				OnInput(func(ctx app.Context, e app.Event) {
					put(ctx.JSSrc().Get("value").String())
					m.touched = true
					m.sendErr = nil
				}),
			app.Elem("small").ID(id+"-hint").Class("hint").Text(hint),
			findingsList(id+"-findings", fs),
		)
	}
	radio := func(id, label string, http bool) app.UI {
		return app.Label().For(id).Class("radio").Body(
			checkedIf(app.Input().Type("radio").ID(id).Name("migrate-protocol"), m.http == http).
				OnChange(func(ctx app.Context, e app.Event) { m.http, m.touched, m.sendErr = http, true, nil }),
			app.Text(" "+label),
		)
	}
	var other rules.Findings
	for _, f := range finds {
		switch f.Field {
		case rules.FieldName, rules.FieldNamespace, rules.FieldTLSMode, rules.FieldAllowInsecure, rules.FieldTLSCert, rules.FieldTLSKey, rules.FieldTLSCNAME:
		default:
			other = append(other, f)
		}
	}
	from := p.From
	return app.Elem("div").Body(
		app.Elem("h2").Text("What will happen"),
		app.Elem("p").ID("migrate-from").Class("wrap").Text("The AKS compute (v1, legacy) "+from.Name+" on the cluster "+orDash(from.ClusterID)+
			" becomes a Kubernetes compute (Azure ML v2) on the same cluster. The cluster, its nodes and its cost stay as they are."),
		app.Elem("ol").ID("migrate-steps").Class("steps").Body(app.Range(p.Steps).Slice(func(i int) app.UI {
			s := p.Steps[i]
			return app.Li().ID("plan-step-"+string(s.Name)).Class("step pending").Body(
				app.Elem("span").Class("step-title").Text(orWords(s.Title, string(s.Name))),
				app.If(s.Message != "", func() app.UI { return app.Elem("p").Class("step-message wrap").Text(s.Message) }),
				app.If(s.ExpectedSec > 0, func() app.UI {
					return app.Elem("p").Class("muted").Text("Usually about " + minutes(s.ExpectedSec) + ".")
				}),
			)
		})),
		app.If(len(p.Notes) > 0, func() app.UI {
			return app.Ul().ID("migrate-notes").Class("wrap").Body(app.Range(p.Notes).Slice(func(i int) app.UI { return app.Li().Text(p.Notes[i]) }))
		}),
		findingsList("migrate-findings", other),
		app.Elem("fieldset").Body(
			app.Elem("legend").Text("The Kubernetes compute"),
			input("m-name", rules.FieldName, "Compute name", m.newName, m.name, "Empty keeps the name "+m.name+", which is free once the v1 compute is detached.", func(v string) { m.newName = v }),
			input("m-namespace", rules.FieldNamespace, "Namespace", m.namespace, rules.DefaultNamespace, "It must already exist on the cluster: attaching neither creates nor checks it.", func(v string) { m.namespace = v }),
			app.Elem("div").Class("field").Attr("role", "radiogroup").Aria("labelledby", "m-protocol-label").Body(
				app.Elem("span").ID("m-protocol-label").Class("label").Text("Scoring protocol"),
				radio("m-https", "HTTPS with my certificate", false),
				radio("m-http", "HTTP (development and test only)", true),
				findingsList("m-protocol-findings", append(fieldFinds(rules.FieldTLSMode), fieldFinds(rules.FieldAllowInsecure)...)),
			),
			app.If(!m.http, func() app.UI {
				return app.Elem("div").Body(
					area("m-cert", rules.FieldTLSCert, "Certificate (PEM)", m.cert, "-----BEGIN CERTIFICATE-----", "The v1 compute's certificate cannot be read back from Azure: paste it again.", func(v string) { m.cert = v }),
					area("m-key", rules.FieldTLSKey, "Private key (PEM)", m.key, "-----BEGIN PRIVATE KEY-----", "Sent to Azure as a protected setting only; never in a link, an export or a log.", func(v string) { m.key = v }),
					input("m-cname", rules.FieldTLSCNAME, "CNAME", m.cname, "scoring.contoso.com", "A name the certificate names.", func(v string) { m.cname = v }),
				)
			}),
		),
		app.If(m.sendErr != nil, func() app.UI {
			return app.Elem("div").ID("migrate-send-error").Class("alert error").Attr("role", "alert").Body(
				app.Text(m.sendErr.Message), findingsList("migrate-send-findings", m.sendErr.Findings))
		}),
		app.Elem("div").Class("actions").Body(
			disabledIf(app.Elem("button").ID("start-migration").Attr("type", "button").Class("primary"), m.sending || finds.HasErrors()).
				Text(map[bool]string{true: "Starting…", false: "Start the migration"}[m.sending]).OnClick(m.start),
			app.Elem("a").ID("migrate-cancel").Attr("href", keepEmbed(m.inventoryURL(), m.embed)).Text("Back to the workspace's clusters"),
		),
	)
}

func (m *Migrate) inventoryURL() string {
	return "/inventory?" + url.Values{"sub": {m.ref.Subscription}, "rg": {m.ref.ResourceGroup}, "ws": {m.ref.Name}}.Encode()
}

// start posts the migration once, then follows it on the progress page.
func (m *Migrate) start(ctx app.Context, e app.Event) {
	if m.sending || m.findings().HasErrors() {
		return
	}
	m.sending, m.sendErr = true, nil
	body := m.request()
	ctx = m.self
	ctx.Async(func() {
		var a rules.Accepted
		err := call("POST", m.path(), body, &a)
		ctx.Dispatch(func(ctx app.Context) {
			m.sending = false
			if err != nil {
				e, ok := err.(*rules.Error)
				if !ok {
					e = rules.Errorf(rules.ErrUnavailable, "", message(err))
				}
				m.sendErr = e
				return
			}
			m.cert, m.key = "", "" // the secrets are gone from this page once Azure has them
			follow(ctx, a, m.embed)
		})
	})
}
