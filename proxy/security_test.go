//go:build !(js && wasm)

package proxy_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	wiring "github.com/amlaks/amlaks/proxy/serve"
	"github.com/amlaks/amlaks/rules"
)

// The trust-boundary tests run the real proxy, the real Azure adapter
// (proxy/azure, the SDK's pipeline and pollers) and the ARM emulator over
// TLS, wired as `amlaks serve` wires them (startMain over proxy/serve.Main),
// and count what reaches the emulator.

// secWS is the sample workspace the tests act in.
var secWS = rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "ws-east"}

func secClusterID(name string) string {
	return "/subscriptions/" + armemu.SubscriptionID + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/" + name
}

// secBuffer is a bytes.Buffer safe for concurrent writers.
type secBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *secBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *secBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// secStack is one proxy, its adapter and the emulator behind it.
type secStack struct {
	emu   *armemu.Emulator
	arm   http.Handler // what the proxies are started over (the emulator)
	az    *azure.Client
	web   *wiring.Main // the amlaks server (startMain)
	logs  *secBuffer   // the proxy's and the adapter's log
	audit *secBuffer
	clock *manualClock // the emulator's, which also paces the proxy's pollers; nil when the test brought its own
}

// secOptions tune a secStack; zero values are the defaults of the tests.
type secOptions struct {
	cfg    proxy.Config // Logger, Audit and Backend are set by the stack
	emu    armemu.Options
	retry  *azure.RetryOptions
	reuse  *secStack // serve a new proxy and adapter over this stack's emulator: a restart
	noRate bool      // turn the write rate limit off
	audit  io.Writer // instead of the stack's buffer
}

func newSecStack(tb testing.TB, o secOptions) *secStack {
	tb.Helper()
	st := &secStack{logs: &secBuffer{}, audit: &secBuffer{}}
	if o.reuse != nil {
		st.emu, st.arm = o.reuse.emu, o.reuse.arm
	} else {
		eo := o.emu
		if eo.CreateDuration == 0 {
			eo.CreateDuration, eo.AttachDuration, eo.UpdateDuration, eo.DeleteDuration = 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
		}
		if eo.RetryAfter == 0 {
			eo.RetryAfter = -1
		}
		var clock *manualClock
		if eo.Now == nil {
			clock = newClock()
			eo.Now = clock.Now
		}
		st.emu = armemu.New(eo)
		st.arm = st.emu
		if clock != nil {
			clocks.Store(st.arm, clock)
		}
	}
	st.clock = clockOf(st.arm)
	logger := slog.New(slog.NewJSONHandler(st.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st.web = startMain(tb, st.arm, mainOptions{
		logger: logger,
		azure: func(opts *azure.Options) {
			opts.PollFrequency = 20 * time.Millisecond
			opts.NoFollow = false
			opts.Retry = azure.RetryOptions{RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond}
			if o.retry != nil {
				opts.Retry = *o.retry
			}
			opts.Logf = func(format string, args ...any) { logger.Info("azure", "msg", format, "args", args) }
		},
		proxy: func(c *proxy.Config) {
			cfg := o.cfg
			cfg.Backend, cfg.Logger, cfg.Audit = "emulator", logger, st.audit
			// The tests' own public addresses (none: loopback names on any port).
			cfg.OnFactsLookup, cfg.OnRequest, cfg.OnRateLimited, cfg.OnOperation = c.OnFactsLookup, c.OnRequest, c.OnRateLimited, c.OnOperation
			if cfg.PollTimer == nil {
				cfg.PollTimer = c.PollTimer
			}
			if cfg.AuthMode == proxy.AuthHeader && cfg.IdentityHeader == "" {
				cfg.IdentityHeader = proxy.IdentityOAuth2Proxy // the tests' sign-in proxy, unless they say
			}
			if o.noRate {
				cfg.WritesPerMinute, cfg.ReadsPerMinute = -1, -1
			}
			if o.audit != nil {
				cfg.Audit = o.audit
			}
			*c = cfg
		},
		page: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<!doctype html><title>amlaks</title>")
		}),
	})
	st.az = st.web.AzureClient
	return st
}

// secAnswer is one HTTP answer of the proxy.
type secAnswer struct {
	status int
	header http.Header
	body   string
}

