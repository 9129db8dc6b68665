package rules

import (
	"strings"
	"testing"
)

func testPolicy() *Policy {
	return &Policy{
		Subscriptions:  []string{testSub},
		ResourceGroups: []string{"rg-ml", "rg-ml-dev", "rg-aks"}, // rg-aks: the attach target's
		Workspaces:     []string{"ws-prod", "ws-dev"},
		VMSizes:        []string{"Standard_D3_v2", "Standard_D4_v2", "Standard_D2_v2"},
		Purposes:       []string{"FastProd", "DevTest"},
		MaxNodes:       6,
		MaxVCPUs:       32,
		RequiredTags:   []string{"cost-center"},
	}
}

func TestValidatePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		attach bool
		edit   func(*Request)
		policy func(*Policy)
		want   []string
	}{
		{name: "allowed create", edit: func(r *Request) {}},
		{name: "allowed attach", attach: true, edit: func(r *Request) {}},
		{name: "empty policy allows anything", edit: func(r *Request) { r.Tags = nil; r.NodeCount = 40 }, policy: func(p *Policy) { *p = Policy{} }},
		{name: "case-insensitive lists", edit: func(r *Request) { r.Workspace.ResourceGroup, r.VMSize = "RG-ML", "standard_d3_v2" }},
		{name: "G1 subscription", edit: func(r *Request) { r.Workspace.Subscription = "00000000-0000-0000-0000-000000000002" },
			want: []string{"G1 workspace.subscription error"}},
		{name: "G1 resource group and workspace", edit: func(r *Request) { r.Workspace.ResourceGroup, r.Workspace.Name = "rg-other", "ws-other" },
			want: []string{"G1 workspace.resourceGroup error", "G1 workspace.name error"}},
		{name: "G1 applies to attach", attach: true, edit: func(r *Request) { r.Workspace.Name = "ws-other" },
			want: []string{"G1 workspace.name error"}},
		{name: "G2 VM size not allowed", edit: func(r *Request) { r.VMSize = "Standard_D8s_v3" },
			want: []string{"G2 vmSize error"}},
		{name: "G2 default size checked", edit: func(r *Request) { r.VMSize = "" }, policy: func(p *Policy) { p.VMSizes = []string{"Standard_D4_v2"} },
			want: []string{"G2 vmSize error"}},
		{name: "G3 too many nodes", edit: func(r *Request) { r.NodeCount = 7; r.VMSize = "Standard_D2_v2" },
			want: []string{"G3 nodeCount error"}},
		{name: "G3 at the cap", edit: func(r *Request) { r.NodeCount = 6; r.VMSize = "Standard_D2_v2" }},
		{name: "G4 too many vCPUs", edit: func(r *Request) { r.NodeCount, r.VMSize = 5, "Standard_D4_v2" },
			want: []string{"G4 nodeCount error"}},
		{name: "G4 at the cap", edit: func(r *Request) { r.NodeCount, r.VMSize = 4, "Standard_D4_v2" }},
		{name: "G3 and G4 together", edit: func(r *Request) { r.NodeCount, r.VMSize = 8, "Standard_D4_v2" },
			want: []string{"G3 nodeCount error", "G4 nodeCount error"}},
		{name: "G2 G3 G4 do not apply to attach", attach: true, edit: func(r *Request) {}, policy: func(p *Policy) { p.VMSizes, p.MaxNodes, p.MaxVCPUs = []string{"x"}, 1, 1 }},
		{name: "G5 purpose", edit: func(r *Request) { r.Purpose = PurposeDenseProd },
			want: []string{"G5 purpose error"}},
		{name: "G5 default purpose is FastProd", edit: func(r *Request) { r.Purpose = "" }, policy: func(p *Policy) { p.Purposes = []string{"DevTest"} },
			want: []string{"G5 purpose error", "P1 purpose info"}},
		{name: "G6 required tag missing", edit: func(r *Request) { r.Tags = map[string]string{"team": "a"} },
			want: []string{"G6 tags error"}},
		{name: "G6 required tag blank", attach: true, edit: func(r *Request) { r.Tags = map[string]string{"cost-center": " "} },
			want: []string{"G6 tags error"}},
		{name: "G1 attach target's resource group", attach: true, edit: func(r *Request) {
			r.Target.ResourceID = strings.Replace(testClusterID, "rg-aks", "rg-secret", 1)
		}, want: []string{"G1 target.resourceId error"}},
		{name: "G1 attach target's subscription", attach: true, edit: func(r *Request) {
			r.Target.ResourceID = strings.Replace(testClusterID, testSub, "00000000-0000-0000-0000-000000000009", 1)
		}, want: []string{"G1 target.resourceId error"}},
		{name: "G1 attach target by group and name", attach: true, edit: func(r *Request) {
			r.Target = Target{ResourceGroup: "rg-secret", Name: "aks1"}
		}, want: []string{"G1 target.resourceGroup error"}},
		{name: "G4 node count that would overflow", edit: func(r *Request) { r.NodeCount, r.VMSize = 1<<62+1, "Standard_D4_v2" },
			want: []string{"G3 nodeCount error", "G4 nodeCount error", "P5 nodeCount error"}},
		{name: "G6 two required tags missing", edit: func(r *Request) { r.Tags = nil }, policy: func(p *Policy) { p.RequiredTags = []string{"cost-center", "owner"} },
			want: []string{"G6 tags error", "G6 tags error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validCreate()
			if tt.attach {
				req = validAttach()
			}
			req.Tags = map[string]string{"cost-center": "cc-42"}
			tt.edit(&req)
			facts := baseFacts()
			facts.Policy = testPolicy()
			if tt.policy != nil {
				tt.policy(facts.Policy)
			}
			fs := Validate(req, facts)
			assertFindings(t, fs, tt.want, "V4")
			assertWellFormed(t, fs)
		})
	}
}

