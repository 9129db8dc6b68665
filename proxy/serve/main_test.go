//go:build !(js && wasm)

package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	ui "github.com/amlaks/amlaks/app"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
	"github.com/amlaks/amlaks/web"
)

// mustRun starts a Main from command-line flags, as `amlaks serve` does,
// against an in-process emulator with slow operations and a stub page.
func mustRun(tb testing.TB, emu http.Handler, args ...string) *Main {
	tb.Helper()
	cfg, err := ParseConfig(append([]string{"--addr", "127.0.0.1:0", "--azure", "emulator", "--audit", filepath.Join(tb.TempDir(), "audit.log")}, args...), env(nil), io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	m := &Main{Config: cfg, Logger: discard(), Emulator: emu,
		Page: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<!doctype html><title>amlaks</title>")
		}),
		Azure: func(o *azure.Options) { o.PollFrequency = 20 * time.Millisecond },
	}
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = m.Close() })
	return m
}

func mget(tb testing.TB, m *Main, path string) (*http.Response, string) {
	tb.Helper()
	resp, err := m.Client().Get(m.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// metricValue returns the value of one sample line of a scrape, 0 when absent.
func metricValue(tb testing.TB, scrape, series string) float64 {
	tb.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(scrape)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// TestMetricsAfterACreate reads /metrics after one create against the
// emulator: the request counter by route pattern, the ARM calls by operation
// (the PUT of the compute among them), the operation in flight and the facts
// cache lookups all moved, and no label holds a name, ID or raw path.
func TestMetricsAfterACreate(t *testing.T) {
	emu := armemu.New(armemu.Options{CreateDuration: time.Hour, RetryAfter: -1})
	m := mustRun(t, emu, "--rate-limit", "0")
	_, before := mget(t, m, "/metrics")

	body, _ := json.Marshal(rules.Request{Mode: rules.ModeCreate, Name: "aks-metrics",
		Workspace: rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "ws-east"}})
	resp, err := m.Client().Post(m.URL+"/api/computes", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create: %d %s", resp.StatusCode, answer)
	}
	r, scrape := mget(t, m, "/metrics")
	if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("scrape: %d, Cache-Control %q, X-Frame-Options %q", r.StatusCode, r.Header.Get("Cache-Control"), r.Header.Get("X-Frame-Options"))
	}
	for _, tc := range []struct {
		series string
		min    float64
	}{
		{`amlaks_http_requests_total{route="POST /api/computes",status="202"}`, 1},
		{`amlaks_http_request_duration_seconds_count{route="POST /api/computes"}`, 1},
		{`amlaks_arm_requests_total{operation="PUT microsoft.machinelearningservices/workspaces/computes",status="201"}`, 1},
		{`amlaks_operations_in_flight`, 1},
		{`amlaks_facts_cache_lookups_total{kind="workspaces",result="miss"}`, 1},
	} {
		if got := metricValue(t, scrape, tc.series) - metricValue(t, before, tc.series); got < tc.min {
			t.Errorf("%s moved by %g, want at least %g", tc.series, got, tc.min)
		}
	}
	// Labels never carry the request's values.
	for _, leak := range []string{"aks-metrics", armemu.SubscriptionID, "ws-east", "ml-rg", "/api/workspaces/"} {
		if strings.Contains(scrape, leak) {
			t.Errorf("the scrape holds %q", leak)
		}
	}
}

// TestMetricsCountARMThrottlingAndRateLimits: a 429 from ARM (retried by
// the SDK) is counted with its status, and a refusal of the write rate limit
// by its limit.
func TestMetricsCountARMThrottlingAndRateLimits(t *testing.T) {
	emu := armemu.New(armemu.Options{CreateDuration: time.Hour, RetryAfter: -1})
	emu.Inject(armemu.Fault{Method: "GET", PathContains: "/workspaces", Status: 429, Times: 1})
	m := mustRun(t, emu, "--rate-limit", "1", "--rate-burst", "1")
	mget(t, m, "/api/workspaces")
	for range 3 {
		resp, err := m.Client().Post(m.URL+"/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes/aks-healthy/scale", "application/json", strings.NewReader(`{"nodes":2}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	_, scrape := mget(t, m, "/metrics")
	if !regexp.MustCompile(`amlaks_arm_requests_total\{operation="GET [^"]+",status="429"\} 1`).MatchString(scrape) {
		t.Errorf("no ARM 429 counted:\n%s", grepLines(scrape, "amlaks_arm_requests_total"))
	}
	if v := metricValue(t, scrape, `amlaks_rate_limited_total{limit="person"}`); v < 1 {
		t.Errorf("rate-limit refusals = %g, want at least 1:\n%s", v, grepLines(scrape, "amlaks_rate_limited"))
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestHealthAndReadiness: /healthz answers while the process lives; /readyz
// answers 200 while the emulator answers and 503 with the reason once it is
// gone. Both answer whatever the Host (probes use the pod's address), and
// are never cached or framed.
func TestHealthAndReadiness(t *testing.T) {
	m := mustRun(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		req, _ := http.NewRequest("GET", m.URL+path, nil)
		req.Host = "10.1.2.3:8080" // not a public address
		resp, err := m.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %d %q, Cache-Control %q, X-Frame-Options %q", path, resp.StatusCode, b, resp.Header.Get("Cache-Control"), resp.Header.Get("X-Frame-Options"))
		}
	}
	// The same Host is refused by the API: the ops endpoints are the only exception.
	req, _ := http.NewRequest("GET", m.URL+"/api/config", nil)
	req.Host = "10.1.2.3:8080"
	if resp, err := m.Client().Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("/api/config answered a Host that is not public")
		}
	}
	if resp, err := m.Client().Post(m.URL+"/metrics", "text/plain", nil); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d, want 405", resp.StatusCode)
	}
	m.EmulatorServer.Close()
	resp, body := mget(t, m, "/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "emulator") {
		t.Errorf("readyz with the emulator gone: %d %q, want 503 naming the emulator", resp.StatusCode, body)
	}
	if resp, _ := mget(t, m, "/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz with the emulator gone: %d, want 200 (alive)", resp.StatusCode)
	}
}

