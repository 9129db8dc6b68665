//go:build !(js && wasm)

package proxy_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// The sample world shows every rule: for each code of the rules table that
// needs Azure's facts or the platform's policy (rules.Rule.Needs), a request
// against the emulator's sample world whose /api/validate answer carries the
// code on its field, for each compute kind the rule is for (a rule of both
// kinds needs a v1 and a v2 sample). Codes that need nothing but the request
// (NeedsNothing) are shown by the rules-level tables instead
// (rules/validate_test.go, rules/kubernetes_test.go, rules/shape_test.go;
// rules/codes_test.go holds that each is emitted and found without facts);
// the few of them that also read a fact of Azure's (V2's subnet range, V4 and
// P5 of an attach target, T2 of a missing cluster, X1 of a service
// principal, X5 of a small cluster: readsFacts) must have samples here too.

// readsFacts are the request-only codes (NeedsNothing) that also read a
// fact of Azure's in one of their checks, and so need a sample too.
var readsFacts = []string{"V2", "V4", "P5", "T2", "X1", "X5"}

// samplePolicy is the platform policy of the G cases: the sample workspaces
// but ws-east2, the sample sizes of 4 vCPUs, production only, at most 10
// nodes and 32 vCPUs, and a costCenter tag.
var samplePolicy = rules.Policy{
	Workspaces:   []string{"ws-east", "ws-west", "ws-locked"},
	VMSizes:      []string{"Standard_D3_v2", "Standard_D4s_v3", "Standard_DS3_v2"},
	Purposes:     []string{"FastProd", "DenseProd"},
	MaxNodes:     10,
	MaxVCPUs:     32,
	RequiredTags: []string{"costCenter"},
}

// worldCase is one sample of the world: a request, the code it shows, on
// which field, and what of the world shows it.
type worldCase struct {
	code, field string
	sample      string // the cluster, workspace, subnet, quota or size that shows it
	policy      bool   // asked of a proxy with samplePolicy
	req         rules.Request
	scale       *scaleCase // instead of req: a scale, refused with the finding
	not         []string   // codes the sample must not show: a false finding of the world
}

// scaleCase is a scale of a sample compute of ws-east (S1 is not a
// finding of /api/validate: the scale route answers it).
type scaleCase struct {
	compute string
	body    rules.ScaleBody
}

func (c worldCase) kind() rules.Kind {
	if c.scale != nil || c.req.Kind.Legacy() {
		return rules.KindAKS
	}
	return c.req.Kind
}

var emuEast2 = rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "ws-east2"}

// v1Create, v1Attach, v2Create and v2Attach are requests in ws-east that
// pass what the case does not look at.
func v1Create(name string, edit func(*rules.Request)) rules.Request {
	r := rules.Request{Mode: rules.ModeCreate, Kind: rules.KindAKS, Workspace: emuEast, Name: name,
		Tags: map[string]string{"costCenter": "cc-42"}}
	if edit != nil {
		edit(&r)
	}
	return r
}

func v1Attach(name, cluster string, edit func(*rules.Request)) rules.Request {
	r := rules.Request{Mode: rules.ModeAttach, Kind: rules.KindAKS, Workspace: emuEast, Name: name,
		Target: rules.Target{ResourceID: emuClusterID(cluster)}, Tags: map[string]string{"costCenter": "cc-42"}}
	if edit != nil {
		edit(&r)
	}
	return r
}

func k8sCreate(name string, edit func(*rules.Request)) rules.Request {
	r := v1Create(name, nil)
	r.Kind, r.VMSize = rules.KindKubernetes, "Standard_DS3_v2"
	r.Kubernetes = rules.Kubernetes{AllowInsecure: true}
	if edit != nil {
		edit(&r)
	}
	return r
}

func k8sAttach(name, cluster string, edit func(*rules.Request)) rules.Request {
	r := v1Attach(name, cluster, nil)
	r.Kind = rules.KindKubernetes
	r.Kubernetes = rules.Kubernetes{AllowInsecure: true, Namespace: "team-a"}
	if edit != nil {
		edit(&r)
	}
	return r
}

