//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/rules"
)

// apiError is the error answer of the proxy.
type apiError struct {
	Error struct {
		Code      rules.ErrorCode `json:"code"`
		Message   string          `json:"message"`
		Field     string          `json:"field"`
		ARMCode   string          `json:"armCode"`
		RequestID string          `json:"requestId"`
		Findings  rules.Findings  `json:"findings"`
	} `json:"error"`
}

// handler returns the proxy's whole HTTP surface over f, with a page
// handler that answers "page".
func handler(cfg proxy.Config, f *Fake) http.Handler {
	if cfg.Backend == "" {
		cfg.Backend = "emulator"
	}
	if cfg.Audit == nil {
		cfg.Audit = io.Discard
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	if cfg.ReadsPerMinute == 0 {
		cfg.ReadsPerMinute = -1 // tests send many requests from one address; TestFloodsAreLimitedByAddress tests the limit
	}
	if cfg.PublicAddresses == nil {
		cfg.PublicAddresses = []string{"example.com"} // httptest.NewRequest's Host
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "page") })
	return proxy.New(cfg, f, page).Handler()
}

// serve sends one request to h. header holds name, value pairs; a body gets
// Content-Type application/json unless header sets it.
func serve(tb testing.TB, h http.Handler, method, path, body string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// mustError decodes an error answer and checks its status and code.
func mustError(tb testing.TB, w *httptest.ResponseRecorder, status int, code rules.ErrorCode) apiError {
	tb.Helper()
	var e apiError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		tb.Fatalf("status %d, body %q is not an error answer: %v", w.Code, w.Body, err)
	}
	if w.Code != status || e.Error.Code != code {
		tb.Fatalf("got %d %q (%s), want %d %q", w.Code, e.Error.Code, e.Error.Message, status, code)
	}
	if e.Error.Message == "" {
		tb.Errorf("error %q has no message", code)
	}
	if id := w.Header().Get("X-Request-Id"); id == "" || e.Error.RequestID != id {
		tb.Errorf("requestId = %q, X-Request-Id = %q; want the same, not empty", e.Error.RequestID, id)
	}
	return e
}

// mustJSON marshals v.
func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// findingCodes lists the codes of the findings.
func findingCodes(fs rules.Findings) []string { return fs.Codes() }

// createReq is a create in ws-east that passes every rule.
func createReq(name string) rules.Request {
	return rules.Request{Mode: rules.ModeCreate, Workspace: wsEast, Name: name, VMSize: "Standard_D3_v2", NodeCount: 3}
}

// attachReq is an attach of a fake cluster to ws-east.
func attachReq(name, cluster string) rules.Request {
	return rules.Request{Mode: rules.ModeAttach, Workspace: wsEast, Name: name, Target: rules.Target{ResourceID: fakeClusterID(cluster)}}
}

const (
	eastPath = "/api/workspaces/" + fakeSub + "/ml-rg/ws-east"
	opPath   = "/api/operations/" + fakeSub + "/ml-rg/ws-east/"
)

