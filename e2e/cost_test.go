//go:build !(js && wasm)

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCostAndSizePicker: the emulator's dated price table gives a monthly
// cost under the meter and in review, with its date and currency; the VM
// size table filters as the person types and a size is chosen from it;
// the certificate and the key can come from files.
func TestCostAndSizePicker(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, link(s.URL, "mode", "create", "name", "costly", "vmSize", "Standard_D4s_v3", "nodes", "3"))
	b.waitFor(t, `!!document.querySelector('#cost') && document.querySelector('#cost').textContent.includes('$420.48')`) // 0.192 × 730 × 3
	cost := eval[string](t, b, `document.querySelector('#cost').textContent`)
	for _, want := range []string{"3 nodes of Standard_D4s_v3", "USD", "2026-11-01", "built-in price table"} {
		if !strings.Contains(cost, want) {
			t.Errorf("cost %q lacks %q", cost, want)
		}
	}
	if opt := eval[string](t, b, `document.querySelector('#vm-sizes option[value="Standard_D4s_v3"]').textContent`); !strings.Contains(opt, "$140.16 a month") {
		t.Errorf("the picker's option says %q", opt)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#size-picker > summary")))
	b.typeInto(t, "#size-filter", "gpu")
	b.waitFor(t, `document.querySelectorAll('#size-table tbody tr').length > 0 && Array.from(document.querySelectorAll('#size-table tbody tr')).every(r => /GPU|NC|ND/.test(r.dataset.size))`)
	rows := eval[[]string](t, b, `Array.from(document.querySelectorAll('#size-table tbody tr')).map(r => r.dataset.size + '|' + r.querySelector('.price').textContent)`)
	if len(rows) < 3 || !contains(rows, "Standard_NC6s_v3|$2233.80") {
		t.Errorf("GPU sizes: %v", rows)
	}
	b.typeInto(t, "#size-filter", "d8s_v3")
	b.waitFor(t, `document.querySelectorAll('#size-table tbody tr').length === 1`)
	b.do(t, chromedp.Click(chromedp.CSS(`#size-table tr[data-size="Standard_D8s_v3"] button`)))
	b.waitFor(t, `document.querySelector('#f-vmSize').value === 'Standard_D8s_v3' && new URLSearchParams(location.search).get('vmSize') === 'Standard_D8s_v3'`)
	b.waitFor(t, `document.querySelector('#cost').textContent.includes('$840.96')`)
	b.do(t, chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#review-step")))
	if sum := eval[string](t, b, `document.querySelector('#review-summary').textContent`); !strings.Contains(sum, "$840.96 a month") || !strings.Contains(sum, "2026-11-01") {
		t.Errorf("review lacks the cost: %s", sum)
	}

	dir := t.TempDir()
	cert := "-----BEGIN CERTIFICATE-----\nMIIBfromafile\n-----END CERTIFICATE-----\n"
	key := "-----BEGIN PRIVATE KEY-----\nnotreallyakey\n-----END PRIVATE KEY-----\n"
	_ = os.WriteFile(filepath.Join(dir, "cert.pem"), []byte(cert), 0o600)
	_ = os.WriteFile(filepath.Join(dir, "key.pem"), []byte(key), 0o600)
	b.open(t, link(s.URL, "mode", "create", "name", "files", "tls", "custom", "cname", "score.contoso.com"))
	b.do(t, chromedp.SetUploadFiles(chromedp.CSS("#f-tls-certPem-file"), []string{filepath.Join(dir, "cert.pem")}))
	b.do(t, chromedp.SetUploadFiles(chromedp.CSS("#f-tls-keyPem-file"), []string{filepath.Join(dir, "key.pem")}))
	b.waitFor(t, `document.querySelector('#f-tls-certPem').value.includes('MIIBfromafile') && document.querySelector('#f-tls-keyPem').value.includes('notreallyakey')`)
	b.waitFor(t, `!!document.querySelector('#f-tls-keyPem-findings [data-code="L4"]') || !!document.querySelector('#f-tls-certPem-findings [data-code="L4"]')`)
	if q := eval[string](t, b, `location.search`); strings.Contains(q, "MIIB") || strings.Contains(q, "notreally") {
		t.Errorf("a file's content went into the link: %s", q)
	}
}
