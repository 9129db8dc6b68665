//go:build nox509

package rules

import "testing"

// TestCertificatesCheckedOnTheServer holds the page's build (tag nox509,
// `make wasmtest` runs it compiled to WebAssembly): it never parses a
// certificate, never reports a false L4 error, says that the proxy checks
// the certificate, and still catches what is not PEM at all.
func TestCertificatesCheckedOnTheServer(t *testing.T) {
	t.Parallel()
	if CertificatesChecked {
		t.Fatal("CertificatesChecked is true in the nox509 build")
	}
	m := material(t)
	custom := func(cert, key, cname string) Request {
		r := validCreate()
		r.TLS = TLS{Mode: TLSCustom, CertPEM: cert, KeyPEM: key, CNAME: cname}
		return r
	}
	garbageCert := "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
	tests := []struct {
		name string
		req  Request
		want string // the one L4 finding: "severity field"
	}{
		// What the proxy refuses (expired, other names, another key) and
		// what it accepts both get the same note: no false error.
		{"valid", custom(m.cert, m.key, "score.example.com"), "info tls.certPem"},
		{"expired: the proxy's", custom(m.expired, m.key, "score.example.com"), "info tls.certPem"},
		{"other CNAME: the proxy's", custom(m.otherCNAME, m.key, "score.example.com"), "info tls.certPem"},
		{"key of another certificate: the proxy's", custom(m.cert, m.otherKey, "score.example.com"), "info tls.certPem"},
		{"PEM with garbage inside: the proxy's", custom(garbageCert, m.key, "score.example.com"), "info tls.certPem"},
		{"certificate not PEM", custom("hello", m.key, "score.example.com"), "error tls.certPem"},
		{"key not PEM", custom(m.cert, "hello", "score.example.com"), "error tls.keyPem"},
		{"encrypted key", custom(m.cert, m.encryptedKey, "score.example.com"), "error tls.keyPem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Validate(tt.req, Facts{Now: testNow}) {
				if f.Code == "L4" {
					got = append(got, string(f.Severity)+" "+f.Field)
				}
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("L4 findings %q, want [%s]", got, tt.want)
			}
		})
	}
}
