package rules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The shape of free text: every text field of a request is checked here,
// before any other rule reads it, so a value that could hide something
// (a control character, a bidi override, a zero-width character) or that is
// a secret in the wrong field never goes further: not to Azure, not into an
// export or a share link, not back in a message.
//
//   - C1: a field holds a character that is not visible text: C0 and C1
//     controls and DEL (Cc), format characters (Cf: bidi overrides and
//     isolates, zero-width spaces and joiners, the byte-order mark, soft
//     hyphens), the line and paragraph separators U+2028 and U+2029, private
//     use and unassigned code points, noncharacters, and bytes that are not
//     UTF-8. Only the certificate and key fields, which are PEM and never
//     leave for anywhere but Azure, may hold line breaks.
//   - C2: a field other than the certificate and key looks like a PEM block
//     or key material. The finding never quotes it, and no other rule sees it.
//   - C3: a field has a shape no Azure value has (a location, a VM size, a
//     load balancer subnet, a CNAME).

// MaxNodeCount is the most nodes a request may ask for: an AKS node pool
// holds at most MaxPoolNodes. It also keeps nodes × cores far from overflowing.
const MaxNodeCount = MaxPoolNodes

// UnsafeRune reports whether r may not appear in a request's text (C1).
func UnsafeRune(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return true
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return true
	case r == '\u2028' || r == '\u2029':
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return true // noncharacters
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Zl, unicode.Zp) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs)
}

// invisibleLetters are letters and symbols that draw nothing: the Hangul
// fillers and the braille blank.
var invisibleLetters = map[rune]bool{'\u115f': true, '\u1160': true, '\u3164': true, '\uffa0': true, '\u2800': true}

// Visible reports whether s shows anything: at least one letter, digit,
// punctuation mark or symbol that draws a glyph. A value made only of
// spaces (Zs), marks, format characters (U+200B, U+FEFF, ...) or fillers
// (U+3164, ...) is not visible.
func Visible(s string) bool {
	for _, r := range s {
		if invisibleLetters[r] || UnsafeRune(r) {
			continue
		}
		if unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) {
			return true
		}
	}
	return false
}

// LooksSecret reports whether s looks like PEM or key material: a PEM
// armour line, the words PRIVATE KEY, an OpenSSH key, or a long base64 run
// that starts like a DER key or certificate.
func LooksSecret(s string) bool {
	u := strings.ToUpper(s)
	for _, m := range []string{"-----BEGIN", "-----END", "PRIVATE KEY", "BEGIN CERTIFICATE", "OPENSSH", "SSH-RSA AAAA", "SSH-ED25519 AAAA", "ECDSA-SHA2-NISTP"} {
		if strings.Contains(u, m) {
			return true
		}
	}
	// The base64 of a DER key or certificate (ASN.1 SEQUENCE: MII…, MIG…,
	// MHc…, MC4…), long enough to be one.
	return hasDERRun(s)
}

// textField is one free-text field of a request, as checkText sees it.
type textField struct {
	field, label string
	value        *string
}

