//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/rules"
)

// Fake is an Azure made of function fields, for the handler tests: each
// test sets the fields it needs. Every call is recorded, so a test can say
// that a method was never called. A nil field answers with a
// rules.ErrInternal naming the method, which fails the test loudly.
type Fake struct {
	WorkspacesFn         func(ctx context.Context) ([]rules.Workspace, error)
	WorkspaceFn          func(ctx context.Context, ref rules.WorkspaceRef) (rules.Workspace, error)
	ComputesFn           func(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error)
	ComputeFn            func(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error)
	VMSizesFn            func(ctx context.Context, subscription, location string) ([]rules.VMSize, error)
	QuotasFn             func(ctx context.Context, subscription, location string) ([]rules.Quota, error)
	KubernetesVersionsFn func(ctx context.Context, subscription, location string) ([]rules.KubernetesVersion, error)
	ClustersFn           func(ctx context.Context, subscription string) ([]rules.Cluster, error)
	ClusterFn            func(ctx context.Context, id string) (rules.Cluster, error)
	AMLRangesFn          func(ctx context.Context, subscription, location string) ([]string, string, error)
	SubnetPrefixesFn     func(ctx context.Context, subscription, resourceGroup, vnet, subnet string) ([]string, error)
	SearchComputesFn     func(ctx context.Context, location, clusterID string) ([]rules.ComputeHit, error)
	ProvisionFn          func(ctx context.Context, req rules.Request) error
	ScaleFn              func(ctx context.Context, ref rules.WorkspaceRef, name string, nodes int) error
	DetachFn             func(ctx context.Context, ref rules.WorkspaceRef, name string) error
	DeleteFn             func(ctx context.Context, ref rules.WorkspaceRef, name string) error
	LocationsFn          func(ctx context.Context, subscription string) ([]rules.Location, error)

	ExtensionsFn           func(ctx context.Context, cluster rules.ClusterRef) ([]rules.Extension, error)
	ExtensionFn            func(ctx context.Context, cluster rules.ClusterRef, name string) (rules.Extension, error)
	InstallExtensionFn     func(ctx context.Context, cluster rules.ClusterRef, cfg rules.ExtensionConfig) error
	DeleteExtensionFn      func(ctx context.Context, cluster rules.ClusterRef, name string) error
	CreateClusterFn        func(ctx context.Context, cluster rules.ClusterRef, body rules.ARMManagedCluster) error
	DeleteClusterFn        func(ctx context.Context, cluster rules.ClusterRef) error
	AttachKubernetesFn     func(ctx context.Context, req rules.Request) error
	RemoveLegacyFrontendFn func(ctx context.Context, cluster rules.ClusterRef) (string, error)

	mu    sync.Mutex
	calls []string // "Method arg…", in order
}

var _ proxy.Azure = (*Fake)(nil)

// record notes a call.
func (f *Fake) record(method string, args ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, strings.TrimSpace(method+" "+strings.Join(args, " ")))
}

// Calls returns the calls so far, each "Method arg…".
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Count returns how many times method was called.
func (f *Fake) Count(method string) int {
	n := 0
	for _, c := range f.Calls() {
		if c == method || strings.HasPrefix(c, method+" ") {
			n++
		}
	}
	return n
}

func unset(method string) error {
	return rules.Errorf(rules.ErrInternal, "", "fake: "+method+" is not set")
}

// Workspaces implements proxy.Azure.
func (f *Fake) Workspaces(ctx context.Context) ([]rules.Workspace, error) {
	f.record("Workspaces")
	if f.WorkspacesFn == nil {
		return nil, unset("Workspaces")
	}
	return f.WorkspacesFn(ctx)
}

// Workspace implements proxy.Azure.
func (f *Fake) Workspace(ctx context.Context, ref rules.WorkspaceRef) (rules.Workspace, error) {
	f.record("Workspace", ref.Name)
	if f.WorkspaceFn == nil {
		return rules.Workspace{}, unset("Workspace")
	}
	return f.WorkspaceFn(ctx, ref)
}

// Computes implements proxy.Azure.
func (f *Fake) Computes(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error) {
	f.record("Computes", ref.Name)
	if f.ComputesFn == nil {
		return nil, unset("Computes")
	}
	return f.ComputesFn(ctx, ref)
}