// apiErr decodes the error body; zero when it is not one.
func (a secAnswer) apiErr() (e struct{ Code, Message, Field, RequestID string }) {
	var b struct {
		Error struct {
			Code, Message, Field, RequestID string
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(a.body), &b)
	return b.Error
}

// do sends one request to the proxy; header is "Name: value" pairs.
func (st *secStack) do(tb testing.TB, method, path, body string, header ...string) secAnswer {
	tb.Helper()
	req, err := http.NewRequest(method, st.web.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ":")
		if k = strings.TrimSpace(k); strings.EqualFold(k, "Content-Type") {
			req.Header.Set(k, strings.TrimSpace(v))
			continue
		}
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := st.web.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return secAnswer{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

// mustSecJSON encodes v.
func mustSecJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func secCreate(name string) rules.Request {
	return rules.Request{Mode: rules.ModeCreate, Workspace: secWS, Name: name, Purpose: rules.PurposeDevTest, NodeCount: 1}
}

func secAttach(name, cluster string) rules.Request {
	return rules.Request{Mode: rules.ModeAttach, Workspace: secWS, Name: name, Purpose: rules.PurposeFastProd,
		Target: rules.Target{ResourceID: secClusterID(cluster)}}
}

// secAuditLines decodes the audit log.
func secAuditLines(tb testing.TB, s string) []proxy.AuditEntry {
	tb.Helper()
	var out []proxy.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var e proxy.AuditEntry
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			tb.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	st := newSecStack(t, secOptions{})
	framed := newSecStack(t, secOptions{cfg: proxy.Config{FrameAncestors: []string{"https://portal.example.com"}}})
	paths := []string{"/", "/api/config", "/api/no-such-thing", "/api/workspaces/bad/x/y/computes"}
	for _, p := range paths {
		a := st.do(t, "GET", p, "")
		h := a.header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"'wasm-unsafe-eval'", "frame-ancestors 'none'", "default-src 'self'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %s", p, csp, want)
			}
		}
		if strings.Contains(csp, "'unsafe-eval'") || strings.Contains(csp, "'unsafe-inline'") {
			t.Errorf("GET %s: CSP %q allows unsafe eval or inline code", p, csp)
		}
		for k, want := range map[string]string{
			"X-Frame-Options":        "DENY",
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("GET %s: %s = %q, want %q", p, k, got, want)
			}
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", p)
		}

		fa := framed.do(t, "GET", p, "").header
		if got := fa.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors https://portal.example.com") || strings.Contains(got, "'none'; frame") {
			t.Errorf("GET %s with a portal: CSP %q, want frame-ancestors of the portal", p, got)
		}
		if got := fa.Get("X-Frame-Options"); got != "" {
			t.Errorf("GET %s with a portal: X-Frame-Options %q would forbid the portal", p, got)
		}
	}
}

func TestServerTimeouts(t *testing.T) {
	hs := proxy.New(proxy.Config{}, nil, nil).HTTPServer()
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 1<<20 {
		t.Errorf("server limits = header %v, read %v, write %v, idle %v, max header %d: every one must be set",
			hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout, hs.MaxHeaderBytes)
	}
}

func TestCrossSiteChangesNeverReachAzure(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true})
	create := mustSecJSON(t, secCreate("aks-xsite"))
	scalePath := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached/scale"
	detachPath := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached"
	tests := []struct {
		name, method, path, body string
		header                   []string
	}{
		{"create, Sec-Fetch-Site cross-site", "POST", "/api/computes", create, []string{"Sec-Fetch-Site: cross-site"}},
		{"create, foreign Origin", "POST", "/api/computes", create, []string{"Origin: https://evil.example"}},
		{"create, same-site but other origin", "POST", "/api/computes", create, []string{"Sec-Fetch-Site: same-site"}},
		{"scale, cross-site", "POST", scalePath, `{"nodeCount":5}`, []string{"Sec-Fetch-Site: cross-site"}},
		{"scale, foreign Origin", "POST", scalePath, `{"nodeCount":5}`, []string{"Origin: http://127.0.0.2:1"}},
		{"detach, cross-site", "DELETE", detachPath, "", []string{"Sec-Fetch-Site: cross-site"}},
		{"detach, foreign Origin", "DELETE", detachPath, "", []string{"Origin: https://evil.example"}},
	}
	before := st.emu.Requests()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := st.do(t, tt.method, tt.path, tt.body, tt.header...)
			if e := a.apiErr(); a.status != http.StatusForbidden || e.Code != "forbidden" || !strings.Contains(e.Message, "Cross-site") {
				t.Errorf("got %d %s, want 403 naming cross-site requests", a.status, a.body)
			}
		})
	}
	if got := st.emu.Requests() - before; got != 0 {
		t.Errorf("cross-site requests made %d Azure calls, want 0", got)
	}
	// The same create from the page itself goes through: the refusals above
	// were the protection, not a broken request.
	if a := st.do(t, "POST", "/api/computes", create, "Sec-Fetch-Site: same-origin"); a.status != http.StatusAccepted {
		t.Errorf("same-origin create: got %d %s, want 202", a.status, a.body)
	}
}

