package armemu_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

func TestSubscriptionsAndPairedRegions(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	page, err := c.subs.NewListPager(nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Value) != 1 || deref(page.Value[0].SubscriptionID) != sub || deref(page.Value[0].DisplayName) != "Contoso ML (emulated)" {
		t.Fatalf("subscriptions = %+v", page.Value)
	}

	locs, err := c.subs.NewListLocationsPager(sub, nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	paired := map[string]string{}
	for _, l := range locs.Value {
		if l.Metadata == nil || len(l.Metadata.PairedRegion) != 1 {
			t.Fatalf("location %s has no paired region", deref(l.Name))
		}
		paired[deref(l.Name)] = deref(l.Metadata.PairedRegion[0].Name)
	}
	for _, tc := range []struct{ name, a, b string }{
		{name: "US", a: "eastus", b: "westus"},
		{name: "Europe", a: "westeurope", b: "northeurope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if paired[tc.a] != tc.b || paired[tc.b] != tc.a {
				t.Errorf("pairs: %s->%s, %s->%s", tc.a, paired[tc.a], tc.b, paired[tc.b])
			}
		})
	}
}

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	all, err := c.workspaces.NewListBySubscriptionPager(nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ws := range all.Value {
		names = append(names, deref(ws.Name)+"@"+deref(ws.Location))
	}
	slices.Sort(names)
	want := []string{"ws-east2@eastus", "ws-east@eastus", "ws-locked@eastus", "ws-west@westus"}
	if !slices.Equal(names, want) {
		t.Errorf("workspaces = %v, want %v", names, want)
	}

	byRG, err := c.workspaces.NewListByResourceGroupPager("ML-RG", nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(byRG.Value) != 3 {
		t.Errorf("ml-rg has %d workspaces, want 3", len(byRG.Value))
	}

	ws, err := c.workspaces.Get(ctx, "ml-rg", "ws-east", nil)
	if err != nil {
		t.Fatal(err)
	}
	if deref(ws.Location) != "eastus" || ws.Properties == nil || deref(ws.Properties.ProvisioningState) != armmachinelearning.ProvisioningStateSucceeded {
		t.Errorf("ws-east = %+v", ws.Workspace)
	}
}

func TestComputeListAndGet(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	page, err := c.computes.NewListPager("ml-rg", "ws-east", nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, r := range page.Value {
		types[deref(r.Name)] = string(deref(r.Properties.GetCompute().ComputeType))
	}
	if types["cpu-cluster"] != "AmlCompute" || types["aks-attached"] != "AKS" {
		t.Errorf("ws-east computes = %v", types)
	}

	got, err := c.computes.Get(ctx, "ml-rg", "ws-east", "aks-attached", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAKS(t, got.ComputeResource)
	if !deref(a.IsAttachedCompute) || !strings.EqualFold(deref(a.ResourceID), clusterID("aks-attached")) ||
		deref(a.ProvisioningState) != armmachinelearning.ProvisioningStateSucceeded || a.CreatedOn == nil || a.ModifiedOn == nil {
		t.Errorf("aks-attached = %+v", a)
	}
	if deref(a.Properties.AgentCount) != 3 || deref(a.Properties.AgentVMSize) != "Standard_D3_v2" || deref(a.Properties.ClusterFqdn) == "" {
		t.Errorf("aks-attached reads %d x %s fqdn %q from its cluster", deref(a.Properties.AgentCount), deref(a.Properties.AgentVMSize), deref(a.Properties.ClusterFqdn))
	}

	_, err = c.computes.Get(ctx, "ml-rg", "ws-east", "nope", nil)
	if re := mustResponseError(t, err); re.StatusCode != 404 {
		t.Errorf("missing compute: %d %s", re.StatusCode, re.ErrorCode)
	}
}

func TestManagedClusters(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	all, err := c.clusters.NewListPager(nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byRG, err := c.clusters.NewListByResourceGroupPager(clusterRG, nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(byRG.Value) != 15 || len(all.Value) <= len(byRG.Value) {
		t.Errorf("aks-rg has %d clusters (want 15), subscription %d", len(byRG.Value), len(all.Value))
	}

	tests := []struct {
		name    string
		check   func(p *armcontainerservice.ManagedClusterProperties) bool
		explain string
	}{
		{"aks-healthy", func(p *armcontainerservice.ManagedClusterProperties) bool {
			return deref(p.KubernetesVersion) == "1.32.7" && deref(p.NetworkProfile.LoadBalancerSKU) == armcontainerservice.LoadBalancerSKUStandard &&
				p.APIServerAccessProfile == nil && deref(p.AgentPoolProfiles[0].Count) == 3 && deref(p.AgentPoolProfiles[0].VMSize) == "Standard_D4s_v3"
		}, "1.32.7, standard LB, no ranges, 3 x Standard_D4s_v3"},
		{"aks-basic-ranges", func(p *armcontainerservice.ManagedClusterProperties) bool {
			return deref(p.NetworkProfile.LoadBalancerSKU) == armcontainerservice.LoadBalancerSKUBasic && len(p.APIServerAccessProfile.AuthorizedIPRanges) > 0
		}, "basic LB with authorized ranges"},
		{"aks-private", func(p *armcontainerservice.ManagedClusterProperties) bool {
			return deref(p.APIServerAccessProfile.EnablePrivateCluster) && deref(p.APIServerAccessProfile.EnablePrivateClusterPublicFQDN) && deref(p.PrivateFQDN) != ""
		}, "private with public FQDN"},
		{"aks-old", func(p *armcontainerservice.ManagedClusterProperties) bool {
			return deref(p.CurrentKubernetesVersion) == "1.27.9"
		}, "1.27.9"},
		{"aks-gpu-secondary", func(p *armcontainerservice.ManagedClusterProperties) bool {
			return len(p.AgentPoolProfiles) == 2 && deref(p.AgentPoolProfiles[1].VMSize) == "Standard_NC6s_v3" &&
				deref(p.AgentPoolProfiles[1].Mode) == armcontainerservice.AgentPoolModeUser
		}, "GPU user pool"},
		{"aks-small", func(p *armcontainerservice.ManagedClusterProperties) bool {
			return deref(p.AgentPoolProfiles[0].Count) == 1 && deref(p.AgentPoolProfiles[0].VMSize) == "Standard_D2s_v3"
		}, "1 x Standard_D2s_v3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.clusters.Get(ctx, clusterRG, tc.name, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Properties == nil || !tc.check(got.Properties) {
				t.Errorf("%s is not %s", tc.name, tc.explain)
			}
		})
	}

	west, err := c.clusters.Get(ctx, clusterRG, "aks-west", nil)
	if err != nil || deref(west.Location) != "westus" {
		t.Errorf("aks-west: %v %v", deref(west.Location), err)
	}
	_, err = c.clusters.Get(ctx, clusterRG, "no-such-cluster", nil)
	if re := mustResponseError(t, err); re.StatusCode != 404 || re.ErrorCode != "ResourceNotFound" {
		t.Errorf("missing cluster: %d %s", re.StatusCode, re.ErrorCode)
	}
}

func TestAgentPools(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	page, err := c.pools.NewListPager(clusterRG, "aks-gpu-secondary", nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Value) != 2 {
		t.Fatalf("aks-gpu-secondary has %d pools, want 2", len(page.Value))
	}
	gpu, err := c.pools.Get(ctx, clusterRG, "aks-gpu-secondary", "gpupool", nil)
	if err != nil {
		t.Fatal(err)
	}
	if deref(gpu.Properties.Count) != 2 || deref(gpu.Properties.VMSize) != "Standard_NC6s_v3" {
		t.Errorf("gpupool = %d x %s", deref(gpu.Properties.Count), deref(gpu.Properties.VMSize))
	}
}

func TestKubernetesVersions(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	for _, loc := range []string{"eastus", "westus"} {
		t.Run(loc, func(t *testing.T) {
			got, err := c.clusters.ListKubernetesVersions(ctx, loc, nil)
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, v := range got.Values {
				for patch, pv := range v.PatchVersions {
					var ups []string
					for _, u := range pv.Upgrades {
						ups = append(ups, *u)
					}
					row := deref(v.Version) + " " + patch + " -> " + strings.Join(ups, ",")
					if deref(v.IsDefault) {
						row += " default"
					}
					if deref(v.IsPreview) {
						row += " preview"
					}
					rows = append(rows, row)
				}
			}
			want := []string{"1.31 1.31.10 -> 1.32.7", "1.32 1.32.7 -> 1.33.2 default", "1.33 1.33.2 ->  preview"}
			if !slices.Equal(rows, want) {
				t.Errorf("versions =\n%q\nwant\n%q", rows, want)
			}
		})
	}
}

func TestResourceSKUs(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	page, err := c.skus.NewListPager(&armcompute.ResourceSKUsClientListOptions{Filter: ptr("location eq 'eastus'")}).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	caps := map[string]map[string]string{}
	for _, s := range page.Value {
		if deref(s.ResourceType) != "virtualMachines" || len(s.Locations) != 1 || *s.Locations[0] != "eastus" || len(s.LocationInfo) != 1 {
			t.Errorf("sku %s: type %s locations %v", deref(s.Name), deref(s.ResourceType), s.Locations)
		}
		m := map[string]string{"family": deref(s.Family)}
		for _, cp := range s.Capabilities {
			m[deref(cp.Name)] = deref(cp.Value)
		}
		caps[deref(s.Name)] = m
	}
	if len(caps) != 24 {
		t.Errorf("eastus has %d sizes, want 24", len(caps))
	}
	tests := []struct{ size, key, want string }{
		{"Standard_D3_v2", "vCPUs", "4"},
		{"Standard_D3_v2", "MemoryGB", "14"},
		{"Standard_D2s_v3", "vCPUs", "2"},
		{"Standard_NC6s_v3", "GPUs", "1"},
		{"Standard_NC24ads_A100_v4", "vCPUs", "24"},
		{"Standard_PB6s", "family", "standardPBSFamily"},
	}
	for _, tc := range tests {
		t.Run(tc.size+"/"+tc.key, func(t *testing.T) {
			if got := caps[tc.size][tc.key]; got != tc.want {
				t.Errorf("%s %s = %q, want %q", tc.size, tc.key, got, tc.want)
			}
		})
	}

	none, err := c.skus.NewListPager(&armcompute.ResourceSKUsClientListOptions{Filter: ptr("location eq 'westeurope'")}).NextPage(ctx)
	if err != nil || len(none.Value) != 0 {
		t.Errorf("westeurope: %d sizes, %v", len(none.Value), err)
	}
}

func TestServiceTags(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	got, err := c.serviceTags.List(ctx, "eastus", nil)
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string][]string{}
	for _, v := range got.Values {
		if v.Properties == nil || deref(v.Properties.SystemService) != "AzureMachineLearning" {
			continue
		}
		for _, p := range v.Properties.AddressPrefixes {
			prefixes[deref(v.Name)] = append(prefixes[deref(v.Name)], *p)
		}
		if deref(v.Name) == "AzureMachineLearning.EastUS" && deref(v.Properties.Region) != "eastus" {
			t.Errorf("AzureMachineLearning.EastUS region = %q", deref(v.Properties.Region))
		}
	}
	if len(prefixes["AzureMachineLearning.EastUS"]) != 3 || len(prefixes["AzureMachineLearning.WestUS"]) != 2 {
		t.Errorf("regional prefixes = %v", prefixes)
	}
	for _, p := range append(prefixes["AzureMachineLearning.EastUS"], prefixes["AzureMachineLearning.WestUS"]...) {
		if !slices.Contains(prefixes["AzureMachineLearning"], p) {
			t.Errorf("global AzureMachineLearning lacks %s", p)
		}
	}
}