// Compute implements proxy.Azure.
func (f *Fake) Compute(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error) {
	f.record("Compute", ref.Name, name)
	if f.ComputeFn == nil {
		return rules.Compute{}, unset("Compute")
	}
	return f.ComputeFn(ctx, ref, name)
}

// VMSizes implements proxy.Azure.
func (f *Fake) VMSizes(ctx context.Context, subscription, location string) ([]rules.VMSize, error) {
	f.record("VMSizes", location)
	if f.VMSizesFn == nil {
		return nil, unset("VMSizes")
	}
	return f.VMSizesFn(ctx, subscription, location)
}

// Quotas implements proxy.Azure.
func (f *Fake) Quotas(ctx context.Context, subscription, location string) ([]rules.Quota, error) {
	f.record("Quotas", location)
	if f.QuotasFn == nil {
		return nil, unset("Quotas")
	}
	return f.QuotasFn(ctx, subscription, location)
}

// KubernetesVersions implements proxy.Azure.
func (f *Fake) KubernetesVersions(ctx context.Context, subscription, location string) ([]rules.KubernetesVersion, error) {
	f.record("KubernetesVersions", location)
	if f.KubernetesVersionsFn == nil {
		return nil, unset("KubernetesVersions")
	}
	return f.KubernetesVersionsFn(ctx, subscription, location)
}

// Clusters implements proxy.Azure.
func (f *Fake) Clusters(ctx context.Context, subscription string) ([]rules.Cluster, error) {
	f.record("Clusters", subscription)
	if f.ClustersFn == nil {
		return nil, unset("Clusters")
	}
	return f.ClustersFn(ctx, subscription)
}

// Cluster implements proxy.Azure.
func (f *Fake) Cluster(ctx context.Context, id string) (rules.Cluster, error) {
	f.record("Cluster", id)
	if f.ClusterFn == nil {
		return rules.Cluster{}, unset("Cluster")
	}
	return f.ClusterFn(ctx, id)
}

// SubnetPrefixes implements proxy.Azure. Unset, it knows no prefix (V2 is
// then not checked), so tests of other rules need not set it.
func (f *Fake) SubnetPrefixes(ctx context.Context, subscription, resourceGroup, vnet, subnet string) ([]string, error) {
	f.record("SubnetPrefixes", resourceGroup, vnet, subnet)
	if f.SubnetPrefixesFn == nil {
		return nil, nil
	}
	return f.SubnetPrefixesFn(ctx, subscription, resourceGroup, vnet, subnet)
}

// SearchComputes implements proxy.Azure. Unset, it finds nothing.
func (f *Fake) SearchComputes(ctx context.Context, location, clusterID string) ([]rules.ComputeHit, error) {
	f.record("SearchComputes", location, clusterID)
	if f.SearchComputesFn == nil {
		return nil, nil
	}
	return f.SearchComputesFn(ctx, location, clusterID)
}

// AMLRanges implements proxy.Azure.
func (f *Fake) AMLRanges(ctx context.Context, subscription, location string) ([]string, string, error) {
	f.record("AMLRanges", location)
	if f.AMLRangesFn == nil {
		return nil, "", unset("AMLRanges")
	}
	return f.AMLRangesFn(ctx, subscription, location)
}

// Provision implements proxy.Azure.
func (f *Fake) Provision(ctx context.Context, req rules.Request) error {
	f.record("Provision", string(req.Mode), req.Name)
	if f.ProvisionFn == nil {
		return unset("Provision")
	}
	return f.ProvisionFn(ctx, req)
}

// Scale implements proxy.Azure.
func (f *Fake) Scale(ctx context.Context, ref rules.WorkspaceRef, name string, nodes int) error {
	f.record("Scale", ref.Name, name)
	if f.ScaleFn == nil {
		return unset("Scale")
	}
	return f.ScaleFn(ctx, ref, name, nodes)
}

// Detach implements proxy.Azure.
func (f *Fake) Detach(ctx context.Context, ref rules.WorkspaceRef, name string) error {
	f.record("Detach", ref.Name, name)
	if f.DetachFn == nil {
		return unset("Detach")
	}
	return f.DetachFn(ctx, ref, name)
}

