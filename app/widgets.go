// The form's widgets: a labelled field with its findings, the text, textarea and
// select controls, the pickers, and the error summary that links to its fields.

package app

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// visible returns the findings of a field that should show now.
func (f *Form) visible(field string) rules.Findings {
	var out rules.Findings
	for _, x := range f.findings.For(field) {
		switch {
		case x.IsCode(rules.CodePurpose) && x.Severity == rules.SeverityInfo:
			// The purpose picker itself says "Production (the default)".
		case f.showAll || f.touched[field]:
			out = append(out, x)
		case x.Severity == rules.SeverityWarning:
			out = append(out, x) // a warning shows at once; errors and notes once the field is used
		}
	}
	return out
}

// set returns an input handler that writes the value with put and revalidates.
func (f *Form) set(field string, put func(string)) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		put(ctx.JSSrc().Get("value").String())
		f.touched[field] = true
		f.submitErr = nil
		f.revalidate(ctx)
	}
}

// change returns a change handler (a pick, or a text field left): like set,
// and what the facts depend on is settled, so they are fetched at once.
func (f *Form) change(field string, put func(string)) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		put(ctx.JSSrc().Get("value").String())
		f.touched[field] = true
		f.submitErr = nil
		f.settle(ctx)
	}
}

// summary lists the errors at the top, with links to their fields, and the
// findings that belong to no field shown on the page.
func (f *Form) summary() app.UI {
	var show rules.Findings
	for _, x := range f.findings {
		if !f.rendered(x.Field) {
			show = append(show, x)
		}
	}
	var errList rules.Findings
	for _, x := range f.findings {
		if x.Severity == rules.SeverityError && (f.showAll || f.touched[x.Field]) {
			errList = append(errList, x)
		}
	}
	errList = inPageOrder(errList)
	errs := len(errList)
	status := ""
	switch {
	case f.factsLoading:
		status = "Checking with Azure…"
	case f.factsErr != "":
		status = "Azure's facts are not available (" + f.factsErr + "); the checks use built-in defaults."
	}
	return app.Elem("div").ID("summary").Class("summary").Attr("aria-live", "polite").Body(
		app.If(errs > 0, func() app.UI {
			return app.Elem("div").Body(
				app.Elem("p").ID("error-count").Class("error").Attr("tabindex", "-1").Text(rules.Count(errs, "problem")+" to fix before review:"),
				app.Ul().ID("error-links").Class("error-links").Body(app.Range(errList).Slice(func(i int) app.UI {
					x := errList[i]
					target := controlID(x.Field)
					// A button, not an anchor: go-app turns a click on "#id" into a navigation.
					return app.Li().Body(app.Elem("button").Attr("type", "button").Class("link error-link").DataSet("target", target).
						Text(fieldLabel(x.Field) + ": " + x.Message).
						OnClick(func(ctx app.Context, e app.Event) { focusControl(ctx.JSSrc().Get("dataset").Get("target").String()) }))
				})),
			)
		}),
		// Always there and one line high (amlaks.css): the form below does
		// not move while the facts are asked for.
		app.Elem("p").ID("facts-status").Class("muted facts-status").Text(status),
		findingsList("summary-findings", show),
	)
}

// rendered reports whether the form shows a field, and so its findings.
func (f *Form) rendered(field string) bool {
	r := f.req
	create := r.Mode != rules.ModeAttach
	v2 := f.v2()
	switch field {
	case rules.FieldKind:
		return true
	case rules.FieldKubernetes, rules.FieldNamespace, rules.FieldRouterServiceType, rules.FieldSingleRouter, rules.FieldIdentity,
		rules.FieldNvidiaDevicePlugin, rules.FieldNodeSelector, rules.FieldAllowInsecure, fieldTraining:
		return v2
	case rules.FieldUserIdentity:
		return v2 && (r.Kubernetes.Identity == rules.IdentityUserAssigned || r.Kubernetes.UserIdentity != "")
	case rules.FieldK8sVersion, rules.FieldAuthorizedIPRanges, rules.FieldGPUPool:
		return v2 && create
	case rules.FieldGPUPoolVMSize, rules.FieldGPUPoolCount, rules.FieldGPUPoolName:
		return v2 && create && f.gpuOn
	case rules.FieldWorkspace, rules.FieldSubscription, rules.FieldResourceGroup, rules.FieldName, rules.FieldPurpose,
		rules.FieldLBType, rules.FieldTLSMode, rules.FieldDescription, rules.FieldTags:
		return true
	case rules.FieldLocation, rules.FieldVMSize, rules.FieldNodeCount,
		rules.FieldVnetRG, rules.FieldVnetName, rules.FieldSubnetName, rules.FieldServiceCIDR, rules.FieldDNSServiceIP, rules.FieldDockerBridge:
		return create
	case rules.FieldTarget, rules.FieldTargetRG, rules.FieldTargetName, rules.FieldTargetID:
		return !create
	case rules.FieldLBSubnet:
		return !v2 && (r.LoadBalancer.Type == rules.LoadBalancerInternal || r.LoadBalancer.Subnet != "")
	case rules.FieldTLSCert, rules.FieldTLSKey, rules.FieldTLSCNAME:
		return r.TLS.Mode == rules.TLSCustom
	case rules.FieldTLSLeaf, rules.FieldTLSOverwrite:
		return !v2 && r.TLS.Mode == rules.TLSMicrosoft
	}
	return false
}

