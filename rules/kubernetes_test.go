package rules

import (
	"encoding/json"
	"strings"
	"testing"
)

// k8sCreate is a v2 create that passes every rule: HTTPS with a valid
// certificate, three DS3_v2-class nodes, the default version.
func k8sCreate(tb testing.TB) Request {
	m := material(tb)
	r := validCreate()
	r.Kind = KindKubernetes
	r.VMSize = "Standard_DS3_v2"
	r.TLS = TLS{Mode: TLSCustom, CertPEM: m.cert, KeyPEM: m.key, CNAME: "score.example.com"}
	return r
}

// k8sAttach is a v2 attach of a healthy managed-identity cluster.
func k8sAttach(tb testing.TB) Request {
	r := k8sCreate(tb)
	r.Mode, r.Name, r.Location, r.VMSize, r.NodeCount = ModeAttach, "k8s-attached", "", "", 0
	r.Target = Target{ResourceID: testClusterID}
	return r
}

// k8sFacts are attachFacts with a managed identity and pools whose memory is known.
func k8sFacts() Facts {
	f := attachFacts()
	f.Now = testNow
	cl := *f.Cluster
	cl.IdentityType = "SystemAssigned"
	cl.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D4s_v3", Count: 3, VCPUs: 4, MemoryGB: 16}}
	f.Cluster = &cl
	f.ExtensionRegions = []string{"eastus", "westus", "westeurope"}
	return f
}

