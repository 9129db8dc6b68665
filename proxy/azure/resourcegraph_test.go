package azure_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/proxy/armemu"
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
