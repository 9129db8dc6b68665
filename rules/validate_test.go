package rules

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Fixtures shared by the tests of the package.
const (
	testSub       = "00000000-0000-0000-0000-000000000001"
	testClusterID = "/subscriptions/" + testSub + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
)

// validCreate is a create request that passes every rule: Validate finds
// only the V4 note about the Basic load balancer.
func validCreate() Request {
	return Request{
		Mode:      ModeCreate,
		Workspace: WorkspaceRef{Subscription: testSub, ResourceGroup: "rg-ml", Name: "ws-prod"},
		Name:      "aks-prod",
		Purpose:   PurposeFastProd,
		Location:  "eastus",
		VMSize:    "Standard_D3_v2",
		NodeCount: 3,
	}
}

// validAttach is an attach request that passes every rule with no finding.
func validAttach() Request {
	return Request{
		Mode:      ModeAttach,
		Workspace: WorkspaceRef{Subscription: testSub, ResourceGroup: "rg-ml", Name: "ws-prod"},
		Name:      "aks-attached",
		Purpose:   PurposeFastProd,
		Target:    Target{ResourceID: testClusterID},
	}
}

func baseFacts() Facts { return Facts{WorkspaceLocation: "eastus"} }

// findingKeys renders findings as sorted "code field severity" strings.
func findingKeys(fs Findings, ignore ...string) []string {
	out := []string{}
	for _, f := range fs {
		if slices.Contains(ignore, f.Code) {
			continue
		}
		out = append(out, f.Code+" "+f.Field+" "+string(f.Severity))
	}
	slices.Sort(out)
	return out
}

// diffLines is a small line diff: lines only in want get "-", only in got "+".
func diffLines(want, got []string) string {
	var b strings.Builder
	w, g := slices.Clone(want), slices.Clone(got)
	for _, x := range w {
		if i := slices.Index(g, x); i >= 0 {
			g = slices.Delete(g, i, i+1)
			continue
		}
		fmt.Fprintf(&b, "-%s\n", x)
	}
	for _, x := range g {
		fmt.Fprintf(&b, "+%s\n", x)
	}
	return b.String()
}

// assertFindings checks that the findings are exactly want (as "code field
// severity" strings, in any order), leaving out the codes in ignore.
func assertFindings(tb testing.TB, got Findings, want []string, ignore ...string) {
	tb.Helper()
	g := findingKeys(got, ignore...)
	w := slices.Clone(want)
	if w == nil {
		w = []string{}
	}
	slices.Sort(w)
	if !reflect.DeepEqual(w, g) {
		tb.Errorf("findings mismatch (-want +got):\n%s\nall findings:\n%s", diffLines(w, g), dumpFindings(got))
	}
}

func dumpFindings(fs Findings) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s: %s | %s\n", f.Code, f.Field, f.Severity, f.Message, f.Fix)
	}
	return b.String()
}

// assertWellFormed checks the invariants every finding keeps.
func assertWellFormed(tb testing.TB, fs Findings) {
	tb.Helper()
	for _, f := range fs {
		if f.Code == "" || f.Field == "" || f.Message == "" {
			tb.Errorf("finding with an empty code, field or message: %+v", f)
		}
		if _, ok := severityRank[f.Severity]; !ok {
			tb.Errorf("finding with unknown severity %q: %+v", f.Severity, f)
		}
	}
}

func findCode(fs Findings, code string) (Finding, bool) {
	for _, f := range fs {
		if f.Code == code {
			return f, true
		}
	}
	return Finding{}, false
}

func TestValidBaselines(t *testing.T) {
	t.Parallel()
	assertFindings(t, Validate(validCreate(), baseFacts()), []string{"V4 loadBalancer.type info"})
	assertFindings(t, Validate(validAttach(), baseFacts()), nil)
}

