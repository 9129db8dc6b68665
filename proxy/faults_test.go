//go:build !(js && wasm)

package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

// secComputeNames lists the workspace's AKS computes through the proxy.
func secComputeNames(tb testing.TB, st *secStack) []string {
	tb.Helper()
	a := st.do(tb, "GET", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes", "")
	var b struct{ Computes []rules.Compute }
	if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &b) != nil {
		tb.Fatalf("list computes: %d %s", a.status, a.body)
	}
	var names []string
	for _, c := range b.Computes {
		names = append(names, c.Name)
	}
	return names
}

func secCount(names []string, name string) int {
	n := 0
	for _, x := range names {
		if strings.EqualFold(x, name) {
			n++
		}
	}
	return n
}

// secWaitOperation follows an operation through the proxy until it is done.
func secWaitOperation(tb testing.TB, st *secStack, name string) rules.OperationState {
	tb.Helper()
	var op rules.OperationState
	st.clock.drive(tb, opStep, func() bool {
		a := st.do(tb, "GET", "/api/operations/"+armemu.SubscriptionID+"/ml-rg/ws-east/"+name, "")
		op = rules.OperationState{}
		if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &op) != nil {
			tb.Fatalf("operation %s: %d %s", name, a.status, a.body)
		}
		return op.Done
	})
	return op
}

// secPlain fails the test when a message is empty or shows raw Azure text.
func secPlain(tb testing.TB, msg string) {
	tb.Helper()
	if msg == "" {
		tb.Error("no message for the person")
	}
	for _, bad := range []string{"https://", "management.azure.com", armemu.SubscriptionID, "RESPONSE", "--------", "ERROR CODE"} {
		if strings.Contains(msg, bad) {
			tb.Errorf("message %q shows raw text %q", msg, bad)
		}
	}
}

