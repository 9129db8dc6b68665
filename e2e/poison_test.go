//go:build !(js && wasm)

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amlaks/amlaks/rules"
)

// evilPage is what the attacker's host answers for every path: HTML and
// script that would show and run from amlaks's origin if amlaks fetched it.
const evilPage = `<!doctype html><meta http-equiv="refresh" content="0;url=http://evil.invalid/"><title>pwned</title>` +
	`<b id="pwn-evil">pwn</b><script>window.__pwned = true</script>`

// poisonPayloads break out of an attribute, a text node or a title; each
// would add an element or attribute holding "pwn" if it reached the page.
var poisonPayloads = []string{
	`"><meta http-equiv=refresh content="0;url=http://evil.invalid/pwn"><b id=pwn-a>`,
	`'><img src=x onerror=pwn() id=pwn-b>`,
	`\"><svg id=pwn-c onload=pwn()>`,
	`" autofocus onfocus="pwn()" data-pwn="`,
	`</title><i id=pwn-d>`,
	`</textarea></script><x-pwn>`,
}

// pageView is what a person sees of a page, as the browser built it: its
// title, every element with its attribute names (no values: a field may
// hold what the link gave it), and what only an injection would add.
type pageView struct {
	Title    string   `json:"title"`
	Shape    []string `json:"shape"`
	Head     []string `json:"head"`
	Injected []string `json:"injected"`
	Pwned    bool     `json:"pwned"`
	Marker   bool     `json:"marker"`
	Alerts   string   `json:"alerts"`
}

const viewJS = `(() => {
  const shape = (root) => {
    const out = [];
    const walk = (e, d) => {
      const names = Array.from(e.attributes).map(a => a.name).sort().join(' ');
      out.push(d + ':' + e.tagName.toLowerCase() + '[' + names + ']');
      for (const c of e.children) walk(c, d + 1);
    };
    walk(root, 0);
    return out;
  };
  const injected = [];
  for (const e of document.querySelectorAll('*')) {
    const tag = e.tagName.toLowerCase();
    if (tag.includes('pwn') || (e.id || '').includes('pwn')) injected.push('element ' + tag + '#' + e.id);
    if (tag === 'meta' && e.hasAttribute('http-equiv')) injected.push('meta http-equiv=' + e.getAttribute('http-equiv'));
    for (const a of e.attributes) {
      if (a.name.startsWith('on') || a.name.includes('pwn')) injected.push(tag + ' ' + a.name);
    }
  }
  return {title: document.title, shape: shape(document.documentElement), head: shape(document.head),
    injected, pwned: !!window.__pwned, marker: window.__poisonMarker === 1,
    alerts: Array.from(document.querySelectorAll('[role=alert], .alert')).map(e => e.textContent).join(' | ')};
})()`

// see opens a page, lets it settle (its facts loaded, no loading state
// left) and returns what it shows.
func (b *browser) see(t *testing.T, u string) pageView {
	t.Helper()
	b.do(t, chromedp.Navigate(u), chromedp.WaitNotPresent(chromedp.CSS("#app-wasm-loader")))
	// A page that shows an error (a link naming a workspace no one has, say)
	// need not mark itself ready: it is compared as it stands.
	ready, cancelReady := context.WithTimeout(b.ctx, 10*time.Second)
	_, _ = chromedp.Run(ready, chromedp.Poll[bool](`document.body.dataset.ready === '1' || !!document.querySelector('[role=alert]')`))
	cancelReady()
	// A page that refreshed or navigated away after loading loses this.
	eval[bool](t, b, `(window.__poisonMarker = 1, true)`)
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	// Settling only steadies the comparison; a page that never settles is
	// compared as it stands.
	_, _ = chromedp.Run(ctx, chromedp.Poll[bool](`!document.querySelector('.loading') && (!document.querySelector('#vcpu-meter') || !!document.querySelector('#versions, #vcpu-quota'))`))
	// Then until two looks half a second apart agree (the page's reads have
	// all come back), at most ten times.
	v := eval[pageView](t, b, viewJS)
	for range 10 {
		time.Sleep(500 * time.Millisecond)
		next := eval[pageView](t, b, viewJS)
		if slices.Equal(next.Shape, v.Shape) && next.Title == v.Title {
			return next
		}
		v = next
	}
	return v
}

// shapeDiff lists the entries of a and b that the other lacks.
func shapeDiff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	for x, n := range count {
		for ; n > 0; n-- {
			onlyA = append(onlyA, x)
		}
		for ; n < 0; n++ {
			onlyB = append(onlyB, x)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}

// blunt is a harmless value of a payload's shape: every character but "/"
// (which decides how a path splits) is "!", so it fails the same shape
// checks without breaking out of anything.
func blunt(p string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' {
			return r
		}
		return '!'
	}, p)
}

