package armemu_test

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// TestServiceCidrOverlap: AKS itself refuses a managed cluster whose
// service CIDR overlaps a subnet of its nodes' virtual network, with 400
// ServiceCidrOverlapExistingSubnetsCidr on networkProfile.serviceCIDR (the
// code, words and target of Microsoft's troubleshooting article, see
// serviceCidrOverlap), whatever amlaks's rules say: any subnet of the
// network counts, and every prefix of a subnet with several, and the
// default service CIDR 10.0.0.0/16 too. A range apart from them all is
// created.
func TestServiceCidrOverlap(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	subnet := func(vnet, name string) string {
		return "/subscriptions/" + sub + "/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/" + vnet + "/subnets/" + name
	}
	put := func(name, subnetID, svc, dns string) (int, map[string]any) {
		net := `"loadBalancerSku":"standard"`
		if svc != "" {
			net += `,"serviceCidr":"` + svc + `","dnsServiceIP":"` + dns + `"`
		}
		body := `{"location":"eastus","identity":{"type":"SystemAssigned"},"properties":{"dnsPrefix":"` + name + `",` +
			`"agentPoolProfiles":[{"name":"system","mode":"System","vmSize":"Standard_DS3_v2","count":3,"vnetSubnetID":"` + subnetID + `"}],` +
			`"networkProfile":{` + net + `}}}`
		status, _, out := mustDo(t, c, "PUT", "/subscriptions/"+sub+"/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/"+name+"?api-version=2025-10-01", body)
		return status, out
	}
	refused := []struct {
		name, subnet, svc, dns, conflict string
	}{
		{"the nodes' subnet", subnet("vnet", "aks"), "10.240.0.0/16", "10.240.0.10", "10.240.0.0/16"},
		{"a wider range", subnet("vnet", "aks"), "10.240.0.0/12", "10.240.0.10", "10.240.0.0/16"},
		{"another subnet of the network", subnet("vnet", "aks"), "10.241.0.0/16", "10.241.0.10", "10.241.0.0/24"},
		{"the second prefix of a subnet", subnet("vnet-dual", "aks"), "10.243.0.0/16", "10.243.0.10", "10.243.0.0/16"},
		{"the default service CIDR", subnet("vnet-ten", "aks"), "", "", "10.0.0.0/22"},
	}
	for i, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			status, out := put("aks-overlap-"+string(rune('a'+i)), tc.subnet, tc.svc, tc.dns)
			e, _ := out["error"].(map[string]any)
			if status != 400 || e["code"] != "ServiceCidrOverlapExistingSubnetsCidr" || e["target"] != "networkProfile.serviceCIDR" {
				t.Fatalf("got %d %v, want 400 ServiceCidrOverlapExistingSubnetsCidr on networkProfile.serviceCIDR", status, out)
			}
			msg, _ := e["message"].(string)
			svc := tc.svc
			if svc == "" {
				svc = "10.0.0.0/16"
			}
			if want := "The specified service CIDR " + svc + " is conflicted with an existing subnet CIDR " + tc.conflict; msg != want {
				t.Errorf("message = %q, want %q", msg, want)
			}
		})
	}
	if status, out := put("aks-apart", subnet("vnet", "aks"), "10.0.0.0/16", "10.0.0.10"); status != 201 {
		t.Errorf("a service CIDR apart from the network: %d %v, want 201", status, out)
	}
}

// TestServiceCidrOverlapAzureML: Azure ML accepts an AKS compute create
// whose networking overlaps, and the operation fails with AKS's refusal
// inside the template error Azure ML wraps it in.
func TestServiceCidrOverlapAzureML(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)
	body := aksCreate("Standard_D3_v2", 3, armmachinelearning.ClusterPurposeFastProd)
	body.Properties.(*armmachinelearning.AKS).Properties.AksNetworkingConfiguration = &armmachinelearning.AksNetworkingConfiguration{
		SubnetID:         ptr("/subscriptions/" + sub + "/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aks"),
		ServiceCidr:      ptr("10.240.0.0/16"),
		DNSServiceIP:     ptr("10.240.0.10"),
		DockerBridgeCidr: ptr("172.17.0.1/16"),
	}
	p, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "aks-overlap", body, nil)
	if err != nil {
		t.Fatalf("Azure ML refused the PUT itself: %v", err)
	}
	_, err = p.PollUntilDone(ctx, pollFast())
	if err == nil || !strings.Contains(err.Error(), "ServiceCidrOverlapExistingSubnetsCidr") || !strings.Contains(err.Error(), "10.240.0.0/16") {
		t.Fatalf("operation error = %v, want AKS's ServiceCidrOverlapExistingSubnetsCidr", err)
	}
}
