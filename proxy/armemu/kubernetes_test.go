package armemu_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/kubernetesconfiguration/armkubernetesconfiguration/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// mustExtensions returns the SDK's extensions client against the emulator.
func mustExtensions(tb testing.TB, c *clients) *armkubernetesconfiguration.ExtensionsClient {
	tb.Helper()
	x, err := armkubernetesconfiguration.NewExtensionsClient(sub, staticCredential{}, c.options())
	if err != nil {
		tb.Fatal(err)
	}
	return x
}

// azureMLExtension is an Azure ML extension body as amlaks sends it.
func azureMLExtension(settings map[string]string, protected map[string]string) armkubernetesconfiguration.Extension {
	cs := map[string]*string{}
	for k, v := range settings {
		cs[k] = to.Ptr(v)
	}
	ps := map[string]*string{}
	for k, v := range protected {
		ps[k] = to.Ptr(v)
	}
	return armkubernetesconfiguration.Extension{
		Identity: &armkubernetesconfiguration.Identity{Type: to.Ptr("SystemAssigned")},
		Properties: &armkubernetesconfiguration.ExtensionProperties{
			ExtensionType:                  to.Ptr("Microsoft.AzureML.Kubernetes"),
			AutoUpgradeMinorVersion:        to.Ptr(true),
			ReleaseTrain:                   to.Ptr("stable"),
			Scope:                          &armkubernetesconfiguration.Scope{Cluster: &armkubernetesconfiguration.ScopeCluster{ReleaseNamespace: to.Ptr("azureml")}},
			ConfigurationSettings:          cs,
			ConfigurationProtectedSettings: ps,
		},
	}
}

var httpSettings = map[string]string{"enableInference": "True", "inferenceRouterServiceType": "LoadBalancer", "allowInsecureConnections": "True"}

// TestKubernetesPath drives the whole v2 path with the official clients:
// create a cluster, install the Azure ML extension, attach it as a
// Kubernetes compute, then read it back.
func TestKubernetesPath(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)
	ext := mustExtensions(t, c)

	cp, err := c.clusters.BeginCreateOrUpdate(ctx, "ml-rg", "aks-v2", armcontainerservice.ManagedCluster{
		Location: to.Ptr("eastus"),
		Identity: &armcontainerservice.ManagedClusterIdentity{Type: to.Ptr(armcontainerservice.ResourceIdentityTypeSystemAssigned)},
		Properties: &armcontainerservice.ManagedClusterProperties{
			DNSPrefix:            to.Ptr("aks-v2"),
			DisableLocalAccounts: to.Ptr(false),
			AgentPoolProfiles: []*armcontainerservice.ManagedClusterAgentPoolProfile{{
				Name: to.Ptr("system"), Mode: to.Ptr(armcontainerservice.AgentPoolModeSystem), VMSize: to.Ptr("Standard_DS3_v2"), Count: to.Ptr[int32](3),
			}},
			NetworkProfile: &armcontainerservice.NetworkProfile{LoadBalancerSKU: to.Ptr(armcontainerservice.LoadBalancerSKUStandard)},
		},
	}, nil)
	if err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	cl, err := cp.PollUntilDone(ctx, pollFast())
	if err != nil {
		t.Fatalf("cluster operation: %v", err)
	}
	if deref(cl.Properties.ProvisioningState) != "Succeeded" || deref(cl.Identity.Type) != armcontainerservice.ResourceIdentityTypeSystemAssigned || deref(cl.Properties.DisableLocalAccounts) {
		t.Errorf("created cluster = %s identity %v local accounts disabled %v", deref(cl.Properties.ProvisioningState), deref(cl.Identity.Type), deref(cl.Properties.DisableLocalAccounts))
	}

	// Attaching before the extension is there is refused by Azure ML.
	id := "/subscriptions/" + sub + "/resourceGroups/ml-rg/providers/Microsoft.ContainerService/managedClusters/aks-v2"
	k8s := armmachinelearning.ComputeResource{
		Location: to.Ptr("eastus"),
		Identity: &armmachinelearning.ManagedServiceIdentity{Type: to.Ptr(armmachinelearning.ManagedServiceIdentityTypeSystemAssigned)},
		Properties: &armmachinelearning.Kubernetes{
			ComputeType: to.Ptr(armmachinelearning.ComputeTypeKubernetes),
			ResourceID:  to.Ptr(id),
			Properties:  &armmachinelearning.KubernetesProperties{Namespace: to.Ptr("team-a")},
		},
	}
	if _, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "k8s-early", k8s, nil); err == nil {
		t.Error("a Kubernetes compute was attached before the extension")
	} else if re := mustResponseError(t, err); re.StatusCode != 400 || !strings.Contains(err.Error(), "extension") {
		t.Errorf("early attach: %d %v", re.StatusCode, err)
	}

	xp, err := ext.BeginCreate(ctx, "ml-rg", "Microsoft.ContainerService", "managedClusters", "aks-v2", "azureml",
		azureMLExtension(map[string]string{"enableInference": "True", "inferenceRouterServiceType": "LoadBalancer", "sslCname": "score.example.com"},
			map[string]string{"scoringFe.sslCert": "Y2VydA==", "scoringFe.sslKey": "a2V5"}), nil)
	if err != nil {
		t.Fatalf("install extension: %v", err)
	}
	x, err := xp.PollUntilDone(ctx, pollFast())
	if err != nil {
		t.Fatalf("extension operation: %v", err)
	}
	if deref(x.Properties.ProvisioningState) != armkubernetesconfiguration.ProvisioningStateSucceeded {
		t.Errorf("extension = %v", deref(x.Properties.ProvisioningState))
	}
	got, err := ext.Get(ctx, "ml-rg", "Microsoft.ContainerService", "managedClusters", "aks-v2", "azureml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range got.Properties.ConfigurationProtectedSettings {
		if deref(v) != "" {
			t.Errorf("protected setting %s is returned: %q", k, deref(v))
		}
	}

	ap, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "k8s-team-a", k8s, nil)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	res, err := ap.PollUntilDone(ctx, pollFast())
	if err != nil {
		t.Fatalf("attach operation: %v", err)
	}
	kp, ok := res.Properties.(*armmachinelearning.Kubernetes)
	if !ok {
		t.Fatalf("attached compute is %T, want *armmachinelearning.Kubernetes", res.Properties)
	}
	if deref(kp.ProvisioningState) != armmachinelearning.ProvisioningStateSucceeded || deref(kp.Properties.Namespace) != "team-a" || !strings.EqualFold(deref(kp.ResourceID), id) {
		t.Errorf("compute = %v namespace %q resource %q", deref(kp.ProvisioningState), deref(kp.Properties.Namespace), deref(kp.ResourceID))
	}
	if res.Identity == nil || deref(res.Identity.Type) != armmachinelearning.ManagedServiceIdentityTypeSystemAssigned {
		t.Errorf("compute identity = %+v", res.Identity)
	}
	// v2 may attach one cluster again, in another namespace.
	k8s.Properties.(*armmachinelearning.Kubernetes).Properties.Namespace = to.Ptr("team-b")
	if p, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "k8s-team-b", k8s, nil); err != nil {
		t.Errorf("second attach: %v", err)
	} else if _, err := p.PollUntilDone(ctx, pollFast()); err != nil {
		t.Errorf("second attach operation: %v", err)
	}
}