func TestFaultsThroughTheProxy(t *testing.T) {
	injected := 0
	inject := func(st *secStack, f armemu.Fault) {
		st.emu.Inject(f)
		injected += max(f.Times, 1)
	}
	put := func(name string) (string, string) { return "PUT", "/computes/" + name }

	t.Run("retried until Azure answers", func(t *testing.T) {
		tests := []struct {
			name  string
			fault func(name string) armemu.Fault
		}{
			{"429 with Retry-After on the PUT", func(n string) armemu.Fault {
				m, p := put(n)
				return armemu.Fault{Method: m, PathContains: p, Status: 429, RetryAfter: time.Second}
			}},
			{"500 twice on the PUT", func(n string) armemu.Fault {
				m, p := put(n)
				return armemu.Fault{Method: m, PathContains: p, Status: 500, Times: 2}
			}},
			{"503 three times on the PUT", func(n string) armemu.Fault {
				m, p := put(n)
				return armemu.Fault{Method: m, PathContains: p, Status: 503, Times: 3}
			}},
			{"dropped connection on the PUT", func(n string) armemu.Fault {
				m, p := put(n)
				return armemu.Fault{Method: m, PathContains: p, Drop: true}
			}},
			{"503 on the workspace read", func(string) armemu.Fault {
				return armemu.Fault{Method: "GET", PathContains: "/workspaces/ws-east", Status: 503, Times: 2}
			}},
			{"429 on the VM sizes", func(string) armemu.Fault {
				return armemu.Fault{Method: "GET", PathContains: "/skus", Status: 429, RetryAfter: time.Second}
			}},
			{"dropped connection on the compute list", func(string) armemu.Fault {
				return armemu.Fault{Method: "GET", PathContains: "/computes", Drop: true, Times: 2}
			}},
			{"slow PUT beyond one try's timeout", func(n string) armemu.Fault {
				m, p := put(n)
				return armemu.Fault{Method: m, PathContains: p, Delay: 2 * time.Second}
			}},
		}
		retry := azure.RetryOptions{MaxRetries: 3, RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 2 * time.Second, TryTimeout: 700 * time.Millisecond}
		st := newSecStack(t, secOptions{noRate: true, retry: &retry})
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				name := "aks-fault-" + string(rune('a'+i))
				writes := st.emu.Writes()
				inject(st, tt.fault(name))
				a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate(name)))
				if a.status != http.StatusAccepted {
					t.Fatalf("got %d %s, want 202 after the retries", a.status, a.body)
				}
				if got := secCount(secComputeNames(t, st), name); got != 1 {
					t.Errorf("%d computes named %s, want 1", got, name)
				}
				if st.emu.Writes() == writes {
					t.Error("no write reached Azure")
				}
				if op := secWaitOperation(t, st, name); !op.Succeeded {
					t.Errorf("operation %+v, want Succeeded", op)
				}
			})
		}
	})

	t.Run("Azure keeps failing: plain words, nothing made, then it works", func(t *testing.T) {
		retry := azure.RetryOptions{MaxRetries: 2, RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond}
		st := newSecStack(t, secOptions{noRate: true, retry: &retry})
		for _, f := range []armemu.Fault{
			{Method: "PUT", PathContains: "/computes/aks-down", Status: 503, Times: 3},
			{Method: "PUT", PathContains: "/computes/aks-down", Status: 500, Times: 3},
			{Method: "PUT", PathContains: "/computes/aks-down", Status: 429, Times: 3},
			{Method: "PUT", PathContains: "/computes/aks-down", Drop: true, Times: 3},
		} {
			inject(st, f)
			a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-down")))
			e := a.apiErr()
			if a.status < 429 || (e.Code != "unavailable" && e.Code != "too_many") {
				t.Errorf("fault %+v: got %d %s, want 429 or 5xx", f, a.status, a.body)
			}
			secPlain(t, e.Message)
			if got := secCount(secComputeNames(t, st), "aks-down"); got != 0 {
				t.Errorf("fault %+v: %d computes named aks-down after a failed create", f, got)
			}
		}
		// Once Azure answers again, the same request makes exactly one.
		if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-down"))); a.status != http.StatusAccepted {
			t.Fatalf("after the faults: %d %s", a.status, a.body)
		}
		if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-down"))); a.status != http.StatusConflict {
			t.Errorf("the same create again: %d %s, want 409 (O4)", a.status, a.body)
		}
		if got := secCount(secComputeNames(t, st), "aks-down"); got != 1 {
			t.Errorf("%d computes named aks-down, want 1", got)
		}
	})

	t.Run("slow Azure: the proxy's deadline answers in words", func(t *testing.T) {
		retry := azure.RetryOptions{MaxRetries: 1, RetryDelay: 5 * time.Millisecond}
		st := newSecStack(t, secOptions{noRate: true, retry: &retry, cfg: proxy.Config{Timeout: 600 * time.Millisecond}})
		inject(st, armemu.Fault{Method: "PUT", PathContains: "/computes/aks-slow", Delay: 5 * time.Second, Times: 2})
		start := time.Now()
		a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-slow")))
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("the answer took %v; the deadline is 600ms", took)
		}
		e := a.apiErr()
		if a.status != http.StatusBadGateway || e.Code != "unavailable" || !strings.Contains(e.Message, "in time") {
			t.Errorf("got %d %s, want 502 saying Azure did not answer in time", a.status, a.body)
		}
		secPlain(t, e.Message)
		if got := secCount(secComputeNames(t, st), "aks-slow"); got != 0 {
			t.Errorf("%d computes named aks-slow after a timed-out create", got)
		}
		lines := secAuditLines(t, st.audit.String())
		if last := lines[len(lines)-1]; last.Result != "refused" || last.Code != "unavailable" {
			t.Errorf("audit %+v, want the timeout recorded", last)
		}
	})

	t.Run("operation ends Failed, and a restart reads the same", func(t *testing.T) {
		st := newSecStack(t, secOptions{noRate: true})
		inject(st, armemu.Fault{Method: "PUT", PathContains: "/computes/aks-doomed", FailOperation: true,
			Code: "QuotaExceeded", Message: "Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota."})
		if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-doomed"))); a.status != http.StatusAccepted {
			t.Fatalf("create: %d %s", a.status, a.body)
		}
		op := secWaitOperation(t, st, "aks-doomed")
		if op.Succeeded || op.State != "Failed" || len(op.Errors) == 0 {
			t.Fatalf("operation %+v, want Failed with Azure's errors", op)
		}
		for _, e := range op.Errors {
			secPlain(t, e)
		}
		if !strings.Contains(strings.ToLower(strings.Join(op.Errors, " ")), "quota") {
			t.Errorf("errors %q do not say it was the quota", op.Errors)
		}
		// A fresh proxy and adapter over the same Azure: the same state, and
		// the name is still taken, so no duplicate can be made.
		again := newSecStack(t, secOptions{noRate: true, reuse: st})
		if op2 := secWaitOperation(t, again, "aks-doomed"); op2.State != "Failed" || len(op2.Errors) != len(op.Errors) {
			t.Errorf("after a restart: %+v, want the same Failed state", op2)
		}
		if a := again.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-doomed"))); a.status != http.StatusConflict {
			t.Errorf("create again after the failure: %d %s, want 409", a.status, a.body)
		}
		if got := secCount(secComputeNames(t, again), "aks-doomed"); got != 1 {
			t.Errorf("%d computes named aks-doomed, want 1", got)
		}
	})

	t.Run("restart during a create", func(t *testing.T) {
		first := newSecStack(t, secOptions{noRate: true, emu: armemu.Options{CreateDuration: time.Second, AttachDuration: time.Second, UpdateDuration: time.Second, DeleteDuration: time.Second}})
		inject(first, armemu.Fault{Method: "GET", PathContains: "/computes/aks-restart", Status: 503})
		if a := first.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-restart"))); a.status != http.StatusAccepted {
			t.Fatalf("create: %d %s", a.status, a.body)
		}
		first.web.Close()
		_ = first.az.Close() // the proxy stops; Azure goes on
		second := newSecStack(t, secOptions{noRate: true, reuse: first})
		a := second.do(t, "GET", "/api/operations/"+armemu.SubscriptionID+"/ml-rg/ws-east/aks-restart", "")
		if a.status != http.StatusOK || !strings.Contains(a.body, `"state":"Creating"`) {
			t.Errorf("right after the restart: %d %s, want Creating", a.status, a.body)
		}
		if op := secWaitOperation(t, second, "aks-restart"); !op.Succeeded {
			t.Errorf("after the restart: %+v, want Succeeded", op)
		}
		if a := second.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-restart"))); a.status != http.StatusConflict {
			t.Errorf("the same create after the restart: %d, want 409", a.status)
		}
		if got := secCount(secComputeNames(t, second), "aks-restart"); got != 1 {
			t.Errorf("%d computes named aks-restart, want 1", got)
		}
	})
	t.Logf("faults injected: %d", injected)
}
