package rules

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
)

var leafLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// checkTLS applies L1–L4.
func checkTLS(c *checker, req Request, facts Facts) {
	t := req.TLS
	if t.OverwriteExistingDomain && (t.Mode != TLSMicrosoft || t.LeafDomainLabel == "") {
		c.err("L2", FieldTLSOverwrite, `"Overwrite existing domain" only goes with a Microsoft certificate's leaf domain label.`, "Clear it, or choose a Microsoft certificate with a leaf domain label.")
	}
	switch t.Mode {
	case TLSDisabled:
		if t.CertPEM != "" || t.KeyPEM != "" || t.CNAME != "" || t.LeafDomainLabel != "" {
			c.warn("L1", FieldTLSMode, "TLS is disabled, so the certificate settings are ignored.", "Choose your certificate or a Microsoft certificate, or clear them.")
		}
	case TLSMicrosoft:
		if t.LeafDomainLabel == "" {
			c.err("L1", FieldTLSLeaf, "A Microsoft certificate needs a leaf domain label.", "Give a label such as myservice: the endpoint becomes myservice + a few random characters under the region's cloudapp.azure.com domain.")
		} else if !leafLabel.MatchString(t.LeafDomainLabel) {
			c.err("L1", FieldTLSLeaf, fmt.Sprintf("%q is not a valid leaf domain label.", t.LeafDomainLabel), "Use 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen.")
		}
		if t.CertPEM != "" || t.KeyPEM != "" || t.CNAME != "" {
			c.warn("L1", FieldTLSMode, "A Microsoft certificate is chosen, so your certificate, key and CNAME are ignored.", "Clear them, or choose your certificate.")
		}
		if req.LoadBalancer.Type == LoadBalancerInternal {
			c.err("L3", FieldTLSMode, "An internal load balancer cannot use a Microsoft certificate.", "Provide your own certificate, or use a public IP load balancer.")
		}
	case TLSCustom:
		if t.LeafDomainLabel != "" {
			c.warn("L1", FieldTLSLeaf, "Your own certificate is chosen, so the leaf domain label is ignored.", "Clear it, or choose a Microsoft certificate.")
		}
		missing := false
		for _, f := range []struct{ path, label, v string }{
			{FieldTLSCert, "certificate (PEM)", t.CertPEM},
			{FieldTLSKey, "private key (PEM)", t.KeyPEM},
			{FieldTLSCNAME, "CNAME", t.CNAME},
		} {
			if strings.TrimSpace(f.v) == "" {
				missing = true
				c.err("L1", f.path, "Your own certificate needs the "+f.label+".", "Give the certificate, its key and the CNAME together.")
			}
		}
		checkTLSShapes(c, t, !missing)
		if !missing {
			checkCertificate(c, t, facts)
		}
	default:
		c.err("L1", FieldTLSMode, fmt.Sprintf("TLS choice %q is not known.", t.Mode), "Choose disabled, custom or microsoft.")
	}
}

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
