//go:build !(js && wasm)

package e2e

import (
	"html/template"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// portal serves a host page on its own loopback origin that frames src and
// records every message it receives in window.msgs.
func portal(t *testing.T) (origin string, setSrc func(string)) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var src string
	page := template.Must(template.New("p").Parse(`<!doctype html><title>portal</title>
<script>window.msgs = []; addEventListener('message', e => msgs.push({origin: e.origin, data: e.data}));</script>
<iframe id="amlaks" src="{{.}}" width="360" height="900"></iframe>`))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_ = page.Execute(w, src)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), func(s string) { src = s }
}

// frameDoc returns the URL of the document inside the portal's iframe.
func frameDoc(t *testing.T, b *browser) string {
	t.Helper()
	nodes, err := chromedp.Run(b.ctx, chromedp.Nodes(chromedp.CSS("iframe#amlaks")))
	if err != nil || len(nodes) == 0 {
		t.Fatalf("no iframe: %v", err)
	}
	if nodes[0].ContentDocument == nil {
		return ""
	}
	return nodes[0].ContentDocument.DocumentURL
}

// events lists the amlaks events the portal received, as "origin event".
func events(t *testing.T, b *browser) []string {
	return eval[[]string](t, b, `msgs.filter(m => m.data && m.data.source === 'amlaks').map(m => m.data.event)`)
}

// TestEmbeddingAllowedOrigin frames the page from an allowed portal: it runs in
// its compact layout, and the portal hears its height, the submit and the
// success, from the page's own origin.
func TestEmbeddingAllowedOrigin(t *testing.T) {
	origin, setSrc := portal(t)
	s := startServer(t, "--frame-ancestors", origin)
	setSrc(link(s.URL, "embed", "1", "mode", "create", "name", "embedded", "vmSize", "Standard_D4s_v3", "nodes", "3"))
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(origin+"/"))
	b.waitFor(t, `msgs.some(m => m.data && m.data.event === 'height')`)
	if got := eval[[]string](t, b, `msgs.map(m => m.origin)`); len(got) == 0 || got[0] != s.URL {
		t.Errorf("messages came from %v, want %s", got, s.URL)
	}

	frames, err := chromedp.Run(b.ctx, chromedp.Nodes(chromedp.CSS("iframe#amlaks")))
	if err != nil {
		t.Fatal(err)
	}
	in := chromedp.FromNode(frames[0])
	b.do(t,
		chromedp.WaitVisible(chromedp.CSS(".amlaks.embed #review"), in),
		chromedp.Click(chromedp.CSS("#review"), in),
		chromedp.WaitVisible(chromedp.CSS("#submit"), in),
		chromedp.Click(chromedp.CSS("#submit"), in),
	)
	b.waitFor(t, `msgs.some(m => m.data && m.data.event === 'submitted' && m.data.name === 'embedded')`)
	b.waitFor(t, `msgs.some(m => m.data && m.data.event === 'succeeded')`)
	b.screenshot(t)
	got := events(t, b)
	if !contains(got, "height") || !contains(got, "submitted") || !contains(got, "succeeded") {
		t.Errorf("portal heard %v", got)
	}
}

// TestEmbeddingRefusedOrigin: a portal that is not allowed gets no page (CSP
// frame-ancestors) and no message; with no origin configured the page sends
// X-Frame-Options: DENY.
func TestEmbeddingRefusedOrigin(t *testing.T) {
	allowed, _ := portal(t)
	other, setSrc := portal(t)
	s := startServer(t, "--frame-ancestors", allowed)
	setSrc(s.URL + "/?embed=1")
	resp, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+allowed) || strings.Contains(csp, other) {
		t.Errorf("CSP %q", csp)
	}
	b := newBrowser(t)
	b.allow("frame-ancestors")
	b.allow("Refused to frame")
	b.do(t, chromedp.Navigate(other+"/"))
	time.Sleep(3 * time.Second) // the allowed case hears its first message well within this
	if got := events(t, b); len(got) != 0 {
		t.Errorf("a refused portal heard %v", got)
	}
	if doc := frameDoc(t, b); strings.HasPrefix(doc, s.URL) {
		t.Errorf("the refused portal's iframe holds the page: %s", doc)
	}

	plain := startServer(t)
	resp, err = http.Get(plain.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if xfo, csp := resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"); xfo != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("no frame ancestors configured: X-Frame-Options %q, CSP %q", xfo, csp)
	}
}
