package rules

import "strings"

// Catalog is a built-in list of common VM sizes, used when Azure's own list
// for a location is not available (rule P6 then checks against it).
var Catalog = []VMSize{
	{Name: "Standard_A1_v2", VCPUs: 1, MemoryGB: 2},
	{Name: "Standard_A2_v2", VCPUs: 2, MemoryGB: 4},
	{Name: "Standard_A4_v2", VCPUs: 4, MemoryGB: 8},
	{Name: "Standard_D2_v2", VCPUs: 2, MemoryGB: 7},
	{Name: "Standard_D3_v2", VCPUs: 4, MemoryGB: 14},
	{Name: "Standard_D4_v2", VCPUs: 8, MemoryGB: 28},
	{Name: "Standard_DS2_v2", VCPUs: 2, MemoryGB: 7},
	{Name: "Standard_DS3_v2", VCPUs: 4, MemoryGB: 14},
	{Name: "Standard_DS4_v2", VCPUs: 8, MemoryGB: 28},
	{Name: "Standard_D2s_v3", VCPUs: 2, MemoryGB: 8},
	{Name: "Standard_D4s_v3", VCPUs: 4, MemoryGB: 16},
	{Name: "Standard_D8s_v3", VCPUs: 8, MemoryGB: 32},
	{Name: "Standard_D16s_v3", VCPUs: 16, MemoryGB: 64},
	{Name: "Standard_D4s_v5", VCPUs: 4, MemoryGB: 16},
	{Name: "Standard_D8s_v5", VCPUs: 8, MemoryGB: 32},
	{Name: "Standard_E4s_v3", VCPUs: 4, MemoryGB: 32},
	{Name: "Standard_E8s_v3", VCPUs: 8, MemoryGB: 64},
	{Name: "Standard_F4s_v2", VCPUs: 4, MemoryGB: 8},
	{Name: "Standard_F8s_v2", VCPUs: 8, MemoryGB: 16},
	{Name: "Standard_NC6s_v3", VCPUs: 6, MemoryGB: 112, GPUs: 1},
	{Name: "Standard_NC4as_T4_v3", VCPUs: 4, MemoryGB: 28, GPUs: 1},
	{Name: "Standard_NC24ads_A100_v4", VCPUs: 24, MemoryGB: 220, GPUs: 1},
	{Name: "Standard_ND40rs_v2", VCPUs: 40, MemoryGB: 672, GPUs: 8},
	{Name: "Standard_PB6s", VCPUs: 6, MemoryGB: 112, FPGA: true},
}

// RegionPairs maps an Azure region to its paired region, used when Azure's
// location list is not available (rule A1 needs the pair's AML ranges).
var RegionPairs = map[string]string{
	"eastus": "westus", "westus": "eastus",
	"eastus2": "centralus", "centralus": "eastus2",
	"northcentralus": "southcentralus", "southcentralus": "northcentralus",
	"westus2": "westcentralus", "westcentralus": "westus2",
	"westus3":       "eastus",
	"canadacentral": "canadaeast", "canadaeast": "canadacentral",
	"brazilsouth": "southcentralus",
	"northeurope": "westeurope", "westeurope": "northeurope",
	"uksouth": "ukwest", "ukwest": "uksouth",
	"francecentral": "francesouth", "francesouth": "francecentral",
	"germanywestcentral": "germanynorth", "germanynorth": "germanywestcentral",
	"switzerlandnorth": "switzerlandwest", "switzerlandwest": "switzerlandnorth",
	"norwayeast": "norwaywest", "norwaywest": "norwayeast",
	"swedencentral": "swedensouth", "swedensouth": "swedencentral",
	"eastasia": "southeastasia", "southeastasia": "eastasia",
	"japaneast": "japanwest", "japanwest": "japaneast",
	"koreacentral": "koreasouth", "koreasouth": "koreacentral",
	"australiaeast": "australiasoutheast", "australiasoutheast": "australiaeast",
	"centralindia": "southindia", "southindia": "centralindia",
	"uaenorth": "uaecentral", "uaecentral": "uaenorth",
	"southafricanorth": "southafricawest", "southafricawest": "southafricanorth",
}

// PairedRegion returns the pair of an Azure region from the built-in table, or "".
func PairedRegion(location string) string {
	return RegionPairs[strings.ToLower(location)]
}

// FindVMSize looks a size up by name, case-insensitively.
func FindVMSize(sizes []VMSize, name string) (VMSize, bool) {
	for _, s := range sizes {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return VMSize{}, false
}

// closest returns up to n names from candidates nearest to name by edit
// distance, case-insensitively, nearest first.
func closest(name string, candidates []string, n int) []string {
	type scored struct {
		name string
		d    int
	}
	want := strings.ToLower(name)
	var all []scored
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			continue // never suggest the very value that was typed
		}
		all = append(all, scored{c, editDistance(want, strings.ToLower(c))})
	}
	// insertion sort: the lists are short
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].d < all[j-1].d; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
