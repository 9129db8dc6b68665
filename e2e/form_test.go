//go:build !(js && wasm)

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const sub = "00000000-0000-4000-8000-000000000001"

// TestLiveFindingsMatchProxy types a name that breaks N2 and N3 and a
// production cluster of 2 × Standard_D3_v2: the page shows N2, N3 and P2
// (8 of 12 vCPUs, 3 nodes needed) as the person types, and the proxy's
// /api/validate returns the same codes for the same request.
func TestLiveFindingsMatchProxy(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, s.URL+"/?mode=create&sub="+sub+"&rg=ml-rg&ws=ws-east")
	b.waitFor(t, `document.querySelector('#f-workspace-name').value.endsWith('/ws-east')`)

	b.typeInto(t, "#f-name", "9bad_name")
	b.typeInto(t, "#f-vmSize", "Standard_D3_v2")
	b.typeInto(t, "#f-nodeCount", "2")
	b.waitFor(t, `!!document.querySelector('#f-nodeCount-findings [data-code="P2"]')`)

	got := codes(t, b, "f-name-findings")
	for _, want := range []string{"N2", "N3"} {
		if !contains(got, want) {
			t.Errorf("name findings %v lack %s", got, want)
		}
	}
	p2 := eval[string](t, b, `document.querySelector('#f-nodeCount-findings [data-code="P2"]').textContent`)
	for _, want := range []string{"12 vCPUs", "2 nodes × 4 cores of Standard_D3_v2 = 8", "at least 3 nodes"} {
		if !strings.Contains(p2, want) {
			t.Errorf("P2 says %q; want it to hold %q", p2, want)
		}
	}
	if v := eval[string](t, b, `document.querySelector('#f-name').getAttribute('aria-invalid')`); v != "true" {
		t.Errorf("name aria-invalid = %q, want true", v)
	}
	meter := eval[string](t, b, `document.querySelector('#vcpu-meter').textContent`)
	if !strings.Contains(meter, "8 of 12 vCPUs") || !strings.Contains(meter, "3 nodes would pass") {
		t.Errorf("vCPU meter says %q", meter)
	}

	var resp struct {
		Findings []struct{ Code, Field string } `json:"findings"`
	}
	req := map[string]any{
		"mode":      "create",
		"workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-rg", "name": "ws-east"},
		"name":      "9bad_name", "vmSize": "Standard_D3_v2", "nodeCount": 2,
	}
	if st := s.api(t, "POST", "/api/validate", req, &resp); st != 200 {
		t.Fatalf("validate: status %d", st)
	}
	var apiCodes []string
	for _, f := range resp.Findings {
		apiCodes = append(apiCodes, f.Code)
	}
	for _, want := range []string{"N2", "N3", "P2"} {
		if !contains(apiCodes, want) {
			t.Errorf("/api/validate codes %v lack %s", apiCodes, want)
		}
	}
	pageCodes := eval[[]string](t, b, `Array.from(document.querySelectorAll('.field [data-code]')).map(e => e.dataset.code).filter(c => c !== 'K1' && c !== 'V4' && c !== 'P1')`)
	for _, c := range pageCodes {
		if !contains(apiCodes, c) {
			t.Errorf("the page shows %s, which the proxy does not return (%v)", c, apiCodes)
		}
	}
}

// TestCreateThroughThePage fills the form, reviews, submits and follows the
// progress page until the emulator reports Succeeded; a reload of the
// progress page shows the same operation.
func TestCreateThroughThePage(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, s.URL+"/?mode=create&sub="+sub+"&rg=ml-rg&ws=ws-east")
	b.typeInto(t, "#f-name", "team-aks")
	b.typeInto(t, "#f-vmSize", "Standard_D4s_v3")
	b.typeInto(t, "#f-nodeCount", "3")
	b.waitFor(t, `document.querySelector('#vcpu-meter').className.includes('ok')`)
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.do(t, chromedp.WaitVisible(chromedp.CSS("#review-step")))
	// The proxy writes the exports (POST /api/exports): the tab panel holds
	// them once its answer has come.
	b.waitFor(t, `!!document.querySelector('#export-cli')`)
	cli := eval[string](t, b, `document.querySelector('#export-cli').textContent`)
	if !strings.Contains(cli, "az ml computetarget create aks") || !strings.Contains(cli, "team-aks") {
		t.Errorf("CLI export: %q", cli)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor(t, `location.pathname.startsWith('/progress/')`)
	b.waitFor(t, `!!document.querySelector('#state')`)
	b.waitFor(t, `document.querySelector('#state').dataset.state === 'Succeeded'`)

	b.do(t, chromedp.Reload())
	b.waitFor(t, `!!document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Succeeded'`)
	b.screenshot(t)
}
