package rules

import (
	"strings"
	"testing"
)

func validNetwork() Network {
	return Network{
		VnetResourceGroup: "rg-net",
		VnetName:          "vnet-ml",
		SubnetName:        "aks-subnet",
		ServiceCIDR:       "10.0.0.0/16",
		DNSServiceIP:      "10.0.0.10",
		DockerBridgeCIDR:  "172.17.0.1/16",
	}
}

func TestValidateNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(*Network)
		subnet string // facts.SubnetPrefix
		want   []string
	}{
		{name: "valid", edit: func(n *Network) {}},
		{name: "none at all", edit: func(n *Network) { *n = Network{} }},
		{name: "valid with subnet range", edit: func(n *Network) {}, subnet: "10.1.0.0/16"},
		{name: "valid names with dots", edit: func(n *Network) { n.VnetName, n.SubnetName = "vnet.ml", "sub.net" }},
		{name: "V1 only the vnet name", edit: func(n *Network) { *n = Network{VnetName: "vnet-ml"} }, want: []string{
			"V1 network.vnetResourceGroup error", "V1 network.subnetName error", "V1 network.serviceCidr error",
			"V1 network.dnsServiceIP error", "V1 network.dockerBridgeCidr error"}},
		{name: "V1 missing the DNS service IP", edit: func(n *Network) { n.DNSServiceIP = "" },
			want: []string{"V1 network.dnsServiceIP error"}},
		{name: "V1 bad resource group", edit: func(n *Network) { n.VnetResourceGroup = "rg net" },
			want: []string{"V1 network.vnetResourceGroup error"}},
		{name: "V1 bad vnet name", edit: func(n *Network) { n.VnetName = "vnet/ml" },
			want: []string{"V1 network.vnetName error"}},
		{name: "V1 bad subnet name", edit: func(n *Network) { n.SubnetName = strings.Repeat("s", 81) },
			want: []string{"V1 network.subnetName error"}},
		{name: "V2 service CIDR not a CIDR", edit: func(n *Network) { n.ServiceCIDR = "10.0.0.0" },
			want: []string{"V2 network.serviceCidr error"}},
		{name: "V2 service CIDR IPv6", edit: func(n *Network) { n.ServiceCIDR, n.DNSServiceIP = "fd00::/108", "fd00::a" },
			want: []string{"V2 network.serviceCidr error", "V2 network.dnsServiceIP error"}},
		{name: "V2 service CIDR with host bits", edit: func(n *Network) { n.ServiceCIDR = "10.0.0.5/16" },
			want: []string{"V2 network.serviceCidr error"}},
		{name: "V2 docker bridge not a CIDR", edit: func(n *Network) { n.DockerBridgeCIDR = "172.17.0.1" },
			want: []string{"V2 network.dockerBridgeCidr error"}},
		{name: "V2 DNS IP not an address", edit: func(n *Network) { n.DNSServiceIP = "10.0.0" },
			want: []string{"V2 network.dnsServiceIP error"}},
		{name: "V2 DNS IP outside the service CIDR", edit: func(n *Network) { n.DNSServiceIP = "10.1.0.10" },
			want: []string{"V2 network.dnsServiceIP error"}},
		{name: "V2 DNS IP is the network address", edit: func(n *Network) { n.DNSServiceIP = "10.0.0.0" },
			want: []string{"V2 network.dnsServiceIP error"}},
		{name: "V2 DNS IP is the first usable address", edit: func(n *Network) { n.DNSServiceIP = "10.0.0.1" },
			want: []string{"V2 network.dnsServiceIP error"}},
		{name: "V2 DNS IP .2 is fine", edit: func(n *Network) { n.DNSServiceIP = "10.0.0.2" }},
		{name: "V2 service overlaps docker bridge", edit: func(n *Network) { n.DockerBridgeCIDR = "10.0.128.1/17" },
			want: []string{"V2 network.serviceCidr error"}},
		{name: "V2 service overlaps the subnet", edit: func(n *Network) {}, subnet: "10.0.4.0/22",
			want: []string{"V2 network.serviceCidr error"}},
		{name: "V2 service contains the subnet's whole space", edit: func(n *Network) { n.ServiceCIDR, n.DNSServiceIP = "10.0.0.0/8", "10.0.0.10" }, subnet: "10.240.0.0/16",
			want: []string{"V2 network.serviceCidr error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validCreate()
			req.Network = validNetwork()
			tt.edit(&req.Network)
			facts := baseFacts()
			facts.SubnetPrefix = tt.subnet
			fs := Validate(req, facts)
			assertFindings(t, fs, tt.want, "V4")
			assertWellFormed(t, fs)
		})
	}
}

