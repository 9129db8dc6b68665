package azure_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/rules"
)

const (
	createdClusterID = "/subscriptions/" + testSub + "/resourceGroups/ml-rg/providers/Microsoft.ContainerService/managedClusters/aks-created-cluster"
	healthyClusterID = "/subscriptions/" + testSub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy"
	privateClusterID = "/subscriptions/" + testSub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-private"
	deletedClusterID = "/subscriptions/" + testSub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-deleted"
)

// wantCode fails the test unless err is a *rules.Error of the given kind and
// field, whose message carries no URL and no subscription ID.
func wantCode(tb testing.TB, err error, code rules.ErrorCode, field string) *rules.Error {
	tb.Helper()
	var re *rules.Error
	if !errors.As(err, &re) {
		tb.Fatalf("error = %v (%T), want a *rules.Error %s", err, err, code)
	}
	if re.Code != code || re.Field != field {
		tb.Fatalf("error = {%s %q} %q, want {%s %q}", re.Code, re.Field, re.Message, code, field)
	}
	checkClean(tb, re.Message)
	return re
}

// guid matches a subscription or tenant ID.
var guid = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// checkClean fails the test when a message shows a URL or a subscription ID.
func checkClean(tb testing.TB, msg string) {
	tb.Helper()
	if strings.Contains(msg, "://") || guid.MatchString(msg) {
		tb.Errorf("message shows a URL or subscription: %q", msg)
	}
}

// Kept on the fake world: the emulator has one enabled subscription, never a disabled one to skip.
func TestWorkspaces(t *testing.T) {
	w := newWorld(t)
	c := mustClient(t, w, nil)
	got, err := c.Workspaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.Workspace{
		{WorkspaceRef: eastWS, Location: "eastus"},
		{WorkspaceRef: rules.WorkspaceRef{Subscription: testSub, ResourceGroup: "ml-rg", Name: "ws-west"}, Location: "westus"},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("Workspaces mismatch (-want +got):\n%s", d)
	}
	// The disabled subscription is not searched.
	if n := len(w.find("GET", "99999999")); n != 0 {
		t.Errorf("%d requests to the disabled subscription", n)
	}
}

// wantComputes are the computes of testdata/computes.json as the client
// should map them, errors aside.
var wantComputes = []rules.Compute{
	{
		Name: "aks-created", Type: "AKS", State: "Succeeded", Purpose: rules.PurposeFastProd, Location: "eastus",
		VMSize: "Standard_D3_v2", Nodes: 3, VCPUs: 12, Version: "1.32.7", ClusterID: createdClusterID,
		Description: "scoring", CreatedOn: "2025-05-01T10:00:00Z", ModifiedOn: "2025-05-01T10:09:30Z",
	},
	{
		// Attached: size, nodes and cores come from the cluster's pools
		// (1 × 6 cores + 2 × 4 cores), the size from its system pool.
		Name: "aks-attached", Type: "AKS", State: "Succeeded", Purpose: rules.PurposeDevTest, Location: "eastus",
		VMSize: "Standard_D4s_v3", Nodes: 3, VCPUs: 14, Version: "1.31.10", ClusterID: healthyClusterID, Attached: true,
	},
	{
		// Failed before any cluster: cores from the SKU list, 3 × 4.
		Name: "aks-failed", Type: "AKS", State: "Failed", Purpose: rules.PurposeFastProd, Location: "eastus",
		VMSize: "Standard_D3_v2", Nodes: 3, VCPUs: 12, CreatedOn: "2025-05-02T08:00:00Z",
	},
	{
		// Its cluster was deleted: tolerated, the compute's figures are kept.
		Name: "aks-orphan", Type: "AKS", State: "Succeeded", Purpose: rules.PurposeDevTest, Location: "eastus",
		VMSize: "Standard_D4s_v3", Nodes: 2, VCPUs: 8, ClusterID: deletedClusterID, Attached: true,
	},
	{Name: "cpu-cluster", Type: "AmlCompute", State: "Succeeded", Location: "eastus"},
}

