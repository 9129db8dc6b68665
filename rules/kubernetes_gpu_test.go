package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// withGPU gives a v2 create a valid GPU pool with the device plugin on.
func withGPU(r Request) Request {
	r.Kubernetes.GPUPool = GPUPool{Name: "gpu", VMSize: "Standard_NC6s_v3", Count: 2}
	r.Kubernetes.NvidiaDevicePlugin = true
	return r
}

// gpuQuotaFacts offer one system size and one GPU size in eastus, each
// with its family quota, and the regional total.
func gpuQuotaFacts(regional int64) Facts {
	f := k8sFacts()
	f.VMSizes = []VMSize{
		{Name: "Standard_DS3_v2", VCPUs: 4, MemoryGB: 14, Family: "standardDSv2Family"},
		{Name: "Standard_NC6s_v3", VCPUs: 6, MemoryGB: 112, GPUs: 1, Family: "standardNCSv3Family"},
	}
	f.Quotas = []Quota{
		{Name: "standardDSv2Family", Label: "Standard DSv2 Family vCPUs", Limit: 100},
		{Name: "standardNCSv3Family", Label: "Standard NCSv3 Family vCPUs", Limit: 24},
		{Name: RegionalQuotaName, Label: "Total Regional vCPUs", Limit: regional},
	}
	return f
}

