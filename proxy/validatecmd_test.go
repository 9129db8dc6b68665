//go:build !(js && wasm)

package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/rules"
)

// commandCodes runs `amlaks validate` and returns its exit and the codes of
// the findings it printed, sorted.
func commandCodes(tb testing.TB, env proxy.ValidateEnv, args ...string) (int, []string, string) {
	tb.Helper()
	var out bytes.Buffer
	exit, err := proxy.ValidateWith(context.Background(), args, &out, env)
	if err != nil {
		tb.Fatalf("validate %q: %v\n%s", args, err, out.String())
	}
	var codes []string
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && slices.Contains([]string{"error", "warning", "info"}, f[0]) {
			codes = append(codes, f[1]+" "+f[0])
		}
	}
	slices.Sort(codes)
	return exit, codes, out.String()
}

// proxyServer serves the proxy over f on a local port, answering at its
// own address.
func proxyServer(tb testing.TB, f *Fake) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = handler(proxy.Config{PublicAddresses: []string{srv.Listener.Addr().String()}}, f)
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

func writeRequest(tb testing.TB, req rules.Request) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "request.json")
	if err := os.WriteFile(path, []byte(mustJSON(tb, req)), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestValidateCommandMatchesTheAPI runs the same request through `amlaks
// validate --server`, `amlaks validate --azure` and POST /api/validate:
// the codes are the same. Offline, the command names the checks it could
// not run, and --strict fails on them.
func TestValidateCommandMatchesTheAPI(t *testing.T) {
	dup := createReq("scoring-prod") // N6: the name is taken in the region
	tests := []struct {
		name string
		req  rules.Request
		want string // a code the API finds and offline validation cannot
	}{
		{"attach twice", attachReq("aks-again", "aks-attached"), "T4"},
		{"old version", attachReq("aks-o", "aks-old"), "K2"},
		{"name taken in the region", dup, "N6"},
		{"name taken in the workspace", createReq("cpu-cluster"), "N5"},
		{"a good create", createReq("aks-new"), "K1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake()
			srv := proxyServer(t, f)
			file := writeRequest(t, tt.req)

			w := serve(t, handler(proxy.Config{}, f), "POST", "/api/validate", mustJSON(t, tt.req))
			var api struct{ Findings rules.Findings }
			if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil || w.Code != 200 {
				t.Fatalf("/api/validate: %d %s", w.Code, w.Body)
			}
			var want []string
			for _, fd := range api.Findings {
				want = append(want, fd.Code+" "+string(fd.Severity))
			}
			slices.Sort(want)
			if !slices.Contains(api.Findings.Codes(), tt.want) {
				t.Fatalf("the API does not find %s: %v", tt.want, want)
			}

			exit, got, out := commandCodes(t, proxy.ValidateEnv{}, "--server", srv.URL, file)
			if !slices.Equal(got, want) {
				t.Errorf("--server codes %v, API codes %v\n%s", got, want, out)
			}
			if (exit != 0) != api.Findings.HasErrors() {
				t.Errorf("--server exit %d with errors=%v", exit, api.Findings.HasErrors())
			}

			open := func(_ context.Context, mode string) (proxy.Azure, func(), error) {
				if mode != "emulator" {
					t.Errorf("Open(%q), want the mode of --azure", mode)
				}
				return f, func() {}, nil
			}
			exit, got, out = commandCodes(t, proxy.ValidateEnv{Open: open}, "--azure", "emulator", file)
			if !slices.Equal(got, want) {
				t.Errorf("--azure codes %v, API codes %v\n%s", got, want, out)
			}
			if (exit != 0) != api.Findings.HasErrors() {
				t.Errorf("--azure exit %d with errors=%v", exit, api.Findings.HasErrors())
			}

			// Offline: the check that needs Azure is named as not run, never
			// "no findings" in silence; --strict fails on it.
			exit, got, out = commandCodes(t, proxy.ValidateEnv{}, file)
			if slices.ContainsFunc(got, func(c string) bool { return strings.HasPrefix(c, tt.want+" ") }) {
				t.Errorf("offline found %s, which needs Azure: %v", tt.want, got)
			}
			skipped, ok := strings.CutPrefix(out[strings.Index(out, "not checked offline"):], "not checked offline, for lack of facts from Azure: ")
			if !ok || !slices.Contains(strings.Fields(strings.SplitN(skipped, "\n", 2)[0]), tt.want) {
				t.Errorf("offline output does not list %s as not checked:\n%s", tt.want, out)
			}
			strictExit, _, _ := commandCodes(t, proxy.ValidateEnv{}, "--strict", file)
			if strictExit == 0 {
				t.Errorf("--strict offline exits 0 with checks not run (plain exit %d)", exit)
			}
		})
	}
}

// TestValidateCommandRefusals: a refusal of the proxy (an unknown
// workspace) fails the command with the proxy's words; bad flags are errors.
func TestValidateCommandRefusals(t *testing.T) {
	f, _ := newFake()
	srv := proxyServer(t, f)
	req := createReq("aks-new")
	req.Workspace.Name = "ws-nowhere"
	exit, _, out := commandCodes(t, proxy.ValidateEnv{}, "--server", srv.URL, writeRequest(t, req))
	if exit == 0 || !strings.Contains(out, "refused by "+srv.URL) || !strings.Contains(out, "ws-nowhere") {
		t.Errorf("exit %d, output:\n%s", exit, out)
	}
	for _, args := range [][]string{
		{"--server", srv.URL, "--azure", "auto", writeRequest(t, req)},
		{"--azure", "auto", writeRequest(t, req)}, // no Open in this environment
		{"--server", "ftp://x", writeRequest(t, req)},
		{},
	} {
		if _, err := proxy.ValidateWith(context.Background(), args, &bytes.Buffer{}, proxy.ValidateEnv{}); err == nil {
			t.Errorf("validate %q: no error", args)
		}
	}
}