// Kept on the fake world: the emulator never answers a compute whose cluster was deleted, nor a Failed one with no cluster and two provisioning errors.
func TestComputes(t *testing.T) {
	c := mustClient(t, newWorld(t), nil)
	got, err := c.Computes(context.Background(), eastWS)
	if err != nil {
		t.Fatal(err)
	}
	var errs [][]string
	for i := range got {
		errs = append(errs, got[i].Errors)
		got[i].Errors = nil
	}
	if d := diff(wantComputes, got); d != "" {
		t.Errorf("Computes mismatch (-want +got):\n%s", d)
	}
	if len(errs) != len(wantComputes) || len(errs[2]) != 2 {
		t.Fatalf("errors = %q, want two on aks-failed", errs)
	}
	for i, e := range errs {
		if i != 2 && len(e) != 0 {
			t.Errorf("%s: errors = %q, want none", wantComputes[i].Name, e)
		}
	}
	if e := errs[2][0]; !strings.Contains(e, "request a quota increase") || !strings.Contains(e, "(QuotaExceeded)") {
		t.Errorf("quota error = %q", e)
	}
	if e := errs[2][1]; !strings.Contains(e, "userDefinedRouting") || !strings.Contains(e, "(RequestDisallowedByPolicy)") {
		t.Errorf("policy error = %q", e)
	}
	for _, e := range errs[2] {
		checkClean(t, e)
	}
}

// Kept on the fake world: same fixtures as TestComputes (the orphaned compute the emulator never has).
func TestCompute(t *testing.T) {
	c := mustClient(t, newWorld(t), nil)
	tests := []struct {
		name    string
		compute string
		want    rules.Compute
		code    rules.ErrorCode
	}{
		{name: "created", compute: "aks-created", want: wantComputes[0]},
		{name: "attached", compute: "aks-attached", want: wantComputes[1]},
		{name: "missing cluster tolerated", compute: "aks-orphan", want: wantComputes[3]},
		{name: "other type", compute: "cpu-cluster", want: wantComputes[4]},
		{name: "not found", compute: "nope", code: rules.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Compute(context.Background(), eastWS, tt.compute)
			if tt.code != "" {
				wantCode(t, err, tt.code, "name")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(tt.want, got); d != "" {
				t.Errorf("Compute mismatch (-want +got):\n%s", d)
			}
		})
	}
}

// wantClusters are the clusters of testdata/clusters.json as the client
// should map them.
var wantClusters = []rules.Cluster{
	{
		ID: createdClusterID, Name: "aks-created-cluster", ResourceGroup: "ml-rg", Subscription: testSub,
		Location: "eastus", Version: "1.32.7", LoadBalancerSKU: "basic", State: "Succeeded",
		Pools: []rules.Pool{{Name: "agentpool", System: true, VMSize: "Standard_D3_v2", Count: 3, VCPUs: 4, MemoryGB: 14}},
	},
	{
		ID: healthyClusterID, Name: "aks-healthy", ResourceGroup: "aks-rg", Subscription: testSub,
		Location: "eastus", Version: "1.31.10", LoadBalancerSKU: "standard", State: "Succeeded",
		AuthorizedIPRanges: []string{"20.1.0.0/24", "40.0.0.0/24"},
		Pools: []rules.Pool{
			{Name: "userpool", VMSize: "Standard_NC6s_v3", Count: 1, VCPUs: 6, MemoryGB: 112, GPU: true},
			{Name: "syspool", System: true, VMSize: "Standard_D4s_v3", Count: 2, VCPUs: 4, MemoryGB: 16},
		},
	},
	{
		ID: privateClusterID, Name: "aks-private", ResourceGroup: "aks-rg", Subscription: testSub,
		Location: "eastus", Version: "1.32.7", Private: true, PrivateFQDNPublic: true, State: "Succeeded",
		Pools: []rules.Pool{{Name: "fpga", System: true, VMSize: "Standard_PB6s", Count: 3, VCPUs: 6, MemoryGB: 112, FPGA: true}},
	},
}