func (f *Fake) Locations(ctx context.Context, subscription string) ([]rules.Location, error) {
	f.record("Locations", subscription)
	if f.LocationsFn == nil {
		return nil, unset("Locations")
	}
	return f.LocationsFn(ctx, subscription)
}

func (f *Fake) Delete(ctx context.Context, ref rules.WorkspaceRef, name string) error {
	f.record("Delete", ref.Name, name)
	if f.DeleteFn == nil {
		return unset("Delete")
	}
	return f.DeleteFn(ctx, ref, name)
}

// Extensions implements proxy.Azure.
func (f *Fake) Extensions(ctx context.Context, cluster rules.ClusterRef) ([]rules.Extension, error) {
	f.record("Extensions", cluster.Name)
	if f.ExtensionsFn == nil {
		return nil, unset("Extensions")
	}
	return f.ExtensionsFn(ctx, cluster)
}

// Extension implements proxy.Azure.
func (f *Fake) Extension(ctx context.Context, cluster rules.ClusterRef, name string) (rules.Extension, error) {
	f.record("Extension", cluster.Name, name)
	if f.ExtensionFn == nil {
		return rules.Extension{}, unset("Extension")
	}
	return f.ExtensionFn(ctx, cluster, name)
}

// InstallExtension implements proxy.Azure.
func (f *Fake) InstallExtension(ctx context.Context, cluster rules.ClusterRef, cfg rules.ExtensionConfig) error {
	f.record("InstallExtension", cluster.Name)
	if f.InstallExtensionFn == nil {
		return unset("InstallExtension")
	}
	return f.InstallExtensionFn(ctx, cluster, cfg)
}

// DeleteExtension implements proxy.Azure.
func (f *Fake) DeleteExtension(ctx context.Context, cluster rules.ClusterRef, name string) error {
	f.record("DeleteExtension", cluster.Name, name)
	if f.DeleteExtensionFn == nil {
		return unset("DeleteExtension")
	}
	return f.DeleteExtensionFn(ctx, cluster, name)
}

// CreateCluster implements proxy.Azure.
func (f *Fake) CreateCluster(ctx context.Context, cluster rules.ClusterRef, body rules.ARMManagedCluster) error {
	f.record("CreateCluster", cluster.Name)
	if f.CreateClusterFn == nil {
		return unset("CreateCluster")
	}
	return f.CreateClusterFn(ctx, cluster, body)
}

// DeleteCluster implements proxy.Azure.
func (f *Fake) DeleteCluster(ctx context.Context, cluster rules.ClusterRef) error {
	f.record("DeleteCluster", cluster.Name)
	if f.DeleteClusterFn == nil {
		return unset("DeleteCluster")
	}
	return f.DeleteClusterFn(ctx, cluster)
}

// ClusterFailure implements proxy.Azure.
func (f *Fake) ClusterFailure(cluster rules.ClusterRef) []string { return nil }

// AttachKubernetes implements proxy.Azure.
func (f *Fake) AttachKubernetes(ctx context.Context, req rules.Request) error {
	f.record("AttachKubernetes", req.Name)
	if f.AttachKubernetesFn == nil {
		return unset("AttachKubernetes")
	}
	return f.AttachKubernetesFn(ctx, req)
}

// RemoveLegacyFrontend implements proxy.Azure.
func (f *Fake) RemoveLegacyFrontend(ctx context.Context, cluster rules.ClusterRef) (string, error) {
	f.record("RemoveLegacyFrontend", cluster.Name)
	if f.RemoveLegacyFrontendFn == nil {
		return "", unset("RemoveLegacyFrontend")
	}
	return f.RemoveLegacyFrontendFn(ctx, cluster)
}

// The fake world: one subscription, ws-east in eastus with a training
// cluster and an attached AKS compute, ws-east2 in eastus with scoring-prod,
// and a few clusters to attach.
const fakeSub = "00000000-0000-4000-8000-000000000001"

var (
	wsEast  = rules.WorkspaceRef{Subscription: fakeSub, ResourceGroup: "ml-rg", Name: "ws-east"}
	wsEast2 = rules.WorkspaceRef{Subscription: fakeSub, ResourceGroup: "ml-rg", Name: "ws-east2"}
)