func TestValidateKubernetes(t *testing.T) {
	t.Parallel()
	m := material(t)
	tests := []struct {
		name   string
		req    func(Request) Request
		attach bool
		facts  func(Facts) Facts
		want   []string
	}{
		{name: "create passes", want: nil},
		{name: "attach passes", attach: true, want: nil},
		{name: "unknown kind", req: func(r Request) Request { r.Kind = "Arc"; return r }, want: []string{"M1 kind error"}},
		{name: "legacy kind with v2 settings", req: func(r Request) Request {
			r.Kind, r.TLS = KindAKS, TLS{}
			r.Kubernetes.Namespace = "team-a"
			return r
		}, want: []string{"K1 location info", "M2 kubernetes warning", "V4 loadBalancer.type info"}},
		{name: "namespace not a label", req: func(r Request) Request { r.Kubernetes.Namespace = "Team_A"; return r }, want: []string{"X11 kubernetes.namespace error"}},
		{name: "namespace too long", req: func(r Request) Request { r.Kubernetes.Namespace = strings.Repeat("a", 64); return r }, want: []string{"X11 kubernetes.namespace error"}},
		{name: "namespace ends with hyphen", req: func(r Request) Request { r.Kubernetes.Namespace = "team-"; return r }, want: []string{"X11 kubernetes.namespace error"}},
		{name: "own namespace must exist", req: func(r Request) Request { r.Kubernetes.Namespace = "team-a"; return r }, want: []string{"X11 kubernetes.namespace info"}},
		{name: "unknown router type", req: func(r Request) Request { r.Kubernetes.RouterServiceType = "ingress"; return r }, want: []string{"X12 kubernetes.routerServiceType error"}},
		{name: "internal LB needs loadBalancer router", req: func(r Request) Request {
			r.Kubernetes.RouterServiceType = RouterNodePort
			r.LoadBalancer.Type = LoadBalancerInternal
			return r
		}, want: []string{"X12 loadBalancer.type error"}},
		{name: "internal LB with loadBalancer router", req: func(r Request) Request { r.LoadBalancer.Type = LoadBalancerInternal; return r }, want: nil},
		{name: "LB subnet unused", req: func(r Request) Request {
			r.LoadBalancer = LoadBalancer{Type: LoadBalancerInternal, Subnet: "snet-lb"}
			return r
		}, want: []string{"M2 loadBalancer.subnet warning"}},
		{name: "bad node selector", req: func(r Request) Request { r.Kubernetes.NodeSelector = map[string]string{"pool name": "x"}; return r }, want: []string{"X12 kubernetes.nodeSelector error"}},
		{name: "good node selector", req: func(r Request) Request {
			r.Kubernetes.NodeSelector = map[string]string{"kubernetes.azure.com/agentpool": "infer_1.a"}
			return r
		}, want: nil},
		{name: "user identity without ID", req: func(r Request) Request { r.Kubernetes.Identity = IdentityUserAssigned; return r }, want: []string{"X1 kubernetes.userIdentity error"}},
		{name: "user identity with ID", req: func(r Request) Request {
			r.Kubernetes.Identity = IdentityUserAssigned
			r.Kubernetes.UserIdentity = "/subscriptions/" + testSub + "/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aml"
			return r
		}, want: nil},
		{name: "identity ID with system identity", req: func(r Request) Request {
			r.Kubernetes.UserIdentity = "/subscriptions/" + testSub + "/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aml"
			return r
		}, want: []string{"X1 kubernetes.userIdentity error"}},
		{name: "unknown identity type", req: func(r Request) Request { r.Kubernetes.Identity = "ServicePrincipal"; return r }, want: []string{"X1 kubernetes.identity error"}},
		{name: "no TLS and no HTTP", req: func(r Request) Request { r.TLS = TLS{}; return r }, want: []string{"X4 tls.mode error"}},
		{name: "HTTP for dev", req: func(r Request) Request { r.TLS = TLS{}; r.Kubernetes.AllowInsecure = true; return r }, want: []string{"X4 kubernetes.allowInsecure warning"}},
		{name: "HTTP beside HTTPS", req: func(r Request) Request { r.Kubernetes.AllowInsecure = true; return r }, want: []string{"X4 kubernetes.allowInsecure warning"}},
		{name: "no Microsoft certificate", req: func(r Request) Request {
			r.TLS = TLS{Mode: TLSMicrosoft, LeafDomainLabel: "score"}
			return r
		}, want: []string{"X4 tls.mode error"}},
		{name: "HTTPS needs the certificate checks", req: func(r Request) Request { r.TLS.KeyPEM = m.otherKey; return r }, want: []string{"L4 tls.keyPem error"}},
		{name: "HTTPS needs a CNAME", req: func(r Request) Request { r.TLS.CNAME = ""; return r }, want: []string{"L1 tls.cname error"}},
		{name: "router HA on 2 nodes", req: func(r Request) Request {
			r.Purpose, r.NodeCount = PurposeDevTest, 2
			return r
		}, want: []string{"P4 purpose warning", "X5 kubernetes.singleRouter error"}},
		{name: "single router on 2 dev nodes", req: func(r Request) Request {
			r.Purpose, r.NodeCount, r.Kubernetes.SingleRouter = PurposeDevTest, 2, true
			return r
		}, want: []string{"P4 purpose warning"}},
		{name: "production on small nodes", req: func(r Request) Request { r.VMSize, r.NodeCount = "Standard_D2_v2", 6; return r }, want: []string{"X6 vmSize error"}},
		{name: "production on 4-vCPU low-memory nodes", req: func(r Request) Request { r.VMSize = "Standard_F4s_v2"; return r }, want: []string{"X6 vmSize error"}},
		{name: "dev/test on one small node", req: func(r Request) Request {
			r.Purpose, r.VMSize, r.NodeCount, r.Kubernetes.SingleRouter = PurposeDevTest, "Standard_D2_v2", 1, true
			return r
		}, want: []string{"P4 purpose warning"}},
		{name: "dev/test on a too small node", req: func(r Request) Request {
			r.Purpose, r.VMSize, r.NodeCount, r.Kubernetes.SingleRouter = PurposeDevTest, "Standard_A2_v2", 1, true
			return r
		}, want: []string{"P4 purpose warning", "X6 vmSize error"}},
		{name: "GPU without device plugin", req: func(r Request) Request { r.VMSize = "Standard_NC6s_v3"; return r }, want: []string{"X13 kubernetes.nvidiaDevicePlugin error"}},
		{name: "GPU with device plugin", req: func(r Request) Request {
			r.VMSize, r.Kubernetes.NvidiaDevicePlugin = "Standard_NC6s_v3", true
			return r
		}, want: nil},
		{name: "chosen version offered", req: func(r Request) Request { r.Kubernetes.Version = "1.31.10"; return r }, want: nil},
		{name: "chosen minor offered", req: func(r Request) Request { r.Kubernetes.Version = "1.32"; return r }, want: nil},
		{name: "chosen version not offered", req: func(r Request) Request { r.Kubernetes.Version = "1.29.4"; return r }, want: []string{"X7 kubernetes.version error"}},
		{name: "chosen preview", req: func(r Request) Request { r.Kubernetes.Version = "1.33.2"; return r }, want: []string{"K3 kubernetes.version warning"}},
		{name: "chosen version past the window", req: func(r Request) Request { r.Kubernetes.Version = "1.29.9"; return r }, facts: func(f Facts) Facts {
			f.Versions = append(f.Versions, KubernetesVersion{Version: "1.30.14"}, KubernetesVersion{Version: "1.29.9", Default: false})
			return f
		}, want: []string{"X7 kubernetes.version error"}},
		{name: "API ranges that are not ranges", req: func(r Request) Request {
			r.Kubernetes.AuthorizedIPRanges = []string{"203.0.113.0/24", "office"}
			return r
		}, want: []string{"X8 kubernetes.authorizedIpRanges error"}},
		{name: "API ranges get the AML ranges", req: func(r Request) Request {
			r.Kubernetes.AuthorizedIPRanges = []string{"203.0.113.0/24", "2001:db8::/48"}
			return r
		}, want: []string{"X8 kubernetes.authorizedIpRanges info"}},
		{name: "region without extensions", req: func(r Request) Request { r.Location = "westus2"; return r }, want: []string{"T3 location info", "X10 location error"}},
		{name: "create-only settings on attach", attach: true, req: func(r Request) Request { r.Kubernetes.Version = "1.32.7"; return r }, want: []string{"M2 kubernetes warning"}},
		{name: "cluster in another subscription", attach: true, req: func(r Request) Request {
			r.Target.ResourceID = strings.Replace(testClusterID, testSub, "00000000-0000-0000-0000-000000000009", 1)
			return r
		}, facts: func(f Facts) Facts { f.Cluster = nil; return f }, want: []string{"X9 target.resourceId error"}},
		{name: "service principal cluster", attach: true, facts: func(f Facts) Facts { f.Cluster.IdentityType = "ServicePrincipal"; return f }, want: []string{"X1 target.resourceId error"}},
		{name: "local accounts disabled", attach: true, facts: func(f Facts) Facts { f.Cluster.LocalAccountsDisabled = true; return f }, want: []string{"X2 target.resourceId error"}},
		{name: "pod identity", attach: true, facts: func(f Facts) Facts { f.Cluster.PodIdentity = true; return f }, want: []string{"X3 target.resourceId error"}},
		{name: "v1 leftover", attach: true, facts: func(f Facts) Facts { f.Cluster.LegacyFrontend = true; return f }, want: []string{"X14 target.resourceId error"}},
		{name: "extension installed", attach: true, facts: func(f Facts) Facts {
			f.Cluster.Extensions = []Extension{{Name: "flux", Type: "microsoft.flux", State: "Failed"}, {Name: "azureml", Type: "microsoft.azureml.kubernetes", State: "Succeeded", Version: "1.1.80"}}
			return f
		}, want: []string{"X10 target.resourceId info"}},
		{name: "extension failed", attach: true, facts: func(f Facts) Facts {
			f.Cluster.Extensions = []Extension{{Name: "azureml", Type: ExtensionType, State: "Failed"}}
			return f
		}, want: []string{"X10 target.resourceId warning"}},
		{name: "router HA on a 2-node cluster", attach: true, req: func(r Request) Request { r.Purpose = PurposeDevTest; return r }, facts: func(f Facts) Facts {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D4s_v3", Count: 2, VCPUs: 4, MemoryGB: 16}}
			return f
		}, want: []string{"P4 purpose warning", "X5 kubernetes.singleRouter error"}},
		{name: "production nodes across pools", attach: true, facts: func(f Facts) Facts {
			f.Cluster.Pools = []Pool{
				{Name: "system", System: true, VMSize: "Standard_D2s_v3", Count: 3, VCPUs: 2, MemoryGB: 8},
				{Name: "infer", VMSize: "Standard_DS3_v2", Count: 2, VCPUs: 4, MemoryGB: 14},
			}
			return f
		}, want: []string{"X6 target.resourceId error"}},
		{name: "GPU pool without device plugin", attach: true, facts: func(f Facts) Facts {
			f.Cluster.Pools = append(f.Cluster.Pools, Pool{Name: "gpu", VMSize: "Standard_NC6s_v3", Count: 1, VCPUs: 6, MemoryGB: 112, GPU: true})
			return f
		}, want: []string{"X13 kubernetes.nvidiaDevicePlugin warning"}},
		{name: "attached already is fine", attach: true, facts: func(f Facts) Facts {
			f.Computes = []Compute{{Name: "k8s-other", Type: "Kubernetes", ClusterID: testClusterID}}
			return f
		}, want: []string{"X15 target.resourceId info"}},
		{name: "AML ranges still checked", attach: true, facts: func(f Facts) Facts {
			f.Cluster.AuthorizedIPRanges = []string{"203.0.113.0/24"}
			return f
		}, want: []string{"A1 target.resourceId error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := k8sCreate(t)
			if tt.attach {
				req = k8sAttach(t)
			}
			if tt.req != nil {
				req = tt.req(req)
			}
			facts := k8sFacts()
			if tt.facts != nil {
				facts = tt.facts(facts)
			}
			got := Validate(req, facts)
			assertWellFormed(t, got)
			assertFindings(t, got, tt.want)
		})
	}
}

