//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (npm axe-core 4.14.1, installed by `make deps` into
// .cache/npm). It is given to the page only here, by evaluating its source
// in the tab: the product never serves it.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AMLAKS_AXE")
	if path == "" {
		root, _ := filepath.Abs("..")
		path = filepath.Join(root, ".cache", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core: %v (`make deps` installs it)", err)
		}
		t.Skipf("axe-core: %v (`make deps` installs it)", err)
	}
	return string(src)
}

// axe runs axe-core on the page as it is and returns its violations as
// "rule (impact): target, …".
func (b *browser) axe(t *testing.T, src string) []string {
	t.Helper()
	if !eval[bool](t, b, `typeof window.axe === 'object'`) {
		eval[bool](t, b, src+";true")
	}
	js := `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', ') + ' — ' + v.help))`
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	return v
}

// TestAccessibility runs axe-core on create, attach, review, progress and
// the inventory, at 1280 px and at 375 px: no violation.
func TestAccessibility(t *testing.T) {
	src := axeSource(t)
	s := startServer(t)
	var a struct{ Page string }
	req := map[string]any{"mode": "create", "workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-rg", "name": "ws-east"}, "name": "axe-progress"}
	if st := s.api(t, "POST", "/api/computes", req, &a); st != 202 {
		t.Fatalf("create: status %d", st)
	}
	b := newBrowser(t)
	pages := []struct {
		name string
		open func()
	}{
		{"create", func() { b.open(t, s.URL+"/?mode=create") }},
		{"create with findings", func() {
			b.open(t, link(s.URL, "mode", "create", "name", "9bad", "nodes", "abc", "tls", "custom"))
			b.do(t, chromedp.Click(chromedp.CSS("#review")))
			b.waitFor(t, `!!document.querySelector('#error-links')`)
		}},
		{"attach", func() {
			b.open(t, link(s.URL, "mode", "attach", "name", "axe-attach", "targetRg", "aks-rg", "target", "aks-healthy"))
			b.waitFor(t, `!!document.querySelector('#cluster-facts dt')`)
		}},
		{"review", func() {
			b.open(t, link(s.URL, "mode", "create", "name", "axe-review", "vmSize", "Standard_D4s_v3", "nodes", "3"))
			b.do(t, chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#review-step")))
		}},
		{"progress", func() {
			b.open(t, s.URL+a.Page)
			b.waitFor(t, `!!document.querySelector('#state')`)
		}},
		{"inventory", func() {
			b.open(t, s.URL+"/inventory?sub="+sub+"&rg=ml-rg&ws=ws-east")
			b.waitFor(t, `!!document.querySelector('tr[data-compute]')`)
		}},
	}
	for _, w := range []int64{1280, 375} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s at %d px", p.name, w), func(t *testing.T) {
				b.width(t, w)
				p.open()
				if v := b.axe(t, src); len(v) > 0 {
					t.Errorf("axe-core violations:\n  %s", strings.Join(v, "\n  "))
				}
			})
		}
	}
}
