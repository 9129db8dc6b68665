//go:build !(js && wasm)

package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
)

// The tests of issue 8, "close the origin": the Host allow-list, the one
// identity header family, limits by address, and JSON bodies on every change.

func TestParsePublicAddresses(t *testing.T) {
	tests := []struct {
		flag, listen string
		want         []string // nil: an error
	}{
		{"", "127.0.0.1:8080", []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080"}},
		{"", "localhost:9000", []string{"localhost:9000", "127.0.0.1:9000", "[::1]:9000"}},
		{"", "[::1]:8080", []string{"[::1]:8080", "localhost:8080", "127.0.0.1:8080"}},
		{"", "0.0.0.0:8080", nil},
		{"", ":8080", nil},
		{"amlaks.example.com", "0.0.0.0:8080", []string{"amlaks.example.com"}},
		{" Amlaks.Example.com:8443 , [2001:db8::1]:8080,10.0.0.5", ":8080", []string{"amlaks.example.com:8443", "[2001:db8::1]:8080", "10.0.0.5"}},
		{"amlaks.example.com/x", ":8080", nil},
		{"https://amlaks.example.com", ":8080", nil},
		{"*.example.com", ":8080", nil},
		{"2001:db8::1", ":8080", nil},
		{"a..b", ":8080", nil},
		{"host:port", ":8080", nil},
	}
	for _, tt := range tests {
		got, err := proxy.ParsePublicAddresses(tt.flag, tt.listen)
		if tt.want == nil {
			if err == nil {
				t.Errorf("ParsePublicAddresses(%q, %q) = %v, want an error", tt.flag, tt.listen, got)
			} else if !strings.Contains(err.Error(), "public") && !strings.Contains(err.Error(), "--public-address") {
				t.Errorf("error %q does not name the setting", err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ParsePublicAddresses(%q, %q) = %v, %v; want %v", tt.flag, tt.listen, got, err, tt.want)
		}
	}
}

// TestHostAllowList: a request for another Host (DNS rebinding: a page on
// evil.example whose name resolves to 127.0.0.1) is refused before anything
// runs, in every auth mode, on every route and the page.
func TestHostAllowList(t *testing.T) {
	for _, mode := range []proxy.AuthMode{proxy.AuthNone, proxy.AuthHeader} {
		t.Run(string(mode), func(t *testing.T) {
			f, _ := newFake()
			h := handler(proxy.Config{AuthMode: mode, IdentityHeader: map[proxy.AuthMode]proxy.IdentityHeader{proxy.AuthHeader: proxy.IdentityOAuth2Proxy}[mode],
				TrustedProxies: secPrefixes(t, "192.0.2.1/32"), PublicAddresses: []string{"amlaks.example.com", "127.0.0.1:8080"}}, f)
			routes := []struct{ method, path, body string }{
				{"POST", "/api/computes", mustJSON(t, createReq("aks-rebound"))},
				{"DELETE", eastPath + "/computes/aks-attached", ""},
				{"POST", eastPath + "/computes/aks-attached/scale", `{"nodeCount":4}`},
				{"POST", eastPath + "/computes/aks-attached/cleanup", `{}`},
				{"GET", "/api/workspaces", ""},
				{"POST", "/api/facts", mustJSON(t, createReq("aks-rebound"))},
				{"GET", "/", ""},
				{"GET", "/robots.txt", ""},
			}
			for _, host := range []string{"evil.example", "evil.example:8080", "127.0.0.1:9999", "amlaks.example.com.evil.example", "", "amlaks.example.com\x00", "localhost:8080"} {
				for _, rt := range routes {
					r := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
					r.Host = host
					r.RemoteAddr = "192.0.2.1:1234"
					r.Header.Set("Content-Type", "application/json")
					r.Header.Set("X-Forwarded-Email", "ada@example.com")
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "page") {
						t.Errorf("%s %s with Host %q: %d %s, want 403", rt.method, rt.path, host, w.Code, w.Body)
					}
				}
			}
			if calls := f.Calls(); len(calls) != 0 {
				t.Errorf("requests for another Host reached Azure: %v", calls)
			}
			for _, host := range []string{"amlaks.example.com", "AMLAKS.example.com:443", "127.0.0.1:8080"} {
				r := httptest.NewRequest("GET", "/api/workspaces", nil)
				r.Host = host
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					t.Errorf("GET /api/workspaces with Host %q: %d %s, want 200", host, w.Code, w.Body)
				}
			}
		})
	}
	// Without a setting, only the loopback names are served.
	f, _ := newFake()
	h := proxy.New(proxy.Config{Logger: discardLogger()}, f, nil).Handler()
	for host, want := range map[string]int{"127.0.0.1:8080": 200, "localhost:1": 200, "[::1]:8080": 200, "rebind.evil.example:8080": 403, "10.0.0.1:8080": 403} {
		r := httptest.NewRequest("GET", "/api/config", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("default: Host %q: %d, want %d", host, w.Code, want)
		}
	}
}

// TestIdentityHeaderFamily: from a trusted proxy, only the configured
// family's headers count; another family's header, or two families, are a
// 401 in plain words before anything runs, so the rate limit and the audit
// never see a borrowed name.
func TestIdentityHeaderFamily(t *testing.T) {
	principal := func(name string) string { return "X-MS-CLIENT-PRINCIPAL: " + secPrincipal(t, name) }
	tests := []struct {
		name   string
		family proxy.IdentityHeader
		header []string
		status int
		who    string
	}{
		{"oauth2-proxy's own", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-Email: ada@example.com"}, 202, "ada@example.com"},
		{"a principal passed through oauth2-proxy", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-Email: ada@example.com", principal("admin@example.com")}, 401, ""},
		{"a principal alone behind oauth2-proxy", proxy.IdentityOAuth2Proxy, []string{principal("admin@example.com")}, 401, ""},
		{"principal name header behind oauth2-proxy", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-Email: ada@example.com", "X-MS-CLIENT-PRINCIPAL-NAME: admin"}, 401, ""},
		{"another proxy's header", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-Email: ada@example.com", "Remote-User: admin"}, 401, ""},
		{"app service's own", proxy.IdentityAppService, []string{principal("linus@example.com")}, 202, "linus@example.com"},
		{"an email passed through app service", proxy.IdentityAppService, []string{principal("linus@example.com"), "X-Forwarded-Email: admin@example.com"}, 401, ""},
		{"an email alone behind app service", proxy.IdentityAppService, []string{"X-Forwarded-User: admin"}, 401, ""},
		{"oauth2-proxy's auth-request header behind app service", proxy.IdentityAppService, []string{principal("linus@example.com"), "X-Auth-Request-Email: admin@example.com"}, 401, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newSecStack(t, secOptions{cfg: proxy.Config{AuthMode: proxy.AuthHeader, IdentityHeader: tt.family, TrustedProxies: secPrefixes(t, "127.0.0.1/32"), WritesPerMinute: 1, WriteBurst: 1}})
			writes := st.emu.Writes()
			a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-fam-"+string(rune('a'+i)))), tt.header...)
			if a.status != tt.status {
				t.Fatalf("got %d %s, want %d", a.status, a.body, tt.status)
			}
			if tt.status == 401 {
				if e := a.apiErr(); e.Code != "unauthorized" || !strings.Contains(e.Message, "amlaks") {
					t.Errorf("refusal %+v, want unauthorized in plain words", e)
				}
				if st.emu.Writes() != writes {
					t.Error("a refused identity reached Azure")
				}
				// Reads are refused too: the request is not believed at all.
				if a := st.do(t, "GET", "/api/workspaces", "", tt.header...); a.status != 401 {
					t.Errorf("read with the same headers: %d, want 401", a.status)
				}
				if strings.Contains(st.audit.String(), "admin") {
					t.Errorf("the audit names the borrowed identity: %s", st.audit)
				}
				return
			}
			lines := secAuditLines(t, st.audit.String())
			if last := lines[len(lines)-1]; last.Who != tt.who || last.Via != string(tt.family) {
				t.Errorf("audit %+v, want who %q via %s", last, tt.who, tt.family)
			}
			// The rate limit counts the family's user: a second change of the
			// same person is limited (burst 1) even with another family's header.
			b := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-fam-again")), tt.header...)
			if b.status != http.StatusTooManyRequests {
				t.Errorf("second change of %s: %d, want 429", tt.who, b.status)
			}
		})
	}
}

func TestCheckAuth(t *testing.T) {
	tests := []struct {
		mode   proxy.AuthMode
		header proxy.IdentityHeader
		ok     bool
	}{
		{proxy.AuthHeader, proxy.IdentityOAuth2Proxy, true},
		{proxy.AuthHeader, proxy.IdentityAppService, true},
		{proxy.AuthHeader, "", false},
		{proxy.AuthHeader, "both", false},
		{proxy.AuthHeader, "X-Forwarded-Email", false},
		{proxy.AuthNone, "", true},
		{proxy.AuthNone, proxy.IdentityOAuth2Proxy, false},
	}
	for _, tt := range tests {
		err := proxy.CheckAuth(tt.mode, tt.header)
		if (err == nil) != tt.ok {
			t.Errorf("CheckAuth(%q, %q) = %v, want ok %v", tt.mode, tt.header, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--identity-header") {
			t.Errorf("error %q does not name --identity-header", err)
		}
	}
}

// TestUnsafeRoutesWantJSON: a form POST (same-origin or not) changes nothing.
func TestUnsafeRoutesWantJSON(t *testing.T) {
	f, _ := newFake()
	h := handler(proxy.Config{}, f)
	routes := []struct{ method, path, body string }{
		{"POST", eastPath + "/computes/aks-attached/cleanup", ""},
		{"POST", eastPath + "/computes/aks-attached/cleanup", "{}"},
		{"POST", eastPath + "/computes/aks-attached/scale", `{"nodeCount":4}`},
		{"POST", "/api/computes", mustJSON(t, createReq("aks-form"))},
		{"POST", "/api/validate", mustJSON(t, createReq("aks-form"))},
		{"DELETE", eastPath + "/computes/aks-attached", "a=b"},
	}
	for _, ct := range []string{"", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "text/plain; charset=application/json", "application/jsonp", "application/json-seq"} {
		for _, rt := range routes {
			r := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			r.Header.Set("Origin", "http://example.com")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "application/json") {
				t.Errorf("%s %s as %q: %d %s, want 400 asking for JSON", rt.method, rt.path, ct, w.Code, w.Body)
			}
		}
	}
	if n := f.Count("Delete") + f.Count("Detach") + f.Count("Scale") + f.Count("Provision"); n != 0 {
		t.Errorf("form requests made %d changes in Azure", n)
	}
	// Cleanup wants a JSON body, {} (aks-attached works, so it is refused
	// as a conflict, after the body was read); a detach may come without a body.
	if w := serve(t, h, "POST", eastPath+"/computes/aks-attached/cleanup", "{}"); w.Code != http.StatusConflict {
		t.Errorf("cleanup with {}: %d %s", w.Code, w.Body)
	}
	r := httptest.NewRequest("POST", eastPath+"/computes/aks-attached/cleanup", nil)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest {
		t.Errorf("cleanup with an empty JSON body: %d, want 400", w.Code)
	}
	if w := serve(t, h, "DELETE", eastPath+"/computes/aks-attached", ""); w.Code != http.StatusAccepted {
		t.Errorf("detach without a body: %d %s", w.Code, w.Body)
	}
}

// TestFloodsAreLimitedByAddress: anonymous change attempts are limited by
// address before identity, and only what passes is audited; reads are
// limited by address too, and facts cost more than a list.
func TestFloodsAreLimitedByAddress(t *testing.T) {
	audit := &secBuffer{}
	st := newSecStack(t, secOptions{audit: audit, cfg: proxy.Config{AuthMode: proxy.AuthHeader, TrustedProxies: secPrefixes(t, "10.0.0.0/8"),
		WritesPerMinute: 10, WriteBurst: 5, ReadsPerMinute: 60, ReadBurst: 50}})
	for i := 0; i < 200; i++ {
		a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-flood")), "X-Forwarded-Email: someone@example.com")
		if a.status != http.StatusUnauthorized && a.status != http.StatusTooManyRequests {
			t.Fatalf("anonymous attempt %d: %d %s", i, a.status, a.body)
		}
	}
	lines := secAuditLines(t, audit.String())
	if len(lines) > 5*4+2 {
		t.Errorf("200 anonymous attempts wrote %d audit lines, want at most the address's burst", len(lines))
	}
	for _, l := range lines {
		if len(mustSecJSON(t, l)) > 2048 {
			t.Errorf("audit line of %d bytes", len(mustSecJSON(t, l)))
		}
	}
	// Reads: the address's budget runs out; facts cost 5.
	st2 := newSecStack(t, secOptions{cfg: proxy.Config{ReadsPerMinute: 60, ReadBurst: 50}})
	armBefore := st2.emu.Requests()
	ok := 0
	for i := 0; i < 40; i++ {
		body := mustSecJSON(t, secCreate("aks-read"))
		if a := st2.do(t, "POST", "/api/facts", body); a.status == http.StatusOK {
			ok++
		} else if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
			t.Fatalf("facts %d: %d %s", i, a.status, a.body)
		}
	}
	if ok != 10 {
		t.Errorf("%d facts requests served from a burst of 50 at 5 each, want 10", ok)
	}
	if a := st2.do(t, "GET", "/api/workspaces", ""); a.status != http.StatusTooManyRequests {
		t.Errorf("a list after the budget is spent: %d, want 429", a.status)
	}
	perFacts := (st2.emu.Requests() - armBefore) / int64(max(ok, 1))
	t.Logf("ARM requests per facts request: %d", perFacts)
	if perFacts > 12 {
		t.Errorf("one facts request cost %d ARM requests", perFacts)
	}
}

var _ = armemu.SubscriptionID