// TestKubernetesRulesOnlyForTheirKind checks the line between the kinds: the
// v1-only rules (T4, T5, V4, K1, P2) stay out of a Kubernetes compute and
// the X rules out of a legacy one.
func TestKubernetesRulesOnlyForTheirKind(t *testing.T) {
	t.Parallel()
	facts := k8sFacts()
	facts.Computes = []Compute{{Name: "aks-old", Type: "AKS", ClusterID: testClusterID}}
	facts.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D2s_v3", Count: 2, VCPUs: 2, MemoryGB: 8}}
	v2 := Validate(k8sAttach(t), facts)
	v1req := k8sAttach(t)
	v1req.Kind, v1req.TLS = KindAKS, TLS{}
	v1 := Validate(v1req, facts)
	has := func(fs Findings, code string) bool {
		for _, f := range fs {
			if f.Code == code {
				return true
			}
		}
		return false
	}
	for _, code := range []string{"T4", "T5"} {
		if !has(v1, code) {
			t.Errorf("legacy attach lacks %s:\n%s", code, dumpFindings(v1))
		}
		if has(v2, code) {
			t.Errorf("Kubernetes attach has the v1 rule %s:\n%s", code, dumpFindings(v2))
		}
	}
	for _, code := range []string{"X5", "X6", "X15"} {
		if !has(v2, code) {
			t.Errorf("Kubernetes attach lacks %s:\n%s", code, dumpFindings(v2))
		}
		if has(v1, code) {
			t.Errorf("legacy attach has the v2 rule %s:\n%s", code, dumpFindings(v1))
		}
	}
}

