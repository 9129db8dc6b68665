package app

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// exportKinds are the review step's views of the request, secrets as placeholders.
var exportKinds = []struct{ id, label string }{
	{"cli", "Azure CLI v1 (legacy)"},
	{"python", "Python SDK v1 (legacy)"},
	{"terraform", "Terraform"},
	{"arm", "ARM request"},
}

// validExportTab reports whether tab is one of the exports of the request's kind.
func validExportTab(tab string, v2 bool) bool {
	kinds := exportKinds
	if v2 {
		kinds = kubernetesExportKinds
	}
	for _, k := range kinds {
		if k.id == tab {
			return true
		}
	}
	return false
}

// exportLabel is the tab label of a v1 export.
func exportLabel(kind string) string {
	for _, k := range exportKinds {
		if k.id == kind {
			return k.label
		}
	}
	return kind
}

func exportText(kind string, req rules.Request, wsLocation string) string {
	req = req.Normalized(wsLocation)
	switch kind {
	case "cli":
		return rules.AzCLI(req)
	case "python":
		return rules.PythonSDK(req)
	case "terraform":
		return rules.Terraform(req, wsLocation)
	case "arm":
		b, err := rules.ARMBody(req, wsLocation)
		if err != nil {
			return err.Error()
		}
		return "PUT " + rules.ARMPath(req) + "\n\n" + string(b)
	}
	return ""
}

// renderReview is the last step: what will happen, the findings, the exports
// and the one button that sends the request.
func (f *Form) renderReview() app.UI {
	if f.v2() {
		return f.renderKubernetesReview()
	}
	req := f.request()
	norm := req.Normalized(f.facts.WorkspaceLocation)
	verb, what := "Create", "a new AKS cluster"
	if norm.Mode == rules.ModeAttach {
		id, _ := norm.TargetID()
		verb, what = "Attach", "the cluster "+id
	}
	duration := "about " + minutes(rules.ExpectedSec(norm.Mode))
	var lines []string
	lines = append(lines, fmt.Sprintf("%s %s as compute %q in workspace %s (%s).", verb, what, norm.Name, norm.Workspace.Name, norm.Workspace.ResourceGroup))
	if norm.Mode == rules.ModeCreate {
		line := fmt.Sprintf("%s of %s in %s, for %s.", rules.Count(norm.NodeCount, "node"), norm.VMSize, norm.Location, purposeLabel(norm.Purpose))
		if size, ok := rules.FindVMSize(f.vmSizes(), norm.VMSize); ok && size.VCPUs > 0 {
			line += fmt.Sprintf(" %d vCPUs in all (%s × %s).", norm.NodeCount*size.VCPUs, rules.Count(norm.NodeCount, "node"), rules.Count(size.VCPUs, "core"))
		}
		lines = append(lines, line)
		if m := f.monthlyText(norm.VMSize, norm.NodeCount); m != "" {
			lines = append(lines, m+" ("+priceNote(f.prices)+")")
		}
	} else {
		line := "For " + purposeLabel(norm.Purpose) + "."
		if cl := f.facts.Cluster; cl != nil && cl.VCPUs() > 0 {
			line += fmt.Sprintf(" The cluster has %d vCPUs over its node pools.", cl.VCPUs())
		}
		lines = append(lines, line)
	}
	lines = append(lines, "The scoring endpoint uses "+lbLabel(norm.LoadBalancer.Type)+"; TLS: "+tlsLabel(norm.TLS.Mode)+".")
	if norm.LoadBalancer.Subnet != "" {
		lines = append(lines, "Load balancer subnet: "+norm.LoadBalancer.Subnet+".")
	}
	if d := strings.TrimSpace(norm.Description); d != "" {
		lines = append(lines, "Description: "+d)
	}
	if len(norm.Tags) > 0 {
		var tags []string
		for _, k := range slices.Sorted(maps.Keys(norm.Tags)) {
			tags = append(tags, k+"="+norm.Tags[k])
		}
		lines = append(lines, "Tags: "+strings.Join(tags, ", ")+".")
	}
	lines = append(lines, "It usually takes "+duration+".")
	text := exportText(f.exportTab, req, f.facts.WorkspaceLocation)
	return app.Section().ID("review-step").Class("review").Body(
		app.H1().ID("review-title").Attr("tabindex", "-1").Text("Review"),
		app.Ul().ID("review-summary").Class("wrap").Body(app.Range(lines).Slice(func(i int) app.UI { return app.Li().Text(lines[i]) })),
		findingsList("review-findings", withoutRestatedDefaults(f.findings)),
		f.exportsAndSubmit(exportKinds, text, verb),
	)
}

