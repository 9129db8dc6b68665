package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"golang.org/x/net/html"

	"github.com/amlaks/amlaks/rules"
)

// go-app updates a page by position: the i-th child of the old render is
// updated from the i-th child of the new one when both are the same element,
// and replaced otherwise. A line that comes and goes before a control shifts
// every control after it, and go-app rebuilds them: the box being typed in
// loses its focus and its text, an open section closes. So an answer that
// arrives (workspaces, facts, findings, prices, a copied link) must leave
// every control where it was. controlPlaces maps each control's id to its
// place: the tag and child index of each element from the root down.
func controlPlaces(t *testing.T, ui app.UI) map[string]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(app.HTMLString(ui)))
	if err != nil {
		t.Fatal(err)
	}
	places := map[string]string{}
	var walk func(n *html.Node, path string)
	walk = func(n *html.Node, path string) {
		i := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
				continue // the encoder's indentation, not a child of go-app's
			}
			p := fmt.Sprintf("%s/%d", path, i)
			i++
			if c.Type != html.ElementNode {
				continue
			}
			p += c.Data
			switch c.Data {
			case "input", "select", "textarea", "button", "details", "a":
				for _, a := range c.Attr {
					if a.Key == "id" {
						places[a.Val] = p
					}
				}
			}
			walk(c, p)
		}
	}
	walk(doc, "")
	return places
}

// step is something that happens to a page while a person uses it.
type step struct {
	name string
	do   func()
}

// keepPlaces renders, takes each step, renders again, and reports every
// control that moved.
func keepPlaces(t *testing.T, render func() app.UI, steps []step) {
	t.Helper()
	before := controlPlaces(t, render())
	for _, s := range steps {
		s.do()
		after := controlPlaces(t, render())
		for id, was := range before {
			if now, ok := after[id]; ok && now != was {
				t.Errorf("when %s, #%s moves from %s to %s: go-app rebuilds it under the person's hands", s.name, id, was, now)
			}
		}
		before = after
	}
}

var (
	placeWS   = rules.WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "ml-rg", Name: "ws-east"}
	placeSize = rules.VMSize{Name: "Standard_D4s_v3", VCPUs: 4, MemoryGB: 16, Family: "standardDSv3Family"}
)

// TestControlsKeepTheirPlace renders each page as its answers arrive, one
// after the other, and checks that no control a person may be using moves:
// the form in each mode and kind, the clusters list, an operation's progress.
func TestControlsKeepTheirPlace(t *testing.T) {
	for _, mode := range []rules.Mode{rules.ModeCreate, rules.ModeAttach} {
		for _, kind := range []rules.Kind{rules.KindKubernetes, rules.KindAKS} {
			t.Run("form/"+string(mode)+"/"+string(kind), func(t *testing.T) {
				f := &Form{loading: true, nodeText: "3", touched: map[string]bool{}, req: rules.Request{
					Mode: mode, Kind: kind, Workspace: placeWS, Name: "aks-one", VMSize: placeSize.Name, NodeCount: 3,
					Target: rules.Target{ResourceGroup: "aks-rg", Name: "aks-attached"},
				}}
				f.findings = f.computeFindings(f.request())
				keepPlaces(t, f.Render, formSteps(f))
			})
		}
	}
	t.Run("inventory", func(t *testing.T) {
		v := &Inventory{ref: placeWS, loading: true}
		computes := []rules.Compute{
			{Name: "aks-one", Type: "Kubernetes", State: "Succeeded", Nodes: 3, VMSize: placeSize.Name, VCPUs: 12},
			{Name: "aks-two", Type: "AKS", State: "Succeeded", Nodes: 3, VMSize: placeSize.Name, VCPUs: 12},
		}
		keepPlaces(t, v.Render, []step{
			{"the config arrives", func() { v.cfg = config{Backend: "emulator"} }},
			{"the list arrives", func() { v.loading, v.computes = false, computes }},
			{"a node count is being typed", func() { v.scaling, v.nodes = "aks-two", "30"; v.checkScale(computes[1]) }},
			{"a notice comes", func() { v.notice = "aks-one is being detached." }},
			{"an error comes", func() { v.err = "status of 503" }},
			{"the notice and the error go", func() { v.notice, v.err = "", "" }},
			{"another compute's change is under way", func() { v.expect("aks-one", "detach") }},
		})
	})
	t.Run("progress", func(t *testing.T) {
		p := &Progress{ref: placeWS, name: "aks-one"}
		running := &rules.OperationState{Workspace: placeWS, Name: "aks-one", Mode: rules.ModeCreate, Kind: rules.KindKubernetes, State: "Failed", Done: true,
			Steps: []rules.Step{{Name: "cluster", Title: "Create the cluster", State: "Failed", Errors: []string{"quota"}}}, CanRetry: true, CanCleanup: true}
		keepPlaces(t, p.Render, []step{
			{"the config arrives", func() { p.cfg = config{Backend: "emulator"} }},
			{"the state arrives", func() { p.state = running }},
			{"a poll fails", func() { p.err = "status of 503" }},
			{"the next poll answers", func() { p.err = "" }},
		})
	})
}

func formSteps(f *Form) []step {
	size := placeSize
	return []step{
		{"the config arrives", func() { f.cfg = config{Backend: "emulator"} }},
		{"the workspaces arrive", func() {
			f.loading, f.workspaces = false, []rules.Workspace{{WorkspaceRef: placeWS, Location: "eastus"}}
		}},
		{"the facts are asked for", func() { f.factsLoading = true }},
		{"the facts arrive", func() {
			f.factsLoading = false
			f.facts = rules.Facts{WorkspaceLocation: "eastus", VMSizes: []rules.VMSize{size, {Name: "Standard_NC6s_v3", VCPUs: 6, MemoryGB: 112, GPUs: 1}},
				Versions:    []rules.KubernetesVersion{{Version: "1.33.2", Default: true}, {Version: "1.34.1"}},
				Quotas:      []rules.Quota{{Name: "standardDSv3Family", Limit: 100, Used: 90}, {Name: "cores", Limit: 100, Used: 90}},
				Computes:    []rules.Compute{{Name: "aks-one"}},
				RegionNames: []string{"aks-one"},
			}
			f.findings = f.computeFindings(f.request())
		}},
		{"every error is shown", func() {
			f.showAll = true
			f.findings = f.computeFindings(f.request())
		}},
		{"the prices arrive", func() {
			f.prices = rules.PriceList{Location: "eastus", Currency: "USD", Prices: []rules.VMPrice{{VMSize: size.Name, Hourly: 0.19}}}
			f.pricesLoc = "eastus"
		}},
		{"a node count the quota refuses", func() {
			f.nodeText = "1000"
			f.findings = f.computeFindings(f.request())
		}},
		{"the suggestions are shown", func() { f.listsOn = true }},
		{"the facts fail", func() { f.factsErr = "status of 503" }},
		{"the link is copied", func() { f.copied, f.shareURL = "link", "http://127.0.0.1/?mode=create" }},
		{"a submit fails", func() { f.submitErr = &rules.Error{Code: "conflict", Message: "taken"} }},
		{"all is well again", func() {
			f.nodeText, f.factsErr, f.submitErr, f.copied, f.shareURL = "3", "", nil, "", ""
			f.findings = f.computeFindings(f.request())
		}},
	}
}