// TestKubernetesRefusals are Azure's own refusals of the v2 path, at once or
// inside the operation.
func TestKubernetesRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cluster  string
		settings map[string]string
		later    bool // the operation fails, not the PUT
		want     string
	}{
		{"neither inference nor training", "aks-healthy", map[string]string{"inferenceRouterServiceType": "LoadBalancer"}, false, "either enable Machine Learning training or inference"},
		{"no HTTPS and no HTTP", "aks-healthy", map[string]string{"enableInference": "True", "inferenceRouterServiceType": "LoadBalancer"}, false, "allowInsecureConnections=true"},
		{"no router type", "aks-healthy", map[string]string{"enableInference": "True", "allowInsecureConnections": "True"}, false, "inferenceRouterServiceType"},
		{"service principal", "aks-sp", httpSettings, true, "managed identity"},
		{"local accounts disabled", "aks-no-local", httpSettings, true, "Local accounts are disabled"},
		{"region without extensions", "aks-central", httpSettings, true, "not supported in region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustClients(t, fastOptions())
			ctx := mustContext(t)
			p, err := mustExtensions(t, c).BeginCreate(ctx, clusterRG, "Microsoft.ContainerService", "managedClusters", tt.cluster, "azureml", azureMLExtension(tt.settings, nil), nil)
			if !tt.later {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("PUT error = %v, want one saying %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("PUT refused at once (%v); Azure fails this inside the operation", err)
			}
			if _, err := p.PollUntilDone(ctx, pollFast()); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("operation error = %v, want one saying %q", err, tt.want)
			}
		})
	}
	t.Run("another subscription", func(t *testing.T) {
		c := mustClients(t, fastOptions())
		ctx := mustContext(t)
		other := strings.Replace(clusterID("aks-v2-ready"), sub, "00000000-0000-4000-8000-000000000009", 1)
		_, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "k8s-other", armmachinelearning.ComputeResource{
			Location:   to.Ptr("eastus"),
			Properties: &armmachinelearning.Kubernetes{ComputeType: to.Ptr(armmachinelearning.ComputeTypeKubernetes), ResourceID: to.Ptr(other), Properties: &armmachinelearning.KubernetesProperties{Namespace: to.Ptr("default")}},
		}, nil)
		if err == nil || !strings.Contains(err.Error(), "Azure Arc") {
			t.Fatalf("attach of another subscription's cluster: %v", err)
		}
	})
}

