//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// link is a share link to the form with the given fields.
func link(base string, kv ...string) string {
	q := url.Values{"sub": {sub}, "rg": {"ml-rg"}, "ws": {"ws-east"}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return base + "/?" + q.Encode()
}

// pick chooses an option of a select by its value, as a person would.
func (b *browser) pick(t *testing.T, sel, value string) {
	t.Helper()
	b.waitFor(t, fmt.Sprintf(`!!document.querySelector(%q) && Array.from(document.querySelector(%q).options).some(o => o.value === %q)`, sel, sel, value))
	eval[bool](t, b, fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`, sel, value))
}

func clusterID(name string) string {
	return "/subscriptions/" + sub + "/resourcegroups/aks-rg/providers/microsoft.containerservice/managedclusters/" + name
}

// TestAttachThroughThePage picks a healthy cluster, reviews and attaches it,
// and follows the attach to Succeeded.
func TestAttachThroughThePage(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, link(s.URL, "mode", "attach"))
	b.pick(t, "#f-target-name", clusterID("aks-healthy"))
	b.typeInto(t, "#f-name", "team-attached")
	b.waitFor(t, `document.querySelector('#cluster-facts') && document.querySelector('#cluster-facts').textContent.includes('1.32.7')`)
	b.waitFor(t, `document.querySelector('#vcpu-meter').className.includes('ok')`)
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.do(t, chromedp.WaitVisible(chromedp.CSS("#review-step")))
	b.do(t, chromedp.Click(chromedp.CSS("#export-tab-terraform")))
	b.waitFor(t, `!!document.querySelector('#export-terraform')`)
	tf := eval[string](t, b, `document.querySelector('#export-terraform').textContent`)
	if !strings.Contains(tf, "azurerm_machine_learning_inference_cluster") || !strings.Contains(tf, "aks-healthy") {
		t.Errorf("Terraform export: %q", tf)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor(t, `location.pathname.startsWith('/progress/')`)
	b.waitFor(t, `!!document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Succeeded'`)
}

// TestRefusalsOnTheirFields opens links that break rules only Azure's facts
// reveal, and checks each finding shows on its field.
func TestRefusalsOnTheirFields(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	cases := []struct {
		name  string
		link  string
		list  string
		codes []string
	}{
		{"name exists (N5)", link(s.URL, "mode", "create", "name", "cpu-cluster"), "f-name-findings", []string{"N5"}},
		{"reserved name (N7)", link(s.URL, "mode", "create", "name", "local"), "f-name-findings", []string{"N7"}},
		{"unknown VM size (P6)", link(s.URL, "mode", "create", "name", "ok-name", "vmSize", "Standard_D3v2"), "f-vmSize-findings", []string{"P6"}},
		{"GPU size (P7)", link(s.URL, "mode", "create", "name", "ok-name", "vmSize", "Standard_NC6s_v3", "nodes", "3"), "f-vmSize-findings", []string{"P7"}},
		{"DNS IP outside service CIDR (V2)", link(s.URL, "mode", "create", "name", "ok-name", "vnetRg", "net", "vnet", "v", "subnet", "s", "serviceCidr", "10.0.0.0/16", "dnsIp", "10.1.0.10", "dockerCidr", "172.17.0.1/16"), "f-network-dnsServiceIP-findings", []string{"V2"}},
		{"partial network (V1)", link(s.URL, "mode", "create", "name", "ok-name", "vnet", "v"), "f-network-subnetName-findings", []string{"V1"}},
		{"internal LB with Microsoft cert (L3)", link(s.URL, "mode", "create", "name", "ok-name", "lb", "InternalLoadBalancer", "tls", "microsoft", "leaf", "svc"), "f-tls-mode-findings", []string{"L3"}},
		{"already attached (T4)", link(s.URL, "mode", "attach", "name", "again", "targetRg", "aks-rg", "target", "aks-attached"), "f-target-name-findings", []string{"T4"}},
		{"unsupported version (K2)", link(s.URL, "mode", "attach", "name", "old-one", "targetRg", "aks-rg", "target", "aks-old"), "f-target-name-findings", []string{"K2"}},
		{"preview version (K3)", link(s.URL, "mode", "attach", "name", "prev-one", "targetRg", "aks-rg", "target", "aks-preview"), "f-target-name-findings", []string{"K3"}},
		{"missing AML ranges (A1)", link(s.URL, "mode", "attach", "name", "ranges", "targetRg", "aks-rg", "target", "aks-missing-ranges"), "f-target-name-findings", []string{"A1"}},
		{"private with public FQDN (A3)", link(s.URL, "mode", "attach", "name", "priv", "targetRg", "aks-rg", "target", "aks-private"), "f-target-name-findings", []string{"A3"}},
		{"GPU only in a secondary pool (P7)", link(s.URL, "mode", "attach", "name", "gpu", "targetRg", "aks-rg", "target", "aks-gpu-secondary"), "f-target-name-findings", []string{"P7"}},
		{"too small for production (T5)", link(s.URL, "mode", "attach", "name", "small", "targetRg", "aks-rg", "target", "aks-small"), "f-target-name-findings", []string{"T5"}},
		{"other region (T3)", link(s.URL, "mode", "attach", "name", "west", "targetRg", "aks-rg", "target", "aks-west"), "f-target-name-findings", []string{"T3"}},
		{"missing cluster", link(s.URL, "mode", "attach", "name", "ghost", "targetRg", "aks-rg", "target", "no-such-cluster"), "f-target-name-findings", []string{"T2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b.open(t, tc.link)
			for _, code := range tc.codes {
				b.waitFor(t, fmt.Sprintf(`!!document.querySelector('#%s [data-code=%q]')`, tc.list, code))
			}
		})
	}
}

// TestVersionsTable shows the location's versions with the default and the preview.
func TestVersionsTable(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, link(s.URL, "mode", "create"))
	b.waitFor(t, `document.querySelectorAll('#versions tbody tr').length === 3`)
	rows := eval[[]string](t, b, `Array.from(document.querySelectorAll('#versions tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent).join('|'))`)
	want := []string{"1.33.2||yes|None available", "1.32.7|yes||1.33.2", "1.31.10|||1.32.7"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("versions table mismatch (-want +got):\n-%s\n+%s", strings.Join(want, "\n-"), strings.Join(rows, "\n+"))
	}
	// The location picker offers the subscription's regions, as Azure names them.
	b.waitFor(t, `(() => { const o = document.querySelector('#locations option[value="eastus"]'); return !!o && o.textContent === 'East US' })()`)
	k1 := eval[string](t, b, `document.querySelector('#f-location-findings [data-code="K1"]').textContent`)
	if !strings.Contains(k1, "1.32.7") {
		t.Errorf("K1 says %q; want the default 1.32.7", k1)
	}
}

// TestShareLinkRoundTrip: the URL holds every non-secret field as the person
// types; opening it elsewhere fills the form; bad values show as findings.
func TestShareLinkRoundTrip(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, link(s.URL, "mode", "create"))
	b.typeInto(t, "#f-name", "shared-one")
	b.typeInto(t, "#f-vmSize", "Standard_D8s_v3")
	b.typeInto(t, "#f-nodeCount", "4")
	b.pick(t, "#f-purpose", "DenseProd")
	b.do(t, chromedp.Click(chromedp.CSS("#tls-custom")))
	b.typeInto(t, "#f-tls-keyPem", "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----")
	b.typeInto(t, "#f-tls-cname", "score.contoso.com")
	b.do(t, chromedp.Click(chromedp.CSS("#copy-link")))
	b.waitFor(t, `!!document.querySelector('#share-link')`)
	shared := eval[string](t, b, `document.querySelector('#share-link').value`)
	for _, want := range []string{"name=shared-one", "vmSize=Standard_D8s_v3", "nodes=4", "purpose=DenseProd", "tls=custom", "cname=score.contoso.com"} {
		if !strings.Contains(shared, want) {
			t.Errorf("share link %s lacks %s", shared, want)
		}
	}
	if strings.Contains(strings.ToLower(shared), "secret") || strings.Contains(strings.ToLower(shared), "private") {
		t.Errorf("share link carries the key: %s", shared)
	}

	b2 := newBrowser(t)
	b2.open(t, shared)
	b2.waitFor(t, `document.querySelector('#f-name').value === 'shared-one' && document.querySelector('#f-nodeCount').value === '4'`)
	if v := eval[string](t, b2, `document.querySelector('#f-purpose').value`); v != "DenseProd" {
		t.Errorf("purpose after the link = %q", v)
	}
	if v := eval[string](t, b2, `document.querySelector('#f-tls-keyPem').value`); v != "" {
		t.Errorf("the key came through the link: %q", v)
	}

	bad := s.URL + "/?mode=create&sub=" + sub + "&rg=ml-rg&ws=ws-east&name=x&nodes=lots&purpose=Prod&colour=blue&keyPem=abc"
	b2.open(t, bad)
	b2.waitFor(t, `!!document.querySelector('#f-nodeCount-findings [data-code="P5"]')`)
	b2.waitFor(t, `!!document.querySelector('#f-purpose-findings [data-code="P1"]')`)
	b2.waitFor(t, `!!document.querySelector('#summary-findings [data-code="U1"]')`)
	b2.waitFor(t, `!!document.querySelector('#f-name-findings [data-code="N1"]')`)
	b2.waitFor(t, `!!document.querySelector('#summary-findings [data-code="L5"]') || !!document.querySelector('[data-code="L5"]')`)
	if v := eval[string](t, b2, `document.querySelector('#f-nodeCount').value`); v != "lots" {
		t.Errorf("the bad node count was dropped: %q", v)
	}
}