func TestValidateWorkspace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ws   WorkspaceRef
		want []string
	}{
		{"valid", WorkspaceRef{testSub, "rg-ml", "ws-prod"}, nil},
		{"valid upper-case GUID and parentheses", WorkspaceRef{"ABCDEF00-0000-0000-0000-0000000000FF", "rg(ml)_1.x", "Ws_1"}, nil},
		{"all missing: one finding, on the picker", WorkspaceRef{}, []string{"W1 workspace.name error"}},
		{"only the name given", WorkspaceRef{Name: "ws-prod"}, []string{"W1 workspace.subscription error", "W1 workspace.resourceGroup error"}},
		{"subscription not a GUID", WorkspaceRef{"my-sub", "rg", "ws-prod"}, []string{"W1 workspace.subscription error"}},
		{"subscription with a g", WorkspaceRef{"g0000000-0000-0000-0000-000000000001", "rg", "ws-prod"}, []string{"W1 workspace.subscription error"}},
		{"resource group ends with a period", WorkspaceRef{testSub, "rg.", "ws-prod"}, []string{"W1 workspace.resourceGroup error"}},
		{"resource group with a slash", WorkspaceRef{testSub, "rg/x", "ws-prod"}, []string{"W1 workspace.resourceGroup error"}},
		{"resource group too long", WorkspaceRef{testSub, strings.Repeat("r", 91), "ws-prod"}, []string{"W1 workspace.resourceGroup error"}},
		{"workspace name too short", WorkspaceRef{testSub, "rg", "ws"}, []string{"W1 workspace.name error"}},
		{"workspace name starts with hyphen", WorkspaceRef{testSub, "rg", "-ws1"}, []string{"W1 workspace.name error"}},
		{"workspace name too long", WorkspaceRef{testSub, "rg", strings.Repeat("w", 34)}, []string{"W1 workspace.name error"}},
		{"workspace name with a dot", WorkspaceRef{testSub, "rg", "ws.prod"}, []string{"W1 workspace.name error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validAttach()
			req.Workspace = tt.ws
			assertFindings(t, Validate(req, baseFacts()), tt.want)
		})
	}
}

func TestValidateName(t *testing.T) {
	t.Parallel()
	facts := baseFacts()
	facts.Computes = []Compute{{Name: "cpu-cluster", Type: "AmlCompute"}, {Name: "aks-old", Type: "AKS", ClusterID: "/x"}}
	facts.RegionNames = []string{"shared-aks"}
	tests := []struct {
		name    string
		compute string
		want    []string
	}{
		{"valid", "aks-prod", nil},
		{"three characters", "ab1", nil},
		{"twenty-four characters", strings.Repeat("a", 24), nil},
		{"upper case", "AKS-Prod", nil},
		{"N1 empty", "", []string{"N1 name error"}},
		{"N1 too short", "ab", []string{"N1 name error"}},
		{"N1 too long", strings.Repeat("a", 25), []string{"N1 name error"}},
		{"N2 starts with a digit", "1aks", []string{"N2 name error"}},
		{"N2 and N4 starts and ends with hyphens", "-aks-", []string{"N2 name error", "N4 name error"}},
		{"N3 underscore", "aks_prod", []string{"N3 name error"}},
		{"N3 space and dot once", "aks prod.x", []string{"N3 name error"}},
		{"N3 non-ASCII letter", "akś-prod", []string{"N3 name error"}},
		{"N2 and N3 non-ASCII first letter", "ékaks", []string{"N2 name error", "N3 name error"}},
		{"N4 ends with a hyphen", "aks-", []string{"N4 name error"}},
		{"N1 N2 N4 two hyphens", "--", []string{"N1 name error", "N2 name error", "N4 name error"}},
		{"N5 taken by another compute type", "cpu-cluster", []string{"N5 name error"}},
		{"N5 case-insensitive", "AKS-OLD", []string{"N5 name error"}},
		{"N6 taken in the region", "shared-aks", []string{"N6 name error"}},
		{"N7 reserved", "local", []string{"N7 name error"}},
		{"N7 reserved any case", "AmlCompute", []string{"N7 name error"}},
		{"N7 containerinstance", "containerinstance", []string{"N7 name error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validAttach()
			req.Name = tt.compute
			fs := Validate(req, facts)
			assertFindings(t, fs, tt.want)
			assertWellFormed(t, fs)
		})
	}
}

func TestValidateNameMessages(t *testing.T) {
	t.Parallel()
	req := validAttach()
	req.Name = "aks prod_x"
	f, _ := findCode(Validate(req, baseFacts()), "N3")
	if !strings.Contains(f.Message, `a space, "_"`) {
		t.Errorf("N3 message does not list the characters: %q", f.Message)
	}
	req.Name = strings.Repeat("a", 30)
	f, _ = findCode(Validate(req, baseFacts()), "N1")
	if !strings.Contains(f.Message, "30 characters") {
		t.Errorf("N1 message does not count: %q", f.Message)
	}
}

