package azure_test

import (
	"context"
	"net/http"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"

	"github.com/amlaks/amlaks/rules"
)

// TestQuotas: the compute usages of a location become the vCPU quotas of
// rule Q1 (the regional total and the families, not the other counters),
// from every page; a location that is not a region's shape never reaches
// the ARM path.
//
// Kept on the fake world: SDK paging edge case (the usages split over two pages) and the exact location asked.
func TestQuotas(t *testing.T) {
	w := newWorld(t)
	var asked []string
	usage := func(name, label string, current int32, limit int64) *armcompute.Usage {
		return &armcompute.Usage{Name: &armcompute.UsageName{Value: to.Ptr(name), LocalizedValue: to.Ptr(label)},
			CurrentValue: to.Ptr(current), Limit: to.Ptr(limit), Unit: to.Ptr("Count")}
	}
	w.comp.UsageServer.NewListPager = func(location string, _ *armcompute.UsageClientListOptions) (resp azfake.PagerResponder[armcompute.UsageClientListResponse]) {
		asked = append(asked, location)
		resp.AddPage(http.StatusOK, armcompute.UsageClientListResponse{ListUsagesResult: armcompute.ListUsagesResult{Value: []*armcompute.Usage{
			usage("availabilitySets", "Availability Sets", 1, 2500),
			usage("cores", "Total Regional vCPUs", 10, 100),
		}}}, nil)
		resp.AddPage(http.StatusOK, armcompute.UsageClientListResponse{ListUsagesResult: armcompute.ListUsagesResult{Value: []*armcompute.Usage{
			usage("standardDv2Family", "Standard Dv2 Family vCPUs", 4, 16),
			usage("virtualMachines", "Virtual Machines", 3, 25000),
		}}}, nil)
		return
	}
	c := mustClient(t, w, nil)
	got, err := c.Quotas(context.Background(), testSub, "East US")
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.Quota{
		{Name: "cores", Label: "Total Regional vCPUs", Limit: 100, Used: 10},
		{Name: "standardDv2Family", Label: "Standard Dv2 Family vCPUs", Limit: 16, Used: 4},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("Quotas mismatch (-want +got):\n%s", d)
	}
	if len(asked) != 1 || asked[0] != "eastus" {
		t.Errorf("asked for %q, want eastus", asked)
	}
	for _, bad := range []string{"..", "east us/../x", "eastus'", "%2F"} {
		if _, err := c.Quotas(context.Background(), testSub, bad); err == nil {
			t.Errorf("Quotas(%q): no error", bad)
		}
	}
	if len(asked) != 1 {
		t.Errorf("hostile locations reached ARM: %q", asked[1:])
	}
}
