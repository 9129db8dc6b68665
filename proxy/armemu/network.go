package armemu

import (
	"net/http"
	"net/netip"
	"strings"
)

// subnet is a subnet of a virtual network in the sample world.
type subnet struct {
	rg, vnet, name string
	prefixes       []string // addressPrefix, or addressPrefixes when several
}

// subnets is the sample world's virtual networks: net-rg/vnet holds the
// subnet "aks" that create requests with a network name (rule V2), and
// AKS refuses a service CIDR over any of a network's subnets
// (serviceCidrOverlap).
var subnets = []subnet{
	{rg: "net-rg", vnet: "vnet", name: "aks", prefixes: []string{"10.240.0.0/16"}},
	{rg: "net-rg", vnet: "vnet", name: "scoring", prefixes: []string{"10.241.0.0/24"}},
	{rg: "net-rg", vnet: "vnet-dual", name: "aks", prefixes: []string{"10.242.0.0/16", "10.243.0.0/16"}},
	// A network in 10.0.0.0/16, the range AKS's default service CIDR takes:
	// a cluster there needs a service CIDR of its own.
	{rg: "net-rg", vnet: "vnet-ten", name: "aks", prefixes: []string{"10.0.0.0/22"}},
}

// getSubnet serves
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet},
// in the shape of the spec's SubnetGet example.
func (e *Emulator) getSubnet(w http.ResponseWriter, _ *http.Request, p params) error {
	for _, s := range subnets {
		if strings.EqualFold(s.rg, p["rg"]) && strings.EqualFold(s.vnet, p["vnet"]) && strings.EqualFold(s.name, p["subnet"]) {
			id := "/subscriptions/" + SubscriptionID + "/resourceGroups/" + s.rg + "/providers/Microsoft.Network/virtualNetworks/" + s.vnet + "/subnets/" + s.name
			props := map[string]any{"provisioningState": "Succeeded"}
			if len(s.prefixes) == 1 {
				props["addressPrefix"] = s.prefixes[0]
			} else {
				props["addressPrefixes"] = s.prefixes
			}
			writeJSON(w, http.StatusOK, map[string]any{
				"name": s.name, "id": id, "etag": `W/"00000000-0000-0000-0000-000000000000"`,
				"type": "Microsoft.Network/virtualNetworks/subnets", "properties": props,
			})
			return nil
		}
	}
	return errorf(http.StatusNotFound, "NotFound", "Resource /subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/%s/subnets/%s not found.", SubscriptionID, p["rg"], p["vnet"], p["subnet"])
}

// serviceCidrOverlap is AKS's own refusal of a cluster whose service CIDR
// overlaps a subnet of the virtual network its nodes are in, or nil. AKS
// checks every subnet of that network, not only the nodes' own. The code,
// message and target are AKS's, as Microsoft's troubleshooting article
// "Troubleshoot the ServiceCidrOverlapExistingSubnetsCidr error" quotes them
// (learn.microsoft.com/troubleshoot/azure/azure-kubernetes/create-upgrade-delete/servicecidroverlapexistingsubnetscidr-error,
// MicrosoftDocs/SupportArticles-docs) and Azure/AKS#1117 and
// hashicorp/terraform-provider-azurerm#15711 report for a create: 400
// ServiceCidrOverlapExistingSubnetsCidr, "The specified service CIDR … is
// conflicted with an existing subnet CIDR …", target
// networkProfile.serviceCIDR. A subnet the world does not have, or a CIDR
// that does not parse, is left to the other checks.
func serviceCidrOverlap(subnetID, serviceCidr string) *armError {
	svc, err := netip.ParsePrefix(serviceCidr)
	if err != nil || subnetID == "" {
		return nil
	}
	parts := strings.Split(strings.Trim(subnetID, "/"), "/")
	if len(parts) != 10 || !strings.EqualFold(parts[2], "resourceGroups") || !strings.EqualFold(parts[5], "Microsoft.Network") ||
		!strings.EqualFold(parts[6], "virtualNetworks") || !strings.EqualFold(parts[8], "subnets") {
		return nil
	}
	rg, vnet := parts[3], parts[7]
	for _, s := range subnets {
		if !strings.EqualFold(s.rg, rg) || !strings.EqualFold(s.vnet, vnet) {
			continue
		}
		for _, p := range s.prefixes {
			if sp, err := netip.ParsePrefix(p); err == nil && sp.Overlaps(svc) {
				e := errorf(http.StatusBadRequest, "ServiceCidrOverlapExistingSubnetsCidr",
					"The specified service CIDR %s is conflicted with an existing subnet CIDR %s", serviceCidr, p)
				e.target = "networkProfile.serviceCIDR"
				return e
			}
		}
	}
	return nil
}
