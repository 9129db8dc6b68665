package proxy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/amlaks/amlaks/rules"
)

// Fuzz targets for every parser of the trust boundary. Their seeds run as
// ordinary tests; `go test -fuzz FuzzX ./proxy/` explores further.

func fuzzPrincipalSeed(name string) string {
	b, _ := json.Marshal(Principal{AuthType: "aad", NameType: "name", RoleType: "roles", Claims: []Claim{{Type: "name", Value: name}}})
	return base64.StdEncoding.EncodeToString(b)
}

// checkName fails when an accepted user name could mislead a reader.
func fuzzCheckName(t *testing.T, name string) {
	if name == "" || len(name) > maxUserName || !utf8.ValidString(name) {
		t.Fatalf("accepted name %q", name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("accepted name %q with control character %U", name, r)
		}
	}
}

func FuzzParsePrincipal(f *testing.F) {
	for _, s := range []string{
		fuzzPrincipalSeed("ada@example.com"), fuzzPrincipalSeed(""), fuzzPrincipalSeed("a\nb"), fuzzPrincipalSeed(strings.Repeat("x", 300)),
		"", "e30=", "e30", "%%%", base64.StdEncoding.EncodeToString([]byte(`{"claims":[{"typ":"n","val":"a"}],"name_typ":"n"}{}`)),
		base64.StdEncoding.EncodeToString([]byte(`{"claims":null,"name_typ":"n"}`)),
		base64.StdEncoding.EncodeToString([]byte("{\"claims\":[{\"typ\":\"n\",\"val\":\"\xff\"}],\"name_typ\":\"n\"}")),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		p, err := ParsePrincipal(header)
		if err != nil {
			var e *rules.Error
			if !errors.As(err, &e) || e.Code != rules.ErrUnauthorized || e.Message == "" {
				t.Fatalf("error %v is not a plain unauthorized", err)
			}
			return
		}
		fuzzCheckName(t, p.Name())
	})
}

func FuzzIdentityHeaders(f *testing.F) {
	f.Add("ada@example.com", "", "")
	f.Add("", "grace", "")
	f.Add("", "", fuzzPrincipalSeed("linus"))
	f.Add("a\x00b", "c\rd", "e30")
	f.Add(" ", "\u202e", "")
	f.Fuzz(func(t *testing.T, email, user, principal string) {
		h := http.Header{}
		if email != "" {
			h.Add(HeaderForwardedEmail, email)
		}
		if user != "" {
			h.Add(HeaderForwardedUser, user)
		}
		if principal != "" {
			h.Add(HeaderPrincipal, principal)
		}
		for _, family := range []IdentityHeader{IdentityOAuth2Proxy, IdentityAppService} {
			name, via, err := identityFromHeaders(h, family)
			own := email != "" || user != ""
			if family == IdentityAppService {
				own = principal != ""
			}
			switch {
			case err != nil:
				var e *rules.Error
				if !errors.As(err, &e) || e.Code != rules.ErrUnauthorized {
					t.Fatalf("error %v", err)
				}
			case name == "":
				if own {
					t.Fatalf("headers %q gave no %s identity and no error", h, family)
				}
			default:
				fuzzCheckName(t, name)
				if via != string(family) {
					t.Fatalf("via %q, want %s", via, family)
				}
			}
		}
	})
}