func TestValidatePurposeAndSize(t *testing.T) {
	t.Parallel()
	facts := baseFacts()
	tests := []struct {
		name   string
		edit   func(*Request)
		facts  *Facts
		want   []string
		ignore []string
	}{
		{name: "valid FastProd 3 x D3_v2", edit: func(r *Request) {}},
		{name: "valid DenseProd 3 x D4_v2", edit: func(r *Request) { r.Purpose, r.VMSize = PurposeDenseProd, "Standard_D4_v2" }},
		{name: "P1 no purpose means production", edit: func(r *Request) { r.Purpose = "" },
			want: []string{"P1 purpose info"}},
		{name: "P1 no purpose with 2 nodes is production", edit: func(r *Request) { r.Purpose, r.NodeCount = "", 2 },
			want: []string{"P1 purpose info", "P2 nodeCount error", "P5 nodeCount error"}},
		{name: "P1 unknown purpose", edit: func(r *Request) { r.Purpose = "Prod" },
			want: []string{"P1 purpose error"}},
		{name: "P1 unknown purpose skips the vCPU checks", edit: func(r *Request) { r.Purpose, r.NodeCount = "prod", 1 },
			want: []string{"P1 purpose error"}},
		{name: "P2 two D3_v2 nodes", edit: func(r *Request) { r.NodeCount = 2 },
			want: []string{"P2 nodeCount error", "P5 nodeCount error"}},
		{name: "P2 three D2_v2 nodes is 6 vCPUs", edit: func(r *Request) { r.VMSize = "Standard_D2_v2" },
			want: []string{"P2 nodeCount error"}},
		{name: "P2 six D2_v2 nodes pass", edit: func(r *Request) { r.VMSize, r.NodeCount = "Standard_D2_v2", 6 }},
		{name: "P2 default size and count pass", edit: func(r *Request) { r.VMSize, r.NodeCount = "", 0 }},
		{name: "P3 dev/test one 1-core node", edit: func(r *Request) { r.Purpose, r.VMSize, r.NodeCount = PurposeDevTest, "Standard_A1_v2", 1 },
			facts: &Facts{WorkspaceLocation: "eastus", VMSizes: []VMSize{{Name: "Standard_A1_v2", VCPUs: 1}}},
			want:  []string{"P3 nodeCount warning", "P4 purpose warning"}}, // a recommendation
		{name: "P3 dev/test two 1-core nodes pass", edit: func(r *Request) { r.Purpose, r.VMSize, r.NodeCount = PurposeDevTest, "Standard_A1_v2", 2 },
			facts: &Facts{WorkspaceLocation: "eastus", VMSizes: []VMSize{{Name: "Standard_A1_v2", VCPUs: 1}}},
			want:  []string{"P4 purpose warning"}},
		{name: "P4 dev/test one D2_v2 node", edit: func(r *Request) { r.Purpose, r.VMSize, r.NodeCount = PurposeDevTest, "Standard_D2_v2", 1 },
			want: []string{"P4 purpose warning"}},
		{name: "P5 negative node count", edit: func(r *Request) { r.NodeCount = -1 },
			want: []string{"P5 nodeCount error"}},
		{name: "P5 production needs 3 nodes even when big", edit: func(r *Request) { r.VMSize, r.NodeCount = "Standard_D16s_v3", 1 },
			want: []string{"P5 nodeCount error"}},
		{name: "P5 dev/test one node is fine", edit: func(r *Request) { r.Purpose, r.VMSize, r.NodeCount = PurposeDevTest, "Standard_D16s_v3", 1 },
			want: []string{"P4 purpose warning"}},
		{name: "P6 unknown size in catalogue", edit: func(r *Request) { r.VMSize = "Standard_D3_v9" },
			want: []string{"P6 vmSize error"}},
		{name: "P6 unknown size in location", edit: func(r *Request) { r.VMSize = "Standard_D3_v2" },
			facts: &Facts{WorkspaceLocation: "eastus", VMSizes: []VMSize{{Name: "Standard_D4_v2", VCPUs: 8}}},
			want:  []string{"P6 vmSize error"}},
		{name: "P6 size name is case-insensitive", edit: func(r *Request) { r.VMSize = "standard_d3_V2" }},
		{name: "P7 GPU size", edit: func(r *Request) { r.VMSize = "Standard_NC6s_v3" },
			want: []string{"P7 vmSize info"}},
		{name: "P7 FPGA size", edit: func(r *Request) { r.VMSize = "Standard_PB6s" },
			want: []string{"P7 vmSize info"}},
		{name: "T3 location differs from workspace", edit: func(r *Request) { r.Location = "westeurope" },
			want: []string{"T3 location info"}},
		{name: "location default is the workspace's", edit: func(r *Request) { r.Location = "" }},
		{name: "K1 default version shown", edit: func(r *Request) {},
			facts: &Facts{WorkspaceLocation: "eastus", Versions: []KubernetesVersion{{Version: "1.31.2"}, {Version: "1.32.7", Default: true}}},
			want:  []string{"K1 location info"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validCreate()
			tt.edit(&req)
			f := facts
			if tt.facts != nil {
				f = *tt.facts
			}
			fs := Validate(req, f)
			assertFindings(t, fs, tt.want, append(tt.ignore, "V4")...)
			assertWellFormed(t, fs)
		})
	}
}