func TestGetRoutesChangeNothing(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true})
	// Something in flight, so operations have something to read.
	if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-inflight"))); a.status != http.StatusAccepted {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	ws := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east"
	gets := []string{
		"/", "/api/config", "/api/workspaces", "/api/locations/eastus/versions", "/api/locations/eastus/vmsizes",
		"/api/clusters?subscription=" + armemu.SubscriptionID, ws + "/computes",
		"/api/operations/" + armemu.SubscriptionID + "/ml-rg/ws-east/aks-inflight",
		"/api/operations/" + armemu.SubscriptionID + "/ml-rg/ws-east/aks-attached",
		// Write routes asked with GET or HEAD change nothing either.
		"/api/computes", ws + "/computes/aks-attached", ws + "/computes/aks-attached/scale",
		"/api/validate", "/api/facts",
	}
	before := st.emu.Writes()
	for _, p := range gets {
		for _, m := range []string{"GET", "HEAD"} {
			a := st.do(t, m, p, "")
			if a.status >= 500 {
				t.Errorf("%s %s: %d %s", m, p, a.status, a.body)
			}
		}
	}
	if got := st.emu.Writes() - before; got != 0 {
		t.Errorf("GET and HEAD requests made %d writes in Azure, want 0", got)
	}
	if n := len(secAuditLines(t, st.audit.String())); n != 1 {
		t.Errorf("audit has %d lines, want only the create's", n)
	}
}

// secPEMs returns a valid certificate and PKCS#8 key for cname.
func secPEMs(tb testing.TB, cname string) (cert, key string) {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cname},
		DNSNames:     []string{cname},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		tb.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}

// secSecretMarks are pieces of PEM text that must never leave the request:
// the armor, and a run of each PEM's base64 body.
func secSecretMarks(pems ...string) []string {
	marks := []string{"-----BEGIN", "PRIVATE KEY", "CERTIFICATE-----"}
	for _, p := range pems {
		lines := strings.Split(strings.TrimSpace(p), "\n")
		marks = append(marks, lines[1][:40], lines[len(lines)-2])
	}
	return marks
}