func FuzzParseTrustedProxies(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8,127.0.0.1/32", "::1", "", " , ", "10.0.0.1/8", "::ffff:10.0.0.0/104", "x", "1.2.3.4/33"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseTrustedProxies(s)
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() || p.Bits() == 0 {
				t.Fatalf("ParseTrustedProxies(%q) gave %v", s, p)
			}
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"subscriptions":["00000000-0000-4000-8000-000000000001"],"maxNodes":6,"maxVcpus":48,"purposes":["DevTest"],"requiredTags":["costCenter"]}`,
		`{"maxNodes":-1}`, `{"purposes":["Prod"]}`, `{"subscriptions":["x"]}`, `{"vmSizes":"Standard_D3_v2"}`, `{"admin":true}`, `[]`, `null`, `{} {}`,
		`{"maxNodes":1e30}`, `{"maxNodes":9223372036854775807,"maxVcpus":9223372036854775807}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := rules.ParsePolicy(data)
		if err != nil {
			var e *rules.Error
			if !errors.As(err, &e) || e.Code != rules.ErrInvalid || e.Message == "" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if p == nil || p.MaxNodes < 0 || p.MaxVCPUs < 0 {
			t.Fatalf("accepted %+v", p)
		}
		// What was accepted reads back the same.
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := rules.ParsePolicy(b)
		b2, _ := json.Marshal(q)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("round trip: %+v → %s → %+v, %v", p, b, q, err)
		}
		// And the rules run with it, on any request, without panicking.
		rules.Validate(rules.Request{Mode: rules.ModeCreate, NodeCount: 1 << 40, VMSize: "Standard_D3_v2"}, rules.Facts{Policy: p})
	})
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"mode":"create","workspace":{"subscription":"00000000-0000-4000-8000-000000000001","resourceGroup":"ml-rg","name":"ws-east"},"name":"aks-prod"}`,
		`{"mode":"attach","target":{"resourceId":"/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z"}}`,
		`{"nodeCount":1e30}`, `{"nodeCount":9223372036854775808}`, `{"tags":{"a":1}}`, `{"tls":{"certPem":"-----BEGIN"}}`,
		`{"name":"аks\u0000"}`, `{"bogus":1}`, `{} x`, `null`, ``, `{"NAME":"a","name":"b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := rules.DecodeRequest(data)
		if err != nil {
			var e *rules.Error
			if !errors.As(err, &e) || e.Code != rules.ErrInvalid || e.Message == "" {
				t.Fatalf("error %v", err)
			}
			return
		}
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := rules.DecodeRequest(b)
		if err != nil || !reflect.DeepEqual(fuzzNormTags(req), fuzzNormTags(again)) {
			t.Fatalf("round trip: %+v → %s → %+v, %v", req, b, again, err)
		}
		rules.Validate(req, rules.Facts{})
	})
}

// fuzzNormTags treats an empty tag map as none, as omitempty does.
func fuzzNormTags(r rules.Request) rules.Request {
	if len(r.Tags) == 0 {
		r.Tags = nil
	}
	return r
}

// FuzzProxyDecode runs the proxy's decode and, for what it accepts, the
// checks a create gets before Azure is asked anything.
func FuzzProxyDecode(f *testing.F) {
	for _, s := range []string{
		`{"mode":"create","workspace":{"subscription":"00000000-0000-4000-8000-000000000001","resourceGroup":"ml-rg","name":"ws-east"},"name":"aks-prod","nodeCount":3}`,
		`{"nodeCount":"3"}`, `{"x":1}`, `{`, `[]`, `{} {}`, strings.Repeat(`{"a":`, 100), `{"description":"` + strings.Repeat("d", 2000) + `"}`,
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{}`), "text/plain")
	f.Add([]byte(`{}`), "application/json; charset=utf-8")
	s := New(Config{MaxBody: 4 << 10, Policy: &rules.Policy{MaxNodes: 5, RequiredTags: []string{"cc"}}}, nil, nil)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		r := httptest.NewRequest("POST", "/api/computes", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		var req rules.Request
		err := s.decode(w, r, &req)
		if err == nil {
			err = s.precheck(req)
			if err == nil {
				return
			}
		}
		var e *rules.Error
		if !errors.As(err, &e) || e.Message == "" {
			t.Fatalf("error %v is not a rules.Error with words", err)
		}
		if st := statusOf[e.Code]; st < 400 || st > 499 {
			t.Fatalf("bad input answered %d (%s)", st, e.Code)
		}
	})
}

func FuzzAuditScrub(f *testing.F) {
	f.Add("ada", "aks-prod", "-----BEGIN PRIVATE KEY-----\nMII")
	f.Add("a\x7fb", "\u202e", "\xff\xfe")
	f.Add(strings.Repeat("é", 600), "", "")
	f.Fuzz(func(t *testing.T, who, name, reason string) {
		var buf bytes.Buffer
		a := &auditLog{w: &buf}
		if err := a.write(AuditEntry{Who: who, Name: name, Reason: reason, Action: "create", Result: "refused"}); err != nil {
			t.Fatal(err)
		}
		line := buf.String()
		if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") || !utf8.ValidString(line) {
			t.Fatalf("not one UTF-8 line: %q", line)
		}
		for _, r := range strings.TrimSuffix(line, "\n") {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("control character %U in %q", r, line)
			}
		}
		if strings.Contains(line, "BEGIN") && strings.Contains(strings.ToUpper(who+name+reason), "-----BEGIN") {
			t.Fatalf("PEM armor kept: %q", line)
		}
		var e AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
	})
}
