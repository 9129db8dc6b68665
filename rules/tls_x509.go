//go:build !nox509

package rules

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// CertificatesChecked reports whether this build parses certificates (L4).
// The page is built with the nox509 tag, which leaves that to the proxy:
// crypto/x509 and what it pulls in cost the page about 0.45 MB of code
// (`make bench` prints the figures).
const CertificatesChecked = true

// checkCertificate applies L4: the certificate parses, matches its key, is
// not expired and names the CNAME. Messages never quote key material (L5).
func checkCertificate(c *checker, t TLS, facts Facts) {
	block, _ := pem.Decode([]byte(t.CertPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		c.err("L4", FieldTLSCert, "The certificate is not a PEM certificate.", "Paste the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.")
		return
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		c.err("L4", FieldTLSCert, "The certificate cannot be read.", "Export it again in PEM format.")
		return
	}
	if !facts.Now.IsZero() {
		if facts.Now.After(cert.NotAfter) {
			c.err("L4", FieldTLSCert, "The certificate expired on "+cert.NotAfter.UTC().Format("2006-01-02")+".", "Renew it.")
		} else if facts.Now.Before(cert.NotBefore) {
			c.err("L4", FieldTLSCert, "The certificate is not valid before "+cert.NotBefore.UTC().Format("2006-01-02")+".", "Use a certificate that is valid now.")
		}
	}
	if t.CNAME != "" {
		if err := cert.VerifyHostname(t.CNAME); err != nil {
			names := cert.DNSNames
			if len(names) == 0 && cert.Subject.CommonName != "" {
				names = []string{cert.Subject.CommonName}
			}
			c.err("L4", FieldTLSCNAME, fmt.Sprintf("The certificate does not name %s; it names %s.", t.CNAME, strings.Join(names, ", ")), "Use a CNAME the certificate names, or a certificate for this CNAME.")
		}
	}
	key, ok := parsePrivateKey(t.KeyPEM)
	if !ok {
		c.err("L4", FieldTLSKey, "The private key is not a PEM private key (PKCS#1, PKCS#8 or EC), or it is encrypted.", "Paste the unencrypted key from -----BEGIN ... PRIVATE KEY----- to its END line.")
		return
	}
	type publicKeyer interface{ Public() crypto.PublicKey }
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pk, ok := key.(publicKeyer)
	if !ok {
		return
	}
	if eq, ok := pk.Public().(equaler); ok && !eq.Equal(cert.PublicKey) {
		c.err("L4", FieldTLSKey, "The private key does not match the certificate.", "Use the key the certificate was issued for.")
	}
}

func parsePrivateKey(s string) (any, bool) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || !strings.HasSuffix(block.Type, "PRIVATE KEY") || strings.Contains(block.Type, "ENCRYPTED") {
		return nil, false
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		switch k.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
			return k, true
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, true
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, true
	}
	return nil, false
}

// privateKeyParses reports whether s is an unencrypted PEM private key
// that parses (PKCS#1, PKCS#8 or EC).
func privateKeyParses(s string) bool {
	_, ok := parsePrivateKey(s)
	return ok
}
