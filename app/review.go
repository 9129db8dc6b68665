package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// validExportTab reports whether tab is one of the exports of the request's kind.
func validExportTab(tab string, kind rules.Kind) bool {
	for _, k := range rules.ExportKinds(kind) {
		if k.ID == tab {
			return true
		}
	}
	return false
}

// openReview asks the proxy for the review's exports (POST /api/exports),
// since the writers are the proxy's, not app.wasm's (tag noexports), and
// then shows the review, whole: nothing moves under the pointer when the
// answer comes. The request goes without its secrets, which no export
// carries (L5). A refusal or a failure still opens the review, which says
// why the exports are missing (the submit would meet the same refusal); an
// answer for a request changed meanwhile, or after the person moved on, is
// dropped.
func (f *Form) openReview(open func(ctx app.Context)) {
	if f.preparing {
		return
	}
	f.exportsGen++
	gen := f.exportsGen
	f.preparing = true
	probe := f.request().Redacted()
	key, _ := json.Marshal(probe)
	ctx := f.self
	ctx.Async(func() {
		var body rules.ExportsBody
		err := call("POST", rules.PathExports, probe, &body)
		ctx.Dispatch(func(ctx app.Context) {
			f.preparing = false
			now, _ := json.Marshal(f.request().Redacted())
			if gen != f.exportsGen || string(now) != string(key) {
				return
			}
			f.exports, f.exportsErr = body, ""
			if err != nil {
				f.exports, f.exportsErr = rules.ExportsBody{}, message(err)
			}
			open(ctx)
		})
	})
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
	return app.Elem("section").ID("review-step").Class("review").Body(
		app.Elem("h1").ID("review-title").Attr("tabindex", "-1").Text("Review"),
		app.Ul().ID("review-summary").Class("wrap").Body(app.Range(lines).Slice(func(i int) app.UI { return app.Li().Text(lines[i]) })),
		findingsList("review-findings", withoutRestatedDefaults(f.findings)),
		f.exportsAndSubmit(verb),
	)
}

// exportsAndSubmit are the review's export tabs, the submit error and the
// buttons, common to both kinds. The tab panel holds the proxy's text of
// the chosen export (openReview), or why there is none.
func (f *Form) exportsAndSubmit(verb string) app.UI {
	kinds := rules.ExportKinds(f.req.Kind)
	label := f.exportTab
	for _, k := range kinds {
		if k.ID == f.exportTab {
			label = k.Label
		}
	}
	text, ok := f.exports.Text(f.exportTab)
	var panel app.UI
	switch {
	case ok:
		panel = app.Elem("pre").ID("export-"+f.exportTab).Class("export").Aria("label", "Export as "+label).Attr("role", "tabpanel").Attr("tabindex", "0").Text(text)
	case f.exportsErr != "":
		panel = app.Elem("p").ID("export-error").Class("alert error").Attr("role", "tabpanel").Text("The exports could not be written: " + f.exportsErr)
	default:
		panel = app.Elem("p").ID("export-missing").Class("muted").Attr("role", "tabpanel").Text("The proxy wrote no " + label + " export.")
	}
	return app.Elem("div").Body(
		app.Elem("div").Class("exports").Body(
			app.Elem("div").Attr("role", "tablist").Aria("label", "Exports").Body(
				app.Range(kinds).Slice(func(i int) app.UI {
					k := kinds[i]
					return app.Elem("button").Attr("type", "button").ID("export-tab-"+k.ID).Attr("role", "tab").
						Aria("selected", fmt.Sprint(k.ID == f.exportTab)).Text(k.Label).
						OnClick(func(ctx app.Context, e app.Event) { f.exportTab, f.copied = k.ID, "" })
				}),
			),
			panel,
			disabledIf(app.Elem("button").Attr("type", "button").ID("copy-export").Text("Copy"), !ok).OnClick(func(ctx app.Context, e app.Event) {
				if text, ok := f.exports.Text(f.exportTab); ok {
					copyText(text)
					f.copied = "export"
				}
			}),
			app.If(f.copied == "export", func() app.UI { return app.Elem("span").Class("copied").Attr("role", "status").Text("Copied") }),
		),
		app.If(f.submitErr != nil, func() app.UI {
			e := f.submitErr
			return app.Elem("div").ID("submit-error").Class("alert error").Attr("role", "alert").Body(
				app.Text(e.Message),
				findingsList("submit-findings", e.Findings),
			)
		}),
		app.Elem("div").Class("actions").Body(
			disabledIf(app.Elem("button").ID("submit").Attr("type", "button").Class("primary"), f.submitting || f.findings.HasErrors()).
				Text(map[bool]string{true: "Sending…", false: verb}[f.submitting]).OnClick(f.submit),
			disabledIf(app.Elem("button").ID("back").Attr("type", "button").Text("Back to the form"), f.submitting).
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