// TestReviewFocusAndExports: Review with errors moves focus to the first
// error; a valid request shows four exports with secrets as placeholders,
// and a second click on submit sends nothing more.
func TestReviewFocusAndExports(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, link(s.URL, "mode", "create", "nodes", "2"))
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.waitFor(t, `document.activeElement && document.activeElement.id === 'f-name'`)

	b.typeInto(t, "#f-name", "exported")
	b.typeInto(t, "#f-nodeCount", "3")
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.do(t, chromedp.WaitVisible(chromedp.CSS("#review-step")))
	for _, tab := range []struct{ id, want string }{
		{"cli", "az ml computetarget create aks"},
		{"python", "AksCompute.provisioning_configuration"},
		{"terraform", "azurerm_machine_learning_inference_cluster"},
		{"arm", `"computeType": "AKS"`},
	} {
		b.do(t, chromedp.Click(chromedp.CSS("#export-tab-"+tab.id)))
		b.waitFor(t, fmt.Sprintf(`!!document.querySelector('#export-%s')`, tab.id))
		text := eval[string](t, b, fmt.Sprintf(`document.querySelector('#export-%s').textContent`, tab.id))
		if !strings.Contains(text, tab.want) || !strings.Contains(text, "exported") {
			t.Errorf("%s export lacks %q: %s", tab.id, tab.want, text)
		}
	}
	// Two clicks in a row: the button disables itself, one compute is made.
	eval[bool](t, b, `(() => { const s = document.querySelector('#submit'); s.click(); s.click(); return true })()`)
	b.waitFor(t, `location.pathname.startsWith('/progress/')`)
	var list struct {
		Computes []struct{ Name string } `json:"computes"`
	}
	s.api(t, "GET", "/api/workspaces/"+sub+"/ml-rg/ws-east/computes", nil, &list)
	n := 0
	for _, c := range list.Computes {
		if c.Name == "exported" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d computes named exported, want 1", n)
	}
	if log := s.log(); strings.Count(log, "provision accepted") != 1 {
		t.Errorf("the proxy accepted %d provisions, want 1", strings.Count(log, "provision accepted"))
	}
}

