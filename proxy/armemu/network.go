package armemu

import (
	"net/http"
	"strings"
)

// subnet is a subnet of a virtual network in the sample world.
type subnet struct {
	rg, vnet, name string
	prefixes       []string // addressPrefix, or addressPrefixes when several
}

// subnets is the sample world's virtual networks: net-rg/vnet holds the
// subnet "aks" that create requests with a network name (rule V2).
var subnets = []subnet{
	{rg: "net-rg", vnet: "vnet", name: "aks", prefixes: []string{"10.240.0.0/16"}},
	{rg: "net-rg", vnet: "vnet", name: "scoring", prefixes: []string{"10.241.0.0/24"}},
	{rg: "net-rg", vnet: "vnet-dual", name: "aks", prefixes: []string{"10.242.0.0/16", "10.243.0.0/16"}},
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