// field renders a label, the control and the field's findings, tied together
// for screen readers.
func (f *Form) field(field, label, hint string, control func(id, describedBy string, invalid bool) app.UI) app.UI {
	id := fieldID(field)
	fs := f.visible(field)
	invalid := fs.HasErrors()
	describedBy := id + "-findings"
	if hint != "" {
		describedBy = id + "-hint " + describedBy
	}
	cls := "field"
	if invalid {
		cls += " invalid"
	}
	return app.Elem("div").Class(cls).DataSet("field", field).Body(
		app.Label().For(id).Text(label),
		control(id, describedBy, invalid),
		app.If(hint != "", func() app.UI { return app.Elem("small").ID(id + "-hint").Class("hint").Text(hint) }),
		findingsList(id+"-findings", fs),
	)
}

func (f *Form) text(field, label, value, placeholder, hint string, put func(string)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		return app.Input().Type("text").ID(id).Name(field).Value(typed(id, value)).Placeholder(placeholder).
			Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
			AutoComplete(false).Spellcheck(false).OnInput(f.set(field, put)).OnChange(f.change(field, put))
	})
}

func (f *Form) textarea(field, label, value, placeholder, hint string, put func(string)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		return app.Elem("textarea").ID(id).Attr("name", field).Text(value).Attr("placeholder", placeholder).Attr("rows", 3).
			Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
			Spellcheck(false).OnInput(f.set(field, put))
	})
}

func (f *Form) selectField(field, label, value, hint string, opts []option, put func(string)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		known := false
		for _, o := range opts {
			known = known || o.value == value
		}
		if !known && value != "" {
			opts = append([]option{{value, value + " (not a known choice)"}}, opts...)
		}
		return selectUI(value, opts).ID(id).Attr("name", field).Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
			OnChange(f.change(field, put))
	})
}

func (f *Form) workspacePicker() app.UI {
	ws := f.req.Workspace
	opts := []option{{"", "Choose a workspace"}}
	for _, w := range f.workspaces {
		opts = append(opts, option{w.ID(), fmt.Sprintf("%s (%s, %s)", w.Name, w.ResourceGroup, w.Location)})
	}
	value := ""
	if !ws.IsZero() {
		value = ws.ID()
	}
	put := func(v string) {
		for _, w := range f.workspaces {
			if w.ID() == v {
				f.req.Workspace = w.WorkspaceRef
				return
			}
		}
		f.req.Workspace = rules.WorkspaceRef{}
	}
	sel := f.selectField(rules.FieldWorkspace, "Workspace", value, "", opts, put)
	return app.Elem("div").Body(
		sel,
		findingsList("f-workspace-subscription-findings", f.visible(rules.FieldSubscription)),
		findingsList("f-workspace-resourceGroup-findings", f.visible(rules.FieldResourceGroup)),
	)
}

func (f *Form) purposePicker() app.UI {
	value := string(f.req.Purpose)
	if f.req.Purpose == rules.PurposeFastProd {
		value = "" // the default is FastProd: one choice, not two
	}
	return f.selectField(rules.FieldPurpose, "Cluster purpose", value, "Production needs at least 12 vCPUs and 3 nodes; dev/test at least 2 vCPUs.",
		purposeOptions, func(v string) { f.req.Purpose = rules.Purpose(v) })
}

func placeholderOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