// poisonLink is a share link with a payload in every key a link may carry,
// each passed through f (blunt, for the harmless twin).
func poisonLink(base string, f func(string) string) string {
	full := rules.Request{Mode: rules.ModeCreate, Workspace: rules.WorkspaceRef{Subscription: "s", ResourceGroup: "r", Name: "w"},
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
	keys = append(keys, "embed", "unknown")
	slices.Sort(keys)
	q := url.Values{}
	for i, k := range keys {
		if k == "mode" {
			continue // the mode picks the page; its payload is tried on its own
		}
		v := f(poisonPayloads[i%len(poisonPayloads)])
		if k == "tag" {
			v = "k=" + v
		}
		q.Set(k, v)
	}
	return base + "?" + q.Encode()
}

// progressPath is a progress page whose four segments are payloads from
// the corpus, starting at i, each passed through f.
func progressPath(i int, f func(string) string) string {
	segs := make([]string, 4)
	for j := range segs {
		segs[j] = url.PathEscape(f(poisonPayloads[(i+j)%len(poisonPayloads)]))
	}
	return "/progress/" + strings.Join(segs, "/")
}

func same(s string) string { return s }

// TestPoisonedHostAndInjectedLinkChangeNothingSeen (issue 8): requests with
// a forged Host for /robots.txt, /sitemap.xml, /ads.txt and /, and share
// links with a payload in every link key and in every /progress/ segment,
// change nothing a person then sees: the page loaded normally has the same
// title and the same elements and attributes as a clean load, shows and runs
// nothing of the attacker's, and never refreshes. The attacker's host is
// even among the public addresses, so the Host allow-list lets it through
// and the page guard alone must hold; amlaks never fetches from it.
func TestPoisonedHostAndInjectedLinkChangeNothingSeen(t *testing.T) {
	var hits atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, evilPage)
	}))
	defer evil.Close()
	evilHost := strings.TrimPrefix(evil.URL, "http://")
	addr := freeAddr(t)
	s := startServerAt(t, addr, "--public-address", addr+","+evilHost)
	b := newBrowser(t)
	// sitemap.xml and ads.txt are 404s of amlaks's own, and the crafted
	// links ask the API about workspaces no one has: the browser logs those.
	b.allow("status of 404")
	b.allow("status of 400")

	resources := []string{"/robots.txt", "/sitemap.xml", "/ads.txt"}

	clean := b.see(t, s.URL+"/")
	cleanResources := fetchAllText(t, b, resources)

	// The attack: with the attacker's Host (a public address, so only the
	// page guard stands), with amlaks's own, and with one that is not
	// public (refused at the edge).
	var targets []string
	targets = append(targets, resources...)
	targets = append(targets, "/", "/web/robots.txt", "/inventory", poisonLink("/", same), poisonLink("/inventory", same))
	for i, p := range poisonPayloads {
		targets = append(targets, "/?"+url.Values{"mode": {p}}.Encode(), progressPath(i, same))
	}
	for _, host := range []string{evilHost, addr, "evil.invalid"} {
		for _, target := range targets {
			req, err := http.NewRequest("GET", s.URL+target, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("GET %s with Host %s: %v", target, host, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if host == "evil.invalid" && resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s with a Host that is not a public address: %d, want 403", target, resp.StatusCode)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("amlaks fetched from the request's Host %d times", n)
	}

	// What a person sees now, loading the page normally: what a clean load showed.
	after := b.see(t, s.URL+"/")
	compareViews(t, "the page after the poisoning", clean, after)
	if got := fetchAllText(t, b, resources); !slices.Equal(got, cleanResources) {
		t.Errorf("robots.txt, sitemap.xml, ads.txt after the poisoning:\n got %q\nwant %q", got, cleanResources)
	}

	// The injected links themselves, opened in the browser, against their
	// harmless twins (the same keys and shapes, nothing to break out with).
	cases := []struct{ what, clean, injected string }{
		{"the form with a payload in every link key", poisonLink("/", blunt), poisonLink("/", same)},
		{"the inventory with a payload in every link key", poisonLink("/inventory", blunt), poisonLink("/inventory", same)},
	}
	for i := 0; i < len(poisonPayloads); i += 2 {
		cases = append(cases, struct{ what, clean, injected string }{fmt.Sprintf("progress with payloads %d… in its path", i), progressPath(i, blunt), progressPath(i, same)})
	}
	for _, c := range cases {
		want := b.see(t, s.URL+c.clean)
		got := b.see(t, s.URL+c.injected)
		if got.Title != want.Title {
			t.Errorf("%s: title %q, want %q", c.what, got.Title, want.Title)
		}
		compareHead(t, c.what, want, got)
		checkNothingInjected(t, c.what, got)
	}
}

func jsList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// fetchAllText fetches paths from the page's origin: status, type and body.
func fetchAllText(t *testing.T, b *browser, paths []string) []string {
	t.Helper()
	js := fmt.Sprintf(`Promise.all(%s.map(p => fetch(p).then(r => r.text().then(t => r.status + ' ' + r.headers.get('content-type') + ' ' + t))))`, jsList(paths))
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetching %v: %v", paths, err)
	}
	return v
}

func compareViews(t *testing.T, what string, want, got pageView) {
	t.Helper()
	if got.Title != want.Title {
		t.Errorf("%s: title %q, want %q", what, got.Title, want.Title)
	}
	if !slices.Equal(got.Shape, want.Shape) {
		extra, missing := shapeDiff(got.Shape, want.Shape)
		t.Errorf("%s: the elements differ from a clean load: %d now, %d then; new %v; gone %v (alerts now %q, then %q)", what, len(got.Shape), len(want.Shape), extra, missing, got.Alerts, want.Alerts)
	}
	checkNothingInjected(t, what, got)
}

func compareHead(t *testing.T, what string, want, got pageView) {
	t.Helper()
	if !slices.Equal(got.Head, want.Head) {
		t.Errorf("%s: the head differs from a clean load:\n got %v\nwant %v", what, got.Head, want.Head)
	}
}

func checkNothingInjected(t *testing.T, what string, v pageView) {
	t.Helper()
	if len(v.Injected) > 0 {
		t.Errorf("%s: injected into the page: %q", what, v.Injected)
	}
	if v.Pwned {
		t.Errorf("%s: the attacker's script ran", what)
	}
	if !v.Marker {
		t.Errorf("%s: the page refreshed or navigated away", what)
	}
	if strings.Contains(strings.ToLower(v.Title), "pwn") {
		t.Errorf("%s: title %q", what, v.Title)
	}
}
