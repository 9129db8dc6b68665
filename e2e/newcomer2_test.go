//go:build !(js && wasm)

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestNoNoiseAndPlainWords: nothing coded before anything is typed, no
// duplicate options, "1 node" and "an AKS", Review focuses the first error
// as the page shows them, and the error count links to each field.
func TestNoNoiseAndPlainWords(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, s.URL+"/?mode=create")
	b.waitFor(t, `document.querySelector('#f-workspace-name').value.endsWith('/ws-east')`)
	time.Sleep(500 * time.Millisecond) // the facts arrive
	if got := eval[[]string](t, b, `Array.from(document.querySelectorAll('#request-form .finding')).map(e => e.dataset.code + ' ' + e.textContent)`); len(got) != 0 {
		t.Errorf("before anything is typed the form shows %v", got)
	}
	dups := eval[[]string](t, b, `Array.from(document.querySelectorAll('select')).flatMap(s => { const seen = {}; return Array.from(s.options).filter(o => { const k = o.textContent.replace(/\(.*\)/, '').trim().toLowerCase(); const d = seen[k] || seen[o.value]; seen[k] = seen[o.value] = true; return d }).map(o => s.id + ': ' + o.textContent) })`)
	if len(dups) > 0 {
		t.Errorf("duplicate options: %v", dups)
	}

	b.pick(t, "#f-purpose", "DevTest")
	b.typeInto(t, "#f-vmSize", "Standard_D2s_v3")
	b.typeInto(t, "#f-nodeCount", "1")
	b.waitFor(t, `document.querySelector('#vcpu-meter').textContent.includes('1 node ×')`)
	page := eval[string](t, b, `document.body.innerText`)
	for _, bad := range []string{"1 nodes", "1 cores", "a AKS", "a AmlCompute", "a int"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page says %q", bad)
		}
	}
	b.typeInto(t, "#f-name", "cpu-cluster") // an AmlCompute of the sample workspace
	b.waitFor(t, `!!document.querySelector('#f-name-findings [data-code="N5"]')`)
	if n5 := eval[string](t, b, `document.querySelector('#f-name-findings [data-code="N5"]').textContent`); strings.Contains(n5, " a A") {
		t.Errorf("N5 says %q", n5)
	}

	// Review focuses the first error as the page lists them: the purpose
	// (above), not the node count (below), though "nodeCount" sorts first.
	b.open(t, link(s.URL, "mode", "create", "name", "order-test", "purpose", "Prod", "nodes", "abc"))
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.waitFor(t, `document.activeElement && document.activeElement.id === 'f-purpose'`)
	links := eval[[]string](t, b, `Array.from(document.querySelectorAll('#error-links .error-link')).map(a => a.dataset.target)`)
	count := eval[string](t, b, `document.querySelector('#error-count').textContent`)
	if len(links) < 2 || links[0] != "f-purpose" || !strings.HasPrefix(count, fmt.Sprintf("%d problem", len(links))) {
		t.Errorf("error count %q with links %v", count, links)
	}
	b.do(t, chromedp.Click(chromedp.CSS(`#error-links .error-link[data-target="f-nodeCount"]`)))
	b.waitFor(t, `document.activeElement && document.activeElement.id === 'f-nodeCount'`)
}

// TestInventoryFollowsOperations: a scale shows Updating until Azure is
// done, then Succeeded with the new count; a detach is a detach, and its row
// goes when Azure is done, without a reload.
func TestInventoryFollowsOperations(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, s.URL+"/inventory?sub="+sub+"&rg=ml-rg&ws=ws-east")
	b.waitFor(t, `!!document.querySelector('tr[data-compute="aks-attached"]')`)
	eval[bool](t, b, `window.amlaksLoads = performance.getEntriesByType('navigation').length; true`)
	b.do(t, chromedp.Click(chromedp.CSS("#scale-aks-attached")))
	b.typeInto(t, "#scale-nodes", "5")
	b.waitFor(t, `!document.querySelector('#apply-scale').disabled`)
	// Record every state the row shows from now on.
	eval[bool](t, b, `(() => { window.states = []; const rec = () => { const c = document.querySelector('tr[data-compute="aks-attached"] .state'); if (c && states[states.length-1] !== c.textContent) states.push(c.textContent) }; new MutationObserver(rec).observe(document.body, {subtree: true, childList: true, characterData: true}); return true })()`)
	b.do(t, chromedp.Click(chromedp.CSS("#apply-scale")))
	b.waitFor(t, `(() => { const r = document.querySelector('tr[data-compute="aks-attached"]'); return r && r.dataset.state === 'Succeeded' && r.querySelector('.nodes').textContent === '5' && states.includes('Updating…') && states[states.length-1] === 'Succeeded' })()`)
	if got := eval[[]string](t, b, `states`); got[0] != "Updating…" {
		t.Errorf("after Apply the row said %v; want Updating… first", got)
	}
	b.waitFor(t, `document.querySelector('#inventory-notice').textContent.includes('5 nodes')`)

	eval[bool](t, b, `window.states = []; true`)
	b.do(t, chromedp.Click(chromedp.CSS("#detach-aks-attached")))
	b.do(t, chromedp.Click(chromedp.CSS("#confirm-detach")))
	b.waitFor(t, `!document.querySelector('tr[data-compute="aks-attached"]')`)
	states := eval[[]string](t, b, `states`)
	if !contains(states, "Detaching…") {
		t.Errorf("while detaching the row said %v", states)
	}
	notice := eval[string](t, b, `document.querySelector('#inventory-notice').textContent`)
	if !strings.Contains(notice, "detached") || strings.Contains(strings.ToLower(notice+strings.Join(states, " ")), "delet") {
		t.Errorf("the detach is described as %q / %v", notice, states)
	}
	if n := eval[int](t, b, `performance.getEntriesByType('navigation').length`); n != 1 {
		t.Errorf("the page reloaded")
	}
}