func inEast2(r *rules.Request) { r.Workspace = emuEast2 }

// worldCases are the samples, v1 then v2.
func worldCases() []worldCase {
	subnet := func(name, svc, dns string) func(*rules.Request) {
		return func(r *rules.Request) {
			r.Network = rules.Network{VnetResourceGroup: "net-rg", VnetName: "vnet", SubnetName: name,
				ServiceCIDR: svc, DNSServiceIP: dns, DockerBridgeCIDR: "172.17.0.1/16"}
		}
	}
	size := func(vm string, n int, p rules.Purpose) func(*rules.Request) {
		return func(r *rules.Request) { r.VMSize, r.NodeCount, r.Purpose = vm, n, p }
	}
	both := func(f, g func(*rules.Request)) func(*rules.Request) {
		return func(r *rules.Request) { f(r); g(r) }
	}
	noTags := func(r *rules.Request) { r.Tags = nil }
	v1 := []worldCase{
		{code: "W2", field: rules.FieldLocation, sample: "southcentralus, not a region of the sample subscription",
			req: v1Create("aks-w2", func(r *rules.Request) { r.Location = "southcentralus" })},
		{code: "N5", field: rules.FieldName, sample: "ws-east's cpu-cluster", req: v1Create("cpu-cluster", nil)},
		{code: "N6", field: rules.FieldName, sample: "ws-east2's scoring-prod, in eastus", req: v1Create("scoring-prod", nil)},
		{code: "P2", field: rules.FieldNodeCount, sample: "Standard_D2s_v3 (2 vCPUs)", req: v1Create("aks-p2", size("Standard_D2s_v3", 3, rules.PurposeFastProd))},
		{code: "P3", field: rules.FieldNodeCount, sample: "Standard_A1_v2 (1 vCPU)", req: v1Create("aks-p3", size("Standard_A1_v2", 1, rules.PurposeDevTest))},
		{code: "P6", field: rules.FieldVMSize, sample: "a size eastus does not offer", req: v1Create("aks-p6", size("Standard_D3_v9", 3, ""))},
		{code: "Q1", field: rules.FieldNodeCount, sample: "eastus's FSv2 quota of 16 vCPUs", req: v1Create("aks-q1", size("Standard_F8s_v2", 3, ""))},
		{code: "P7", field: rules.FieldVMSize, sample: "Standard_NC6s_v3 (a GPU)", req: v1Create("aks-p7", size("Standard_NC6s_v3", 3, ""))},
		{code: "P7", field: rules.FieldTargetID, sample: "aks-gpu-secondary", req: v1Attach("aks-p7", "aks-gpu-secondary", nil)},
		{code: "V6", field: rules.FieldSubnetName, sample: "net-rg/vnet without the subnet", req: v1Create("aks-v6", subnet("no-such-subnet", "10.0.0.0/16", "10.0.0.10"))},
		{code: "V2", field: rules.FieldServiceCIDR, sample: "net-rg/vnet/aks (10.240.0.0/16)", req: v1Create("aks-v2", subnet("aks", "10.240.0.0/16", "10.240.0.10"))},
		{code: "A1", field: rules.FieldTargetID, sample: "aks-missing-ranges", req: v1Attach("aks-a1", "aks-missing-ranges", nil)},
		{code: "A2", field: rules.FieldTargetID, sample: "aks-basic-ranges", req: v1Attach("aks-a2", "aks-basic-ranges", nil)},
		{code: "V4", field: rules.FieldTargetID, sample: "aks-basic-ranges", req: v1Attach("aks-v4", "aks-basic-ranges", nil)},
		{code: "A3", field: rules.FieldTargetID, sample: "aks-private", req: v1Attach("aks-a3", "aks-private", nil)},
		{code: "K1", field: rules.FieldLocation, sample: "eastus's default version", req: v1Create("aks-k1", nil)},
		{code: "K2", field: rules.FieldTargetID, sample: "aks-old (1.27.9)", req: v1Attach("aks-k2", "aks-old", nil)},
		{code: "K3", field: rules.FieldTargetID, sample: "aks-preview (1.33.2)", req: v1Attach("aks-k3", "aks-preview", nil)},
		{code: "T3", field: rules.FieldTargetID, sample: "aks-west", req: v1Attach("aks-t3", "aks-west", nil)},
		{code: "T3", field: rules.FieldLocation, sample: "westus beside ws-east", req: v1Create("aks-t3", func(r *rules.Request) { r.Location = "westus" })},
		{code: "T4", field: rules.FieldTargetID, sample: "aks-attached, ws-east's", req: v1Attach("aks-t4", "aks-attached", inEast2)},
		{code: "T5", field: rules.FieldTargetID, sample: "aks-small (1 × 2 vCPUs)", req: v1Attach("aks-t5", "aks-small", nil)},
		{code: "P5", field: rules.FieldTargetID, sample: "aks-small (1 node)", req: v1Attach("aks-p5", "aks-small", nil)},
		{code: "T2", field: rules.FieldTargetID, sample: "no cluster aks-gone in aks-rg", req: v1Attach("aks-t2", "aks-gone", nil)},
		{code: "S1", field: rules.FieldVMSize, sample: "ws-east's aks-attached (Standard_D3_v2)",
			scale: &scaleCase{compute: "aks-attached", body: rules.ScaleBody{NodeCount: 4, VMSize: "Standard_D4s_v3"}}},
	}
	v2 := []worldCase{
		{code: "W2", field: rules.FieldLocation, sample: "southcentralus", req: k8sCreate("k8s-w2", func(r *rules.Request) { r.Location = "southcentralus" })},
		{code: "N5", field: rules.FieldName, sample: "ws-east's cpu-cluster", req: k8sCreate("cpu-cluster", nil)},
		{code: "N6", field: rules.FieldName, sample: "ws-east2's scoring-prod", req: k8sCreate("scoring-prod", nil)},
		{code: "P6", field: rules.FieldVMSize, sample: "a size eastus does not offer", req: k8sCreate("k8s-p6", size("Standard_D3_v9", 3, ""))},
		{code: "Q1", field: rules.FieldNodeCount, sample: "eastus's FSv2 quota", req: k8sCreate("k8s-q1", size("Standard_F8s_v2", 3, ""))},
		{code: "V6", field: rules.FieldSubnetName, sample: "net-rg/vnet without the subnet", req: k8sCreate("k8s-v6", subnet("no-such-subnet", "10.0.0.0/16", "10.0.0.10"))},
		{code: "V2", field: rules.FieldServiceCIDR, sample: "net-rg/vnet/aks", req: k8sCreate("k8s-v2", subnet("aks", "10.240.0.0/16", "10.240.0.10"))},
		{code: "A1", field: rules.FieldTargetID, sample: "aks-missing-ranges", req: k8sAttach("k8s-a1", "aks-missing-ranges", nil)},
		{code: "A2", field: rules.FieldTargetID, sample: "aks-basic-ranges", req: k8sAttach("k8s-a2", "aks-basic-ranges", nil)},
		{code: "A3", field: rules.FieldTargetID, sample: "aks-private", req: k8sAttach("k8s-a3", "aks-private", nil)},
		{code: "K2", field: rules.FieldTargetID, sample: "aks-old", req: k8sAttach("k8s-k2", "aks-old", nil)},
		{code: "K3", field: rules.FieldTargetID, sample: "aks-preview", req: k8sAttach("k8s-k3", "aks-preview", nil)},
		{code: "K3", field: rules.FieldK8sVersion, sample: "eastus's preview 1.33.2", req: k8sCreate("k8s-k3", func(r *rules.Request) { r.Kubernetes.Version = "1.33.2" })},
		{code: "T3", field: rules.FieldTargetID, sample: "aks-west", req: k8sAttach("k8s-t3", "aks-west", nil)},
		{code: "T3", field: rules.FieldLocation, sample: "westus", req: k8sCreate("k8s-t3", func(r *rules.Request) { r.Location = "westus" })},
		{code: "T2", field: rules.FieldTargetID, sample: "no cluster aks-gone", req: k8sAttach("k8s-t2", "aks-gone", nil)},
		{code: "P5", field: rules.FieldTargetID, sample: "aks-small", req: k8sAttach("k8s-p5", "aks-small", nil)},
		{code: "X1", field: rules.FieldTargetID, sample: "aks-sp (a service principal)", req: k8sAttach("k8s-x1", "aks-sp", nil)},
		{code: "X2", field: rules.FieldTargetID, sample: "aks-no-local", req: k8sAttach("k8s-x2", "aks-no-local", nil)},
		{code: "X3", field: rules.FieldTargetID, sample: "aks-pod-identity", req: k8sAttach("k8s-x3", "aks-pod-identity", nil)},
		{code: "X5", field: rules.FieldSingleRouter, sample: "aks-small (1 node)", req: k8sAttach("k8s-x5", "aks-small", nil)},
		{code: "X6", field: rules.FieldTargetID, sample: "aks-small (Standard_D2s_v3)", req: k8sAttach("k8s-x6", "aks-small", nil)},
		{code: "X6", field: rules.FieldVMSize, sample: "Standard_A2_v2 (2 vCPUs, 4 GiB)", req: k8sCreate("k8s-x6", size("Standard_A2_v2", 3, ""))},
		{code: "X7", field: rules.FieldK8sVersion, sample: "eastus's versions, without 1.27", req: k8sCreate("k8s-x7", func(r *rules.Request) { r.Kubernetes.Version = "1.27.9" })},
		{code: "X10", field: rules.FieldLocation, sample: "centralus, without cluster extensions", not: []string{"W2", "P6"}, req: k8sCreate("k8s-x10", func(r *rules.Request) { r.Location = "centralus" })},
		{code: "X10", field: rules.FieldTargetID, sample: "aks-v2-ready's extension", req: k8sAttach("k8s-x10", "aks-v2-ready", nil)},
		{code: "X13", field: rules.FieldNvidiaDevicePlugin, sample: "Standard_NC6s_v3", req: k8sCreate("k8s-x13", size("Standard_NC6s_v3", 3, ""))},
		{code: "X13", field: rules.FieldNvidiaDevicePlugin, sample: "aks-gpu-secondary's GPU pool", req: k8sAttach("k8s-x13", "aks-gpu-secondary", nil)},
		{code: "X13", field: rules.FieldNvidiaDevicePlugin, sample: "a GPU pool of Standard_NC6s_v3", req: k8sCreate("k8s-x13", func(r *rules.Request) {
			r.Kubernetes.GPUPool = rules.GPUPool{VMSize: "Standard_NC6s_v3", Count: 1}
		})},
		{code: "X16", field: rules.FieldGPUPoolVMSize, sample: "Standard_D4s_v3, which has no GPU", req: k8sCreate("k8s-x16", func(r *rules.Request) {
			r.Kubernetes.NvidiaDevicePlugin = true
			r.Kubernetes.GPUPool = rules.GPUPool{VMSize: "Standard_D4s_v3", Count: 1}
		})},
		{code: "X14", field: rules.FieldTargetID, sample: "aks-attached (a v1 compute's azureml-fe)", req: k8sAttach("k8s-x14", "aks-attached", nil)},
		{code: "X15", field: rules.FieldTargetID, sample: "aks-attached, in ws-east already", req: k8sAttach("k8s-x15", "aks-attached", nil)},
	}
	var policy []worldCase
	for _, mk := range []struct {
		kind   string
		create func(string, func(*rules.Request)) rules.Request
	}{{"aks", v1Create}, {"k8s", k8sCreate}} {
		n := func(code string) string { return mk.kind + "-" + strings.ToLower(code) }
		policy = append(policy,
			worldCase{code: "G1", field: rules.FieldWorkspace, sample: "ws-east2, outside the policy", req: mk.create(n("G1"), inEast2)},
			worldCase{code: "G2", field: rules.FieldVMSize, sample: "Standard_D8s_v3", req: mk.create(n("G2"), size("Standard_D8s_v3", 3, ""))},
			worldCase{code: "G3", field: rules.FieldNodeCount, sample: "12 nodes", req: mk.create(n("G3"), size("Standard_D3_v2", 12, ""))},
			worldCase{code: "G4", field: rules.FieldNodeCount, sample: "9 × 4 vCPUs", req: mk.create(n("G4"), size("Standard_D3_v2", 9, ""))},
			worldCase{code: "G5", field: rules.FieldPurpose, sample: "DevTest", req: mk.create(n("G5"), size("Standard_D3_v2", 3, rules.PurposeDevTest))},
			worldCase{code: "G6", field: rules.FieldTags, sample: "no costCenter tag", req: mk.create(n("G6"), both(noTags, size("Standard_D3_v2", 3, "")))},
		)
	}
	for i := range policy {
		policy[i].policy = true
	}
	return append(append(v1, v2...), policy...)
}