// TestCloseClosesTheAzureClient: Main.Close stops the adapter (its
// background context ends), which nothing called before.
func TestCloseClosesTheAzureClient(t *testing.T) {
	m := mustRun(t, nil)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if !m.AzureClient.Closed() {
		t.Error("the Azure client is still open after Close")
	}
	if _, err := m.Client().Get(m.URL + "/healthz"); err == nil {
		t.Error("the server still answers after Close")
	}
}

// TestMissingWasmIsSaid: files without app.wasm still make a page (the API
// serves on), but newPage says so; --web DIR without it stops the start
// with the fix; the embedded files without it log an error at start.
func TestMissingWasmIsSaid(t *testing.T) {
	registerOnce.Do(ui.Register)
	if _, err := newPage(fstest.MapFS{"amlaks.css": {Data: []byte("body{}")}}, "emulator"); !errors.Is(err, errNoWasm) {
		t.Errorf("newPage without app.wasm: %v, want errNoWasm", err)
	}
	cfg, err := ParseConfig([]string{"--addr", "127.0.0.1:0", "--azure", "emulator", "--web", t.TempDir()}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Logger: discard()}
	if err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "has no app.wasm") || !strings.Contains(err.Error(), "make wasm") {
		t.Errorf("Run with --web of an empty directory: %v, want the missing app.wasm and the fix", err)
	}
	if _, err := fs.Stat(web.FS(), "app.wasm"); err == nil {
		return // this binary was built after make wasm: nothing to log
	}
	var logs bytes.Buffer
	cfg.Web = ""
	m = &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !strings.Contains(logs.String(), "built without web/app.wasm") {
		t.Errorf("start log does not say app.wasm is missing:\n%s", logs.String())
	}
}
