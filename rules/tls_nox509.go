//go:build nox509

package rules

import (
	"encoding/pem"
	"strings"
)

// CertificatesChecked reports whether this build parses certificates (L4).
// This one, the page's (tag nox509), does not: the proxy, built without the
// tag, runs every L4 check before anything is sent to Azure, and the page
// shows its refusal on the field.
const CertificatesChecked = false

// checkCertificate, in the page, checks what needs no certificate parser:
// that the certificate and the key are PEM blocks of the right kind. The
// rest of L4 (the key matches, the dates, the names) is the proxy's, and an
// info finding says so.
func checkCertificate(c *checker, t TLS, facts Facts) {
	block, _ := pem.Decode([]byte(t.CertPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		c.err("L4", FieldTLSCert, "The certificate is not a PEM certificate.", "Paste the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.")
		return
	}
	key, _ := pem.Decode([]byte(t.KeyPEM))
	if key == nil || !strings.HasSuffix(key.Type, "PRIVATE KEY") || strings.Contains(key.Type, "ENCRYPTED") {
		c.err("L4", FieldTLSKey, "The private key is not a PEM private key (PKCS#1, PKCS#8 or EC), or it is encrypted.", "Paste the unencrypted key from -----BEGIN ... PRIVATE KEY----- to its END line.")
		return
	}
	c.info("L4", FieldTLSCert, "Checked on the server: the proxy reads the certificate when you submit, and checks that it matches its key, is valid now and names "+t.CNAME+".", "")
}

// privateKeyParses reports, in the page's build, whether s is a PEM block of
// an unencrypted private key; the proxy's build also parses it.
func privateKeyParses(s string) bool {
	key, _ := pem.Decode([]byte(s))
	return key != nil && strings.HasSuffix(key.Type, "PRIVATE KEY") && !strings.Contains(key.Type, "ENCRYPTED")
}