// TestRoutes sends a good request to every route of the table and checks
// the status and the body.
func TestRoutes(t *testing.T) {
	tests := []struct {
		name   string
		cfg    proxy.Config
		method string
		path   string
		body   string
		status int
		want   []string // substrings of the body
		header map[string]string
	}{
		{name: "config", cfg: proxy.Config{DefaultSubscription: fakeSub, FrameAncestors: []string{"https://portal.example.com"}},
			method: "GET", path: "/api/config", status: 200,
			want: []string{`"backend":"emulator"`, `"defaultSubscription":"` + fakeSub + `"`, `"frameAncestors":["https://portal.example.com"]`}},
		{name: "workspaces", method: "GET", path: "/api/workspaces", status: 200,
			want: []string{`"name":"ws-east"`, `"location":"eastus"`, `"name":"ws-east2"`}},
		{name: "workspaces less what the policy forbids", cfg: proxy.Config{Policy: &rules.Policy{Workspaces: []string{"WS-EAST"}}},
			method: "GET", path: "/api/workspaces", status: 200, want: []string{`{"workspaces":[{"subscription":"` + fakeSub + `","resourceGroup":"ml-rg","name":"ws-east","location":"eastus"}]}`}},
		{name: "versions", cfg: proxy.Config{DefaultSubscription: fakeSub}, method: "GET", path: "/api/locations/eastus/versions", status: 200,
			want: []string{`"location":"eastus"`, `{"version":"1.32.7","default":true,"upgrades":["1.33.2"]}`, `"preview":true`}},
		{name: "versions with a subscription", method: "GET", path: "/api/locations/westus/versions?subscription=" + fakeSub, status: 200,
			want: []string{`"location":"westus"`}},
		{name: "vm sizes", cfg: proxy.Config{DefaultSubscription: fakeSub}, method: "GET", path: "/api/locations/eastus/vmsizes", status: 200,
			want: []string{`{"name":"Standard_D3_v2","vcpus":4,"memoryGB":14}`, `"gpus":1`}},
		{name: "clusters", cfg: proxy.Config{DefaultSubscription: fakeSub}, method: "GET", path: "/api/clusters", status: 200,
			want: []string{`"name":"aks-healthy"`, `"version":"1.27.9"`}},
		{name: "facts of a create", method: "POST", path: "/api/facts", body: mustJSON(t, createReq("aks-new")), status: 200,
			want: []string{`"workspaceLocation":"eastus"`, `"name":"cpu-cluster"`, `"regionNames":["scoring-prod"]`, `"Standard_D8s_v3"`, `"1.33.2"`}},
		{name: "facts of an attach", method: "POST", path: "/api/facts", body: mustJSON(t, attachReq("aks-h", "aks-healthy")), status: 200,
			want: []string{`"cluster":{"id":"` + fakeClusterID("aks-healthy"), `"amlRanges":["20.42.0.240/28"`, `"pairedRegion":"westus"`}},
		{name: "validate", method: "POST", path: "/api/validate", body: mustJSON(t, createReq("aks-new")), status: 200,
			want: []string{`"code":"K1"`, `"code":"V4"`}},
		{name: "exports", method: "POST", path: "/api/exports", body: mustJSON(t, createReq("aks-new")), status: 200,
			want: []string{`{"exports":[{"id":"cli","label":"Azure CLI v1 (legacy)","text":"`, `az ml computetarget create aks`, `"id":"python"`, `"id":"terraform"`,
				`"id":"arm"`, `PUT /subscriptions/` + fakeSub + `/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east/computes/aks-new`}},
		{name: "exports of a request with an error", method: "POST", path: "/api/exports", body: mustJSON(t, createReq("cpu-cluster")), status: 409,
			want: []string{`"code":"N5"`, `"field":"name"`}},
		{name: "exports of a custom certificate the page does not send", method: "POST", path: "/api/exports", status: 200,
			body: mustJSON(t, func() rules.Request {
				r := createReq("aks-new")
				r.TLS = rules.TLS{Mode: rules.TLSCustom, CNAME: "score.example.com"}
				return r
			}()),
			want: []string{`--ssl-cert-file cert.pem`, `\"key\": \"\u003cprivate key PEM\u003e\"`}},
		{name: "create", method: "POST", path: "/api/computes", body: mustJSON(t, createReq("aks-new")), status: 202,
			want:   []string{`"operation":"` + opPath + `aks-new"`, `"page":"/progress/` + fakeSub + `/ml-rg/ws-east/aks-new"`},
			header: map[string]string{"Location": opPath + "aks-new"}},
		{name: "attach", method: "POST", path: "/api/computes", body: mustJSON(t, attachReq("aks-h", "aks-healthy")), status: 202,
			want: []string{`"operation":"` + opPath + `aks-h"`}},
		{name: "computes: AKS only", method: "GET", path: eastPath + "/computes", status: 200,
			want: []string{`"name":"aks-attached"`, `"name":"aks-dev"`}},
		{name: "scale", method: "POST", path: eastPath + "/computes/aks-attached/scale", body: `{"nodeCount":5}`, status: 202,
			want: []string{`"operation":"` + opPath + `aks-attached"`}, header: map[string]string{"Location": opPath + "aks-attached"}},
		{name: "detach", method: "DELETE", path: eastPath + "/computes/aks-attached", status: 202,
			want: []string{`"operation":"` + opPath + `aks-attached"`}},
		{name: "operation", method: "GET", path: opPath + "aks-attached", status: 200,
			want: []string{`"state":"Succeeded"`, `"done":true`, `"succeeded":true`, `"mode":"attach"`}},
		{name: "no such API", method: "GET", path: "/api/nope", status: 404, want: []string{`"code":"not_found"`, "There is no API at GET /api/nope."}},
		{name: "the page", method: "GET", path: "/progress/x", status: 200, want: []string{"page"}},
		{name: "bad location", method: "GET", path: "/api/locations/East%20US/versions?subscription=" + fakeSub, status: 400,
			want: []string{`"field":"location"`}},
		{name: "bad subscription", method: "GET", path: "/api/clusters?subscription=nope", status: 400,
			want: []string{`"field":"subscription"`}},
		{name: "no subscription", method: "GET", path: "/api/locations/eastus/vmsizes", status: 400,
			want: []string{`"field":"subscription"`}},
		{name: "bad workspace path", method: "GET", path: "/api/workspaces/nope/ml-rg/ws-east/computes", status: 400,
			want: []string{`"field":"workspace.subscription"`}},
		{name: "operation of a missing compute", method: "GET", path: opPath + "aks-nope", status: 404,
			want: []string{`"code":"not_found"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			w := serve(t, handler(tt.cfg, f), tt.method, tt.path, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			for _, s := range tt.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body %s\nlacks %s", w.Body, s)
				}
			}
			for k, v := range tt.header {
				if got := w.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if strings.HasPrefix(tt.path, "/api/") {
				if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", cc)
				}
			}
		})
	}
}

// TestListComputesOnlyAKS checks that the inventory holds only AKS computes.
func TestListComputesOnlyAKS(t *testing.T) {
	f, _ := newFake()
	w := serve(t, handler(proxy.Config{}, f), "GET", eastPath+"/computes", "")
	var got struct{ Computes []rules.Compute }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range got.Computes {
		names = append(names, c.Name)
	}
	if want := []string{"aks-attached", "aks-dev"}; !slices.Equal(names, want) {
		t.Errorf("computes = %q, want %q", names, want)
	}
}

// TestStrictDecoding sends malformed bodies to every route that reads one:
// each is refused with the problem named, and nothing is sent to Azure.
func TestStrictDecoding(t *testing.T) {
	bodies := []struct {
		name   string
		body   string
		ctype  string
		status int
		code   rules.ErrorCode
		field  string
		words  string
	}{
		{name: "unknown field", body: `{"mode":"create","facts":{"workspaceLocation":"westus"}}`, status: 400, code: rules.ErrInvalid, field: "facts", words: `"facts"`},
		{name: "trailing data", body: "GOOD" + `{"mode":"create"}`, status: 400, code: rules.ErrInvalid, words: "data after its JSON value"},
		{name: "trailing garbage", body: "GOOD" + `x`, status: 400, code: rules.ErrInvalid, words: "data after"},
		{name: "wrong type", body: `{"mode":"create","nodeCount":"three"}`, status: 400, code: rules.ErrInvalid, field: "nodeCount", words: "string"},
		{name: "empty body", body: "", status: 400, code: rules.ErrInvalid, words: "empty"},
		{name: "cut short", body: `{"mode":"create"`, status: 400, code: rules.ErrInvalid, words: "empty or cut short"},
		{name: "not JSON", body: `mode=create`, status: 400, code: rules.ErrInvalid, words: "not valid JSON"},
		{name: "oversize", body: `{"description":"` + strings.Repeat("a", 70<<10) + `"}`, status: 413, code: rules.ErrTooLarge, words: "larger than 65536 bytes"},
		{name: "wrong content type", body: "GOOD", ctype: "application/x-www-form-urlencoded", status: 400, code: rules.ErrInvalid, words: "application/json"},
		{name: "text content type", body: "GOOD", ctype: "text/plain", status: 400, code: rules.ErrInvalid, words: "Content-Type"},
	}
	create := mustJSON(t, createReq("aks-new"))
	routes := []struct{ name, path, good, wrongType string }{
		{"facts", "/api/facts", create, `{"mode":"create","nodeCount":"three"}`},
		{"validate", "/api/validate", create, `{"mode":"create","nodeCount":"three"}`},
		{"computes", "/api/computes", create, `{"mode":"create","nodeCount":"three"}`},
		{"scale", eastPath + "/computes/aks-attached/scale", `{"nodeCount":5}`, `{"nodeCount":"three"}`},
	}
	for _, rt := range routes {
		for _, b := range bodies {
			t.Run(rt.name+"/"+b.name, func(t *testing.T) {
				f, _ := newFake()
				body := strings.Replace(b.body, "GOOD", rt.good, 1)
				if b.name == "wrong type" {
					body = rt.wrongType
				}
				if rt.name == "scale" && b.name == "unknown field" {
					body, b.field, b.words = `{"nodeCount":5,"vmsize2":"x"}`, "vmsize2", `"vmsize2"`
				}
				if rt.name == "scale" && b.name == "cut short" {
					body = `{"nodeCount":5`
				}
				r := httptest.NewRequest("POST", rt.path, strings.NewReader(body))
				ct := "application/json"
				if b.ctype != "" {
					ct = b.ctype
				}
				r.Header.Set("Content-Type", ct)
				w := httptest.NewRecorder()
				handler(proxy.Config{}, f).ServeHTTP(w, r)
				e := mustError(t, w, b.status, b.code)
				if b.field != "" && e.Error.Field != b.field {
					t.Errorf("field = %q, want %q", e.Error.Field, b.field)
				}
				if !strings.Contains(e.Error.Message, b.words) {
					t.Errorf("message = %q, want it to say %s", e.Error.Message, b.words)
				}
				if calls := f.Calls(); len(calls) != 0 {
					t.Errorf("Azure was called: %q", calls)
				}
			})
		}
	}
}

// TestDecodingAcceptsJSONWithCharset checks that a Content-Type with a
// charset is accepted (none at all is not: TestUnsafeRoutesWantJSON).
func TestDecodingAcceptsJSONWithCharset(t *testing.T) {
	for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON"} {
		f, _ := newFake()
		r := httptest.NewRequest("POST", "/api/validate", strings.NewReader(mustJSON(t, createReq("aks-new"))))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		w := httptest.NewRecorder()
		handler(proxy.Config{}, f).ServeHTTP(w, r)
		if w.Code != 200 {
			t.Errorf("Content-Type %q: status %d, body %s", ct, w.Code, w.Body)
		}
	}
}

// TestErrorStatuses sends every kind of error through writeError (an Azure
// error on GET /api/workspaces) and checks its one status.
func TestErrorStatuses(t *testing.T) {
	tests := []struct {
		code   rules.ErrorCode
		status int
	}{
		{rules.ErrInvalid, 400},
		{rules.ErrUnauthorized, 401},
		{rules.ErrForbidden, 403},
		{rules.ErrPolicy, 403},
		{rules.ErrNotFound, 404},
		{rules.ErrConflict, 409},
		{rules.ErrQuota, 409},
		{rules.ErrTooLarge, 413},
		{rules.ErrUnsupported, 422},
		{rules.ErrTooMany, 429},
		{rules.ErrUnavailable, 502},
		{rules.ErrInternal, 500},
		{rules.ErrorCode("made_up"), 500},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			f, _ := newFake()
			want := &rules.Error{Code: tt.code, Field: "workspace.name", Message: "Plain words.", ARMCode: "SomeArmCode"}
			f.WorkspacesFn = func(context.Context) ([]rules.Workspace, error) {
				return nil, fmt.Errorf("listing: %w", want)
			}
			w := serve(t, handler(proxy.Config{}, f), "GET", "/api/workspaces", "")
			e := mustError(t, w, tt.status, tt.code)
			if e.Error.Message != "Plain words." || e.Error.Field != "workspace.name" || e.Error.ARMCode != "SomeArmCode" {
				t.Errorf("error = %+v", e.Error)
			}
			if strings.Contains(w.Body.String(), "listing") {
				t.Errorf("the wrapping text leaked: %s", w.Body)
			}
			if ra := w.Header().Get("Retry-After"); (tt.status == 429) != (ra != "") {
				t.Errorf("Retry-After = %q with status %d", ra, tt.status)
			}
		})
	}
}

// TestRawErrorsNeverLeak checks that an error that is not a *rules.Error
// becomes "internal" with none of its text, and that a deadline becomes
// "unavailable".
func TestRawErrorsNeverLeak(t *testing.T) {
	raw := errors.New("GET https://management.azure.com/subscriptions/" + fakeSub + "/providers/x: RESPONSE 500: secret-token-xyz")
	tests := []struct {
		name   string
		err    error
		status int
		code   rules.ErrorCode
	}{
		{"raw", raw, 500, rules.ErrInternal},
		{"wrapped raw", fmt.Errorf("computes: %w", raw), 500, rules.ErrInternal},
		{"deadline", fmt.Errorf("waiting: %w", context.DeadlineExceeded), 502, rules.ErrUnavailable},
	}
	routes := []struct {
		name, method, path, body string
		set                      func(f *Fake, err error)
	}{
		{"workspaces", "GET", "/api/workspaces", "", func(f *Fake, err error) {
			f.WorkspacesFn = func(context.Context) ([]rules.Workspace, error) { return nil, err }
		}},
		{"computes", "GET", eastPath + "/computes", "", func(f *Fake, err error) {
			f.ComputesFn = func(context.Context, rules.WorkspaceRef) ([]rules.Compute, error) { return nil, err }
		}},
		{"create", "POST", "/api/computes", "", func(f *Fake, err error) {
			f.ProvisionFn = func(context.Context, rules.Request) error { return err }
		}},
		{"operation", "GET", opPath + "aks-new", "", func(f *Fake, err error) {
			f.ComputeFn = func(context.Context, rules.WorkspaceRef, string) (rules.Compute, error) { return rules.Compute{}, err }
		}},
		{"cluster list", "GET", "/api/clusters?subscription=" + fakeSub, "", func(f *Fake, err error) {
			f.ClustersFn = func(context.Context, string) ([]rules.Cluster, error) { return nil, err }
		}},
	}
	for _, rt := range routes {
		for _, tt := range tests {
			t.Run(rt.name+"/"+tt.name, func(t *testing.T) {
				f, _ := newFake()
				rt.set(f, tt.err)
				body := rt.body
				if rt.name == "create" {
					body = mustJSON(t, createReq("aks-new"))
				}
				w := serve(t, handler(proxy.Config{Logger: discardLogger()}, f), rt.method, rt.path, body)
				mustError(t, w, tt.status, tt.code)
				for _, secret := range []string{"https://", fakeSub, "secret-token", "RESPONSE", "management.azure.com"} {
					if strings.Contains(w.Body.String(), secret) {
						t.Errorf("body leaks %q: %s", secret, w.Body)
					}
				}
			})
		}
	}
}

// TestCreateRefusals checks that the proxy refuses, before Provision, a name
// that exists (O4/N5), a cluster attached already (T4), a rule error (P2)
// and a guardrail (G2), each with its findings.
func TestCreateRefusals(t *testing.T) {
	p2 := createReq("aks-small")
	p2.VMSize = "Standard_D2s_v3" // 3 × 2 cores: only P2 breaks
	p5 := createReq("aks-small")
	p5.NodeCount = 2
	tests := []struct {
		name   string
		cfg    proxy.Config
		req    rules.Request
		status int
		code   rules.ErrorCode
		field  string
		want   string // a finding code
	}{
		{name: "name of an AKS compute", req: createReq("aks-attached"), status: 409, code: rules.ErrConflict, field: "name", want: "N5"},
		{name: "name of a training cluster", req: createReq("cpu-cluster"), status: 409, code: rules.ErrConflict, field: "name", want: "N5"},
		{name: "name in another case", req: createReq("AKS-Attached"), status: 409, code: rules.ErrConflict, field: "name", want: "N5"},
		{name: "attach under the name of another compute", req: attachReq("aks-dev", "aks-healthy"), status: 409, code: rules.ErrConflict, field: "name", want: "N5"},
		{name: "cluster attached already", req: attachReq("aks-again", "aks-attached"), status: 409, code: rules.ErrConflict, field: "target.resourceId", want: "T4"},
		{name: "cluster attached already, by group and name", status: 409, code: rules.ErrConflict, field: "target.name", want: "T4",
			req: rules.Request{Mode: rules.ModeAttach, Workspace: wsEast, Name: "aks-again", Target: rules.Target{ResourceGroup: "aks-rg", Name: "aks-attached"}}},
		{name: "cluster attached already, ID in another case", status: 409, code: rules.ErrConflict, field: "target.resourceId", want: "T4",
			req: rules.Request{Mode: rules.ModeAttach, Workspace: wsEast, Name: "aks-again", Target: rules.Target{ResourceID: strings.ToLower(fakeClusterID("aks-attached"))}}},
		{name: "production below 12 vCPUs", req: p2, status: 400, code: rules.ErrInvalid, field: "nodeCount", want: "P2"},
		{name: "production below 3 nodes", req: p5, status: 400, code: rules.ErrInvalid, field: "nodeCount", want: "P5"},
		{name: "old version", req: attachReq("aks-o", "aks-old"), status: 400, code: rules.ErrInvalid, field: "target.resourceId", want: "K2"},
		{name: "no such cluster", req: attachReq("aks-x", "aks-nope"), status: 400, code: rules.ErrInvalid, field: "target.resourceId", want: "T2"},
		{name: "guardrail", cfg: proxy.Config{Policy: &rules.Policy{VMSizes: []string{"Standard_D8s_v3"}}}, req: createReq("aks-new"),
			status: 403, code: rules.ErrForbidden, field: "vmSize", want: "G2"},
		{name: "bad name", req: createReq("9_bad"), status: 400, code: rules.ErrInvalid, field: "name", want: "N2"},
		{name: "unknown mode", req: rules.Request{Mode: "delete", Workspace: wsEast, Name: "aks-new"}, status: 400, code: rules.ErrInvalid, field: "mode", want: "M1"},
		{name: "no workspace", req: rules.Request{Mode: rules.ModeCreate, Name: "aks-new"}, status: 400, code: rules.ErrInvalid, want: "W1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			w := serve(t, handler(tt.cfg, f), "POST", "/api/computes", mustJSON(t, tt.req))
			e := mustError(t, w, tt.status, tt.code)
			if tt.field != "" && e.Error.Field != tt.field {
				t.Errorf("field = %q, want %q", e.Error.Field, tt.field)
			}
			if !slices.Contains(findingCodes(e.Error.Findings), tt.want) {
				t.Errorf("findings %v lack %s", findingCodes(e.Error.Findings), tt.want)
			}
			for _, fd := range e.Error.Findings {
				if fd.Severity != rules.SeverityError {
					t.Errorf("a refusal lists a %s finding: %+v", fd.Severity, fd)
				}
			}
			if n := f.Count("Provision"); n != 0 {
				t.Errorf("Provision was called %d times", n)
			}
		})
	}
}

// TestCreateWorkspaceMissing checks that a workspace Azure does not know is
// a 404 on the workspace field, before anything is sent.
func TestCreateWorkspaceMissing(t *testing.T) {
	f, _ := newFake()
	req := createReq("aks-new")
	req.Workspace.Name = "ws-nope"
	e := mustError(t, serve(t, handler(proxy.Config{}, f), "POST", "/api/computes", mustJSON(t, req)), 404, rules.ErrNotFound)
	if e.Error.Field != "workspace.name" || !strings.Contains(e.Error.Message, "ws-nope") {
		t.Errorf("error = %+v", e.Error)
	}
	if f.Count("Provision") != 0 {
		t.Error("Provision was called")
	}
}

// TestCreateSendsTheNormalizedRequest checks what Provision gets: the
// defaults filled in, the workspace's location from Azure, and an attach
// target as a full resource ID.
func TestCreateSendsTheNormalizedRequest(t *testing.T) {
	f, w := newFake()
	h := handler(proxy.Config{}, f)
	create := rules.Request{Mode: rules.ModeCreate, Workspace: wsEast, Name: "aks-new"}
	if r := serve(t, h, "POST", "/api/computes", mustJSON(t, create)); r.Code != 202 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	attach := rules.Request{Mode: rules.ModeAttach, Workspace: wsEast, Name: "aks-h", Target: rules.Target{ResourceGroup: "aks-rg", Name: "aks-healthy"}}
	if r := serve(t, h, "POST", "/api/computes", mustJSON(t, attach)); r.Code != 202 {
		t.Fatalf("attach: %d %s", r.Code, r.Body)
	}
	got := w.Provisions()
	if len(got) != 2 {
		t.Fatalf("Provision got %d requests", len(got))
	}
	c := got[0]
	if c.Location != "eastus" || c.VMSize != rules.DefaultVMSize || c.NodeCount != 3 || c.Purpose != rules.PurposeFastProd ||
		c.LoadBalancer.Type != rules.LoadBalancerPublicIP || c.TLS.Mode != rules.TLSDisabled {
		t.Errorf("create sent %+v", c)
	}
	a := got[1]
	if a.Target != (rules.Target{ResourceID: fakeClusterID("aks-healthy")}) || a.Mode != rules.ModeAttach {
		t.Errorf("attach sent target %+v", a.Target)
	}
}

// TestFactsComeFromAzure checks that the proxy's checks use what Azure says,
// whatever the browser believes: a VM size Azure reports with 2 cores fails
// P2 at 3 nodes, and the location asked for is the workspace's own.
func TestFactsComeFromAzure(t *testing.T) {
	f, _ := newFake()
	var locations []string
	var mu sync.Mutex
	f.WorkspaceFn = func(_ context.Context, ref rules.WorkspaceRef) (rules.Workspace, error) {
		return rules.Workspace{WorkspaceRef: ref, Location: "westus"}, nil
	}
	f.WorkspacesFn = func(context.Context) ([]rules.Workspace, error) {
		return []rules.Workspace{{WorkspaceRef: createReq("").Workspace, Location: "westus"}}, nil
	}
	f.VMSizesFn = func(_ context.Context, _, loc string) ([]rules.VMSize, error) {
		mu.Lock()
		locations = append(locations, loc)
		mu.Unlock()
		return []rules.VMSize{{Name: "Standard_D3_v2", VCPUs: 2}}, nil
	}
	h := handler(proxy.Config{}, f)
	w := serve(t, h, "POST", "/api/computes", mustJSON(t, createReq("aks-new")))
	e := mustError(t, w, 400, rules.ErrInvalid)
	if !slices.Contains(findingCodes(e.Error.Findings), "P2") || !strings.Contains(e.Error.Message, "3 nodes × 2 cores of Standard_D3_v2 = 6") {
		t.Errorf("error = %+v; want P2 with Azure's 2 cores", e.Error)
	}
	if !slices.Equal(locations, []string{"westus"}) {
		t.Errorf("VMSizes asked for %q, want the workspace's westus", locations)
	}
	if f.Count("Provision") != 0 {
		t.Error("Provision was called")
	}

	// /api/facts answers what Azure said.
	var facts rules.Facts
	r := serve(t, h, "POST", "/api/facts", mustJSON(t, createReq("aks-new")))
	if err := json.Unmarshal(r.Body.Bytes(), &facts); err != nil {
		t.Fatal(err)
	}
	if facts.WorkspaceLocation != "westus" || len(facts.VMSizes) != 1 || facts.VMSizes[0].VCPUs != 2 {
		t.Errorf("facts = %+v", facts)
	}

	// A browser that sends its own facts is refused, not believed.
	body := `{"mode":"create","workspace":{"subscription":"` + fakeSub + `","resourceGroup":"ml-rg","name":"ws-east"},"name":"aks-new","vmSize":"Standard_D3_v2","nodeCount":3,"vmSizes":[{"name":"Standard_D3_v2","vcpus":16}]}`
	e = mustError(t, serve(t, h, "POST", "/api/computes", body), 400, rules.ErrInvalid)
	if e.Error.Field != "vmSizes" {
		t.Errorf("field = %q, want vmSizes", e.Error.Field)
	}
}

// TestCreateRaceOnOneName sends the same create twice at once: exactly one
// is accepted and the other is refused with N5.
func TestCreateRaceOnOneName(t *testing.T) {
	f, w := newFake()
	inner := f.ProvisionFn
	f.ProvisionFn = func(ctx context.Context, req rules.Request) error {
		time.Sleep(50 * time.Millisecond) // widen the window
		return inner(ctx, req)
	}
	h := handler(proxy.Config{}, f)
	body := mustJSON(t, createReq("aks-race"))
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() { codes[i] = serve(t, h, "POST", "/api/computes", body).Code })
	}
	wg.Wait()
	slices.Sort(codes)
	if !slices.Equal(codes, []int{202, 409}) {
		t.Errorf("statuses = %v, want one 202 and one 409", codes)
	}
	if n := len(w.Provisions()); n != 1 {
		t.Errorf("Provision called %d times, want 1", n)
	}
}

// TestOperationState checks how the compute Azure reports becomes an
// operation's state: done and succeeded, the mode and its usual duration,
// and the elapsed time from createdOn to now, or to modifiedOn once done.
func TestOperationState(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	tests := []struct {
		name    string
		compute rules.Compute
		want    rules.OperationState
	}{
		{name: "creating",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Creating", CreatedOn: ago(90 * time.Second), ModifiedOn: ago(90 * time.Second)},
			want:    rules.OperationState{State: "Creating", Mode: rules.ModeCreate, ExpectedSec: 600, ElapsedSec: 90, StartedAt: ago(90 * time.Second)}},
		{name: "attaching",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Creating", Attached: true, CreatedOn: ago(10 * time.Second)},
			want:    rules.OperationState{State: "Creating", Mode: rules.ModeAttach, ExpectedSec: 300, ElapsedSec: 10, StartedAt: ago(10 * time.Second)}},
		{name: "succeeded: elapsed ends at modifiedOn",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Succeeded", CreatedOn: ago(time.Hour), ModifiedOn: ago(50 * time.Minute)},
			want:    rules.OperationState{State: "Succeeded", Mode: rules.ModeCreate, ExpectedSec: 600, ElapsedSec: 600, Done: true, Succeeded: true, StartedAt: ago(time.Hour)}},
		{name: "attach succeeded",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Succeeded", Attached: true, CreatedOn: ago(time.Hour), ModifiedOn: ago(time.Hour - 4*time.Minute)},
			want:    rules.OperationState{State: "Succeeded", Mode: rules.ModeAttach, ExpectedSec: 300, ElapsedSec: 240, Done: true, Succeeded: true, StartedAt: ago(time.Hour)}},
		{name: "failed, with Azure's errors",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Failed", CreatedOn: ago(5 * time.Minute), ModifiedOn: ago(3 * time.Minute), Errors: []string{"An Azure Policy refused this request."}},
			want: rules.OperationState{State: "Failed", Mode: rules.ModeCreate, ExpectedSec: 600, ElapsedSec: 120, Done: true, StartedAt: ago(5 * time.Minute),
				Errors: []string{"An Azure Policy refused this request."}}},
		{name: "canceled",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Canceled", CreatedOn: ago(time.Minute), ModifiedOn: ago(0)},
			want:    rules.OperationState{State: "Canceled", Mode: rules.ModeCreate, ExpectedSec: 600, ElapsedSec: 60, Done: true, StartedAt: ago(time.Minute)}},
		{name: "done in the second it started: elapsed 0, not the time since",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Succeeded", Attached: true, CreatedOn: ago(20 * 24 * time.Hour), ModifiedOn: ago(20 * 24 * time.Hour)},
			want:    rules.OperationState{State: "Succeeded", Mode: rules.ModeAttach, ExpectedSec: 300, ElapsedSec: 0, Done: true, Succeeded: true, StartedAt: ago(20 * 24 * time.Hour)}},
		{name: "done with a modifiedOn before createdOn (clock skew): elapsed 0",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Failed", CreatedOn: ago(time.Minute), ModifiedOn: ago(2 * time.Minute)},
			want:    rules.OperationState{State: "Failed", Mode: rules.ModeCreate, ExpectedSec: 600, ElapsedSec: 0, Done: true, StartedAt: ago(time.Minute)}},
		{name: "done with no modifiedOn: elapsed to now",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Succeeded", CreatedOn: ago(time.Minute)},
			want:    rules.OperationState{State: "Succeeded", Mode: rules.ModeCreate, ExpectedSec: 600, ElapsedSec: 60, Done: true, Succeeded: true, StartedAt: ago(time.Minute)}},
		{name: "no createdOn",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Creating"},
			want:    rules.OperationState{State: "Creating", Mode: rules.ModeCreate, ExpectedSec: 600}},
		{name: "createdOn in the future",
			compute: rules.Compute{Name: "aks-c", Type: "AKS", State: "Creating", CreatedOn: ago(-time.Minute)},
			want:    rules.OperationState{State: "Creating", Mode: rules.ModeCreate, ExpectedSec: 600, StartedAt: ago(-time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			var asked []string
			f.ComputeFn = func(_ context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error) {
				asked = append(asked, ref.ID()+"/computes/"+name)
				return tt.compute, nil
			}
			w := serve(t, handler(proxy.Config{Now: func() time.Time { return now }}, f), "GET", opPath+"aks-c", "")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var got rules.OperationState
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Workspace, want.Name, want.Compute = wsEast, "aks-c", &tt.compute
			if d := diff(want, got); d != "" {
				t.Errorf("state mismatch (-want +got):\n%s", d)
			}
			if !slices.Equal(asked, []string{wsEast.ID() + "/computes/aks-c"}) {
				t.Errorf("Compute asked for %q", asked)
			}
		})
	}
}

// TestScale checks the node-count change: accepted and passed on, or
// refused before Azure for a VM size change (S1), a production cluster
// below 3 nodes (P5), a node count of 0, and a compute that does not exist.
func TestScale(t *testing.T) {
	tests := []struct {
		name    string
		compute string
		body    string
		status  int
		code    rules.ErrorCode
		finding string
		nodes   int // what Scale must get when accepted
	}{
		{name: "more nodes", compute: "aks-attached", body: `{"nodeCount":5}`, status: 202, nodes: 5},
		{name: "same VM size given", compute: "aks-attached", body: `{"nodeCount":4,"vmSize":"standard_d3_v2"}`, status: 202, nodes: 4},
		{name: "dev/test down to 1 node", compute: "aks-dev", body: `{"nodeCount":1}`, status: 202, nodes: 1},
		{name: "VM size change", compute: "aks-attached", body: `{"nodeCount":3,"vmSize":"Standard_D8s_v3"}`, status: 400, code: rules.ErrInvalid, finding: "S1"},
		{name: "production below 3 nodes", compute: "aks-attached", body: `{"nodeCount":2}`, status: 400, code: rules.ErrInvalid, finding: "P5"},
		{name: "zero nodes", compute: "aks-attached", body: `{"nodeCount":0}`, status: 400, code: rules.ErrInvalid, finding: "P5"},
		{name: "negative nodes", compute: "aks-dev", body: `{"nodeCount":-1}`, status: 400, code: rules.ErrInvalid, finding: "P5"},
		{name: "missing compute", compute: "aks-nope", body: `{"nodeCount":3}`, status: 404, code: rules.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			var gotNodes int
			inner := f.ScaleFn
			f.ScaleFn = func(ctx context.Context, ref rules.WorkspaceRef, name string, nodes int) error {
				gotNodes = nodes
				return inner(ctx, ref, name, nodes)
			}
			w := serve(t, handler(proxy.Config{}, f), "POST", eastPath+"/computes/"+tt.compute+"/scale", tt.body)
			if tt.status == 202 {
				if w.Code != 202 || gotNodes != tt.nodes {
					t.Fatalf("status %d, Scale got %d nodes; want 202 and %d: %s", w.Code, gotNodes, tt.nodes, w.Body)
				}
				return
			}
			e := mustError(t, w, tt.status, tt.code)
			if tt.finding != "" && !slices.Contains(findingCodes(e.Error.Findings), tt.finding) {
				t.Errorf("findings %v lack %s", findingCodes(e.Error.Findings), tt.finding)
			}
			if tt.finding == "S1" && (e.Error.Field != "vmSize" || !strings.Contains(e.Error.Findings[0].Fix, "Create a new cluster")) {
				t.Errorf("S1 error = %+v", e.Error)
			}
			if f.Count("Scale") != 0 {
				t.Error("Scale was called")
			}
		})
	}
}

// TestDetach checks that a detach of a compute that does not exist is a 404
// and that Detach is called only for one that does.
func TestDetach(t *testing.T) {
	f, _ := newFake()
	h := handler(proxy.Config{}, f)
	mustError(t, serve(t, h, "DELETE", eastPath+"/computes/aks-nope", ""), 404, rules.ErrNotFound)
	if f.Count("Detach") != 0 {
		t.Error("Detach was called for a missing compute")
	}
	if w := serve(t, h, "DELETE", eastPath+"/computes/aks-attached", ""); w.Code != 202 {
		t.Fatalf("detach: %d %s", w.Code, w.Body)
	}
	if got := f.Count("Detach ws-east aks-attached"); got != 1 {
		t.Errorf("Detach calls = %q", f.Calls())
	}
	// Until the poller's first poll, which waits for Azure's pace, the page
	// reads the detach as accepted, without asking Azure.
	calls := len(f.Calls())
	var st rules.OperationState
	if w := serve(t, h, "GET", opPath+"aks-attached", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &st) != nil || st.State != "Deleting" || st.Done {
		t.Errorf("the operation right after the detach: %d %s, want Deleting", w.Code, w.Body)
	}
	if got := f.Calls()[calls:]; len(got) != 0 {
		t.Errorf("reading the accepted detach asked Azure %q", got)
	}
	// A proxy that did not send it (another replica) polls at once: the
	// compute is gone.
	mustError(t, serve(t, handler(proxy.Config{}, f), "GET", opPath+"aks-attached", ""), 404, rules.ErrNotFound)
}

// TestLocations lists the subscription's regions for the location picker,
// the default subscription when none is given, and refuses a malformed one.
func TestLocations(t *testing.T) {
	f, _ := newFake()
	h := handler(proxy.Config{DefaultSubscription: fakeSub}, f)
	w := serve(t, h, "GET", "/api/locations", "")
	var body struct{ Locations []rules.Location }
	if err := json.Unmarshal(w.Body.Bytes(), &body); w.Code != 200 || err != nil || len(body.Locations) != 2 || body.Locations[0].Paired != "westus" {
		t.Fatalf("GET /api/locations: %d %s", w.Code, w.Body)
	}
	if f.Count("Locations "+fakeSub) != 1 {
		t.Errorf("calls %q", f.Calls())
	}
	mustError(t, serve(t, h, "GET", "/api/locations?subscription=nope", ""), 400, rules.ErrInvalid)
}

// TestCleanup removes what a failed operation left: a failed create is
// deleted, a failed attach detached (its cluster kept), and anything that did
// not fail is refused with nothing sent.
func TestCleanup(t *testing.T) {
	tests := []struct {
		name     string
		compute  rules.Compute
		status   int
		wantCall string
	}{
		{"failed create: deleted", rules.Compute{Name: "aks-failed", Type: "AKS", State: "Failed"}, 202, "Delete ws-east aks-failed"},
		{"failed attach: detached", rules.Compute{Name: "aks-failed", Type: "AKS", State: "Failed", Attached: true}, 202, "Detach ws-east aks-failed"},
		{"working: refused", rules.Compute{Name: "aks-failed", Type: "AKS", State: "Succeeded"}, 409, ""},
		{"still creating: refused", rules.Compute{Name: "aks-failed", Type: "AKS", State: "Creating"}, 409, ""},
		{"training cluster: refused", rules.Compute{Name: "aks-failed", Type: "AmlCompute", State: "Failed"}, 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			f.ComputeFn = func(context.Context, rules.WorkspaceRef, string) (rules.Compute, error) { return tt.compute, nil }
			w := serve(t, handler(proxy.Config{}, f), "POST", eastPath+"/computes/aks-failed/cleanup", "{}")
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			removals := f.Count("Delete") + f.Count("Detach")
			switch {
			case tt.wantCall == "" && removals != 0:
				t.Errorf("something was removed: %q", f.Calls())
			case tt.wantCall != "" && (removals != 1 || f.Count(tt.wantCall) != 1):
				t.Errorf("calls %q, want one %s", f.Calls(), tt.wantCall)
			}
		})
	}
}

// TestOnlyAKSComputes checks that a detach or a scale cannot touch a compute
// of another type (a training cluster): a detach would remove it from the
// workspace.
func TestOnlyAKSComputes(t *testing.T) {
	tests := []struct{ name, method, path, body, call string }{
		{"detach", "DELETE", eastPath + "/computes/cpu-cluster", "", "Detach"},
		{"scale", "POST", eastPath + "/computes/cpu-cluster/scale", `{"nodeCount":3}`, "Scale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			e := mustError(t, serve(t, handler(proxy.Config{}, f), tt.method, tt.path, tt.body), 422, rules.ErrUnsupported)
			if e.Error.Field != "name" || !strings.Contains(e.Error.Message, "AmlCompute") {
				t.Errorf("error = %+v", e.Error)
			}
			if f.Count(tt.call) != 0 {
				t.Errorf("%s was called for a training cluster", tt.call)
			}
		})
	}
}

// TestSecurityHeaders checks the headers of API answers, errors and the page.
func TestSecurityHeaders(t *testing.T) {
	tests := []struct {
		name      string
		ancestors []string
		frame     string // the frame-ancestors directive
		xfo       string
	}{
		{name: "no portal", frame: "frame-ancestors 'none'", xfo: "DENY"},
		{name: "portals", ancestors: []string{"https://portal.example.com", "https://intra.example.org:8443"},
			frame: "frame-ancestors https://portal.example.com https://intra.example.org:8443"},
	}
	for _, tt := range tests {
		for _, path := range []string{"/api/config", "/api/nope", "/", "/progress/a/b/c/d"} {
			t.Run(tt.name+path, func(t *testing.T) {
				f, _ := newFake()
				w := serve(t, handler(proxy.Config{FrameAncestors: tt.ancestors}, f), "GET", path, "")
				h := w.Header()
				csp := h.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("CSP %q lacks %q", csp, want)
					}
				}
				if !strings.HasSuffix(csp, tt.frame) {
					t.Errorf("CSP %q does not end with %q", csp, tt.frame)
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
					t.Errorf("CSP %q allows inline or eval", csp)
				}
				if got := h.Get("X-Frame-Options"); got != tt.xfo {
					t.Errorf("X-Frame-Options = %q, want %q", got, tt.xfo)
				}
				if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q", got)
				}
				if got := h.Get("Referrer-Policy"); got == "" {
					t.Error("no Referrer-Policy")
				}
			})
		}
	}
}

// TestCrossOriginWritesRefused checks that a cross-site write is refused
// with 403 before Azure hears of it, and that same-origin writes pass.
func TestCrossOriginWritesRefused(t *testing.T) {
	create := mustJSON(t, createReq("aks-new"))
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
	}{
		{"create, cross-site", "POST", "/api/computes", create, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"create, same-site other origin", "POST", "/api/computes", create, []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"create, foreign Origin", "POST", "/api/computes", create, []string{"Origin", "https://evil.example"}, 403},
		{"scale, cross-site", "POST", eastPath + "/computes/aks-attached/scale", `{"nodeCount":5}`, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"detach, cross-site", "DELETE", eastPath + "/computes/aks-attached", "", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"validate, cross-site", "POST", "/api/validate", create, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"create, same-origin", "POST", "/api/computes", create, []string{"Sec-Fetch-Site", "same-origin"}, 202},
		{"create, own Origin", "POST", "/api/computes", create, []string{"Origin", "http://example.com"}, 202},
		{"read, cross-site", "GET", "/api/config", "", []string{"Sec-Fetch-Site", "cross-site"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			w := serve(t, handler(proxy.Config{}, f), tt.method, tt.path, tt.body, tt.header...)
			if tt.status != 403 {
				if w.Code != tt.status {
					t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
				}
				return
			}
			e := mustError(t, w, 403, rules.ErrForbidden)
			if !strings.Contains(e.Error.Message, "Cross-site") {
				t.Errorf("message = %q", e.Error.Message)
			}
			if calls := f.Calls(); len(calls) != 0 {
				t.Errorf("Azure was called: %q", calls)
			}
			if w.Header().Get("Content-Security-Policy") == "" {
				t.Error("the refusal has no CSP")
			}
		})
	}
}

// discardLogger is a logger that writes nowhere.
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// diff returns "" when want and got are deeply equal, else both as indented
// JSON, "-" lines for want and "+" lines for got where they differ.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	a, _ := json.MarshalIndent(want, "", "  ")
	b, _ := json.MarshalIndent(got, "", "  ")
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	var out strings.Builder
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x == y {
			out.WriteString("  " + x + "\n")
			continue
		}
		if i < len(al) {
			out.WriteString("- " + x + "\n")
		}
		if i < len(bl) {
			out.WriteString("+ " + y + "\n")
		}
	}
	return out.String()
}

// TestNodeCountZeroIsRefused: "nodeCount": 0 is a node count of 0, which
// P5 refuses on /api/validate and /api/computes (Azure is not asked to
// create anything); an absent node count is the default of 3 and passes.
func TestNodeCountZeroIsRefused(t *testing.T) {
	zero := strings.Replace(mustJSON(t, createReq("aks-new")), `"nodeCount":3`, `"nodeCount":0`, 1)
	absent := strings.Replace(mustJSON(t, createReq("aks-new")), `,"nodeCount":3`, ``, 1)
	if !strings.Contains(zero, `"nodeCount":0`) || strings.Contains(absent, "nodeCount") {
		t.Fatalf("test bodies: %s / %s", zero, absent)
	}
	post := func(path, body string) *httptest.ResponseRecorder {
		f, _ := newFake()
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		handler(proxy.Config{}, f).ServeHTTP(w, r)
		if path == "/api/computes" && w.Code != http.StatusAccepted {
			if calls := f.Calls(); strings.Contains(strings.Join(calls, " "), "Provision") {
				t.Errorf("a refused create still reached Azure: %q", calls)
			}
		}
		return w
	}
	var got struct{ Findings rules.Findings }
	w := post("/api/validate", zero)
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
		t.Fatalf("validate: %d %s", w.Code, w.Body)
	}
	var p5 *rules.Finding
	for i, f := range got.Findings {
		if f.Code == "P5" {
			p5 = &got.Findings[i]
		}
	}
	if p5 == nil || p5.Severity != rules.SeverityError || p5.Field != rules.FieldNodeCount {
		t.Errorf("validate of nodeCount 0: findings %v, want a P5 error on nodeCount", got.Findings.Codes())
	}
	e := mustError(t, post("/api/computes", zero), 400, rules.ErrInvalid)
	if e.Error.Field != rules.FieldNodeCount || !strings.Contains(e.Error.Message, "0") {
		t.Errorf("create with nodeCount 0: %+v, want a refusal on nodeCount", e.Error)
	}
	if w := post("/api/computes", absent); w.Code != http.StatusAccepted {
		t.Errorf("create without nodeCount: %d %s, want 202 (the default of 3)", w.Code, w.Body)
	}
}

// TestNameTakenInTheRegionIsRefused: N6 is Azure's own refusal (compute
// names are unique within an Azure region), so the proxy refuses the create
// with a conflict on the name before anything is sent.
func TestNameTakenInTheRegionIsRefused(t *testing.T) {
	f, _ := newFake()
	w := serve(t, handler(proxy.Config{}, f), "POST", "/api/computes", mustJSON(t, createReq("scoring-prod")))
	e := mustError(t, w, 409, rules.ErrConflict)
	if e.Error.Field != rules.FieldName || !strings.Contains(e.Error.Message, "unique within an Azure region") {
		t.Errorf("refusal = %+v, want N6's words on the name", e.Error)
	}
	for _, c := range f.Calls() {
		if strings.HasPrefix(c, "Provision") {
			t.Errorf("the create reached Azure: %q", f.Calls())
		}
	}
}