// Kept on the fake world: a field-by-field mapping against fixed fixtures (pools listed user pool first, ranges on a standard load balancer); TestEmulatorCatalog checks chosen fields of the emulator world only.
func TestClusters(t *testing.T) {
	c := mustClient(t, newWorld(t), nil)
	got, err := c.Clusters(context.Background(), testSub)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(wantClusters, got); d != "" {
		t.Errorf("Clusters mismatch (-want +got):\n%s", d)
	}
}

// Kept on the fake world: SDK paging edge case (the SKU list split over two pages), the cache, and the exact $filter query sent.
func TestVMSizes(t *testing.T) {
	w := newWorld(t)
	c := mustClient(t, w, nil)
	want := []rules.VMSize{
		{Name: "Standard_D3_v2", VCPUs: 4, MemoryGB: 14, Family: "standardDv2Family"},
		{Name: "Standard_D4s_v3", VCPUs: 4, MemoryGB: 16, Family: "standardDSv3Family"},
		{Name: "Standard_NC6s_v3", VCPUs: 6, MemoryGB: 112, GPUs: 1, Family: "standardNCSv3Family"},
		{Name: "Standard_PB6s", VCPUs: 6, MemoryGB: 112, FPGA: true, Family: "standardPBSFamily"},
	}
	var pages int
	for i := 0; i < 2; i++ {
		got, err := c.VMSizes(context.Background(), testSub, "East US")
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("VMSizes mismatch (-want +got):\n%s", d)
		}
		got[0].VCPUs = 99 // the cache must not be shared with callers
		if i == 0 {
			pages = len(w.find("GET", "/providers/Microsoft.Compute/skus"))
		}
	}
	sent := w.find("GET", "/providers/Microsoft.Compute/skus")
	if pages != 2 || len(sent) != pages {
		t.Fatalf("SKU pages read: %d then %d, want 2 then none more (cached)", pages, len(sent))
	}
	if !strings.Contains(sent[0].Query, "location+eq+%27eastus%27") && !strings.Contains(sent[0].Query, "location%20eq%20%27eastus%27") {
		t.Errorf("SKU query = %q, want the filter location eq 'eastus'", sent[0].Query)
	}
}

// Kept on the fake world: several patches per minor with many upgrades, a response the emulator (one patch per minor) never gives.
func TestKubernetesVersions(t *testing.T) {
	c := mustClient(t, newWorld(t), nil)
	got, err := c.KubernetesVersions(context.Background(), testSub, "eastus")
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.KubernetesVersion{
		{Version: "1.31.9", Upgrades: []string{"1.31.10", "1.32.7"}},
		{Version: "1.31.10", Upgrades: []string{"1.32.7"}},
		{Version: "1.32.5", Upgrades: []string{"1.32.7"}},
		{Version: "1.32.7", Default: true, Upgrades: []string{"1.33.2"}},
		{Version: "1.33.2", Preview: true},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("KubernetesVersions mismatch (-want +got):\n%s", d)
	}
}

// Kept on the fake world: a region with no pair, which the emulator world (every region paired) never has.
func TestAMLRanges(t *testing.T) {
	c := mustClient(t, newWorld(t), nil)
	tests := []struct {
		name       string
		location   string
		wantRanges []string
		wantPaired string
	}{
		{name: "east and its pair", location: "eastus", wantRanges: []string{"20.1.0.0/24", "20.1.1.0/24", "40.0.0.0/24"}, wantPaired: "westus"},
		{name: "display name and region case", location: "West US", wantRanges: []string{"40.0.0.0/24", "20.1.0.0/24", "20.1.1.0/24"}, wantPaired: "eastus"},
		{name: "no pair", location: "westeurope", wantRanges: []string{"50.0.0.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ranges, paired, err := c.AMLRanges(context.Background(), testSub, tt.location)
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(tt.wantRanges, ranges); d != "" {
				t.Errorf("ranges mismatch (-want +got):\n%s", d)
			}
			if paired != tt.wantPaired {
				t.Errorf("paired = %q, want %q", paired, tt.wantPaired)
			}
		})
	}
}