// pageFits reports the document's width against the viewport's.
func pageFits(t *testing.T, b *browser) (int, int) {
	t.Helper()
	w := eval[[]int](t, b, `[document.scrollingElement.scrollWidth, window.innerWidth]`)
	return w[0], w[1]
}

// TestPhone: at 375 px no page scrolls sideways (the inventory as cards,
// its actions visible; long resource IDs wrap in review), and real clicks
// (not scripted ones) reach Attach.
func TestPhone(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.width(t, 375)
	check := func(name string) {
		t.Helper()
		if sw, iw := pageFits(t, b); sw > iw {
			t.Errorf("%s at 375 px: %d px wide in a %d px screen", name, sw, iw)
		}
	}
	b.open(t, s.URL+"/inventory?sub="+sub+"&rg=ml-rg&ws=ws-east")
	b.waitFor(t, `!!document.querySelector('tr[data-compute="aks-attached"]')`)
	check("inventory")
	vis := eval[bool](t, b, `Array.from(document.querySelectorAll('.row-actions button')).every(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= innerWidth })`)
	if !vis {
		t.Error("inventory actions are off screen at 375 px")
	}
	b.shot(t, "after-phone-inventory")

	b.open(t, s.URL+"/?mode=create")
	check("create")
	b.do(t, chromedp.Click(chromedp.CSS("#tab-attach")))
	b.waitFor(t, `location.search.includes('mode=attach') && !!document.querySelector('#f-target-name')`)
	b.open(t, link(s.URL, "mode", "attach", "name", "phone-attach", "targetId", "/subscriptions/"+sub+"/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy"))
	check("attach")
	b.waitFor(t, `document.querySelector('#vcpu-meter').className.includes('ok')`)
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.do(t, chromedp.WaitVisible(chromedp.CSS("#review-step")))
	check("attach review")
	b.shot(t, "after-phone-review")
	b.do(t, chromedp.ScrollIntoView(chromedp.CSS("#submit")), chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor(t, `location.pathname.startsWith('/progress/')`)
	b.waitFor(t, `!!document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Succeeded'`)
	check("progress")
}

// TestEveryPageTellsItsHeight frames each page from an allowed portal: the
// form, the review, progress and the inventory post their height, to the
// portal's exact origin, and the height follows the content down as well
// as up (a section opened, then closed).
func TestEveryPageTellsItsHeight(t *testing.T) {
	origin, setSrc := portal(t)
	s := startServer(t, "--frame-ancestors", origin)
	b := newBrowser(t)
	heights := func() []int {
		return eval[[]int](t, b, `msgs.filter(m => m.data && m.data.event === 'height').map(m => m.data.height)`)
	}
	frameNode := func(t *testing.T) *chromedp.Node {
		t.Helper()
		nodes, err := chromedp.Run(b.ctx, chromedp.Nodes(chromedp.CSS("iframe#amlaks")))
		if err != nil || len(nodes) == 0 {
			t.Fatalf("no iframe: %v", err)
		}
		return nodes[0]
	}
	frame := func() chromedp.QueryOption { t.Helper(); return chromedp.FromNode(frameNode(t)) }
	open := func(src string) {
		t.Helper()
		setSrc(src)
		b.do(t, chromedp.Navigate(origin+"/"))
		b.waitFor(t, `msgs.some(m => m.data && m.data.event === 'height')`)
		// The first height comes with the load; the facts follow and grow
		// the page. Click once it has settled, or the click is aimed at
		// where the summary was.
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](settledJS, chromedp.WithPollingInFrame(frameNode(t)))); err != nil {
			t.Fatalf("the embedded page never settled: %v", err)
		}
		if got := eval[[]string](t, b, `msgs.map(m => m.origin)`); got[0] != s.URL {
			t.Errorf("messages from %v, want %s", got, s.URL)
		}
	}

	open(link(s.URL, "embed", "1", "mode", "create", "name", "tall-one", "vmSize", "Standard_D4s_v3", "nodes", "3"))
	in := frame()
	before := heights()
	// The page may post more than one height while a section opens (it
	// grows as its findings arrive), so each step waits for what it must
	// show, not for a number of messages: opening posts a taller height,
	// closing then posts one lower than the tallest the open section reached.
	hs := `msgs.filter(m => m.data && m.data.event === 'height').map(m => m.data.height)`
	b.do(t, chromedp.Click(chromedp.CSS("#network > summary"), in), chromedp.WaitVisible(chromedp.CSS("#network[open] input"), in))
	b.waitFor(t, fmt.Sprintf(`(h => h.length > %d && h[h.length-1] > %d)(%s)`, len(before), before[len(before)-1], hs))
	opened := heights()
	b.do(t, chromedp.Click(chromedp.CSS("#network > summary"), in), chromedp.WaitReady(chromedp.CSS("#network:not([open])"), in))
	b.waitFor(t, fmt.Sprintf(`(h => h.length > %d && h[h.length-1] < Math.max(...h.slice(%d)))(%s)`, len(opened), len(before), hs))
	closed := heights()
	if o, c := slices.Max(closed[len(before):]), closed[len(closed)-1]; !(o > before[len(before)-1] && c < o) {
		t.Errorf("heights: before %v, opened %v, closed %v: want up, then down", before, opened, closed)
	}
	n := len(closed)
	b.do(t, chromedp.Click(chromedp.CSS("#review"), in), chromedp.WaitVisible(chromedp.CSS("#review-step"), in))
	b.waitFor(t, fmt.Sprintf(`msgs.filter(m => m.data && m.data.event === 'height').length > %d`, n))

	open(s.URL + "/progress/" + sub + "/ml-rg/ws-east/aks-attached?embed=1")
	open(s.URL + "/inventory?embed=1&sub=" + sub + "&rg=ml-rg&ws=ws-east")
}