// TestInventoryScaleAndDetach changes the node count of a cluster (its VM size
// cannot change) and detaches another after a confirmation that names it.
func TestInventoryScaleAndDetach(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, s.URL+"/inventory?sub="+sub+"&rg=ml-rg&ws=ws-east")
	b.waitFor(t, `!!document.querySelector('tr[data-compute="aks-attached"]')`)
	row := eval[string](t, b, `document.querySelector('tr[data-compute="aks-attached"]').textContent`)
	for _, want := range []string{"Succeeded", "Standard_D3_v2", "1.32.7"} {
		if !strings.Contains(row, want) {
			t.Errorf("inventory row %q lacks %s", row, want)
		}
	}
	b.do(t, chromedp.Click(chromedp.CSS("#scale-aks-attached")))
	b.waitFor(t, `!!document.querySelector('#scale-nodes')`)
	b.typeInto(t, "#scale-nodes", "2")
	b.waitFor(t, `!!document.querySelector('#scale-findings [data-code="P5"]') && document.querySelector('#apply-scale').disabled`)
	b.typeInto(t, "#scale-nodes", "5")
	b.waitFor(t, `!document.querySelector('#apply-scale').disabled`)
	b.do(t, chromedp.Click(chromedp.CSS("#apply-scale")))
	b.waitFor(t, `!!document.querySelector('#inventory-notice')`)
	b.waitFor(t, `(() => { const r = document.querySelector('tr[data-compute="aks-attached"] .nodes'); return r && r.textContent === '5' })()`)

	b.do(t, chromedp.Click(chromedp.CSS("#detach-aks-attached")))
	b.waitFor(t, `!!document.querySelector('#confirm-text')`)
	confirm := eval[string](t, b, `document.querySelector('#confirm-text').textContent`)
	if !strings.Contains(confirm, "aks-attached") || !strings.Contains(confirm, "kept") {
		t.Errorf("confirmation says %q", confirm)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#confirm-detach")))
	b.waitFor(t, `document.querySelector('#inventory-notice').textContent.includes('detached')`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var cl struct {
			Clusters []struct{ Name string } `json:"clusters"`
		}
		var list struct {
			Computes []struct{ Name string } `json:"computes"`
		}
		s.api(t, "GET", "/api/workspaces/"+sub+"/ml-rg/ws-east/computes", nil, &list)
		s.api(t, "GET", "/api/clusters?subscription="+sub, nil, &cl)
		gone, kept := true, false
		for _, c := range list.Computes {
			gone = gone && c.Name != "aks-attached"
		}
		for _, c := range cl.Clusters {
			kept = kept || c.Name == "aks-attached"
		}
		if gone && kept {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after detach: compute gone %v, cluster kept %v", gone, kept)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestWasmServedCompressed: app.wasm goes out brotli- or gzip-compressed, and
// the page tells go-app the raw length so its progress bar stays right.
func TestWasmServedCompressed(t *testing.T) {
	s := startServer(t)
	for _, enc := range []string{"br", "gzip"} {
		req, _ := http.NewRequest("GET", s.URL+"/web/app.wasm", nil)
		req.Header.Set("Accept-Encoding", enc)
		tr := &http.Transport{DisableCompression: true}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Content-Encoding")
		if enc == "br" && got == "" {
			t.Skip("no app.wasm.br: brotli is not installed")
		}
		if got != enc {
			t.Errorf("Accept-Encoding %s: Content-Encoding %q", enc, got)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/wasm" {
			t.Errorf("Content-Type %q", ct)
		}
	}
	resp, err := http.Get(s.URL + "/app.js")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := new(strings.Builder)
	_, _ = fmt.Fprint(buf, "")
	data := make([]byte, 4096)
	n, _ := resp.Body.Read(data)
	if !strings.Contains(string(data[:n]), `goappWasmContentLength = "`) || strings.Contains(string(data[:n]), `goappWasmContentLength = ""`) {
		t.Errorf("app.js does not carry the raw wasm length")
	}
}

// TestKeyboardOnly fills, reviews and submits with the keyboard alone: Enter
// in a field opens the review, focus lands on it, and Enter on the button sends.
func TestKeyboardOnly(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, link(s.URL, "mode", "create", "vmSize", "Standard_D4s_v3", "nodes", "3"))
	b.do(t, chromedp.Focus(chromedp.CSS("#f-name")), chromedp.SendKeys(chromedp.CSS("#f-name"), "keys-only\r"))
	b.waitFor(t, `document.activeElement && document.activeElement.id === 'review-title'`)
	b.do(t, chromedp.Focus(chromedp.CSS("#submit")), chromedp.SendKeys(chromedp.CSS("#submit"), "\r"))
	b.waitFor(t, `location.pathname.endsWith('/keys-only')`)
}

// TestPolicyOnTheFields runs the proxy with the platform team's policy: the
// page shows its refusals on the right fields, offers only the allowed VM
// sizes, and the proxy refuses the same request with 403.
func TestPolicyOnTheFields(t *testing.T) {
	root, _ := filepath.Abs("..")
	s := startServer(t, "--policy", filepath.Join(root, "docs", "policy.example.json"))
	b := newBrowser(t)
	b.open(t, link(s.URL, "mode", "create", "name", "team-aks", "vmSize", "Standard_D16s_v3", "nodes", "12"))
	b.waitFor(t, `!!document.querySelector('#f-vmSize-findings [data-code="G2"]')`)
	b.waitFor(t, `!!document.querySelector('#f-nodeCount-findings [data-code="G3"]')`)
	b.waitFor(t, `!!document.querySelector('#f-tags-findings [data-code="G6"]')`)
	offered := eval[[]string](t, b, `Array.from(document.querySelectorAll('#vm-sizes option')).map(o => o.value)`)
	if strings.Join(offered, ",") != "Standard_D3_v2,Standard_D4s_v3,Standard_D8s_v3" {
		t.Errorf("the VM size picker offers %v", offered)
	}
	req := map[string]any{
		"mode": "create", "workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-rg", "name": "ws-east"},
		"name": "team-aks", "vmSize": "Standard_D16s_v3", "nodeCount": 12,
	}
	var body struct {
		Error struct{ Code, Field string } `json:"error"`
	}
	if st := s.api(t, "POST", "/api/computes", req, &body); st != 403 || body.Error.Field == "" {
		t.Errorf("the proxy answered %d %+v, want 403 naming a field", st, body.Error)
	}
}

// TestFailedCreateCleanup follows a create that Azure Policy makes fail: the
// progress page explains it in plain words and removes what it left, after
// which the same name can be used again.
func TestFailedCreateCleanup(t *testing.T) {
	s := startServer(t)
	req := map[string]any{"mode": "create", "workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-locked-rg", "name": "ws-locked"}, "name": "locked-aks"}
	var a struct{ Page string }
	if st := s.api(t, "POST", "/api/computes", req, &a); st != 202 {
		t.Fatalf("create: status %d", st)
	}
	b := newBrowser(t)
	b.allow("status of 404") // the operation's state answers 404 once the compute is gone
	b.open(t, s.URL+a.Page)
	b.waitFor(t, `!!document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Failed'`)
	msg := eval[string](t, b, `document.querySelector('#operation-errors').textContent`)
	if !strings.Contains(msg, "public IP") || !strings.Contains(msg, "RequestDisallowedByPolicy") {
		t.Errorf("the failure says %q", msg)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#cleanup-button")))
	b.waitFor(t, `!!document.querySelector('#cleanup-done')`)
	if st := s.api(t, "POST", "/api/computes", req, nil); st != 202 {
		t.Errorf("the name could not be used again: status %d", st)
	}
}
