package rules

import (
	"fmt"
	"net/netip"
)

// Field paths of the virtual-network settings.
const (
	FieldVnetRG       = "network.vnetResourceGroup"
	FieldVnetName     = "network.vnetName"
	FieldSubnetName   = "network.subnetName"
	FieldServiceCIDR  = "network.serviceCidr"
	FieldDNSServiceIP = "network.dnsServiceIP"
	FieldDockerBridge = "network.dockerBridgeCidr"
)

// checkNetwork applies V1 and V2 to a create's virtual-network settings.
func checkNetwork(c *checker, n Network, facts Facts) {
	if n.IsZero() {
		return
	}
	fields := []struct{ path, label, value string }{
		{FieldVnetRG, "virtual network resource group", n.VnetResourceGroup},
		{FieldVnetName, "virtual network name", n.VnetName},
		{FieldSubnetName, "subnet name", n.SubnetName},
		{FieldServiceCIDR, "service CIDR", n.ServiceCIDR},
		{FieldDNSServiceIP, "DNS service IP", n.DNSServiceIP},
		{FieldDockerBridge, "docker bridge CIDR", n.DockerBridgeCIDR},
	}
	for _, f := range fields {
		if f.value == "" {
			c.err("V1", f.path, "The "+f.label+" is missing: the six virtual network settings come all together or not at all.", "Fill in the "+f.label+", or clear every virtual network setting.")
		}
	}
	if n.VnetResourceGroup != "" && !validResourceGroup(n.VnetResourceGroup) {
		c.err("V1", FieldVnetRG, fmt.Sprintf("%q is not a valid resource group name.", n.VnetResourceGroup), "Use letters, digits, periods, underscores, hyphens or parentheses.")
	}
	for _, f := range fields[1:3] {
		if f.value != "" && !validClusterName(f.value) && !validNetName(f.value) {
			c.err("V1", f.path, fmt.Sprintf("%q is not a valid %s.", f.value, f.label), "Use 1 to 80 letters, digits, periods, underscores or hyphens.")
		}
	}
	svc, svcOK := parseCIDR(c, FieldServiceCIDR, "service CIDR", n.ServiceCIDR)
	bridge, bridgeOK := parseCIDR(c, FieldDockerBridge, "docker bridge CIDR", n.DockerBridgeCIDR)
	if n.DNSServiceIP != "" {
		ip, err := netip.ParseAddr(n.DNSServiceIP)
		switch {
		case err != nil || !ip.Is4():
			c.err("V2", FieldDNSServiceIP, fmt.Sprintf("%q is not an IPv4 address.", n.DNSServiceIP), "Use an address such as 10.0.0.10.")
		case svcOK && !svc.Contains(ip):
			c.err("V2", FieldDNSServiceIP, fmt.Sprintf("The DNS service IP %s is outside the service CIDR %s.", ip, svc), fmt.Sprintf("Use an address inside %s, such as %s.", svc, nthAddr(svc, 10)))
		case svcOK && ip == svc.Addr():
			c.err("V2", FieldDNSServiceIP, fmt.Sprintf("The DNS service IP %s is the network address of %s.", ip, svc), fmt.Sprintf("Use %s.", nthAddr(svc, 10)))
		case svcOK && ip == svc.Addr().Next():
			c.err("V2", FieldDNSServiceIP, fmt.Sprintf("The DNS service IP %s is the first usable address of the service CIDR; the Kubernetes service takes it.", ip), fmt.Sprintf("Use another address, such as %s.", nthAddr(svc, 10)))
		}
	}
	if svcOK && bridgeOK && svc.Overlaps(bridge) {
		c.err("V2", FieldServiceCIDR, fmt.Sprintf("The service CIDR %s overlaps the docker bridge CIDR %s.", svc, bridge), "Choose ranges that do not overlap, such as 10.0.0.0/16 and 172.17.0.1/16.")
	}
	if facts.SubnetMissing {
		c.err("V6", FieldSubnetName, fmt.Sprintf("Azure has no subnet %s in the virtual network %s of resource group %s.", n.SubnetName, n.VnetName, n.VnetResourceGroup), "Check the three names, or create the subnet first: the cluster's nodes go into it.")
	}
	if sub, err := netip.ParsePrefix(facts.SubnetPrefix); err == nil && svcOK && svc.Overlaps(sub) {
		c.err("V2", FieldServiceCIDR, fmt.Sprintf("The service CIDR %s overlaps the subnet's range %s.", svc, sub), "Choose a service CIDR outside the virtual network's address space.")
	}
}

// parseCIDR checks one IPv4 CIDR. The docker bridge CIDR is conventionally
// written with a host address (172.17.0.1/16), so a host part is allowed.
func parseCIDR(c *checker, field, label, s string) (netip.Prefix, bool) {
	if s == "" {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		c.err("V2", field, fmt.Sprintf("The %s %q is not a valid IPv4 CIDR.", label, s), "Write it as address/prefix length, such as 10.0.0.0/16.")
		return netip.Prefix{}, false
	}
	if field == FieldServiceCIDR && p.Masked() != p {
		c.err("V2", field, fmt.Sprintf("The service CIDR %s has host bits set.", s), fmt.Sprintf("Use %s.", p.Masked()))
		return p.Masked(), true
	}
	return p.Masked(), true
}

func nthAddr(p netip.Prefix, n int) netip.Addr {
	a := p.Addr()
	for range n {
		next := a.Next()
		if !p.Contains(next) {
			break
		}
		a = next
	}
	return a
}

func validNetName(s string) bool {
	if len(s) == 0 || len(s) > 80 {
		return false
	}
	for _, r := range s {
		if !isASCIILetter(r) && !isDigit(r) && r != '-' && r != '_' && r != '.' {
			return false
		}
	}
	return true
}

// coveredBy reports whether every address of prefix lies in one of ranges.
// Ranges that are bare addresses count as /32.
func coveredBy(prefix netip.Prefix, ranges []netip.Prefix) bool {
	for _, r := range ranges {
		if r.Bits() <= prefix.Bits() && r.Contains(prefix.Addr()) {
			return true
		}
	}
	return false
}

// parseRange parses a CIDR or a bare IPv4 address.
func parseRange(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}