// TestReviewAndProgressSayMore: the review lists the description, the tags,
// the choices in words and the total vCPUs; progress links to the compute
// in Azure ML studio and the cluster in the portal and says what to do
// next; an unknown compute stops polling and says so.
func TestReviewAndProgressSayMore(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.allow("status of 404")
	b.open(t, link(s.URL, "mode", "create", "name", "review-more", "vmSize", "Standard_D4s_v3", "nodes", "3", "desc", "Scoring for the vision team")+"&tag=team%3Dvision")
	b.do(t, chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#review-step")))
	summary := eval[string](t, b, `document.querySelector('#review-summary').textContent`)
	for _, want := range []string{"Scoring for the vision team", "team=vision", "a public IP", "12 vCPUs in all", "3 nodes of Standard_D4s_v3"} {
		if !strings.Contains(summary, want) {
			t.Errorf("review lacks %q: %s", want, summary)
		}
	}
	if strings.Contains(summary, "PublicIp") {
		t.Errorf("review shows a raw value: %s", summary)
	}
	if title := eval[string](t, b, `document.title`); !strings.HasPrefix(title, "Review") {
		t.Errorf("review title %q", title)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor(t, `!!document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Succeeded'`)
	b.waitFor(t, `!!document.querySelector('#studio-link')`)
	studio := eval[string](t, b, `document.querySelector('#studio-link').href`)
	want := "https://ml.azure.com/compute/review-more/details?wsid=%2Fsubscriptions%2F" + sub + "%2FresourceGroups%2Fml-rg%2Fproviders%2FMicrosoft.MachineLearningServices%2Fworkspaces%2Fws-east"
	if studio != want {
		t.Errorf("studio link %s, want %s", studio, want)
	}
	if portal := eval[string](t, b, `document.querySelector('#portal-link') ? document.querySelector('#portal-link').href : ''`); !strings.HasPrefix(portal, "https://portal.azure.com/#@/resource/subscriptions/") || !strings.Contains(strings.ToLower(portal), "managedclusters/") {
		t.Errorf("portal link %q", portal)
	}
	if next := eval[string](t, b, `document.querySelector('#next-steps').textContent`); !strings.Contains(next, "Deploy") {
		t.Errorf("next steps: %q", next)
	}

	b.open(t, s.URL+"/progress/"+sub+"/ml-rg/ws-east/no-such-compute")
	b.waitFor(t, `!!document.querySelector('#progress-missing')`)
	eval[bool](t, b, `(() => { window.calls = 0; const f = window.fetch; window.fetch = function() { calls++; return f.apply(this, arguments) }; return true })()`)
	time.Sleep(4 * time.Second) // the page polled every 2 s
	if n := eval[int](t, b, `calls`); n != 0 {
		t.Errorf("an unknown compute was polled %d more times", n)
	}
}
