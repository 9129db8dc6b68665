//go:build !(js && wasm)

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitLong polls a JavaScript condition for as long as a v2 operation
// takes against the emulator: the extension's install alone takes 15 s.
func (b *browser) waitLong(t *testing.T, js string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 100*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(100*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", js, err)
	}
}

// v2Link is a share link to the form for a Kubernetes compute.
func v2Link(base string, kv ...string) string {
	return link(base, append([]string{"kind", "Kubernetes"}, kv...)...)
}

// TestKubernetesKindChoice: a new request is a Kubernetes compute, the kind
// is in the share link, the v2 settings show only for v2 and the v1-only
// ones only for v1, and a link made before v2 keeps its legacy kind.
func TestKubernetesKindChoice(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, s.URL+"/?mode=create")
	b.waitFor(t, `document.querySelector('#kind-kubernetes').checked`)
	if title := eval[string](t, b, `document.querySelector('h1').textContent`); title != "Create a Kubernetes compute" {
		t.Errorf("title %q", title)
	}
	b.waitFor(t, `new URLSearchParams(location.search).get('kind') === 'Kubernetes'`)
	for _, id := range []string{"f-kubernetes-namespace", "f-kubernetes-version", "f-kubernetes-routerServiceType", "f-kubernetes-identity",
		"f-kubernetes-training", "f-kubernetes-nvidiaDevicePlugin", "f-kubernetes-nodeSelector", "f-kubernetes-authorizedIpRanges", "tls-custom", "tls-disabled"} {
		if !eval[bool](t, b, fmt.Sprintf(`!!document.getElementById(%q)`, id)) {
			t.Errorf("v2 create: no #%s", id)
		}
	}
	for _, id := range []string{"tls-microsoft", "f-tls-leafDomainLabel"} {
		if eval[bool](t, b, fmt.Sprintf(`!!document.getElementById(%q)`, id)) {
			t.Errorf("v2 create shows the v1-only #%s", id)
		}
	}
	legacy := eval[string](t, b, `document.querySelector('label[for="kind-aks"]').textContent`)
	if !strings.Contains(legacy, "legacy") || !strings.Contains(legacy, "support ended") {
		t.Errorf("the v1 choice says %q", legacy)
	}
	page := eval[string](t, b, `document.body.innerText`)
	for _, bad := range []string{"a AKS", "a Kubernetes compute compute", "an Kubernetes"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page says %q", bad)
		}
	}

	// v1: the Kubernetes settings go, the Microsoft certificate comes back.
	b.do(t, chromedp.Click(chromedp.CSS("#kind-aks")))
	b.waitFor(t, `!document.querySelector('#kubernetes') && !!document.querySelector('#tls-microsoft')`)
	b.waitFor(t, `new URLSearchParams(location.search).get('kind') === 'AKS'`)

	// Attach keeps the kind's own fields: no version or ranges, which only a create uses.
	b.open(t, v2Link(s.URL, "mode", "attach", "name", "k8s-a"))
	b.waitFor(t, `document.querySelector('#kind-kubernetes').checked && !!document.querySelector('#f-kubernetes-namespace')`)
	if eval[bool](t, b, `!!document.querySelector('#f-kubernetes-version') || !!document.querySelector('#f-kubernetes-authorizedIpRanges')`) {
		t.Error("v2 attach shows the create-only version or ranges")
	}

	// A link without a kind was made before v2: it stays a legacy AKS compute.
	b.open(t, link(s.URL, "mode", "create", "name", "old-link"))
	b.waitFor(t, `document.querySelector('#kind-aks').checked && !document.querySelector('#kubernetes')`)
}