// textFields lists every free-text field of the request but the certificate
// and key, with a pointer to change it.
func textFields(r *Request) []textField {
	return []textField{
		{FieldMode, "mode", (*string)(&r.Mode)},
		{FieldSubscription, "subscription", &r.Workspace.Subscription},
		{FieldResourceGroup, "resource group", &r.Workspace.ResourceGroup},
		{FieldWorkspace, "workspace name", &r.Workspace.Name},
		{FieldName, "compute name", &r.Name},
		{FieldPurpose, "purpose", (*string)(&r.Purpose)},
		{FieldLocation, "location", &r.Location},
		{FieldVMSize, "VM size", &r.VMSize},
		{FieldVnetRG, "virtual network's resource group", &r.Network.VnetResourceGroup},
		{FieldVnetName, "virtual network name", &r.Network.VnetName},
		{FieldSubnetName, "subnet name", &r.Network.SubnetName},
		{FieldServiceCIDR, "service CIDR", &r.Network.ServiceCIDR},
		{FieldDNSServiceIP, "DNS service IP", &r.Network.DNSServiceIP},
		{FieldDockerBridge, "Docker bridge CIDR", &r.Network.DockerBridgeCIDR},
		{FieldLBType, "load balancer type", (*string)(&r.LoadBalancer.Type)},
		{FieldLBSubnet, "load balancer subnet", &r.LoadBalancer.Subnet},
		{FieldTLSMode, "TLS choice", (*string)(&r.TLS.Mode)},
		{FieldTLSCNAME, "CNAME", &r.TLS.CNAME},
		{FieldTLSLeaf, "leaf domain label", &r.TLS.LeafDomainLabel},
		{FieldTargetID, "cluster resource ID", &r.Target.ResourceID},
		{FieldTargetRG, "cluster resource group", &r.Target.ResourceGroup},
		{FieldTargetName, "cluster name", &r.Target.Name},
		{FieldDescription, "description", &r.Description},
		{FieldGPUPoolName, "GPU pool name", &r.Kubernetes.GPUPool.Name},
		{FieldGPUPoolVMSize, "GPU pool's VM size", &r.Kubernetes.GPUPool.VMSize},
		{FieldKind, "compute kind", (*string)(&r.Kind)},
		{FieldNamespace, "namespace", &r.Kubernetes.Namespace},
		{FieldK8sVersion, "Kubernetes version", &r.Kubernetes.Version},
		{FieldRouterServiceType, "router service type", (*string)(&r.Kubernetes.RouterServiceType)},
		{FieldIdentity, "identity type", (*string)(&r.Kubernetes.Identity)},
		{FieldUserIdentity, "user-assigned identity", &r.Kubernetes.UserIdentity},
	}
}

// checkText applies C1 and C2 to every text field and tag, and returns the
// request with secret-looking values emptied and unsafe characters replaced
// by U+FFFD, so no later rule can echo either.
func checkText(c *checker, req Request) Request {
	req = req.cloneTags()
	for _, f := range textFields(&req) {
		*f.value = checkOneText(c, f.field, f.label, *f.value)
	}
	if len(req.Kubernetes.AuthorizedIPRanges) > 0 {
		ranges := make([]string, len(req.Kubernetes.AuthorizedIPRanges))
		for i, v := range req.Kubernetes.AuthorizedIPRanges {
			ranges[i] = checkOneText(c, FieldAuthorizedIPRanges, "authorized IP range", v)
		}
		req.Kubernetes.AuthorizedIPRanges = ranges
	}
	if len(req.Kubernetes.NodeSelector) > 0 {
		sel := make(map[string]string, len(req.Kubernetes.NodeSelector))
		for _, k := range sortedKeys(req.Kubernetes.NodeSelector) {
			nk := checkOneText(c, FieldNodeSelector, "node selector label", k)
			sel[nk] = checkOneText(c, FieldNodeSelector, "value of a node selector label", req.Kubernetes.NodeSelector[k])
		}
		req.Kubernetes.NodeSelector = sel
	}
	if len(req.Tags) > 0 {
		tags := make(map[string]string, len(req.Tags))
		for _, k := range sortedKeys(req.Tags) {
			v := req.Tags[k]
			nk := checkOneText(c, FieldTags, "tag name", k)
			tags[nk] = checkOneText(c, FieldTags, "value of a tag", v)
		}
		req.Tags = tags
	}
	return req
}