// TestClusterFactsOfV2 checks what a cluster tells about the v2 rules.
func TestClusterFactsOfV2(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)
	for name, check := range map[string]func(armcontainerservice.ManagedCluster) bool{
		"aks-sp": func(m armcontainerservice.ManagedCluster) bool {
			return m.Identity == nil && deref(m.Properties.ServicePrincipalProfile.ClientID) != "msi"
		},
		"aks-no-local":     func(m armcontainerservice.ManagedCluster) bool { return deref(m.Properties.DisableLocalAccounts) },
		"aks-pod-identity": func(m armcontainerservice.ManagedCluster) bool { return deref(m.Properties.PodIdentityProfile.Enabled) },
		"aks-healthy": func(m armcontainerservice.ManagedCluster) bool {
			return deref(m.Identity.Type) == "SystemAssigned" && !deref(m.Properties.DisableLocalAccounts)
		},
	} {
		got, err := c.clusters.Get(ctx, clusterRG, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !check(got.ManagedCluster) {
			t.Errorf("%s does not show its v2 case", name)
		}
	}
	pager := mustExtensions(t, c).NewListPager(clusterRG, "Microsoft.ContainerService", "managedClusters", "aks-v2-ready", nil)
	page, err := pager.NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Value) != 1 || deref(page.Value[0].Properties.ExtensionType) != "Microsoft.AzureML.Kubernetes" {
		t.Errorf("aks-v2-ready extensions = %d", len(page.Value))
	}
}

// TestClusterWithGPUPool: a managed cluster PUT with a second, User pool of
// a GPU size keeps both pools and reports them; Azure's own checks of the
// pools refuse a bad name, a repeated name, an unknown mode and a cluster
// without a System pool.
func TestClusterWithGPUPool(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	put := func(name, pools string) (int, map[string]any) {
		body := `{"location":"eastus","identity":{"type":"SystemAssigned"},"properties":{"dnsPrefix":"` + name + `","agentPoolProfiles":[` + pools +
			`],"networkProfile":{"loadBalancerSku":"standard"}}}`
		status, _, got := mustDo(t, c, "PUT", "/subscriptions/"+sub+"/resourceGroups/ml-rg/providers/Microsoft.ContainerService/managedClusters/"+name+"?api-version=2025-10-01", body)
		return status, got
	}
	const system = `{"name":"system","mode":"System","vmSize":"Standard_DS3_v2","count":3,"osType":"Linux"}`
	if status, got := put("aks-gpu", system+`,{"name":"gpu","mode":"User","vmSize":"Standard_NC6s_v3","count":2,"osType":"Linux"}`); status != 201 {
		t.Fatalf("PUT = %d %v", status, got)
	}
	_, _, cl := mustGetJSON(t, c, "/subscriptions/"+sub+"/resourceGroups/ml-rg/providers/Microsoft.ContainerService/managedClusters/aks-gpu?api-version=2025-10-01")
	profiles, _ := cl["properties"].(map[string]any)["agentPoolProfiles"].([]any)
	var pools []string
	for _, p := range profiles {
		m := p.(map[string]any)
		pools = append(pools, fmt.Sprintf("%v %v %v %v", m["name"], m["mode"], m["vmSize"], m["count"]))
	}
	if want := []string{"system System Standard_DS3_v2 3", "gpu User Standard_NC6s_v3 2"}; !slices.Equal(pools, want) {
		t.Errorf("pools = %q, want %q", pools, want)
	}
	for _, tc := range []struct{ name, pools, words string }{
		{"aks-bad-name", system + `,{"name":"GPU-pool","mode":"User","vmSize":"Standard_NC6s_v3","count":1}`, "agentPoolProfile.name"},
		{"aks-long-name", system + `,{"name":"gpupoolnumber1","mode":"User","vmSize":"Standard_NC6s_v3","count":1}`, "agentPoolProfile.name"},
		{"aks-same-name", system + `,{"name":"system","mode":"User","vmSize":"Standard_NC6s_v3","count":1}`, "more than one"},
		{"aks-bad-mode", system + `,{"name":"gpu","mode":"Gpu","vmSize":"Standard_NC6s_v3","count":1}`, "agentPoolProfile.mode"},
		{"aks-no-system", `{"name":"gpu","mode":"User","vmSize":"Standard_NC6s_v3","count":1}`, "mode System"},
	} {
		status, got := put(tc.name, tc.pools)
		if msg := fmt.Sprint(got); status != 400 || !strings.Contains(msg, tc.words) {
			t.Errorf("%s: %d %v, want 400 saying %q", tc.name, status, got, tc.words)
		}
	}
}