func TestPolicyMessages(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.NodeCount, req.VMSize = 5, "Standard_D4_v2"
	facts := baseFacts()
	facts.Policy = testPolicy()
	f, _ := findCode(Validate(req, facts), "G4")
	if want := "5 nodes × 8 cores = 40"; !strings.Contains(f.Message, want) || !strings.Contains(f.Message, "32") {
		t.Errorf("G4 message = %q, want %q and the cap", f.Message, want)
	}
	req = validCreate()
	req.Workspace.Name = "ws-other"
	f, _ = findCode(Validate(req, facts), "G1")
	if !strings.Contains(f.Message, "ws-prod, ws-dev") {
		t.Errorf("G1 message = %q, want the allowed workspaces", f.Message)
	}
}

func TestCheckScale(t *testing.T) {
	t.Parallel()
	prod := Compute{Name: "aks-prod", Type: "AKS", Purpose: PurposeFastProd, VMSize: "Standard_D3_v2", Nodes: 3}
	dev := Compute{Name: "aks-dev", Type: "AKS", Purpose: PurposeDevTest, VMSize: "Standard_D2_v2", Nodes: 1}
	tests := []struct {
		name    string
		req     ScaleRequest
		current Compute
		policy  *Policy
		want    []string
	}{
		{name: "grow", req: ScaleRequest{NodeCount: 5}, current: prod},
		{name: "same VM size named again", req: ScaleRequest{NodeCount: 4, VMSize: "standard_D3_v2"}, current: prod},
		{name: "S1 change the VM size", req: ScaleRequest{NodeCount: 3, VMSize: "Standard_D4_v2"}, current: prod,
			want: []string{"S1 vmSize error"}},
		{name: "S1 and too few nodes", req: ScaleRequest{NodeCount: 2, VMSize: "Standard_D4_v2"}, current: prod,
			want: []string{"S1 vmSize error", "P5 nodeCount error", "P2 nodeCount error"}},
		{name: "P5 zero nodes", req: ScaleRequest{NodeCount: 0}, current: prod, want: []string{"P5 nodeCount error"}},
		{name: "P5 negative nodes", req: ScaleRequest{NodeCount: -3}, current: dev, want: []string{"P5 nodeCount error"}},
		{name: "P2 and P5 production shrinks to 2", req: ScaleRequest{NodeCount: 2}, current: prod,
			want: []string{"P5 nodeCount error", "P2 nodeCount error"}},
		{name: "P2 production of small nodes", req: ScaleRequest{NodeCount: 5}, current: Compute{Purpose: PurposeDenseProd, VMSize: "Standard_D2_v2"},
			want: []string{"P2 nodeCount error"}},
		{name: "no purpose is production", req: ScaleRequest{NodeCount: 1}, current: Compute{VMSize: "Standard_D16s_v3"},
			want: []string{"P5 nodeCount error"}},
		{name: "dev/test shrinks to 1", req: ScaleRequest{NodeCount: 1}, current: dev},
		{name: "unknown size skips the vCPU checks", req: ScaleRequest{NodeCount: 3}, current: Compute{Purpose: PurposeFastProd, VMSize: "Custom_Size"}},
		{name: "G3 over the node cap", req: ScaleRequest{NodeCount: 7}, current: prod, policy: &Policy{MaxNodes: 6},
			want: []string{"G3 nodeCount error"}},
		{name: "G4 over the vCPU cap", req: ScaleRequest{NodeCount: 5}, current: prod, policy: &Policy{MaxVCPUs: 16},
			want: []string{"G4 nodeCount error"}},
		{name: "caps not reached", req: ScaleRequest{NodeCount: 4}, current: prod, policy: &Policy{MaxNodes: 4, MaxVCPUs: 16}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := CheckScale(tt.req, tt.current, Facts{Policy: tt.policy})
			assertFindings(t, fs, tt.want)
			assertWellFormed(t, fs)
		})
	}
}

func TestS1Message(t *testing.T) {
	t.Parallel()
	fs := CheckScale(ScaleRequest{NodeCount: 3, VMSize: "Standard_D4_v2"}, Compute{Purpose: PurposeFastProd, VMSize: "Standard_D3_v2"}, Facts{})
	f, ok := findCode(fs, "S1")
	if !ok || !strings.Contains(strings.ToLower(f.Fix), "create a new cluster") || !strings.Contains(f.Message, "Standard_D3_v2") {
		t.Errorf("S1 = %+v, want the current size and \"create a new cluster\"", f)
	}
	fs = CheckScale(ScaleRequest{NodeCount: 2}, Compute{Purpose: PurposeFastProd, VMSize: "Standard_D3_v2"}, Facts{})
	f, _ = findCode(fs, "P2")
	if !strings.Contains(f.Message, "2 nodes × 4 cores of Standard_D3_v2 = 8") || !strings.Contains(f.Fix, "at least 3 nodes") {
		t.Errorf("P2 on scale = %q / %q", f.Message, f.Fix)
	}
}
