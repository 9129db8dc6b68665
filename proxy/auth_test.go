//go:build !(js && wasm)

package proxy_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// secPrincipal is an X-MS-CLIENT-PRINCIPAL header for name.
func secPrincipal(tb testing.TB, name string) string {
	tb.Helper()
	p := proxy.Principal{AuthType: "aad", NameType: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", RoleType: "roles",
		Claims: []proxy.Claim{{Type: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", Value: name}, {Type: "roles", Value: "reader"}}}
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func secPrefixes(tb testing.TB, s string) []netip.Prefix {
	tb.Helper()
	p, err := proxy.ParseTrustedProxies(s)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestHeaderAuthFromTrustedProxy(t *testing.T) {
	stacks := map[proxy.IdentityHeader]*secStack{}
	for _, f := range []proxy.IdentityHeader{proxy.IdentityOAuth2Proxy, proxy.IdentityAppService} {
		stacks[f] = newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{AuthMode: proxy.AuthHeader, IdentityHeader: f, TrustedProxies: secPrefixes(t, "10.0.0.0/8,127.0.0.1/32")}})
	}
	tests := []struct {
		name   string
		family proxy.IdentityHeader
		header []string
		status int
		who    string
		via    string
	}{
		{"oauth2-proxy email", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-Email: ada@example.com", "X-Forwarded-User: ada"}, http.StatusAccepted, "ada@example.com", "oauth2-proxy"},
		{"oauth2-proxy user only", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-User: grace"}, http.StatusAccepted, "grace", "oauth2-proxy"},
		{"app service principal", proxy.IdentityAppService, []string{"X-MS-CLIENT-PRINCIPAL: " + secPrincipal(t, "linus@example.com")}, http.StatusAccepted, "linus@example.com", "app-service"},
		{"nobody", proxy.IdentityOAuth2Proxy, nil, http.StatusUnauthorized, "", ""},
		{"nobody behind app service", proxy.IdentityAppService, nil, http.StatusUnauthorized, "", ""},
		{"empty email", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-Email: "}, http.StatusUnauthorized, "", ""},
		{"principal not base64", proxy.IdentityAppService, []string{"X-MS-CLIENT-PRINCIPAL: not*base64"}, http.StatusUnauthorized, "", ""},
		{"principal without a name", proxy.IdentityAppService, []string{"X-MS-CLIENT-PRINCIPAL: " + base64.StdEncoding.EncodeToString([]byte(`{"auth_typ":"aad","claims":[],"name_typ":"n","role_typ":"r"}`))}, http.StatusUnauthorized, "", ""},
		{"name with a control character", proxy.IdentityAppService, []string{"X-MS-CLIENT-PRINCIPAL: " + secPrincipal(t, "eve\x1b[31m@example.com")}, http.StatusUnauthorized, "", ""},
		{"two emails", proxy.IdentityOAuth2Proxy, []string{"X-Forwarded-Email: a@example.com", "X-Forwarded-Email: b@example.com"}, http.StatusUnauthorized, "", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stacks[tt.family]
			writes := st.emu.Writes()
			a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secCreate("aks-auth-"+string(rune('a'+i)))), tt.header...)
			if a.status != tt.status {
				t.Fatalf("got %d %s, want %d", a.status, a.body, tt.status)
			}
			if tt.status == http.StatusUnauthorized {
				if e := a.apiErr(); e.Code != "unauthorized" || !strings.Contains(e.Message, "amlaks") {
					t.Errorf("refusal %+v, want unauthorized in plain words", e)
				}
				if st.emu.Writes() != writes {
					t.Errorf("an unauthenticated create reached Azure")
				}
			}
			lines := secAuditLines(t, st.audit.String())
			last := lines[len(lines)-1]
			if last.Who != tt.who || (tt.via != "" && last.Via != tt.via) || last.RequestID != a.header.Get("X-Request-Id") {
				t.Errorf("audit %+v, want who %q via %q for request %s", last, tt.who, tt.via, a.header.Get("X-Request-Id"))
			}
		})
	}
	// Reading and checking need no identity: they change nothing.
	st := stacks[proxy.IdentityOAuth2Proxy]
	for _, p := range []string{"/api/validate", "/api/facts"} {
		if a := st.do(t, "POST", p, mustSecJSON(t, secCreate("aks-read"))); a.status != http.StatusOK {
			t.Errorf("POST %s without identity: %d %s", p, a.status, a.body)
		}
	}
	if a := st.do(t, "GET", "/api/workspaces", ""); a.status != http.StatusOK {
		t.Errorf("GET /api/workspaces without identity: %d", a.status)
	}
}

func TestForgedIdentityFromUntrustedAddress(t *testing.T) {
	// The test client connects from 127.0.0.1, which is not a trusted proxy here.
	st := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{AuthMode: proxy.AuthHeader, TrustedProxies: secPrefixes(t, "10.0.0.0/8")}})
	ws := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached"
	forged := [][]string{
		{"X-Forwarded-Email: admin@example.com"},
		{"X-Forwarded-User: admin"},
		{"X-MS-CLIENT-PRINCIPAL: " + secPrincipal(t, "admin@example.com")},
		{"X-Forwarded-Email: admin@example.com", "X-Forwarded-For: 10.1.2.3", "X-Real-Ip: 10.1.2.3", "Forwarded: for=10.1.2.3"},
	}
	before := st.emu.Writes()
	for _, h := range forged {
		for _, req := range []struct{ method, path, body string }{
			{"POST", "/api/computes", mustSecJSON(t, secCreate("aks-forged"))},
			{"POST", ws + "/scale", `{"nodeCount":4}`},
			{"DELETE", ws, ""},
		} {
			a := st.do(t, req.method, req.path, req.body, h...)
			if a.status != http.StatusUnauthorized || a.apiErr().Message == "" {
				t.Errorf("%s %s with %q from an untrusted address: %d %s, want 401", req.method, req.path, h, a.status, a.body)
			}
		}
	}
	if got := st.emu.Writes() - before; got != 0 {
		t.Errorf("forged identities made %d writes in Azure", got)
	}
	for _, e := range secAuditLines(t, st.audit.String()) {
		if e.Who != "" || e.Result != "refused" || e.Code != "unauthorized" {
			t.Errorf("audit %+v, want a refusal with nobody as who", e)
		}
	}
	if !strings.Contains(st.logs.String(), "identity headers ignored") {
		t.Error("the forged headers were not logged")
	}
}

func TestParsePrincipal(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	good := `{"auth_typ":"aad","claims":[{"typ":"name","val":"ada@example.com"}],"name_typ":"name","role_typ":"roles"}`
	tests := []struct {
		name, header, want string // want "" means refused
	}{
		{"valid", enc(good), "ada@example.com"},
		{"valid, unpadded", strings.TrimRight(enc(good), "="), "ada@example.com"},
		{"empty", "", ""},
		{"not base64", "%%%", ""},
		{"url base64", strings.NewReplacer("+", "-", "/", "_").Replace(enc(good + "   ?>>?")), ""},
		{"not JSON", enc("hello"), ""},
		{"JSON array", enc(`[]`), ""},
		{"unknown field", enc(`{"auth_typ":"aad","claims":[{"typ":"name","val":"a"}],"name_typ":"name","role_typ":"r","admin":true}`), ""},
		{"trailing data", enc(good + `{}`), ""},
		{"no name_typ", enc(`{"auth_typ":"aad","claims":[{"typ":"name","val":"a"}]}`), ""},
		{"no name claim", enc(`{"auth_typ":"aad","claims":[{"typ":"email","val":"a"}],"name_typ":"name"}`), ""},
		{"two name claims", enc(`{"claims":[{"typ":"name","val":"a"},{"typ":"name","val":"b"}],"name_typ":"name"}`), ""},
		{"empty name", enc(`{"claims":[{"typ":"name","val":"  "}],"name_typ":"name"}`), ""},
		{"newline in name", enc(`{"claims":[{"typ":"name","val":"a\nb"}],"name_typ":"name"}`), ""},
		{"null byte in name", enc(`{"claims":[{"typ":"name","val":"a\u0000b"}],"name_typ":"name"}`), ""},
		{"bidi override in name", enc(`{"claims":[{"typ":"name","val":"a\u202eb"}],"name_typ":"name"}`), ""},
		{"invalid UTF-8", enc("{\"claims\":[{\"typ\":\"name\",\"val\":\"a\xffb\"}],\"name_typ\":\"name\"}"), ""},
		{"huge", enc(`{"claims":[{"typ":"name","val":"` + strings.Repeat("a", 20000) + `"}],"name_typ":"name"}`), ""},
		{"long name", enc(`{"claims":[{"typ":"name","val":"` + strings.Repeat("a", 300) + `"}],"name_typ":"name"}`), ""},
		{"wrong type", enc(`{"claims":"ada","name_typ":"name"}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := proxy.ParsePrincipal(tt.header)
			if tt.want != "" {
				if err != nil || p.Name() != tt.want {
					t.Errorf("ParsePrincipal = %q, %v; want %q", p.Name(), err, tt.want)
				}
				return
			}
			var e *rules.Error
			if err == nil || !asRulesError(err, &e) || e.Code != rules.ErrUnauthorized || !strings.Contains(e.Message, "X-MS-CLIENT-PRINCIPAL") {
				t.Errorf("ParsePrincipal = %+v, %v; want an unauthorized error naming the header", p, err)
			}
		})
	}
}

func asRulesError(err error, e **rules.Error) bool {
	re, ok := err.(*rules.Error)
	*e = re
	return ok
}

func TestCheckListen(t *testing.T) {
	trusted := secPrefixes(t, "10.0.0.0/8")
	tests := []struct {
		mode    proxy.AuthMode
		addr    string
		trusted bool
		ok      bool
	}{
		{proxy.AuthNone, "127.0.0.1:8080", false, true},
		{proxy.AuthNone, "127.1.2.3:8080", false, true},
		{proxy.AuthNone, "[::1]:8080", false, true},
		{proxy.AuthNone, "localhost:8080", false, true},
		{"", "127.0.0.1:0", false, true},
		{proxy.AuthNone, ":8080", false, false},
		{proxy.AuthNone, "0.0.0.0:8080", false, false},
		{proxy.AuthNone, "[::]:8080", false, false},
		{proxy.AuthNone, "10.0.0.5:8080", false, false},
		{proxy.AuthNone, "[::ffff:10.0.0.5]:8080", false, false},
		{proxy.AuthNone, "example.com:8080", false, false},
		{proxy.AuthNone, "localhost.evil.example:8080", false, false},
		{proxy.AuthNone, "127.0.0.1", false, false},
		{proxy.AuthHeader, "0.0.0.0:8080", true, true},
		{proxy.AuthHeader, "0.0.0.0:8080", false, false},
		{"basic", "127.0.0.1:8080", true, false},
	}
	for _, tt := range tests {
		var tp []netip.Prefix
		if tt.trusted {
			tp = trusted
		}
		err := proxy.CheckListen(tt.mode, tt.addr, tp)
		if (err == nil) != tt.ok {
			t.Errorf("CheckListen(%q, %q, trusted %v) = %v, want ok %v", tt.mode, tt.addr, tt.trusted, err, tt.ok)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, ok := range []string{"10.0.0.0/8,172.16.0.0/12,192.168.0.0/16", "20.0.0.0/8", "2001:db8::/32", "fc00::/7", "203.0.113.7"} {
		if _, err := proxy.ParseTrustedProxies(ok); err != nil {
			t.Errorf("ParseTrustedProxies(%q): %v", ok, err)
		}
	}
	got, err := proxy.ParseTrustedProxies(" 10.0.0.0/8, 127.0.0.1 ,::1,192.168.1.7/24")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "127.0.0.1/32", "::1/128", "192.168.1.0/24"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "ten", "10.0.0.0/8;rm", "*", "0.0.0.0/0", "::/0", "::ffff:0.0.0.0/0", "::ffff:10.0.0.0/8",
		"0.0.0.0/1,128.0.0.0/1", "0.0.0.0/1", "1.0.0.0/7", "2000::/3", "2001::/16", "::/1,8000::/1", "1.0.0.0/8,2.0.0.0/8", "0.0.0.0/2,64.0.0.0/2,128.0.0.0/2,192.0.0.0/2"} {
		if _, err := proxy.ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted it", bad)
		}
	}
}