func TestP2Arithmetic(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.NodeCount = 2
	fs := Validate(req, baseFacts())
	f, ok := findCode(fs, "P2")
	if !ok {
		t.Fatalf("no P2 finding:\n%s", dumpFindings(fs))
	}
	if want := "2 nodes × 4 cores of Standard_D3_v2 = 8"; !strings.Contains(f.Message, want) {
		t.Errorf("P2 message = %q, want it to hold %q", f.Message, want)
	}
	if !strings.Contains(f.Message, "12 vCPUs") {
		t.Errorf("P2 message = %q, want it to name the minimum of 12 vCPUs", f.Message)
	}
	if want := "at least 3 nodes"; !strings.Contains(f.Fix, want) {
		t.Errorf("P2 fix = %q, want it to hold %q", f.Fix, want)
	}

	// The smallest passing count is computed from the cores: 3 x D2_v2 (2 cores) needs 6.
	req.NodeCount, req.VMSize = 3, "Standard_D2_v2"
	f, _ = findCode(Validate(req, baseFacts()), "P2")
	if !strings.Contains(f.Message, "3 nodes × 2 cores of Standard_D2_v2 = 6") || !strings.Contains(f.Fix, "at least 6 nodes") {
		t.Errorf("P2 for D2_v2 = %q / %q", f.Message, f.Fix)
	}
}

func TestP6SuggestsClosest(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.VMSize = "Standard_D3_v3"
	f, ok := findCode(Validate(req, baseFacts()), "P6")
	if !ok || !strings.Contains(f.Fix, "Standard_D3_v2") {
		t.Errorf("P6 = %+v, want a fix naming Standard_D3_v2", f)
	}
}

func TestMinNodesAndVCPUs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Purpose
		size VMSize
		want int
	}{
		{"production 4 cores", PurposeFastProd, VMSize{Name: "D3", VCPUs: 4}, 3},
		{"production 2 cores", PurposeFastProd, VMSize{Name: "D2", VCPUs: 2}, 6},
		{"production 5 cores rounds up", PurposeDenseProd, VMSize{Name: "X", VCPUs: 5}, 3},
		{"production 16 cores still 3 nodes", "", VMSize{Name: "D16", VCPUs: 16}, 3},
		{"dev/test 1 core", PurposeDevTest, VMSize{Name: "A1", VCPUs: 1}, 2},
		{"dev/test 4 cores", PurposeDevTest, VMSize{Name: "D3", VCPUs: 4}, 1},
		{"unknown cores", PurposeFastProd, VMSize{Name: "?"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MinNodes(tt.p, tt.size); got != tt.want {
				t.Errorf("MinNodes = %d, want %d", got, tt.want)
			}
		})
	}
	if MinVCPUs(PurposeDevTest) != 2 || MinVCPUs(PurposeFastProd) != 12 || MinVCPUs("") != 12 {
		t.Error("MinVCPUs: want 2 for dev/test, 12 for production")
	}
}

func TestValidateMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  func() Request
		want []string
	}{
		{"M1 empty mode", func() Request { r := validCreate(); r.Mode = ""; return r }, []string{"M1 mode error"}},
		{"M1 unknown mode", func() Request { r := validCreate(); r.Mode = "delete"; r.Name = ""; return r }, []string{"M1 mode error"}},
		{"M2 attach with create-only fields", func() Request {
			r := validAttach()
			r.Location, r.VMSize, r.NodeCount = "westus", "Standard_D3_v2", 3
			r.Network = Network{VnetName: "vnet"}
			return r
		}, []string{"M2 location warning", "M2 vmSize warning", "M2 nodeCount warning", "M2 network warning"}},
		{"M2 create with a target", func() Request {
			r := validCreate()
			r.Target = Target{ResourceID: testClusterID}
			return r
		}, []string{"M2 target warning", "V4 loadBalancer.type info"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, Validate(tt.req(), baseFacts()), tt.want)
		})
	}
}

func TestValidateDescriptionAndTags(t *testing.T) {
	t.Parallel()
	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	tests := []struct {
		name string
		desc string
		tags map[string]string
		want []string
	}{
		{"valid", "Production scoring for team A", map[string]string{"team": "a", "cost-center": ""}, nil},
		{"D1 1024 characters pass", strings.Repeat("é", 1024), nil, nil},
		{"D1 too long", strings.Repeat("d", 1025), nil, []string{"D1 description error"}},
		{"D2 too many tags", "", many, []string{"D2 tags error"}},
		{"D2 empty tag name", "", map[string]string{"": "x"}, []string{"D2 tags error"}},
		{"D2 forbidden character in name", "", map[string]string{"a/b": "x", "c%": "y"}, []string{"D2 tags error", "D2 tags error"}},
		{"D2 name too long", "", map[string]string{strings.Repeat("k", 513): "x"}, []string{"D2 tags error"}},
		{"D2 control character in value", "", map[string]string{"k": "a\nb"}, []string{"C1 tags error", "D2 tags error"}},
		{"D2 value too long", "", map[string]string{"k": strings.Repeat("v", 257)}, []string{"D2 tags error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validAttach()
			req.Description, req.Tags = tt.desc, tt.tags
			assertFindings(t, Validate(req, baseFacts()), tt.want)
		})
	}
}

func TestValidateOrderAndDeterminism(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.Name = "1-"
	req.Purpose = ""
	req.NodeCount = 2
	req.Tags = map[string]string{"b/": "x", "a/": "y", "c": "z"}
	req.Network = Network{VnetName: "vnet", ServiceCIDR: "10.0.0.0/16"}
	facts := baseFacts()
	facts.RegionNames = []string{"1-"}
	first := Validate(req, facts)
	for range 20 {
		if again := Validate(req, facts); !reflect.DeepEqual(first, again) {
			t.Fatalf("Validate is not deterministic:\n%s\nthen\n%s", dumpFindings(first), dumpFindings(again))
		}
	}
	// Errors first, then warnings, then infos; by field within a severity.
	for i := 1; i < len(first); i++ {
		a, b := first[i-1], first[i]
		if severityRank[a.Severity] > severityRank[b.Severity] ||
			severityRank[a.Severity] == severityRank[b.Severity] && a.Field > b.Field {
			t.Errorf("findings out of order at %d:\n%s", i, dumpFindings(first))
			break
		}
	}
	if !first.HasErrors() || len(first.Errors()) == len(first) {
		t.Errorf("want both errors and non-errors:\n%s", dumpFindings(first))
	}
	for _, f := range first.Errors() {
		if f.Severity != SeverityError {
			t.Errorf("Errors() returned %+v", f)
		}
	}
	if got := first.For(FieldName).Codes(); !reflect.DeepEqual(got, []string{"N1", "N2", "N4", "N6"}) {
		t.Errorf("For(name).Codes() = %v", got)
	}
}