func TestCertificatesNeverLeave(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true})
	cert, key := secPEMs(t, "scoring.example.com")
	req := secCreate("aks-tls")
	req.TLS = rules.TLS{Mode: rules.TLSCustom, CertPEM: cert, KeyPEM: key, CNAME: "scoring.example.com"}
	body := mustSecJSON(t, req)
	var answers []secAnswer
	for _, p := range []string{"/api/validate", "/api/facts", "/api/computes"} {
		answers = append(answers, st.do(t, "POST", p, body))
	}
	if a := answers[2]; a.status != http.StatusAccepted {
		t.Fatalf("create with TLS: %d %s, want 202 (the emulator refuses TLS without both PEMs, so 202 means they reached it)", a.status, a.body)
	}
	// A refused one too: the same PEMs with a CNAME they do not name (L4),
	// and the attach of a taken cluster with PEMs (T4).
	bad := req
	bad.Name, bad.TLS.CNAME = "aks-tls-bad", "other.example.com"
	answers = append(answers, st.do(t, "POST", "/api/computes", mustSecJSON(t, bad)))
	att := secAttach("aks-tls-att", "aks-attached")
	att.TLS = req.TLS
	answers = append(answers, st.do(t, "POST", "/api/computes", mustSecJSON(t, att)))
	// A PEM pasted where it does not belong is echoed nowhere either.
	pasted := secCreate("aks-pasted")
	pasted.Description = key
	pasted.Tags = map[string]string{"owner": cert}
	answers = append(answers, st.do(t, "POST", "/api/computes", mustSecJSON(t, pasted)))
	pastedName := secCreate(key)
	answers = append(answers, st.do(t, "POST", "/api/computes", mustSecJSON(t, pastedName)))

	st.clock.drive(t, opStep, func() bool {
		a := st.do(t, "GET", "/api/operations/"+armemu.SubscriptionID+"/ml-rg/ws-east/aks-tls", "")
		answers = append(answers, a)
		return strings.Contains(a.body, `"done":true`)
	})
	answers = append(answers, st.do(t, "GET", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes", ""))
	answers = append(answers, st.do(t, "GET", "/api/config", ""))

	marks := secSecretMarks(cert, key)
	for i, a := range answers {
		for _, m := range marks {
			if strings.Contains(a.body, m) {
				t.Errorf("answer %d (%d) shows PEM text %q: %.300s", i, a.status, m, a.body)
			}
		}
	}
	for name, out := range map[string]string{"log": st.logs.String(), "audit": st.audit.String()} {
		if out == "" {
			t.Errorf("the %s is empty: nothing was checked", name)
		}
		for _, m := range marks {
			if strings.Contains(out, m) {
				t.Errorf("the %s shows PEM text %q", name, m)
			}
		}
	}
	if n := len(secAuditLines(t, st.audit.String())); n != 5 {
		t.Errorf("audit has %d lines, want 5", n)
	}
}

func TestPolicyRefusesBeforeAzure(t *testing.T) {
	policy := &rules.Policy{
		Subscriptions:  []string{armemu.SubscriptionID},
		ResourceGroups: []string{"ml-rg"},
		Workspaces:     []string{"ws-east"},
		VMSizes:        []string{"Standard_D3_v2", "Standard_D4s_v3"},
		Purposes:       []string{"DevTest", "FastProd"},
		MaxNodes:       6,
		MaxVCPUs:       16,
		RequiredTags:   []string{"costCenter"},
	}
	st := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{Policy: policy}})
	tagged := func(r rules.Request) rules.Request {
		r.Tags = map[string]string{"costCenter": "cc-42"}
		return r
	}
	create := tagged(secCreate("aks-pol"))
	other := create
	other.Workspace.Name = "ws-west"
	otherRG := create
	otherRG.Workspace.ResourceGroup = "aks-rg"
	otherSub := create
	otherSub.Workspace.Subscription = "11111111-1111-4111-8111-111111111111"
	size := create
	size.VMSize = "Standard_NC6s_v3"
	nodes := create
	nodes.NodeCount = 7
	vcpus := create
	vcpus.NodeCount, vcpus.VMSize = 5, "Standard_D4s_v3"
	purpose := create
	purpose.Purpose = rules.PurposeDenseProd
	untagged := secCreate("aks-pol")
	attach := secAttach("aks-pol-att", "aks-healthy")
	attach.Workspace.Name = "ws-west"
	attach = tagged(attach)

	ws := "/api/workspaces/" + armemu.SubscriptionID
	tests := []struct {
		name, method, path, body, code string
	}{
		{"workspace", "POST", "/api/computes", mustSecJSON(t, other), "G1"},
		{"resource group", "POST", "/api/computes", mustSecJSON(t, otherRG), "G1"},
		{"subscription", "POST", "/api/computes", mustSecJSON(t, otherSub), "G1"},
		{"vm size", "POST", "/api/computes", mustSecJSON(t, size), "G2"},
		{"max nodes", "POST", "/api/computes", mustSecJSON(t, nodes), "G3"},
		{"max vcpus", "POST", "/api/computes", mustSecJSON(t, vcpus), "G4"},
		{"purpose", "POST", "/api/computes", mustSecJSON(t, purpose), "G5"},
		{"required tag", "POST", "/api/computes", mustSecJSON(t, untagged), "G6"},
		{"attach elsewhere", "POST", "/api/computes", mustSecJSON(t, attach), "G1"},
		{"scale over max nodes", "POST", ws + "/ml-rg/ws-east/computes/aks-attached/scale", `{"nodeCount":9}`, "G3"},
		{"scale elsewhere", "POST", ws + "/ml-rg/ws-west/computes/aks-west-prod/scale", `{"nodeCount":3}`, "G1"},
		{"detach elsewhere", "DELETE", ws + "/ml-rg/ws-west/computes/aks-west-prod", "", "G1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := st.emu.Requests()
			a := st.do(t, tt.method, tt.path, tt.body)
			var b struct {
				Error struct {
					Code, Message string
					Findings      rules.Findings
				} `json:"error"`
			}
			_ = json.Unmarshal([]byte(a.body), &b)
			if a.status != http.StatusForbidden || b.Error.Code != "forbidden" || b.Error.Message == "" || !slices.Contains(b.Error.Findings.Codes(), tt.code) {
				t.Errorf("got %d %s, want 403 with %s", a.status, a.body, tt.code)
			}
			if got := st.emu.Requests() - before; got != 0 {
				t.Errorf("the refusal made %d Azure calls, want 0", got)
			}
		})
	}
	// The allowed request goes through, so the refusals were the policy.
	if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, create)); a.status != http.StatusAccepted {
		t.Errorf("allowed create: %d %s", a.status, a.body)
	}
}