// TestSampleWorldShowsEveryRule walks every code of the rules table that
// needs Azure or the policy, and wants a sample of the world showing it, on
// its field, for each kind it is for.
func TestSampleWorldShowsEveryRule(t *testing.T) {
	_, arm := mustEmulator(t, fastOptions())
	server := func(policy *rules.Policy) *apiServer {
		m := startMain(t, arm, mainOptions{proxy: func(c *proxy.Config) {
			c.Policy = policy
			c.ReadsPerMinute = -1 // one test asks many questions at once
		}})
		return &apiServer{Main: m, az: m.AzureClient}
	}
	p := samplePolicy
	servers := map[bool]*apiServer{false: server(nil), true: server(&p)}

	shown := map[string]bool{} // code + "/" + kind
	for _, c := range worldCases() {
		name := fmt.Sprintf("%s/%s/%s", c.code, c.kind(), c.field)
		t.Run(name, func(t *testing.T) {
			fs := sampleFindings(t, servers[c.policy], c)
			for _, f := range fs {
				if slices.Contains(c.not, f.Code) {
					t.Errorf("%s shows %s: %s", c.sample, f.Code, f.Message)
				}
			}
			for _, f := range fs {
				if f.Code == c.code && f.Field == c.field {
					shown[c.code+"/"+string(c.kind())] = true
					return
				}
			}
			t.Errorf("%s does not show %s on %s: findings %s", c.sample, c.code, c.field, findingList(fs))
		})
	}
	for _, r := range rules.Rules {
		if r.Needs == rules.NeedsNothing && !slices.Contains(readsFacts, r.Code) {
			continue
		}
		kinds := []rules.Kind{r.Kind}
		if r.Kind == "" {
			kinds = []rules.Kind{rules.KindAKS, rules.KindKubernetes}
		}
		for _, k := range kinds {
			if r.Code == "S1" && k == rules.KindKubernetes {
				continue // a Kubernetes compute's nodes are its cluster's, scaled in AKS: amlaks scales v1 computes only
			}
			if !shown[r.Code+"/"+string(k)] {
				t.Errorf("no sample shows %s (%s) for a %s compute: add a cluster/workspace to proxy/armemu/world.go", r.Code, r.Title, k)
			}
		}
	}
}

// sampleFindings asks the proxy for the findings of a case: /api/validate's
// answer, or the findings of a refused scale.
func sampleFindings(tb testing.TB, s *apiServer, c worldCase) rules.Findings {
	tb.Helper()
	if c.scale != nil {
		var e apiError
		path := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/" + c.scale.compute + "/scale"
		if code, body := call(tb, s, "POST", path, c.scale.body, &e); code != http.StatusBadRequest {
			tb.Fatalf("scale %s = %d %s, want 400", c.scale.compute, code, body)
		}
		return e.Error.Findings
	}
	var got rules.FindingsBody
	if code, body := call(tb, s, "POST", "/api/validate", c.req, &got); code != http.StatusOK {
		tb.Fatalf("validate = %d %s", code, body)
	}
	return got.Findings
}

func findingList(fs rules.Findings) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code+"@"+f.Field)
	}
	return "[" + strings.Join(out, " ") + "]"
}