func TestInSupportWindow(t *testing.T) {
	t.Parallel()
	vs := []KubernetesVersion{
		{Version: "1.34.0", Preview: true},
		{Version: "1.33.3"}, {Version: "1.33.1"},
		{Version: "1.32.7"}, {Version: "1.31.10"}, {Version: "1.30.14"},
	}
	for v, want := range map[string]bool{
		"1.33.3": true, "1.32.1": true, "1.31.2": true, "1.31": true,
		"1.30.14": false, "1.29.0": false, "1.34.0": true, "v1.31.10": true,
	} {
		if got := InSupportWindow(vs, v); got != want {
			t.Errorf("InSupportWindow(%s) = %v, want %v", v, got, want)
		}
	}
	if !InSupportWindow(nil, "1.10.0") {
		t.Error("with no versions known, every version is in the window")
	}
}

func TestKubernetesNormalized(t *testing.T) {
	t.Parallel()
	r := Request{Mode: ModeAttach, Kind: KindKubernetes}.Normalized("eastus")
	want := Kubernetes{Namespace: DefaultNamespace, RouterServiceType: RouterLoadBalancer, Identity: IdentitySystemAssigned}
	if r.Kubernetes.Namespace != want.Namespace || r.Kubernetes.RouterServiceType != want.RouterServiceType || r.Kubernetes.Identity != want.Identity {
		t.Errorf("Normalized Kubernetes = %+v, want %+v", r.Kubernetes, want)
	}
	if legacy := (Request{Mode: ModeAttach}).Normalized("eastus"); !legacy.Kind.Legacy() || !legacy.Kubernetes.IsZero() {
		t.Errorf("a request without kind normalizes to %q with %+v, want legacy AKS with no Kubernetes settings", legacy.Kind, legacy.Kubernetes)
	}
}

// TestKubernetesJSON checks the wire shape: the settings round-trip, and a
// legacy request carries neither kind nor settings.
func TestKubernetesJSON(t *testing.T) {
	t.Parallel()
	r := k8sAttach(t)
	r.Kubernetes = Kubernetes{Namespace: "team-a", SingleRouter: true, NodeSelector: map[string]string{"agentpool": "infer"}}
	data, err := json.Marshal(r.Redacted())
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeRequest(data)
	if err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	if back.Kind != KindKubernetes || back.Kubernetes.Namespace != "team-a" || !back.Kubernetes.SingleRouter || back.Kubernetes.NodeSelector["agentpool"] != "infer" {
		t.Errorf("round trip = %+v", back.Kubernetes)
	}
	legacy, _ := json.Marshal(validAttach())
	if s := string(legacy); strings.Contains(s, `"kind"`) || strings.Contains(s, `"kubernetes"`) {
		t.Errorf("a legacy request carries v2 keys: %s", s)
	}
}

func TestKubernetesMessagesAreReadable(t *testing.T) {
	t.Parallel()
	facts := k8sFacts()
	facts.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D2s_v3", Count: 1, VCPUs: 2, MemoryGB: 8}}
	got := Validate(k8sAttach(t), facts)
	var x6 *Finding
	for i := range got {
		if got[i].Code == "X6" {
			x6 = &got[i]
		}
	}
	if x6 == nil {
		t.Fatalf("no X6:\n%s", dumpFindings(got))
	}
	for _, want := range []string{"3 nodes", "4 vCPUs", "14 GiB", "no node is that large"} {
		if !strings.Contains(x6.Message, want) {
			t.Errorf("X6 message %q lacks %q", x6.Message, want)
		}
	}
	if !strings.Contains(x6.Fix, "Standard_DS3_v2") {
		t.Errorf("X6 fix %q names no size", x6.Fix)
	}
}
