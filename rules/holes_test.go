package rules

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestPageFoundHoles holds the validation holes a walk through the page
// found (issue 12): each request gets exactly the findings listed.
func TestPageFoundHoles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*Request)
		want []string
	}{
		{name: "1000 nodes is the most a pool holds", edit: func(r *Request) { r.NodeCount = 1000 }},
		{name: "1001 nodes", edit: func(r *Request) { r.NodeCount = 1001 }, want: []string{"P5 nodeCount error"}},
		{name: "99999999999 nodes", edit: func(r *Request) { r.NodeCount = 99999999999 }, want: []string{"P5 nodeCount error"}},
		{name: "a negative count is one error", edit: func(r *Request) { r.NodeCount = -2 }, want: []string{"P5 nodeCount error"}},
		{name: "east us", edit: func(r *Request) { r.Location = "east us" }, want: []string{"C3 location error"}},
		{name: "East US", edit: func(r *Request) { r.Location = "East US" }, want: []string{"C3 location error"}},
		{name: "internal LB without a subnet", edit: func(r *Request) { r.LoadBalancer.Type = LoadBalancerInternal }, want: []string{"V3 loadBalancer.subnet error"}},
		{name: "internal LB with a malformed subnet", edit: func(r *Request) { r.LoadBalancer = LoadBalancer{Type: LoadBalancerInternal, Subnet: "my subnet!"} }, want: []string{"V3 loadBalancer.subnet error"}},
		{name: "internal LB with a subnet", edit: func(r *Request) { r.LoadBalancer = LoadBalancer{Type: LoadBalancerInternal, Subnet: "aks-lb"} }},
		{name: "malformed CNAME", edit: func(r *Request) { r.TLS = TLS{Mode: TLSCustom, CNAME: "not a name"} },
			want: []string{"L1 tls.certPem error", "L1 tls.keyPem error", "L4 tls.cname error"}},
		{name: "a CNAME of one label", edit: func(r *Request) { r.TLS = TLS{Mode: TLSCustom, CNAME: "localhost"} },
			want: []string{"L1 tls.certPem error", "L1 tls.keyPem error", "L4 tls.cname error"}},
		{name: "a key that is not a key", edit: func(r *Request) { r.TLS = TLS{Mode: TLSCustom, KeyPEM: "hello"} },
			want: []string{"L1 tls.certPem error", "L1 tls.cname error", "L4 tls.keyPem error"}},
		{name: "a certificate that is not one", edit: func(r *Request) { r.TLS = TLS{Mode: TLSCustom, CertPEM: "hello"} },
			want: []string{"L1 tls.cname error", "L1 tls.keyPem error", "L4 tls.certPem error"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := validCreate()
			tc.edit(&req)
			got := findingKeys(Validate(req, baseFacts()), "V4", "K1")
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("mismatch (-want +got):\n%s", diffLines(want, got))
			}
		})
	}
}

func TestLocationShapeSuggestsTheRegion(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.Location = "east us"
	fs := Validate(req, baseFacts()).For(FieldLocation)
	if len(fs) != 1 || !strings.Contains(fs[0].Fix, "eastus") {
		t.Errorf("east us: %+v", fs)
	}
}

// TestSuggestionsNeverTheTypedValue: W2 and P6 never offer, as the fix, the
// very value that was typed.
func TestSuggestionsNeverTheTypedValue(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.Location = "eastus"
	fs := Validate(req, Facts{WorkspaceLocation: "eastus", VMSizes: []VMSize{}}).For(FieldLocation)
	if len(fs) != 1 || fs[0].Code != "W2" {
		t.Fatalf("want one W2, got %+v", fs)
	}
	offered := strings.Split(strings.TrimSuffix(strings.TrimPrefix(fs[0].Fix, "Did you mean "), "?"), ", ")
	if len(offered) == 0 || slices.Contains(offered, "eastus") {
		t.Errorf("W2 suggests the typed value: %q", fs[0].Fix)
	}
	if got := closest("Standard_D3_v2", []string{"Standard_D3_v2", "Standard_D2_v2"}, 3); len(got) != 1 || got[0] != "Standard_D2_v2" {
		t.Errorf("closest = %v", got)
	}
}

func TestScaleBeyondAPool(t *testing.T) {
	t.Parallel()
	cur := Compute{Name: "aks", Purpose: PurposeFastProd, VMSize: "Standard_D3_v2", Nodes: 3}
	got := findingKeys(CheckScale(ScaleRequest{NodeCount: 5000}, cur, Facts{}))
	if want := []string{"P5 nodeCount error"}; !reflect.DeepEqual(got, want) {
		t.Errorf("scale to 5000: %v", got)
	}
}

func TestDuplicateTagsInALink(t *testing.T) {
	t.Parallel()
	_, fs := DecodeLink(url.Values{"tag": {"team=a", "team=b"}})
	if got := findingKeys(fs); !reflect.DeepEqual(got, []string{"D2 tags error"}) {
		t.Errorf("duplicate tags: %v", got)
	}
}

func TestPrivateClusterWithPublicFQDNIsAnError(t *testing.T) {
	t.Parallel()
	var c checker
	checkClusterAccess(&c, FieldTargetID, Cluster{Private: true, PrivateFQDNPublic: true}, Facts{})
	if !c.out.HasErrors() {
		t.Errorf("a private cluster with a public FQDN: %+v", c.out)
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	for word, want := range map[string]string{
		"AKS": "an AKS", "AmlCompute": "an AmlCompute", "Kubernetes": "a Kubernetes", "FPGA": "an FPGA", "GPU": "a GPU",
		"integer": "an integer", "user": "a user", "8-core": "an 8-core", "3-node": "a 3-node", "hour": "a hour",
	} {
		if word == "hour" {
			continue // silent h is not guessed; no rule says hour
		}
		if got := WithArticle(word); got != want {
			t.Errorf("WithArticle(%q) = %q, want %q", word, got, want)
		}
	}
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{{1, "node", "1 node"}, {0, "node", "0 nodes"}, {3, "node", "3 nodes"}, {2, "policy", "2 policies"}, {2, "address", "2 addresses"}, {1, "vCPU", "1 vCPU"}, {2, "day", "2 days"}} {
		if got := Count(tc.n, tc.noun); got != tc.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
	if got := TypeWord(reflect.TypeOf(0)); got != "an integer" {
		t.Errorf("TypeWord(int) = %q", got)
	}
	if got := TypeWord(reflect.TypeOf("")); got != "text" {
		t.Errorf("TypeWord(string) = %q", got)
	}
}

// TestProductionNodesSingular: one node is "1 node".
func TestProductionNodesSingular(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.NodeCount = 1
	for _, f := range Validate(req, baseFacts()) {
		if strings.Contains(f.Message, "1 nodes") || strings.Contains(f.Fix, "1 nodes") {
			t.Errorf("%s says %q / %q", f.Code, f.Message, f.Fix)
		}
	}
}
