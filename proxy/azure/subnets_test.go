package azure_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// TestSubnetPrefixes reads subnets of the sample world through the SDK's
// SubnetsClient: one prefix, several, and a subnet that is not there.
func TestSubnetPrefixes(t *testing.T) {
	_, srv := mustServe(t, fastEmulator(0))
	c := mustEmuClient(t, srv, nil)
	ctx := context.Background()
	got, err := c.SubnetPrefixes(ctx, armemu.SubscriptionID, "net-rg", "vnet", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.240.0.0/16"}, got); diff != "" {
		t.Errorf("aks mismatch (-want +got):\n%s", diff)
	}
	got, err = c.SubnetPrefixes(ctx, armemu.SubscriptionID, "net-rg", "vnet-dual", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.242.0.0/16", "10.243.0.0/16"}, got); diff != "" {
		t.Errorf("vnet-dual mismatch (-want +got):\n%s", diff)
	}
	_, err = c.SubnetPrefixes(ctx, armemu.SubscriptionID, "net-rg", "vnet", "nope")
	wantCode(t, err, rules.ErrNotFound, rules.FieldSubnetName)
}
