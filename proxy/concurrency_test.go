//go:build !(js && wasm)

package proxy_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestConcurrentAttachesOfOneCluster(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true})
	const n = 20
	answers := make([]secAnswer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			name := "aks-race-" + string(rune('a'+i))
			answers[i] = st.do(t, "POST", "/api/computes", mustSecJSON(t, secAttach(name, "aks-healthy")))
		})
	}
	close(start)
	wg.Wait()

	accepted, refused := 0, 0
	for i, a := range answers {
		switch a.status {
		case http.StatusAccepted:
			accepted++
		case http.StatusConflict:
			refused++
			e := a.apiErr()
			if !strings.Contains(e.Message, "already attached") || !strings.Contains(e.Message, "breaks the earlier") {
				t.Errorf("answer %d: %q, want T4's message", i, e.Message)
			}
		default:
			t.Errorf("answer %d: %d %s", i, a.status, a.body)
		}
	}
	if accepted != 1 || refused != n-1 {
		t.Errorf("%d accepted and %d refused, want 1 and %d", accepted, refused, n-1)
	}
	if got := st.emu.Attachments(secClusterID("aks-healthy")); len(got) != 1 {
		t.Errorf("the cluster is attached %d times: %v", len(got), got)
	}
	var accLines int
	for _, e := range secAuditLines(t, st.audit.String()) {
		if e.Result == "accepted" {
			accLines++
		}
	}
	if accLines != 1 {
		t.Errorf("audit shows %d accepted attaches", accLines)
	}
}

func TestConcurrentCreatesOfOneName(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true})
	const n = 12
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := secCreate("aks-same")
			if i%2 == 1 {
				req.Name = "AKS-SAME" // names compare without case in Azure ML
			}
			statuses[i] = st.do(t, "POST", "/api/computes", mustSecJSON(t, req)).status
		})
	}
	wg.Wait()
	accepted := 0
	for _, s := range statuses {
		switch s {
		case http.StatusAccepted:
			accepted++
		case http.StatusConflict:
		default:
			t.Errorf("status %d", s)
		}
	}
	if accepted != 1 {
		t.Errorf("%d creates accepted, want 1 (statuses %v)", accepted, statuses)
	}
	if got := secCount(secComputeNames(t, st), "aks-same"); got != 1 {
		t.Errorf("%d computes named aks-same", got)
	}
}
