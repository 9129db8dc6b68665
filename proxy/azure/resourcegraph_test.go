package azure_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

// TestSearchComputes asks the emulator's Resource Graph, through the SDK,
// once for the computes of every workspace in a location or on a cluster.
func TestSearchComputes(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(0))
	c := mustEmuClient(t, srv, nil)
	before := emu.Requests()
	got, err := c.SearchComputes(context.Background(), "westus", emuClusterID("aks-attached"))
	if err != nil {
		t.Fatal(err)
	}
	if n := emu.Requests() - before; n != 1 {
		t.Errorf("%d ARM requests, want 1 query", n)
	}
	names := map[string]rules.ComputeHit{}
	for _, h := range got {
		names[h.Name] = rules.ComputeHit{Name: h.Name, Location: h.Location, Type: h.Type, Workspace: h.Workspace[len(h.Workspace)-len("ws-west"):]}
	}
	want := map[string]rules.ComputeHit{
		"aks-attached": {Name: "aks-attached", Location: "eastus", Type: "AKS", Workspace: "ws-east"},
		"shared-name":  {Name: "shared-name", Location: "westus", Type: "AKS", Workspace: "ws-west"},
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("hits mismatch (-want +got):\n%s", diff)
	}
	_, err = c.SearchComputes(context.Background(), "westus", "not-an-id")
	wantCode(t, err, rules.ErrInvalid, "target.resourceId")
	_ = armemu.SubscriptionID
}

// TestSearchML asks the emulator's Resource Graph, through the SDK, once
// for the workspaces, one workspace's computes of every type and every
// workspace's AKS and Kubernetes computes: what the subscriptions list, the
// workspaces list and a compute list would say.
func TestSearchML(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(0))
	c := mustEmuClient(t, srv, nil)
	ctx := context.Background()
	listed, err := c.Workspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ref := rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "ws-east"}
	own, err := c.ComputeRefs(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	before := emu.Requests()
	got, err := c.SearchML(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if n := emu.Requests() - before; n != 1 {
		t.Errorf("%d ARM requests, want 1 query", n)
	}
	if diff := cmp.Diff(listed, got.Workspaces); diff != "" {
		t.Errorf("workspaces differ from the lists' (-lists +graph):\n%s", diff)
	}
	type short struct{ Name, Type, ClusterID string }
	shorten := func(cs []rules.Compute) []short {
		var out []short
		for _, c := range cs {
			out = append(out, short{c.Name, c.Type, c.ClusterID})
		}
		return out
	}
	if diff := cmp.Diff(shorten(own), shorten(got.Computes)); diff != "" {
		t.Errorf("computes differ from the workspace's list (-list +graph):\n%s", diff)
	}
	hits := map[string]string{}
	for _, h := range got.Hits {
		hits[h.Name] = h.Location + " " + h.Type + " " + h.Workspace[strings.LastIndex(h.Workspace, "/")+1:]
	}
	want := map[string]string{"aks-attached": "eastus AKS ws-east", "scoring-prod": "eastus AKS ws-east2", "shared-name": "westus AKS ws-west"}
	if diff := cmp.Diff(want, hits); diff != "" {
		t.Errorf("hits mismatch (-want +got):\n%s", diff)
	}
	clusters, err := c.Clusters(ctx, armemu.SubscriptionID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, cl := range clusters {
		ids = append(ids, cl.ID)
	}
	if diff := cmp.Diff(ids, got.Clusters); diff != "" {
		t.Errorf("cluster IDs differ from the cluster list's (-list +graph):\n%s", diff)
	}
	// Without a workspace: the workspaces and hits, no computes.
	none, err := c.SearchML(ctx, rules.WorkspaceRef{})
	if err != nil {
		t.Fatal(err)
	}
	if none.Computes != nil || len(none.Workspaces) != len(listed) || len(none.Hits) != len(got.Hits) {
		t.Errorf("without a workspace: %d workspaces, %d hits, computes %v", len(none.Workspaces), len(none.Hits), none.Computes)
	}
	// Named subscriptions are read whatever their state (no join with
	// resourcecontainers), as the workspaces lists read them; others have
	// nothing.
	for sub, n := range map[string]int{armemu.SubscriptionID: len(listed), "22222222-2222-4222-8222-222222222222": 0} {
		opts := azure.ForEndpoint(srv.URL, srv.Client())
		opts.Subscriptions = []string{sub}
		named, err := azure.New(azure.StaticCredential{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := named.SearchML(ctx, ref)
		named.Close()
		if err != nil || len(got.Workspaces) != n {
			t.Errorf("subscription %s named: %d workspaces, %v; want %d", sub, len(got.Workspaces), err, n)
		}
	}
	_, err = c.SearchML(ctx, rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg"})
	if err == nil {
		t.Error("a workspace reference of a bad shape was asked about")
	}
}