// exportsAndSubmit are the review's export tabs, the submit error and the
// buttons, common to both kinds.
func (f *Form) exportsAndSubmit(kinds []struct{ id, label string }, text, verb string) app.UI {
	label := func(id string) string {
		for _, k := range kinds {
			if k.id == id {
				return k.label
			}
		}
		return id
	}
	return app.Div().Body(
		app.Div().Class("exports").Body(
			app.Div().Attr("role", "tablist").Aria("label", "Exports").Body(
				app.Range(kinds).Slice(func(i int) app.UI {
					k := kinds[i]
					return app.Button().Type("button").ID("export-tab-"+k.id).Attr("role", "tab").
						Aria("selected", fmt.Sprint(k.id == f.exportTab)).Text(k.label).
						OnClick(func(ctx app.Context, e app.Event) { f.exportTab, f.copied = k.id, "" })
				}),
			),
			app.Pre().ID("export-"+f.exportTab).Class("export").Aria("label", "Export as "+label(f.exportTab)).Attr("role", "tabpanel").Attr("tabindex", "0").Text(text),
			app.Button().Type("button").ID("copy-export").Text("Copy").OnClick(func(ctx app.Context, e app.Event) {
				copyText(text)
				f.copied = "export"
			}),
			app.If(f.copied == "export", func() app.UI { return app.Span().Class("copied").Attr("role", "status").Text("Copied") }),
		),
		app.If(f.submitErr != nil, func() app.UI {
			e := f.submitErr
			return app.Div().ID("submit-error").Class("alert error").Attr("role", "alert").Body(
				app.Text(e.Message),
				findingsList("submit-findings", e.Findings),
			)
		}),
		app.Div().Class("actions").Body(
			disabledIf(app.Button().ID("submit").Type("button").Class("primary"), f.submitting || f.findings.HasErrors()).
				Text(map[bool]string{true: "Sending…", false: verb}[f.submitting]).OnClick(f.submit),
			disabledIf(app.Button().ID("back").Type("button").Text("Back to the form"), f.submitting).
				OnClick(func(ctx app.Context, e app.Event) { f.reviewing = false; f.submitErr = nil; f.setTitle(ctx) }),
		),
	)
}

// submit sends the request once: the button is disabled while it is on its way.
func (f *Form) submit(ctx app.Context, e app.Event) {
	if f.submitting || f.findings.HasErrors() {
		return
	}
	f.submitting, f.submitErr = true, nil
	req := f.request()
	ctx = f.self
	ctx.Async(func() {
		var a rules.Accepted
		err := call("POST", rules.PathComputes, req, &a)
		ctx.Dispatch(func(ctx app.Context) {
			f.submitting = false
			if err != nil {
				e, ok := err.(*rules.Error)
				if !ok {
					e = rules.Errorf(rules.ErrUnavailable, "", message(err))
				}
				f.submitErr = e
				return
			}
			// The secrets are gone from this page once Azure has them.
			f.req.TLS.CertPEM, f.req.TLS.KeyPEM = "", ""
			notifyHost(f.cfg, "submitted", map[string]any{"mode": string(req.Mode), "name": req.Name, "workspace": req.Workspace.Name})
			follow(ctx, a, f.embed)
		})
	})
}

// withoutRestatedDefaults leaves out the notes that only say what the
// review already says in words (P1: no purpose means production).
func withoutRestatedDefaults(fs rules.Findings) rules.Findings {
	var out rules.Findings
	for _, x := range fs {
		if x.IsCode(rules.CodePurpose) && x.Severity == rules.SeverityInfo {
			continue
		}
		out = append(out, x)
	}
	return out
}
