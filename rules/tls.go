package rules

import (
	"fmt"
	"strings"
)

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
		} else if !dnsLabelShaped(t.LeafDomainLabel, true) {
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