func TestWriteRateLimit(t *testing.T) {
	st := newSecStack(t, secOptions{cfg: proxy.Config{AuthMode: proxy.AuthHeader, TrustedProxies: secPrefixes(t, "127.0.0.1/32"),
		WritesPerMinute: 10, WriteBurst: 5}})
	ada, grace := "X-Forwarded-Email: ada@example.com", "X-Forwarded-Email: grace@example.com"
	// Five refusals (the name is reserved, N7) use up ada's burst: every
	// attempt counts, so a flood of bad requests is limited too.
	for i := range 5 {
		if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("local")), ada); a.status != http.StatusBadRequest {
			t.Fatalf("attempt %d: %d %s", i+1, a.status, a.body)
		}
	}
	before := st.emu.Requests()
	a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-limited")), ada)
	e := a.apiErr()
	if a.status != http.StatusTooManyRequests || e.Code != "too_many" || !strings.Contains(e.Message, "try again in 6 seconds") {
		t.Errorf("6th change: %d %s, want 429 saying when to try again", a.status, a.body)
	}
	if got := a.header.Get("Retry-After"); got != "6" {
		t.Errorf("Retry-After = %q, want 6", got)
	}
	if st.emu.Requests() != before {
		t.Error("a rate-limited change reached Azure")
	}
	// Scale and detach share the budget; another person does not.
	ws := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached"
	if a := st.do(t, "DELETE", ws, "", ada); a.status != http.StatusTooManyRequests {
		t.Errorf("detach over the limit: %d", a.status)
	}
	if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-grace")), grace); a.status != http.StatusAccepted {
		t.Errorf("grace's create: %d %s", a.status, a.body)
	}
	// Checking is not changing: validate is not limited.
	if a := st.do(t, "POST", "/api/validate", mustSecJSON(t, secCreate("aks-limited")), ada); a.status != http.StatusOK {
		t.Errorf("validate while limited: %d", a.status)
	}
	lines := secAuditLines(t, st.audit.String())
	if last := lines[len(lines)-2]; last.Code != "too_many" || last.Who != "ada@example.com" {
		t.Errorf("audit of the limited detach: %+v", last)
	}
}

func TestRateLimitByAddressWithoutAuth(t *testing.T) {
	st := newSecStack(t, secOptions{cfg: proxy.Config{WritesPerMinute: 1, WriteBurst: 2}})
	codes := []int{}
	for range 3 {
		codes = append(codes, st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("local"))).status)
	}
	if codes[0] != 400 || codes[1] != 400 || codes[2] != 429 {
		t.Errorf("statuses %v, want 400 400 429", codes)
	}
}

func TestPolicyExampleParses(t *testing.T) {
	data, err := os.ReadFile("../docs/policy.example.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := rules.ParsePolicy(data)
	if err != nil {
		t.Fatalf("docs/policy.example.json: %v", err)
	}
	if len(p.Subscriptions) == 0 || len(p.VMSizes) == 0 || p.MaxNodes == 0 || p.MaxVCPUs == 0 || len(p.Purposes) == 0 || len(p.RequiredTags) == 0 {
		t.Errorf("the example leaves a guardrail out: %+v", p)
	}
	// The example allows the sample world's ws-east, so it can be tried with the emulator.
	req := secCreate("aks-example")
	req.Tags = map[string]string{"costCenter": "cc-1", "owner": "ada"}
	for _, f := range rules.Validate(req, rules.Facts{Policy: p}).Errors() {
		t.Errorf("the example refuses a plain create in ws-east: %s %s", f.Code, f.Message)
	}
}