func TestNormalized(t *testing.T) {
	t.Parallel()
	got := Request{Mode: ModeCreate}.Normalized("westeurope")
	want := Request{Mode: ModeCreate, Purpose: PurposeFastProd, Location: "westeurope", VMSize: DefaultVMSize, NodeCount: DefaultNodeCount,
		LoadBalancer: LoadBalancer{Type: LoadBalancerPublicIP}, TLS: TLS{Mode: TLSDisabled}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Normalized create = %+v, want %+v", got, want)
	}
	got = Request{Mode: ModeAttach}.Normalized("westeurope")
	want = Request{Mode: ModeAttach, Purpose: PurposeFastProd, LoadBalancer: LoadBalancer{Type: LoadBalancerPublicIP}, TLS: TLS{Mode: TLSDisabled}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Normalized attach = %+v, want %+v", got, want)
	}
}

func TestRedacted(t *testing.T) {
	t.Parallel()
	req := validCreate()
	req.TLS = TLS{Mode: TLSCustom, CertPEM: "cert", KeyPEM: "key", CNAME: "x.example.com"}
	req.Tags = map[string]string{"a": "b"}
	red := req.Redacted()
	if red.TLS.CertPEM != "" || red.TLS.KeyPEM != "" || red.TLS.CNAME != "x.example.com" {
		t.Errorf("Redacted TLS = %+v", red.TLS)
	}
	red.Tags["a"] = "changed"
	if req.Tags["a"] != "b" {
		t.Error("Redacted shares the tags map with the original")
	}
}

func TestErrorType(t *testing.T) {
	t.Parallel()
	if got := Errorf(ErrInvalid, "name", "bad").Error(); got != "invalid: name: bad" {
		t.Errorf("Error() = %q", got)
	}
	if got := Errorf(ErrQuota, "", "no quota").Error(); got != "quota: no quota" {
		t.Errorf("Error() = %q", got)
	}
}

func TestValidateUnknownLocation(t *testing.T) {
	t.Parallel()
	req := Request{Mode: ModeCreate, Workspace: WorkspaceRef{testSub, "rg", "ws-prod"}, Name: "aks-prod", Location: "eastuss"}
	fs := Validate(req, Facts{WorkspaceLocation: "eastus", VMSizes: []VMSize{}})
	got := fs.For(FieldLocation).Errors()
	if len(got) != 1 || got[0].Code != "W2" || !strings.Contains(got[0].Fix, "eastus") {
		t.Errorf("unknown location findings: %+v", got)
	}
	if fs := Validate(req, Facts{WorkspaceLocation: "eastus"}); len(fs.For(FieldLocation).Errors()) != 0 {
		t.Errorf("with the sizes unknown, the location is not judged: %+v", fs.For(FieldLocation))
	}
}

// TestFocusedChecksAgreeWithValidate: the checks the proxy runs on URL paths
// give the same findings as the whole rulebook for those fields.
func TestFocusedChecksAgreeWithValidate(t *testing.T) {
	t.Parallel()
	ws := WorkspaceRef{testSub, "rg", "ws-prod"}
	for _, name := range []string{"", "a", "9bad_name", "ok-name", "ends-", "../x"} {
		all := Validate(Request{Mode: ModeAttach, Workspace: ws, Name: name, Target: Target{ResourceGroup: "rg", Name: "c"}}, Facts{})
		var want Findings
		for _, f := range all.For(FieldName) {
			if f.Code <= "N4" {
				want = append(want, f)
			}
		}
		if got := CheckNameShape(name); !reflect.DeepEqual([]Finding(got), []Finding(want)) {
			t.Errorf("CheckNameShape(%q) = %v, want %v", name, got, want)
		}
	}
	bad := WorkspaceRef{"nope", "rg.", "w"}
	if got, want := len(CheckWorkspace(bad)), len(Validate(Request{Mode: ModeCreate, Workspace: bad}, Facts{}).For(FieldSubscription))+2; got != want {
		t.Errorf("CheckWorkspace gives %d findings, want %d", got, want)
	}
	p := &Policy{ResourceGroups: []string{"ml-rg"}}
	if fs := CheckScope(p, ws); len(fs) != 1 || fs[0].Code != "G1" || fs[0].Field != FieldResourceGroup {
		t.Errorf("CheckScope = %v", fs)
	}
	if fs := CheckScope(nil, ws); fs != nil {
		t.Errorf("a nil policy refuses: %v", fs)
	}
}