func checkOneText(c *checker, field, label, v string) string {
	if v == "" {
		return v
	}
	if LooksSecret(v) {
		c.err("C2", field, fmt.Sprintf("The %s looks like a certificate or a private key. Keys are secrets: they go only in the certificate and key fields, and this value was not used.", label),
			"Clear the field and type the "+label+"; if a key was pasted here, treat it as exposed and replace it.")
		return ""
	}
	if !utf8.ValidString(v) {
		c.err("C1", field, fmt.Sprintf("The %s holds bytes that are not UTF-8 text.", label), "Type the "+label+" again.")
		return strings.ToValidUTF8(v, "\uFFFD")
	}
	var bad []string
	seen := map[rune]bool{}
	for _, r := range v {
		if UnsafeRune(r) && !seen[r] {
			seen[r] = true
			if len(bad) < 5 {
				bad = append(bad, fmt.Sprintf("U+%04X", r))
			}
		}
	}
	if len(bad) == 0 {
		return v
	}
	c.err("C1", field, fmt.Sprintf("The %s holds characters that are invisible or control characters (%s); they could hide text or run commands when an export is pasted.", label, strings.Join(bad, ", ")),
		"Type the "+label+" again without copying it from elsewhere.")
	return strings.Map(func(r rune) rune {
		if UnsafeRune(r) {
			return '\uFFFD'
		}
		return r
	}, v)
}

// cloneTags returns the request with a copy of its tags, so changes to them
// do not reach the caller's map.
func (r Request) cloneTags() Request {
	if r.Tags != nil {
		tags := make(map[string]string, len(r.Tags))
		for k, v := range r.Tags {
			tags[k] = v
		}
		r.Tags = tags
	}
	return r
}

// ValidLocation reports whether s can be an Azure region name (eastus,
// westeurope): letters and digits only. The proxy refuses anything else
// before it goes into an ARM URL or an OData filter.
func ValidLocation(s string) bool { return locationShaped(s) }

// ValidVMSize reports whether s can be a VM size name (Standard_D3_v2).
func ValidVMSize(s string) bool { return vmSizeShaped(s) }

// CheckLocationShape applies C3 to a location alone, for the proxy.
func CheckLocationShape(s string) Findings {
	var c checker
	checkShapes(&c, Request{Location: s})
	return c.out
}

// checkShapes applies C3: the free-text fields whose shape no other rule checks.
func checkShapes(c *checker, req Request) {
	if req.Location != "" && !ValidLocation(req.Location) {
		c.err("C3", FieldLocation, fmt.Sprintf("%q is not an Azure region name.", clip(req.Location)), regionSuggestion(req.Location))
	}
	if req.VMSize != "" && !ValidVMSize(req.VMSize) {
		c.err("C3", FieldVMSize, fmt.Sprintf("%q is not a VM size name.", clip(req.VMSize)), "Use a size such as Standard_D3_v2.")
	}
	if s := req.Kubernetes.GPUPool.VMSize; s != "" && !ValidVMSize(s) {
		c.err("C3", FieldGPUPoolVMSize, fmt.Sprintf("%q is not a VM size name.", clip(s)), "Use a GPU size such as Standard_NC6s_v3.")
	}
	// V3 and L4 say what is wrong with a subnet and a CNAME where they are
	// used; C3 covers them where they are not, so no field gets two errors.
	lbKnown := req.LoadBalancer.Type == LoadBalancerInternal || req.LoadBalancer.Type == LoadBalancerPublicIP || req.LoadBalancer.Type == ""
	if s := req.LoadBalancer.Subnet; s != "" && !lbKnown && !validNetName(s) {
		c.err("C3", FieldLBSubnet, fmt.Sprintf("%q is not a subnet name.", clip(s)), "Use 1 to 80 letters, digits, periods, underscores or hyphens.")
	}
	if s := req.TLS.CNAME; strings.TrimSpace(s) != "" && req.TLS.Mode != TLSCustom && (len(s) > 253 || !hostnameShaped(s)) {
		c.err("C3", FieldTLSCNAME, fmt.Sprintf("%q is not a host name.", clip(s)), "Use the DNS name clients will call, such as scoring.example.com.")
	}
}

// mulNodes returns nodes × cores, and false when either is out of range
// (negative, or over MaxNodeCount nodes), so the product never overflows.
func mulNodes(nodes, cores int) (int, bool) {
	if nodes < 0 || nodes > MaxNodeCount || cores < 0 || cores > 1<<20 {
		return 0, false
	}
	return nodes * cores, true
}