func fakeClusterID(name string) string {
	return "/subscriptions/" + fakeSub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/" + name
}

// fakeWorld is the mutable state behind newFake's functions.
type fakeWorld struct {
	mu         sync.Mutex
	workspaces []rules.Workspace
	computes   map[rules.WorkspaceRef][]rules.Compute
	clusters   []rules.Cluster
	sizes      []rules.VMSize
	versions   []rules.KubernetesVersion
	ranges     []string
	provisions []rules.Request // what Provision was given
}

// newFake returns a Fake whose functions answer from a small, mutable
// world: Provision adds a compute in state Creating, Detach removes it,
// Scale changes its node count.
func newFake() (*Fake, *fakeWorld) {
	pools := func(size string, n, cores int) []rules.Pool {
		return []rules.Pool{{Name: "nodepool1", System: true, VMSize: size, Count: n, VCPUs: cores}}
	}
	w := &fakeWorld{
		workspaces: []rules.Workspace{{WorkspaceRef: wsEast, Location: "eastus"}, {WorkspaceRef: wsEast2, Location: "eastus"}},
		computes: map[rules.WorkspaceRef][]rules.Compute{
			wsEast: {
				{Name: "cpu-cluster", Type: "AmlCompute", State: "Succeeded", Location: "eastus"},
				{Name: "aks-attached", Type: "AKS", State: "Succeeded", Purpose: rules.PurposeFastProd, Location: "eastus",
					VMSize: "Standard_D3_v2", Nodes: 3, VCPUs: 12, Version: "1.32.7", ClusterID: fakeClusterID("aks-attached"), Attached: true,
					CreatedOn: "2026-01-01T10:00:00Z", ModifiedOn: "2026-01-01T10:05:00Z"},
				{Name: "aks-dev", Type: "AKS", State: "Succeeded", Purpose: rules.PurposeDevTest, Location: "eastus",
					VMSize: "Standard_D3_v2", Nodes: 2, VCPUs: 8, Version: "1.32.7", ClusterID: fakeClusterID("aks-dev1234")},
			},
			wsEast2: {{Name: "scoring-prod", Type: "AKS", State: "Succeeded", Location: "eastus"}},
		},
		clusters: []rules.Cluster{
			{ID: fakeClusterID("aks-healthy"), Name: "aks-healthy", ResourceGroup: "aks-rg", Subscription: fakeSub, Location: "eastus",
				Version: "1.32.7", LoadBalancerSKU: "standard", Pools: pools("Standard_D4s_v3", 3, 4)},
			{ID: fakeClusterID("aks-attached"), Name: "aks-attached", ResourceGroup: "aks-rg", Subscription: fakeSub, Location: "eastus",
				Version: "1.32.7", LoadBalancerSKU: "standard", Pools: pools("Standard_D3_v2", 3, 4)},
			{ID: fakeClusterID("aks-old"), Name: "aks-old", ResourceGroup: "aks-rg", Subscription: fakeSub, Location: "eastus",
				Version: "1.27.9", LoadBalancerSKU: "standard", Pools: pools("Standard_D4s_v3", 3, 4)},
		},
		sizes: []rules.VMSize{
			{Name: "Standard_D2s_v3", VCPUs: 2, MemoryGB: 8},
			{Name: "Standard_D3_v2", VCPUs: 4, MemoryGB: 14},
			{Name: "Standard_D4s_v3", VCPUs: 4, MemoryGB: 16},
			{Name: "Standard_D8s_v3", VCPUs: 8, MemoryGB: 32},
			{Name: "Standard_NC6s_v3", VCPUs: 6, MemoryGB: 112, GPUs: 1},
		},
		versions: []rules.KubernetesVersion{
			{Version: "1.31.10", Upgrades: []string{"1.32.7"}},
			{Version: "1.32.7", Default: true, Upgrades: []string{"1.33.2"}},
			{Version: "1.33.2", Preview: true},
		},
		ranges: []string{"20.42.0.240/28", "40.71.11.64/28", "13.86.195.192/28"},
	}
	notFound := func(what string) error { return rules.Errorf(rules.ErrNotFound, "", what+" does not exist.") }
	f := &Fake{
		WorkspacesFn: func(context.Context) ([]rules.Workspace, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return slices.Clone(w.workspaces), nil
		},
		// Resource Graph's view of the same world: every workspace's AKS and
		// Kubernetes computes in the location or on the cluster.
		SearchComputesFn: func(_ context.Context, location, clusterID string) ([]rules.ComputeHit, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			var out []rules.ComputeHit
			for _, ws := range w.workspaces {
				for _, c := range w.computes[ws.WorkspaceRef] {
					if c.Type != "AKS" && c.Type != "Kubernetes" {
						continue
					}
					if strings.EqualFold(ws.Location, location) || (clusterID != "" && strings.EqualFold(c.ClusterID, clusterID)) {
						out = append(out, rules.ComputeHit{ID: ws.ID() + "/computes/" + c.Name, Name: c.Name, Workspace: ws.ID(),
							Location: ws.Location, Type: c.Type, ClusterID: c.ClusterID})
					}
				}
			}
			return out, nil
		},
		WorkspaceFn: func(_ context.Context, ref rules.WorkspaceRef) (rules.Workspace, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			for _, ws := range w.workspaces {
				if ws.WorkspaceRef == ref {
					return ws, nil
				}
			}
			return rules.Workspace{}, notFound("The workspace " + ref.Name)
		},
		ComputesFn: func(_ context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return slices.Clone(w.computes[ref]), nil
		},
		ComputeFn: func(_ context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			for _, c := range w.computes[ref] {
				if strings.EqualFold(c.Name, name) {
					return c, nil
				}
			}
			return rules.Compute{}, notFound("The compute " + name)
		},
		VMSizesFn: func(context.Context, string, string) ([]rules.VMSize, error) {
			return slices.Clone(w.sizes), nil
		},
		KubernetesVersionsFn: func(context.Context, string, string) ([]rules.KubernetesVersion, error) {
			return slices.Clone(w.versions), nil
		},
		ClustersFn: func(context.Context, string) ([]rules.Cluster, error) {
			return slices.Clone(w.clusters), nil
		},
		ClusterFn: func(_ context.Context, id string) (rules.Cluster, error) {
			for _, c := range w.clusters {
				if strings.EqualFold(c.ID, id) {
					return c, nil
				}
			}
			return rules.Cluster{}, notFound("The AKS cluster")
		},
		AMLRangesFn: func(context.Context, string, string) ([]string, string, error) {
			return slices.Clone(w.ranges), "westus", nil
		},
		ProvisionFn: func(_ context.Context, req rules.Request) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.provisions = append(w.provisions, req)
			c := rules.Compute{Name: req.Name, Type: "AKS", State: "Creating", Purpose: req.Purpose, Location: req.Location,
				VMSize: req.VMSize, Nodes: req.NodeCount, ClusterID: req.Target.ResourceID, Attached: req.Mode == rules.ModeAttach}
			w.computes[req.Workspace] = append(w.computes[req.Workspace], c)
			return nil
		},
		ScaleFn: func(_ context.Context, ref rules.WorkspaceRef, name string, nodes int) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			for i, c := range w.computes[ref] {
				if strings.EqualFold(c.Name, name) {
					w.computes[ref][i].Nodes = nodes
					return nil
				}
			}
			return notFound("The compute " + name)
		},
		DetachFn: func(_ context.Context, ref rules.WorkspaceRef, name string) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.computes[ref] = slices.DeleteFunc(w.computes[ref], func(c rules.Compute) bool { return strings.EqualFold(c.Name, name) })
			return nil
		},
		LocationsFn: func(context.Context, string) ([]rules.Location, error) {
			return []rules.Location{{Name: "eastus", DisplayName: "East US", Paired: "westus"}, {Name: "westus", DisplayName: "West US", Paired: "eastus"}}, nil
		},
		DeleteFn: func(_ context.Context, ref rules.WorkspaceRef, name string) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.computes[ref] = slices.DeleteFunc(w.computes[ref], func(c rules.Compute) bool { return strings.EqualFold(c.Name, name) })
			return nil
		},
	}
	return f, w
}

// Provisions returns what Provision was given so far.
func (w *fakeWorld) Provisions() []rules.Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.provisions)
}
