//go:build !(js && wasm)

package proxy_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
)

func TestAuditOneLinePerChangeAttempt(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{AuthMode: proxy.AuthHeader, TrustedProxies: secPrefixes(t, "127.0.0.1/32")}})
	ws := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/"
	me := "X-Forwarded-Email: ada@example.com"
	steps := []struct {
		method, path, body string
		header             []string
		want               proxy.AuditEntry
	}{
		{"POST", "/api/computes", mustSecJSON(t, secCreate("aks-audit")), []string{me},
			proxy.AuditEntry{Who: "ada@example.com", Via: "oauth2-proxy", Action: "create", Name: "aks-audit", Result: "accepted"}},
		{"POST", "/api/computes", mustSecJSON(t, secAttach("aks-audit-att", "aks-healthy")), []string{me},
			proxy.AuditEntry{Who: "ada@example.com", Via: "oauth2-proxy", Action: "attach", Name: "aks-audit-att", Cluster: secClusterID("aks-healthy"), Result: "accepted"}},
		{"POST", "/api/computes", mustSecJSON(t, secAttach("aks-audit-again", "aks-attached")), []string{me},
			proxy.AuditEntry{Who: "ada@example.com", Via: "oauth2-proxy", Action: "attach", Name: "aks-audit-again", Cluster: secClusterID("aks-attached"), Result: "refused", Code: "conflict"}},
		{"POST", ws + "aks-attached/scale", `{"nodeCount":4}`, []string{me},
			proxy.AuditEntry{Who: "ada@example.com", Via: "oauth2-proxy", Action: "scale", Name: "aks-attached", NodeCount: 4, Result: "accepted"}},
		{"DELETE", ws + "aks-nope", "", []string{me},
			proxy.AuditEntry{Who: "ada@example.com", Via: "oauth2-proxy", Action: "detach", Name: "aks-nope", Result: "refused", Code: "not_found"}},
		{"DELETE", ws + "aks-attached", "", nil,
			proxy.AuditEntry{Action: "detach", Name: "aks-attached", Result: "refused", Code: "unauthorized"}},
		{"POST", "/api/computes", `{"mode":"create","bogus":1}`, []string{me},
			proxy.AuditEntry{Who: "ada@example.com", Via: "oauth2-proxy", Action: "create", Result: "refused", Code: "invalid"}},
	}
	for i, s := range steps {
		start := time.Now().UTC().Add(-time.Second)
		a := st.do(t, s.method, s.path, s.body, s.header...)
		// Written as it happens: the line is there when the answer is.
		lines := secAuditLines(t, st.audit.String())
		if len(lines) != i+1 {
			t.Fatalf("step %d (%s %s → %d): audit has %d lines, want %d", i, s.method, s.path, a.status, len(lines), i+1)
		}
		got := lines[i]
		when, err := time.Parse(time.RFC3339, got.Time)
		if err != nil || when.Before(start.Truncate(time.Second)) || when.After(time.Now().Add(time.Second)) {
			t.Errorf("step %d: time %q is not RFC 3339 now", i, got.Time)
		}
		if got.RequestID == "" || got.RequestID != a.header.Get("X-Request-Id") {
			t.Errorf("step %d: request id %q, answer's %q", i, got.RequestID, a.header.Get("X-Request-Id"))
		}
		if got.Addr != "127.0.0.1" {
			t.Errorf("step %d: addr %q", i, got.Addr)
		}
		if s.want.Name != "" && !strings.HasSuffix(got.Workspace, "/workspaces/ws-east") {
			t.Errorf("step %d: workspace %q", i, got.Workspace)
		}
		if s.want.Result == "refused" && got.Reason == "" {
			t.Errorf("step %d: a refusal without its reason", i)
		}
		got.Time, got.RequestID, got.Addr, got.Workspace, got.Reason, got.Field = "", "", "", "", "", ""
		if got != s.want {
			t.Errorf("step %d (%s %s → %d %s):\n got %+v\nwant %+v", i, s.method, s.path, a.status, a.body, got, s.want)
		}
	}
	// Reads and checks are not changes: no audit line.
	st.do(t, "POST", "/api/validate", mustSecJSON(t, secCreate("aks-v")), me)
	st.do(t, "GET", "/api/workspaces", "", me)
	if n := len(secAuditLines(t, st.audit.String())); n != len(steps) {
		t.Errorf("reads added audit lines: %d, want %d", n, len(steps))
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestAuditWriteFailureIsLogged(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true, audit: failingWriter{}})
	a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-fail-audit")))
	if a.status != http.StatusAccepted {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	if !strings.Contains(st.logs.String(), "audit log write failed") {
		t.Error("a failed audit write was not logged")
	}
}
