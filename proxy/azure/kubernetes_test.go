package azure_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

// waitExtension reads the extension until its state is want.
func waitExtension(tb testing.TB, c *azure.Client, cl rules.ClusterRef, want string) rules.Extension {
	tb.Helper()
	var got rules.Extension
	until(tb, c, opStep, "the extension is never "+want, func() bool {
		var err error
		if got, err = c.Extension(context.Background(), cl, rules.ExtensionName); err != nil {
			tb.Fatalf("Extension: %v", err)
		}
		return got.State == want
	})
	return got
}

// TestEmulatorKubernetesCreate drives a v2 create through the adapter: the
// cluster, the extension, the attach, each with the bodies rules builds.
func TestEmulatorKubernetesCreate(t *testing.T) {
	opts := fastEmulator(60 * time.Millisecond)
	opts.ExtensionDuration = 60 * time.Millisecond
	_, srv := mustServe(t, opts)
	c := mustEmuClient(t, srv, nil)
	ctx := context.Background()

	req := rules.Request{Mode: rules.ModeCreate, Kind: rules.KindKubernetes, Workspace: emuEast, Name: "k8s-new",
		Location: "eastus", VMSize: "Standard_DS3_v2", NodeCount: 3,
		Kubernetes: rules.Kubernetes{Namespace: "team-a", AllowInsecure: true}}.Normalized("eastus")
	cl, ok := req.KubernetesCluster()
	if !ok {
		t.Fatal("no cluster for the create")
	}
	if err := c.CreateCluster(ctx, cl, rules.ManagedClusterBody(req, "eastus", nil)); err != nil {
		t.Fatalf("CreateCluster: %v", err)
	}
	if err := c.CreateCluster(ctx, cl, rules.ManagedClusterBody(req, "eastus", nil)); err == nil {
		t.Error("a second create of the same cluster was sent")
	}
	until(t, c, opStep, "the cluster is never Succeeded", func() bool {
		got, err := c.Cluster(ctx, cl.ID())
		if err != nil {
			t.Fatal(err)
		}
		if got.State == "Succeeded" && (got.IdentityType != "SystemAssigned" || got.LocalAccountsDisabled || got.LoadBalancerSKU != "standard" || len(got.Pools) != 1 || got.Pools[0].MemoryGB != 14) {
			t.Errorf("created cluster = %+v", got)
		}
		return got.State == "Succeeded"
	})
	if err := c.InstallExtension(ctx, cl, rules.ExtensionSettings(req, cl, "eastus", 3)); err != nil {
		t.Fatalf("InstallExtension: %v", err)
	}
	x := waitExtension(t, c, cl, "Succeeded")
	if !x.AzureML() || x.Settings["allowInsecureConnections"] != "True" {
		t.Errorf("extension = %+v", x)
	}
	if err := c.AttachKubernetes(ctx, req); err != nil {
		t.Fatalf("AttachKubernetes: %v", err)
	}
	got := waitState(t, c, emuEast, "k8s-new", "Succeeded")
	if got.Type != "Kubernetes" || !strings.EqualFold(got.ClusterID, cl.ID()) {
		t.Errorf("compute = %+v", got)
	}
}

// TestEmulatorKubernetesFacts reads the v2 facts of the sample clusters.
func TestEmulatorKubernetesFacts(t *testing.T) {
	_, srv := mustServe(t, fastEmulator(20*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	ctx := context.Background()
	for name, check := range map[string]func(rules.Cluster) bool{
		"aks-sp":           func(cl rules.Cluster) bool { return cl.IdentityType == "ServicePrincipal" },
		"aks-no-local":     func(cl rules.Cluster) bool { return cl.LocalAccountsDisabled },
		"aks-pod-identity": func(cl rules.Cluster) bool { return cl.PodIdentity },
		"aks-healthy": func(cl rules.Cluster) bool {
			return cl.IdentityType == "SystemAssigned" && !cl.LocalAccountsDisabled && !cl.PodIdentity
		},
	} {
		got, err := c.Cluster(ctx, emuClusterID(name))
		if err != nil {
			t.Fatal(err)
		}
		if !check(got) {
			t.Errorf("%s = %+v", name, got)
		}
	}
	xs, err := c.Extensions(ctx, rules.ClusterRef{Subscription: armemu.SubscriptionID, ResourceGroup: "aks-rg", Name: "aks-v2-ready"})
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 1 || !xs[0].AzureML() || xs[0].State != "Succeeded" {
		t.Errorf("aks-v2-ready extensions = %+v", xs)
	}
}

// TestEmulatorExtensionRefusedLater checks an extension Azure accepts and
// then fails reads back as Failed, in plain words.
func TestEmulatorExtensionRefusedLater(t *testing.T) {
	opts := fastEmulator(20 * time.Millisecond)
	opts.ExtensionDuration = 20 * time.Millisecond
	_, srv := mustServe(t, opts)
	c := mustEmuClient(t, srv, nil)
	req := rules.Request{Mode: rules.ModeAttach, Kind: rules.KindKubernetes, Workspace: emuEast, Name: "k8s-sp",
		Target: rules.Target{ResourceID: emuClusterID("aks-sp")}, Kubernetes: rules.Kubernetes{AllowInsecure: true}}.Normalized("eastus")
	cl, _ := req.KubernetesCluster()
	if err := c.InstallExtension(context.Background(), cl, rules.ExtensionSettings(req, cl, "eastus", 3)); err != nil {
		t.Fatalf("InstallExtension: %v", err)
	}
	waitExtension(t, c, cl, "Failed")
}
