//go:build !(js && wasm)

package serve

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/html"

	ui "github.com/amlaks/amlaks/app"
	"github.com/amlaks/amlaks/rules"
)

var registerOnce sync.Once

// mustPage returns the page handler over a web directory holding a stand-in
// app.wasm, with the page's routes registered.
func mustPage(tb testing.TB) http.Handler {
	tb.Helper()
	registerOnce.Do(ui.Register)
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.wasm"), []byte("\x00asm-stand-in"), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "amlaks.css"), []byte("body{}"), 0o644); err != nil {
		tb.Fatal(err)
	}
	h, err := newPage(os.DirFS(dir), "emulator")
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// attackerHost is a server that counts what it is asked and answers every
// request with a page of the attacker's.
func attackerHost(tb testing.TB) (host string, hits *atomic.Int64) {
	tb.Helper()
	hits = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<script>attacker()</script>")
	}))
	tb.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), hits
}

func TestPageNeverFetchesFromTheRequestHost(t *testing.T) {
	page := mustPage(t)
	host, hits := attackerHost(t)
	paths := []string{"/robots.txt", "/sitemap.xml", "/ads.txt", "/web/robots.txt", "/web/sitemap.xml",
		"/ROBOTS.TXT", "/robots.txt/", "/x/robots.txt", "/app.js", "/manifest.webmanifest", "/", "/inventory",
		"/progress/a/b/c/d", "/favicon.ico", "/.well-known/security.txt"}
	// go-app also answers its resources under /{version}/: find the version in the page.
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("GET", "/app.js", nil))
	if v := between(rec.Body.String(), `"/app-worker.js?v=`, `"`); v != "" {
		paths = append(paths, "/"+v+"/robots.txt", "/"+v+"/sitemap.xml", "/"+v+"/ads.txt")
	}
	for _, p := range paths {
		for _, method := range []string{"GET", "HEAD", "POST"} {
			for round := 0; round < 2; round++ { // the second would be go-app's cached copy
				r := httptest.NewRequest(method, p, nil)
				r.Host = host
				w := httptest.NewRecorder()
				page.ServeHTTP(w, r)
				if strings.Contains(w.Body.String(), "attacker()") {
					t.Errorf("%s %s with Host %s served the attacker's page", method, p, host)
				}
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("requests with a forged Host made amlaks fetch %d URLs from it", n)
	}
	r := httptest.NewRequest("GET", "/robots.txt", nil)
	r.Host = host
	w := httptest.NewRecorder()
	page.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Disallow: /") {
		t.Errorf("/robots.txt: %d %q, want amlaks's own", w.Code, w.Body.String())
	}
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}

// injectionPayloads try to break out of an attribute or a text node; each
// holds the marker "pwn".
var injectionPayloads = []string{
	`"><meta http-equiv=refresh content="0;url=https://evil.example/pwn">`,
	`'><script>pwn()</script>`,
	`\"><img src=x onerror=pwn()>`,
	`" autofocus onfocus="pwn()`,
	`</title><svg onload=pwn()>`,
	`</textarea></script><b id=pwn>`,
	`javascript:pwn()`,
	"pwn\u2028<i>\u202e",
	`&quot;><x-pwn>`,
	`${pwn}{{pwn}}`,
	"pwn\x00<p>",
	`%22%3E%3Cb%3Epwn`,
}

// shape is every element of a document with its attribute names, in order.
func shape(tb testing.TB, doc string) []string {
	tb.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if n.Type == html.ElementNode {
			var keys []string
			for _, a := range n.Attr {
				keys = append(keys, a.Key)
			}
			slices.Sort(keys)
			out = append(out, fmt.Sprintf("%d:%s[%s]", depth, n.Data, strings.Join(keys, " ")))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return out
}

// marked reports whether any attribute value or text of the document holds the marker.
func marked(tb testing.TB, doc, marker string) string {
	tb.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		tb.Fatal(err)
	}
	var found string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for _, a := range n.Attr {
			if strings.Contains(strings.ToLower(a.Val), marker) || strings.Contains(strings.ToLower(a.Key), marker) {
				found = n.Data + " " + a.Key + "=" + a.Val
			}
		}
		if n.Type == html.TextNode && strings.Contains(strings.ToLower(n.Data), marker) {
			found = "text " + n.Data
		}
		if n.Type == html.ElementNode && strings.Contains(n.Data, marker) {
			found = "element " + n.Data
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return found
}

func get(tb testing.TB, h http.Handler, target string) (int, string) {
	tb.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	r.URL, r.RequestURI = u, target
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// linkKeys are every key a share link may carry, and the page's own.
func linkKeys() []string {
	full := rules.Request{Mode: rules.ModeAttach, Workspace: rules.WorkspaceRef{Subscription: "s", ResourceGroup: "r", Name: "w"},
		Name: "n", Purpose: "p", Location: "l", VMSize: "v", NodeCount: 3,
		Network:      rules.Network{VnetResourceGroup: "a", VnetName: "b", SubnetName: "c", ServiceCIDR: "d", DNSServiceIP: "e", DockerBridgeCIDR: "f"},
		LoadBalancer: rules.LoadBalancer{Type: "t", Subnet: "s"},
		TLS:          rules.TLS{Mode: "m", CNAME: "c", LeafDomainLabel: "l", OverwriteExistingDomain: true},
		Target:       rules.Target{ResourceID: "i", ResourceGroup: "g", Name: "n"},
		Description:  "d", Tags: map[string]string{"k": "v"}}
	var keys []string
	for k := range rules.EncodeLink(full) {
		keys = append(keys, k)
	}
	keys = append(keys, "embed", "certPem", "keyPem", "unknown")
	slices.Sort(keys)
	return keys
}

func TestPrerenderCarriesNoRequestValue(t *testing.T) {
	page := mustPage(t)
	pages := []string{"/", "/inventory"}
	for _, base := range pages {
		for _, key := range linkKeys() {
			_, benign := get(t, page, base+"?"+url.Values{key: {"x1"}}.Encode())
			want := shape(t, benign)
			for _, p := range injectionPayloads {
				v := p
				if key == "tag" {
					v = "k=" + p
				}
				target := base + "?" + url.Values{key: {v}}.Encode()
				code, doc := get(t, page, target)
				if code != http.StatusOK {
					t.Errorf("GET %s: %d", target, code)
					continue
				}
				if got := shape(t, doc); !slices.Equal(got, want) {
					t.Errorf("GET %s: the page's elements changed:\n got %v\nwant %v", target, got, want)
				}
				if m := marked(t, doc, "pwn"); m != "" {
					t.Errorf("GET %s: the request's value reached the page: %s", target, m)
				}
			}
		}
	}
	_, benign := get(t, page, "/progress/x1/x1/x1/x1")
	want := shape(t, benign)
	for i := 0; i < 4; i++ {
		for _, p := range injectionPayloads {
			segs := []string{"x1", "x1", "x1", "x1"}
			segs[i] = url.PathEscape(p)
			target := "/progress/" + strings.Join(segs, "/")
			code, doc := get(t, page, target)
			if m := marked(t, doc, "pwn"); m != "" {
				t.Errorf("GET %s: the path reached the page: %s", target, m)
			}
			if code == http.StatusOK {
				if got := shape(t, doc); !slices.Equal(got, want) {
					t.Errorf("GET %s: the page's elements changed:\n got %v\nwant %v", target, got, want)
				}
			}
		}
	}
}