// TestKubernetesRefusalsOnTheirFields: each v2 rule that the page can show
// lands on its own field.
func TestKubernetesRefusalsOnTheirFields(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	const uai = "/subscriptions/" + sub + "/resourceGroups/ml-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a"
	cases := []struct {
		name, link, list, code string
	}{
		{"bad namespace (X11)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "ns", "Team_A"), "f-kubernetes-namespace-findings", "X11"},
		{"namespace must exist (X11)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "ns", "team-a"), "f-kubernetes-namespace-findings", "X11"},
		{"unknown router type (X12)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "router", "ingress"), "f-kubernetes-routerServiceType-findings", "X12"},
		{"internal LB needs loadBalancer router (X12)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "router", "nodePort", "lb", "InternalLoadBalancer"), "f-loadBalancer-type-findings", "X12"},
		{"bad node selector (X12)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "nodeSelector", "agentpool=a b"), "f-kubernetes-nodeSelector-findings", "X12"},
		{"user identity without its ID (X1)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "identity", "UserAssigned"), "f-kubernetes-userIdentity-findings", "X1"},
		{"user identity with system-assigned (X1)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "userIdentity", uai), "f-kubernetes-userIdentity-findings", "X1"},
		{"no Microsoft certificate (X4)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "tls", "microsoft"), "f-tls-mode-findings", "X4"},
		{"HTTP not allowed (X4)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "tls", "disabled"), "f-tls-mode-findings", "X4"},
		{"HTTP is for dev and test (X4)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "tls", "disabled", "http", "1"), "f-kubernetes-allowInsecure-findings", "X4"},
		{"three routers need three nodes (X5)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "purpose", "DevTest", "nodes", "2"), "f-kubernetes-singleRouter-findings", "X5"},
		{"too small for production (X6)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "vmSize", "Standard_D2s_v3", "nodes", "3"), "f-vmSize-findings", "X6"},
		{"version not offered (X7)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "k8s", "1.19.0"), "f-kubernetes-version-findings", "X7"},
		{"bad API server range (X8)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "ranges", "not-a-range"), "f-kubernetes-authorizedIpRanges-findings", "X8"},
		{"GPU needs the NVIDIA plugin (X13)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "vmSize", "Standard_NC6s_v3", "nodes", "3", "tls", "disabled", "http", "1"), "f-kubernetes-nvidiaDevicePlugin-findings", "X13"},
		{"service principal cluster (X1)", v2Link(s.URL, "mode", "attach", "name", "k8s-a", "targetRg", "aks-rg", "target", "aks-sp"), "f-target-name-findings", "X1"},
		{"local accounts disabled (X2)", v2Link(s.URL, "mode", "attach", "name", "k8s-a", "targetRg", "aks-rg", "target", "aks-no-local"), "f-target-name-findings", "X2"},
		{"pod identity (X3)", v2Link(s.URL, "mode", "attach", "name", "k8s-a", "targetRg", "aks-rg", "target", "aks-pod-identity"), "f-target-name-findings", "X3"},
		{"another subscription (X9)", v2Link(s.URL, "mode", "attach", "name", "k8s-a", "targetId", strings.Replace(clusterID("aks-v2-ready"), sub, "00000000-0000-4000-8000-000000000009", 1)), "f-target-resourceId-findings", "X9"},
		{"extension not offered in the region (X10)", v2Link(s.URL, "mode", "create", "name", "k8s-a", "location", "centralus"), "f-location-findings", "X10"},
		{"v1 front end still on the cluster (X14)", v2Link(s.URL, "mode", "attach", "name", "k8s-a", "targetRg", "aks-rg", "target", "aks-attached"), "f-target-name-findings", "X14"},
		{"a cluster shared by computes (X15)", v2Link(s.URL, "mode", "attach", "name", "k8s-a", "targetRg", "aks-rg", "target", "aks-attached"), "f-target-name-findings", "X15"},
		{"extension installed (X10)", v2Link(s.URL, "mode", "attach", "name", "k8s-a", "targetRg", "aks-rg", "target", "aks-v2-ready"), "f-target-name-findings", "X10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b.open(t, tc.link)
			b.waitFor(t, fmt.Sprintf(`!!document.querySelector('#%s [data-code=%q]')`, tc.list, tc.code))
		})
	}
}

// TestKubernetesCreateThroughThePage: a new Kubernetes compute from the
// page to Succeeded, the review showing the three steps, their costs and
// the v2 exports, the progress page each step with its own state.
func TestKubernetesCreateThroughThePage(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, s.URL+"/?mode=create")
	b.waitFor(t, `document.querySelector('#f-workspace-name').value.endsWith('/ws-east')`)
	b.typeInto(t, "#f-name", "k8s-new")
	b.pick(t, "#f-purpose", "DevTest")
	b.typeInto(t, "#f-vmSize", "Standard_DS3_v2")
	b.typeInto(t, "#f-nodeCount", "3")
	b.do(t, chromedp.Click(chromedp.CSS("#tls-disabled")))
	b.waitFor(t, `!!document.querySelector('#f-kubernetes-allowInsecure-findings [data-code="X4"]')`)
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.waitFor(t, `!!document.querySelector('#review-step')`)
	steps := eval[[]string](t, b, `Array.from(document.querySelectorAll('#review-steps > li')).map(li => li.id)`)
	if strings.Join(steps, ",") != "review-step-cluster,review-step-extension,review-step-attach" {
		t.Fatalf("review steps %v", steps)
	}
	if cost := eval[string](t, b, `document.querySelector('#review-step-cluster').textContent`); !strings.Contains(cost, "Cost:") || !strings.Contains(cost, "3 nodes of Standard_DS3_v2") {
		t.Errorf("the cluster step says %q", cost)
	}
	for _, tab := range []string{"cli", "python", "bicep", "terraform", "arm"} {
		b.do(t, chromedp.Click(chromedp.CSS("#export-tab-"+tab)))
		b.waitFor(t, fmt.Sprintf(`!!document.querySelector('#export-%s') && document.querySelector('#export-%s').textContent.length > 50`, tab, tab))
	}
	b.do(t, chromedp.Click(chromedp.CSS("#export-tab-cli")))
	b.waitFor(t, `!!document.querySelector('#export-cli') && document.querySelector('#export-cli').textContent.includes('az k8s-extension create')`)
	b.do(t, chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor(t, `location.pathname.startsWith('/progress/')`)
	b.waitFor(t, `document.querySelectorAll('#steps > li').length === 3`)
	got := eval[[]string](t, b, `Array.from(document.querySelectorAll('#steps > li')).map(li => li.id)`)
	if strings.Join(got, ",") != "step-cluster,step-extension,step-attach" {
		t.Fatalf("progress steps %v", got)
	}
	b.waitLong(t, `document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Succeeded'`)
	states := eval[[]string](t, b, `Array.from(document.querySelectorAll('#steps > li')).map(li => li.dataset.state)`)
	if strings.Join(states, ",") != "Succeeded,Succeeded,Succeeded" {
		t.Errorf("step states %v", states)
	}
	if times := eval[int](t, b, `Array.from(document.querySelectorAll('#steps .step-time')).filter(e => e.textContent.startsWith('Took')).length`); times != 3 {
		t.Errorf("%d steps say how long they took", times)
	}
	b.waitFor(t, `!!document.querySelector('#studio-link') && !!document.querySelector('#portal-link')`)
}

// TestKubernetesAttachWithoutExtension: attaching a cluster that has no
// Azure ML extension shows its v2 facts, plans the install, and runs the
// extension and attach steps to Succeeded.
func TestKubernetesAttachWithoutExtension(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)
	b.open(t, v2Link(s.URL, "mode", "attach", "name", "k8s-attach", "purpose", "DevTest", "targetRg", "aks-rg", "target", "aks-healthy", "tls", "disabled", "http", "1"))
	b.waitFor(t, `!!document.querySelector('#fact-extension')`)
	if ext := eval[string](t, b, `document.querySelector('#fact-extension').textContent`); !strings.Contains(ext, "Not installed") {
		t.Errorf("extension fact %q", ext)
	}
	if id := eval[string](t, b, `document.querySelector('#fact-identity').textContent`); !strings.Contains(id, "Assigned") {
		t.Errorf("identity fact %q", id)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.waitFor(t, `!!document.querySelector('#review-step')`)
	if ext := eval[string](t, b, `document.querySelector('#review-step-extension').textContent`); !strings.Contains(ext, "Install the Azure ML extension") {
		t.Errorf("review extension step %q", ext)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor(t, `location.pathname.startsWith('/progress/')`)
	b.waitLong(t, `document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Succeeded'`)
	got := eval[[]string](t, b, `Array.from(document.querySelectorAll('#steps > li')).map(li => li.id + '=' + li.dataset.state)`)
	if strings.Join(got, ",") != "step-extension=Succeeded,step-attach=Succeeded" {
		t.Errorf("progress steps %v", got)
	}
	b.open(t, s.URL+"/inventory?sub="+sub+"&rg=ml-rg&ws=ws-east")
	b.waitFor(t, `!!document.querySelector('tr[data-compute="k8s-attach"]')`)
	row := eval[string](t, b, `document.querySelector('tr[data-compute="k8s-attach"]').textContent`)
	if !strings.Contains(row, "Kubernetes compute") || !strings.Contains(row, "Succeeded") {
		t.Errorf("inventory row %q", row)
	}
}

// TestMigrateThroughThePage: a v1 AKS compute's row offers the migration;
// its page says what will happen, then the steps run to Succeeded.
func TestMigrateThroughThePage(t *testing.T) {
	s := startServer(t)
	v1 := map[string]any{"mode": "attach", "workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-rg", "name": "ws-east"},
		"name": "v1-old", "purpose": "DevTest", "target": map[string]string{"resourceGroup": "aks-rg", "name": "aks-healthy"}}
	var a struct{ Operation string }
	if st := s.api(t, "POST", "/api/computes", v1, &a); st != 202 {
		t.Fatalf("v1 attach: status %d", st)
	}
	follow(t, s, a.Operation)
	b := newBrowser(t)
	b.open(t, s.URL+"/inventory?sub="+sub+"&rg=ml-rg&ws=ws-east")
	b.waitFor(t, `!!document.querySelector('#migrate-v1-old')`)
	if kind := eval[string](t, b, `document.querySelector('tr[data-compute="v1-old"] td.kind').textContent`); !strings.Contains(kind, "legacy") {
		t.Errorf("v1 row kind %q", kind)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#migrate-v1-old")))
	b.waitFor(t, `location.pathname.startsWith('/migrate/') && !!document.querySelector('#migrate-steps > li')`)
	plan := eval[[]string](t, b, `Array.from(document.querySelectorAll('#migrate-steps > li')).map(li => li.id)`)
	if strings.Join(plan, ",") != "plan-step-detach-v1,plan-step-legacy-cleanup,plan-step-extension,plan-step-attach" {
		t.Fatalf("plan steps %v", plan)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#m-http")))
	b.waitFor(t, `!document.querySelector('#start-migration').disabled`)
	b.do(t, chromedp.Click(chromedp.CSS("#start-migration")))
	b.waitFor(t, `location.pathname.startsWith('/progress/')`)
	b.waitLong(t, `document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Succeeded'`)
	got := eval[[]string](t, b, `Array.from(document.querySelectorAll('#steps > li')).map(li => li.id + '=' + li.dataset.state)`)
	for _, s := range got {
		if !strings.HasSuffix(s, "=Succeeded") && !strings.HasSuffix(s, "=Skipped") {
			t.Errorf("migration step %s", s)
		}
	}
	if len(got) != 4 {
		t.Errorf("migration steps %v", got)
	}
}

// TestKubernetesAccessibility runs axe-core on the v2 pages at 1280 and 375 px.
func TestKubernetesAccessibility(t *testing.T) {
	src := axeSource(t)
	s := startServer(t)
	req := map[string]any{"mode": "attach", "kind": "Kubernetes", "workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-rg", "name": "ws-east"},
		"name": "axe-k8s", "purpose": "DevTest", "target": map[string]string{"resourceGroup": "aks-rg", "name": "aks-v2-ready"},
		"tls": map[string]string{"mode": "disabled"}, "kubernetes": map[string]any{"allowInsecure": true}}
	var a struct{ Page string }
	if st := s.api(t, "POST", "/api/computes", req, &a); st != 202 {
		t.Fatalf("v2 attach: status %d", st)
	}
	v1 := map[string]any{"mode": "attach", "workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-rg", "name": "ws-east"},
		"name": "axe-v1", "purpose": "DevTest", "target": map[string]string{"resourceGroup": "aks-rg", "name": "aks-healthy"}}
	var a1 struct{ Operation string }
	if st := s.api(t, "POST", "/api/computes", v1, &a1); st != 202 {
		t.Fatalf("v1 attach: status %d", st)
	}
	follow(t, s, a1.Operation)
	b := newBrowser(t)
	pages := []struct {
		name string
		open func()
	}{
		{"v2 create", func() { b.open(t, s.URL+"/?mode=create") }},
		{"v2 create with findings", func() {
			b.open(t, v2Link(s.URL, "mode", "create", "name", "9bad", "ns", "Bad_NS", "router", "x", "tls", "disabled"))
			b.do(t, chromedp.Click(chromedp.CSS("#review")))
			b.waitFor(t, `!!document.querySelector('#error-links')`)
		}},
		{"v2 attach", func() {
			b.open(t, v2Link(s.URL, "mode", "attach", "name", "axe-attach", "targetRg", "aks-rg", "target", "aks-v2-ready"))
			b.waitFor(t, `!!document.querySelector('#fact-extension')`)
		}},
		{"v2 review", func() {
			b.open(t, v2Link(s.URL, "mode", "create", "name", "axe-review", "purpose", "DevTest", "vmSize", "Standard_DS3_v2", "nodes", "3", "tls", "disabled", "http", "1"))
			b.do(t, chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#review-steps")))
		}},
		{"v2 progress", func() {
			b.open(t, s.URL+a.Page)
			b.waitFor(t, `!!document.querySelector('#steps > li')`)
		}},
		{"migrate", func() {
			b.open(t, s.URL+"/migrate/"+sub+"/ml-rg/ws-east/axe-v1")
			b.waitFor(t, `!!document.querySelector('#migrate-steps > li')`)
		}},
		{"inventory", func() {
			b.open(t, s.URL+"/inventory?sub="+sub+"&rg=ml-rg&ws=ws-east")
			b.waitFor(t, `!!document.querySelector('tr[data-compute="axe-k8s"]')`)
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
				if w == 375 {
					if sw, cw := pageFits(t, b); sw > cw {
						t.Errorf("the page is %d px wide in a %d px window", sw, cw)
					}
				}
			})
		}
	}
}

// TestKubernetesFailedStepRetryAndCleanup: an attach whose extension step
// fails (a region without cluster extensions, refused by Azure only once
// the install runs) shows the failed step with Azure's words, what is left
// in Azure, and retry and cleanup buttons; a retry runs the step again,
// and the cleanup removes what amlaks installed, keeping the cluster.
func TestKubernetesFailedStepRetryAndCleanup(t *testing.T) {
	s := startServer(t)
	req := map[string]any{"mode": "attach", "kind": "Kubernetes", "workspace": map[string]string{"subscription": sub, "resourceGroup": "ml-rg", "name": "ws-east"},
		"name": "k8s-central", "purpose": "DevTest", "target": map[string]string{"resourceGroup": "aks-rg", "name": "aks-central"},
		"tls": map[string]string{"mode": "disabled"}, "kubernetes": map[string]any{"allowInsecure": true}}
	var a struct{ Page string }
	if st := s.api(t, "POST", "/api/computes", req, &a); st != 202 {
		t.Fatalf("v2 attach: status %d", st)
	}
	b := newBrowser(t)
	b.allow("status of 404") // the operation's state may answer 404 once all is removed
	b.open(t, s.URL+a.Page)
	failed := `document.querySelector('#state') && document.querySelector('#state').dataset.state === 'Failed' && !!document.querySelector('#retry-button')`
	b.waitLong(t, failed)
	if st := eval[string](t, b, `document.querySelector('#step-extension').dataset.state + ' ' + document.querySelector('#step-attach').dataset.state`); st != "Failed Pending" {
		t.Errorf("steps after the failure: %s", st)
	}
	if words := eval[string](t, b, `document.querySelector('#step-extension').textContent + ' ' + (document.querySelector('#operation-errors') || {textContent: ''}).textContent`); !strings.Contains(words, "centralus") {
		t.Errorf("the failed step does not give Azure's words: %q", words)
	}
	if !eval[bool](t, b, `!!document.querySelector('#cleanup-button') && !!document.querySelector('#recovery')`) {
		t.Error("no cleanup offered after the failure")
	}

	b.do(t, chromedp.Click(chromedp.CSS("#retry-button")))
	b.waitLong(t, `document.querySelector('#state').dataset.state !== 'Failed' || document.querySelector('#step-extension').dataset.state !== 'Failed'`)
	b.waitLong(t, failed) // the region still has no cluster extensions: the retry fails the same way

	b.do(t, chromedp.Click(chromedp.CSS("#cleanup-button")))
	b.waitLong(t, `!!document.querySelector('#cleanup-done')`)
	if left := eval[string](t, b, `(document.querySelector('#left') || {textContent: ''}).textContent`); left != "" && !strings.Contains(left, "aks-central") {
		t.Errorf("after cleanup the page says %q", left)
	}
}