// TestV6SubnetMissing: a subnet Azure does not have is an error on the
// subnet's field, naming the three names.
func TestV6SubnetMissing(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.Network = validNetwork()
	facts := baseFacts()
	if _, ok := findCode(Validate(req, facts), "V6"); ok {
		t.Fatal("V6 without SubnetMissing")
	}
	facts.SubnetMissing = true
	f, ok := findCode(Validate(req, facts), "V6")
	if !ok || f.Field != FieldSubnetName || f.Severity != SeverityError || !strings.Contains(f.Message, req.Network.SubnetName) || !strings.Contains(f.Message, req.Network.VnetName) {
		t.Errorf("V6 = %+v", f)
	}
}

func TestV2Messages(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.Network = validNetwork()
	req.Network.DNSServiceIP = "10.0.0.1"
	f, _ := findCode(Validate(req, baseFacts()), "V2")
	if !strings.Contains(f.Message, "first usable") || !strings.Contains(f.Fix, "10.0.0.10") {
		t.Errorf("V2 .1 = %q / %q", f.Message, f.Fix)
	}
	req.Network.DNSServiceIP = "192.168.0.10"
	f, _ = findCode(Validate(req, baseFacts()), "V2")
	if !strings.Contains(f.Message, "outside the service CIDR 10.0.0.0/16") {
		t.Errorf("V2 outside = %q", f.Message)
	}
}

func TestValidateLoadBalancer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mode Mode
		lb   LoadBalancer
		want []string
	}{
		{"create default public IP", ModeCreate, LoadBalancer{}, []string{"V4 loadBalancer.type info"}},
		{"create internal with subnet", ModeCreate, LoadBalancer{Type: LoadBalancerInternal, Subnet: "aks-lb"}, []string{"V4 loadBalancer.type info"}},
		{"create internal without subnet", ModeCreate, LoadBalancer{Type: LoadBalancerInternal}, []string{"V3 loadBalancer.subnet error", "V4 loadBalancer.type info"}},
		{"V3 subnet with public IP", ModeCreate, LoadBalancer{Type: LoadBalancerPublicIP, Subnet: "aks-lb"},
			[]string{"V3 loadBalancer.subnet error", "V4 loadBalancer.type info"}},
		{"V3 subnet with default type", ModeCreate, LoadBalancer{Subnet: "aks-lb"},
			[]string{"V3 loadBalancer.subnet error", "V4 loadBalancer.type info"}},
		{"V3 unknown type", ModeCreate, LoadBalancer{Type: "Standard"},
			[]string{"V3 loadBalancer.type error", "V4 loadBalancer.type info"}},
		{"attach has no V4 note", ModeAttach, LoadBalancer{}, nil},
		{"V3 on attach too", ModeAttach, LoadBalancer{Subnet: "aks-lb"}, []string{"V3 loadBalancer.subnet error"}},
		{"attach internal", ModeAttach, LoadBalancer{Type: LoadBalancerInternal, Subnet: "aks-lb"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validCreate()
			if tt.mode == ModeAttach {
				req = validAttach()
			}
			req.LoadBalancer = tt.lb
			assertFindings(t, Validate(req, baseFacts()), tt.want)
		})
	}
}

func TestV4OffersTheAttachPath(t *testing.T) {
	t.Parallel()
	f, ok := findCode(Validate(validCreate(), baseFacts()), "V4")
	if !ok || !strings.Contains(f.Message, "Basic") || !strings.Contains(f.Fix, "attach") || !strings.Contains(f.Fix, "Standard") {
		t.Errorf("V4 = %+v, want Basic explained and the create-in-AKS-then-attach path", f)
	}
	// The Basic load balancer is retired, not a choice: the words say when,
	// and how a cluster still on it is upgraded.
	if !strings.Contains(f.Message, "retired the Basic load balancer on 30 September 2025") || !strings.Contains(f.Fix, "az aks update --load-balancer-sku standard") {
		t.Errorf("V4 = %+v, want the retirement of 30 September 2025 and the upgrade command", f)
	}
	facts := attachFacts()
	facts.Cluster.LoadBalancerSKU = "basic"
	f, ok = findCode(Validate(validAttach(), facts), "V4")
	if !ok || f.Severity != SeverityError || !strings.Contains(f.Message, "30 September 2025") || !strings.Contains(f.Fix, "--load-balancer-sku standard") {
		t.Errorf("V4 on a Basic attach target = %+v, want an error naming the retirement and the upgrade", f)
	}
}