// TestGPUPool (X16, X13, Q1): a v2 create's GPU pool needs an AKS pool
// name, a GPU size offered in the location, 1 to 1000 nodes, the NVIDIA
// device plugin, and quota left after the system pool.
func TestGPUPool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		req    func(Request) Request
		attach bool
		facts  func(Facts) Facts
		want   []string
	}{
		{name: "GPU pool passes", req: withGPU, want: nil},
		{name: "default name", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = ""; return r }, want: nil},
		{name: "plugin off", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.NvidiaDevicePlugin = false; return r },
			want: []string{"X13 kubernetes.nvidiaDevicePlugin error"}},
		{name: "plugin off, GPU system pool too: one finding", req: func(r Request) Request {
			r = withGPU(r)
			r.Kubernetes.NvidiaDevicePlugin, r.VMSize = false, "Standard_NC24ads_A100_v4"
			return r
		}, want: []string{"X13 kubernetes.nvidiaDevicePlugin error"}},
		{name: "name with capitals", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = "GPU"; return r },
			want: []string{"X16 kubernetes.gpuPool.name error"}},
		{name: "name too long", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = "gpupoolnumber1"; return r },
			want: []string{"X16 kubernetes.gpuPool.name error"}},
		{name: "name starts with a digit", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = "1gpu"; return r },
			want: []string{"X16 kubernetes.gpuPool.name error"}},
		{name: "name with a hyphen", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = "gpu-a"; return r },
			want: []string{"X16 kubernetes.gpuPool.name error"}},
		{name: "twelve characters", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = "gpupool12345"; return r }, want: nil},
		{name: "the system pool's name", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = SystemPoolName; return r },
			want: []string{"X16 kubernetes.gpuPool.name error"}},
		{name: "no size", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.VMSize = ""; return r },
			want: []string{"X16 kubernetes.gpuPool.vmSize error"}},
		{name: "not a GPU size", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.VMSize = "Standard_DS3_v2"; return r },
			want: []string{"X16 kubernetes.gpuPool.vmSize error"}},
		{name: "unknown size", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.VMSize = "Standard_NC6s_v9"; return r },
			want: []string{"X16 kubernetes.gpuPool.vmSize error"}},
		{name: "GPU size not offered in the location", req: withGPU, facts: func(f Facts) Facts {
			f = gpuQuotaFacts(100)
			f.VMSizes = f.VMSizes[:1]
			return f
		}, want: []string{"X16 kubernetes.gpuPool.vmSize error"}},
		{name: "size not shaped", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.VMSize = "NC6; rm -rf"; return r },
			want: []string{"C3 kubernetes.gpuPool.vmSize error"}},
		{name: "control character in the name", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Name = "gpu\x1b[0m"; return r },
			want: []string{"C1 kubernetes.gpuPool.name error", "X16 kubernetes.gpuPool.name error"}},
		{name: "no count", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Count = 0; return r },
			want: []string{"X16 kubernetes.gpuPool.count error"}},
		{name: "too many nodes", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Count = MaxPoolNodes + 1; return r },
			want: []string{"X16 kubernetes.gpuPool.count error"}},
		{name: "most nodes", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Count = MaxPoolNodes; return r }, want: nil},
		{name: "GPU family quota", req: func(r Request) Request { r = withGPU(r); r.Kubernetes.GPUPool.Count = 5; return r },
			facts: func(Facts) Facts { return gpuQuotaFacts(100) }, want: []string{"Q1 kubernetes.gpuPool.count error"}},
		{name: "quota fits", req: withGPU, facts: func(Facts) Facts { return gpuQuotaFacts(100) }, want: nil},
		{name: "regional quota after the system pool", req: withGPU,
			// 3 × 4 system vCPUs fit in 20; 2 × 6 GPU vCPUs fit alone, not after them.
			facts: func(Facts) Facts { return gpuQuotaFacts(20) }, want: []string{"Q1 kubernetes.gpuPool.count error"}},
		{name: "attach ignores it", attach: true, req: withGPU, want: []string{"M2 kubernetes.gpuPool warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := k8sCreate(t)
			if tt.attach {
				req = k8sAttach(t)
			}
			req = tt.req(req)
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

// TestGPUPoolQuotaWords: the GPU pool's Q1 finding counts the system pool's
// vCPUs as used.
func TestGPUPoolQuotaWords(t *testing.T) {
	t.Parallel()
	got := Validate(withGPU(k8sCreate(t)), gpuQuotaFacts(20))
	for _, f := range got {
		if f.Code == "Q1" {
			if want := "Total Regional vCPUs in eastus allows 20, 12 are in use, 8 are left; 2 nodes × 6 cores of Standard_NC6s_v3 = 12"; !strings.Contains(f.Message, want) {
				t.Fatalf("Q1 says %q, want it to contain %q", f.Message, want)
			}
			return
		}
	}
	t.Fatalf("no Q1 finding in %v", got)
}

// TestGPUPoolBody: the managed cluster body has the GPU pool as a second
// agent pool of mode User, on the same subnet, and no second pool without it.
func TestGPUPoolBody(t *testing.T) {
	t.Parallel()
	req := withGPU(k8sCreate(t))
	req.Network = Network{VnetResourceGroup: "rg-net", VnetName: "vnet", SubnetName: "aks", ServiceCIDR: "10.1.0.0/16", DNSServiceIP: "10.1.0.10"}
	req.Kubernetes.GPUPool.Name = ""
	body := ManagedClusterBody(req, "eastus", nil)
	subnet := SubnetID(req.Workspace.Subscription, req.Network)
	want := []ARMAgentPoolProfile{
		{Name: "system", Mode: "System", VMSize: "Standard_DS3_v2", Count: 3, OSType: "Linux", VnetSubnetID: subnet},
		{Name: "gpu", Mode: "User", VMSize: "Standard_NC6s_v3", Count: 2, OSType: "Linux", VnetSubnetID: subnet},
	}
	if !reflect.DeepEqual(body.Properties.AgentPoolProfiles, want) {
		t.Fatalf("pools mismatch:\nwant %+v\n got %+v", want, body.Properties.AgentPoolProfiles)
	}
	if n := len(ManagedClusterBody(k8sCreate(t), "eastus", nil).Properties.AgentPoolProfiles); n != 1 {
		t.Fatalf("a create without a GPU pool has %d pools, want 1", n)
	}
}

// TestGPUPoolLink: the GPU pool round-trips through the share link and
// JSON, and a bad node count in a link is a finding on its field.
func TestGPUPoolLink(t *testing.T) {
	t.Parallel()
	req := Request{Mode: ModeCreate, Kind: KindKubernetes, Name: "k8s-gpu",
		Kubernetes: Kubernetes{NvidiaDevicePlugin: true, GPUPool: GPUPool{Name: "infer", VMSize: "Standard_NC4as_T4_v3", Count: 4}}}
	q := EncodeLink(req)
	if q.Get("gpuSize") != "Standard_NC4as_T4_v3" || q.Get("gpuNodes") != "4" || q.Get("gpuPool") != "infer" {
		t.Fatalf("link %v lacks the GPU pool", q)
	}
	got, finds := DecodeLink(q)
	if len(finds) > 0 || !reflect.DeepEqual(got, req) {
		t.Fatalf("link round trip: findings %v\nwant %+v\n got %+v", finds, req, got)
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var back Request
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, req) {
		t.Fatalf("JSON round trip (%v): %s", err, b)
	}
	if !strings.Contains(string(b), `"gpuPool":{"name":"infer","vmSize":"Standard_NC4as_T4_v3","count":4}`) {
		t.Errorf("JSON names: %s", b)
	}
	_, finds = DecodeLink(map[string][]string{"kind": {"Kubernetes"}, "gpuNodes": {"many"}})
	if len(finds) != 1 || finds[0].Code != "U2" || finds[0].Field != FieldGPUPoolCount {
		t.Fatalf("bad gpuNodes: %v", finds)
	}
	if q := EncodeLink(k8sCreate(t)); q.Has("gpuSize") || q.Has("gpuNodes") || q.Has("gpuPool") {
		t.Errorf("a link without a GPU pool has its keys: %v", q)
	}
}
