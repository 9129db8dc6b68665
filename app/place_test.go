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

// TestControlsKeepTheirPlace renders the form as the page's answers arrive,
// one after the other, in each mode and kind, and checks that no control a
// person may be using moves.
func TestControlsKeepTheirPlace(t *testing.T) {
	ws := rules.WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "ml-rg", Name: "ws-east"}
	size := rules.VMSize{Name: "Standard_D4s_v3", VCPUs: 4, MemoryGB: 16, Family: "standardDSv3Family"}
	steps := []struct {
		name string
		do   func(f *Form)
	}{
		{"the config arrives", func(f *Form) {
			f.cfg = config{Backend: "emulator"}
		}},
		{"the workspaces arrive", func(f *Form) {
			f.loading, f.workspaces = false, []rules.Workspace{{WorkspaceRef: ws, Location: "eastus"}}
		}},
		{"the facts are asked for", func(f *Form) { f.factsLoading = true }},
		{"the facts arrive", func(f *Form) {
			f.factsLoading = false
			f.facts = rules.Facts{WorkspaceLocation: "eastus", VMSizes: []rules.VMSize{size, {Name: "Standard_NC6s_v3", VCPUs: 6, MemoryGB: 112, GPUs: 1}},
				Versions:    []rules.KubernetesVersion{{Version: "1.33.2", Default: true}, {Version: "1.34.1"}},
				Quotas:      []rules.Quota{{Name: "standardDSv3Family", Limit: 100, Used: 90}, {Name: "cores", Limit: 100, Used: 90}},
				Computes:    []rules.Compute{{Name: "aks-one"}},
				RegionNames: []string{"aks-one"},
			}
			f.findings = f.computeFindings(f.request())
		}},
		{"every error is shown", func(f *Form) {
			f.showAll = true
			f.findings = f.computeFindings(f.request())
		}},
		{"the prices arrive", func(f *Form) {
			f.prices = rules.PriceList{Location: "eastus", Currency: "USD", Prices: []rules.VMPrice{{VMSize: size.Name, Hourly: 0.19}}}
			f.pricesLoc = "eastus"
		}},
		{"a node count the quota refuses", func(f *Form) {
			f.nodeText = "1000"
			f.findings = f.computeFindings(f.request())
		}},
		{"the suggestions are shown", func(f *Form) { f.listsOn = true }},
		{"the facts fail", func(f *Form) { f.factsErr = "status of 503" }},
		{"the link is copied", func(f *Form) { f.copied, f.shareURL = "link", "http://127.0.0.1/?mode=create" }},
		{"a submit fails", func(f *Form) {
			f.submitErr = &rules.Error{Code: "conflict", Message: "taken"}
		}},
		{"all is well again", func(f *Form) {
			f.nodeText, f.factsErr, f.submitErr, f.copied, f.shareURL = "3", "", nil, "", ""
			f.findings = f.computeFindings(f.request())
		}},
	}
	for _, mode := range []rules.Mode{rules.ModeCreate, rules.ModeAttach} {
		for _, kind := range []rules.Kind{rules.KindKubernetes, rules.KindAKS} {
			t.Run(string(mode)+"/"+string(kind), func(t *testing.T) {
				f := &Form{loading: true, nodeText: "3", touched: map[string]bool{}, req: rules.Request{
					Mode: mode, Kind: kind, Workspace: ws, Name: "aks-one", VMSize: size.Name, NodeCount: 3,
					Target: rules.Target{ResourceGroup: "aks-rg", Name: "aks-attached"},
				}}
				f.findings = f.computeFindings(f.request())
				before := controlPlaces(t, f.Render())
				for _, s := range steps {
					s.do(f)
					after := controlPlaces(t, f.Render())
					for id, was := range before {
						if now, ok := after[id]; ok && now != was {
							t.Errorf("when %s, #%s moves from %s to %s: go-app rebuilds it under the person's hands", s.name, id, was, now)
						}
					}
					before = after
				}
			})
		}
	}
}
