//go:build !(js && wasm)

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestKubernetesGPUPoolInReview: on a Kubernetes create the person adds a
// GPU node pool: the toggle turns the NVIDIA device plugin on, the size
// picker offers GPU sizes only, a size without GPUs from a link is an X16
// finding on its field, and the review shows the pool with its cost in the
// cluster step and the summary, and the CLI export adds it.
func TestKubernetesGPUPoolInReview(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t)

	b.open(t, v2Link(s.URL, "mode", "create", "name", "k8s-gpu", "gpuSize", "Standard_DS3_v2", "gpuNodes", "1", "nvidia", "1"))
	b.waitFor(t, `!!document.querySelector('#f-kubernetes-gpuPool-vmSize-findings [data-code="X16"]')`)

	b.open(t, s.URL+"/?mode=create")
	b.waitFor(t, `document.querySelector('#f-workspace-name').value.endsWith('/ws-east')`)
	b.typeInto(t, "#f-name", "k8s-gpu")
	b.pick(t, "#f-purpose", "DevTest")
	b.typeInto(t, "#f-vmSize", "Standard_DS3_v2")
	b.typeInto(t, "#f-nodeCount", "3")
	b.do(t, chromedp.Click(chromedp.CSS("#tls-disabled")))
	b.waitFor(t, `!!document.querySelector('#f-kubernetes-allowInsecure-findings [data-code="X4"]')`)
	if eval[bool](t, b, `!!document.querySelector('#f-kubernetes-gpuPool-vmSize')`) {
		t.Fatal("the GPU pool's fields show before the toggle")
	}
	b.do(t, chromedp.Click(chromedp.CSS("#f-kubernetes-gpuPool")))
	b.waitFor(t, `!!document.querySelector('#f-kubernetes-gpuPool-vmSize') && document.querySelector('#f-kubernetes-nvidiaDevicePlugin').checked`)
	sizes := eval[[]string](t, b, `Array.from(document.querySelector('#f-kubernetes-gpuPool-vmSize').options).map(o => o.value).filter(v => v)`)
	if !contains(sizes, "Standard_NC6s_v3") || contains(sizes, "Standard_DS3_v2") {
		t.Errorf("the GPU size picker offers %v", sizes)
	}
	b.pick(t, "#f-kubernetes-gpuPool-vmSize", "Standard_NC6s_v3")
	b.typeInto(t, "#f-kubernetes-gpuPool-count", "2")
	b.waitFor(t, `new URLSearchParams(location.search).get('gpuSize') === 'Standard_NC6s_v3' && new URLSearchParams(location.search).get('gpuNodes') === '2'`)
	b.waitFor(t, `document.querySelector('#cost') && document.querySelector('#cost').textContent.includes('GPU pool: about')`)

	b.do(t, chromedp.Click(chromedp.CSS("#review")))
	b.waitFor(t, `!!document.querySelector('#review-step')`)
	step := eval[string](t, b, `document.querySelector('#review-step-cluster').textContent`)
	for _, want := range []string{"GPU node pool gpu: 2 nodes of Standard_NC6s_v3", "GPU pool: about", "a month for 2 nodes of Standard_NC6s_v3"} {
		if !strings.Contains(step, want) {
			t.Errorf("the cluster step lacks %q: %q", want, step)
		}
	}
	if summary := eval[string](t, b, `document.querySelector('#review-summary').textContent`); !strings.Contains(summary, "GPU node pool gpu") || !strings.Contains(summary, "NVIDIA device plugin") {
		t.Errorf("the summary says %q", summary)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#export-tab-cli")))
	b.waitFor(t, `!!document.querySelector('#export-cli') && document.querySelector('#export-cli').textContent.includes("az aks nodepool add")`)
	if cli := eval[string](t, b, `document.querySelector('#export-cli').textContent`); !strings.Contains(cli, "--node-vm-size 'Standard_NC6s_v3'") || !strings.Contains(cli, "installNvidiaDevicePlugin=True") {
		t.Errorf("the CLI export lacks the GPU pool or the plugin:\n%s", cli)
	}
}
