package azure_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// TestOneVMCatalog holds the emulator's VM sizes, read through the adapter,
// equal to amlaks's built-in catalog (rules.Catalog, which the page and the
// CLI fall back on): one catalog, with 1-vCPU (P3), 2-vCPU and GPU sizes.
func TestOneVMCatalog(t *testing.T) {
	_, srv := mustServe(t, fastEmulator(0))
	c := mustEmuClient(t, srv, nil)
	got, err := c.VMSizes(context.Background(), armemu.SubscriptionID, "eastus")
	if err != nil {
		t.Fatal(err)
	}
	index := func(sizes []rules.VMSize) map[string]rules.VMSize {
		m := map[string]rules.VMSize{}
		for _, s := range sizes {
			m[s.Name] = rules.VMSize{Name: s.Name, VCPUs: s.VCPUs, MemoryGB: s.MemoryGB, GPUs: s.GPUs, FPGA: s.FPGA}
		}
		return m
	}
	if diff := cmp.Diff(index(rules.Catalog), index(got)); diff != "" {
		t.Errorf("emulator and rules.Catalog disagree (-catalog +emulator):\n%s", diff)
	}
	var one, two, gpu bool
	for _, s := range got {
		one = one || s.VCPUs == 1
		two = two || s.VCPUs == 2
		gpu = gpu || s.GPUs > 0
	}
	if !one || !two || !gpu {
		t.Errorf("1-vCPU %v, 2-vCPU %v, GPU %v: want all", one, two, gpu)
	}
}
