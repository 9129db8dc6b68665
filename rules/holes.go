package rules

import (
	"fmt"
	"strings"
)

// MaxPoolNodes is the most nodes AKS allows in one node pool (rule P5).
const MaxPoolNodes = 1000

// checkNodeRange applies P5's bounds: a node count is a positive whole
// number no larger than AKS allows for a pool. It is one finding, whatever
// else is wrong with the count.
func checkNodeRange(c *checker, n int) {
	switch {
	case n < 0:
		c.err("P5", FieldNodeCount, fmt.Sprintf("The node count is %d; it must be a positive whole number.", n), "Give a node count of 1 or more.")
	case n > MaxPoolNodes:
		c.err("P5", FieldNodeCount, fmt.Sprintf("The node count is %d; AKS allows at most %s in a node pool.", n, Count(MaxPoolNodes, "node")), fmt.Sprintf("Give a node count of %d or fewer.", MaxPoolNodes))
	}
}

// checkLocationShape reports whether a location is written as Azure names
// regions: lower-case letters and digits, no spaces ("eastus", not "East
// US"). C3 (checkShapes) says what is wrong when it is not.
func checkLocationShape(_ *checker, loc string) bool {
	return loc == "" || regionNameShaped(loc)
}

// regionSuggestion is the fix for a location written otherwise than Azure
// writes it: the region it squeezes to, when there is one.
func regionSuggestion(loc string) string {
	squeezed := strings.ToLower(strings.Map(func(r rune) rune {
		if isASCIILetter(r) || isDigit(r) {
			return r
		}
		return -1
	}, loc))
	if _, ok := RegionPairs[squeezed]; ok && squeezed != loc {
		return fmt.Sprintf("Did you mean %s? Azure writes region names in lower-case letters and digits, without spaces.", squeezed)
	}
	return "Use the region's name, such as eastus or westeurope (lower-case letters and digits, no spaces)."
}

// checkLBSubnet applies V3 to an internal load balancer: it needs a subnet,
// named as Azure names subnets.
func checkLBSubnet(c *checker, lb LoadBalancer) {
	if lb.Type != LoadBalancerInternal {
		return
	}
	switch {
	case strings.TrimSpace(lb.Subnet) == "":
		c.err("V3", FieldLBSubnet, "An internal load balancer needs the subnet it takes its address from.", "Give the subnet's name, such as aks-subnet.")
	case !validNetName(lb.Subnet):
		c.err("V3", FieldLBSubnet, fmt.Sprintf("%q is not a valid subnet name.", clip(lb.Subnet)), "Use 1 to 80 letters, digits, periods, underscores or hyphens.")
	}
}

// validDNSName reports whether s is a DNS name of two labels or more, as a
// CNAME of a scoring endpoint is.
func validDNSName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !dnsLabelShaped(l, false) {
			return false
		}
	}
	return true
}

// checkTLSShapes applies L4 to each part of your own certificate on its
// own, so a CNAME that is not a DNS name or a key that is not a key is
// said at once, before the other parts are given. checkCertificate checks
// how they fit together once all three are there.
func checkTLSShapes(c *checker, t TLS, complete bool) {
	if t.Mode != TLSCustom {
		return
	}
	if strings.TrimSpace(t.CNAME) != "" && !validDNSName(t.CNAME) {
		c.err("L4", FieldTLSCNAME, fmt.Sprintf("%q is not a DNS name.", clip(t.CNAME)), "Give the name clients use, such as scoring.contoso.com.")
	}
	if complete {
		return
	}
	if strings.TrimSpace(t.CertPEM) != "" && !strings.Contains(t.CertPEM, "-----BEGIN CERTIFICATE-----") {
		c.err("L4", FieldTLSCert, "The certificate is not a PEM certificate.", "Paste the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, or choose the .pem file.")
	}
	if strings.TrimSpace(t.KeyPEM) != "" {
		if !privateKeyParses(t.KeyPEM) {
			c.err("L4", FieldTLSKey, "The private key is not a PEM private key (PKCS#1, PKCS#8 or EC), or it is encrypted.", "Paste the unencrypted key from -----BEGIN ... PRIVATE KEY----- to its END line, or choose the key file.")
		}
	}
}
