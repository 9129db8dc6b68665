package armemu_test

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// TestRefusals checks every request Azure itself refuses, through the SDK.
func TestRefusals(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	withProps := func(r armmachinelearning.ComputeResource, f func(p *armmachinelearning.AKSSchemaProperties)) armmachinelearning.ComputeResource {
		f(r.Properties.(*armmachinelearning.AKS).Properties)
		return r
	}
	prod := armmachinelearning.ClusterPurposeFastProd
	dev := armmachinelearning.ClusterPurposeDevTest
	fullNet := &armmachinelearning.AksNetworkingConfiguration{
		SubnetID:         ptr("/subscriptions/" + sub + "/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aks"),
		ServiceCidr:      ptr("10.0.0.0/16"),
		DNSServiceIP:     ptr("10.0.0.10"),
		DockerBridgeCidr: ptr("172.17.0.1/16"),
	}

	tests := []struct {
		name     string
		ws       string
		compute  string
		body     armmachinelearning.ComputeResource
		status   int
		code     string
		contains string
	}{
		{name: "name too short", compute: "ab", body: aksCreate("Standard_D3_v2", 3, prod), status: 400, code: "ValidationError", contains: "3 to 24"},
		{name: "name starts with a digit", compute: "1aks", body: aksCreate("Standard_D3_v2", 3, prod), status: 400, code: "ValidationError"},
		{name: "name ends with a hyphen", compute: "aks-", body: aksCreate("Standard_D3_v2", 3, prod), status: 400, code: "ValidationError"},
		{name: "name with underscore", compute: "my_aks", body: aksCreate("Standard_D3_v2", 3, prod), status: 400, code: "ValidationError"},
		{name: "name of 25 characters", compute: strings.Repeat("a", 25), body: aksCreate("Standard_D3_v2", 3, prod), status: 400, code: "ValidationError"},
		{name: "name taken by an AmlCompute", compute: "cpu-cluster", body: aksCreate("Standard_D3_v2", 3, prod), status: 409, code: "Conflict", contains: "cpu-cluster"},
		{name: "name taken, other case", compute: "AKS-Attached", body: aksCreate("Standard_D3_v2", 3, prod), status: 409, code: "Conflict"},
		{name: "production with 2 nodes", body: aksCreate("Standard_D8s_v3", 2, prod), status: 400, code: "BadRequest", contains: "3 nodes"},
		{name: "production under 12 vCPUs", body: aksCreate("Standard_D2s_v3", 3, prod), status: 400, code: "BadRequest", contains: "12 vCPUs"},
		{name: "no purpose means production", body: aksCreate("Standard_A2_v2", 3, ""), status: 400, code: "BadRequest", contains: "12 vCPUs"},
		{name: "dev/test with 0 nodes", body: aksCreate("Standard_D2s_v3", 0, dev), status: 400, code: "BadRequest", contains: "at least 1"},
		{name: "unknown VM size", body: aksCreate("Standard_Z99", 3, prod), status: 400, code: "BadRequest", contains: "Standard_Z99"},
		{name: "internal LB with Microsoft certificate", body: withProps(aksCreate("Standard_D3_v2", 3, prod), func(p *armmachinelearning.AKSSchemaProperties) {
			p.LoadBalancerType = ptr(armmachinelearning.LoadBalancerTypeInternalLoadBalancer)
			p.SSLConfiguration = &armmachinelearning.SSLConfiguration{Status: ptr(armmachinelearning.SSLConfigStatusAuto), LeafDomainLabel: ptr("myscoring")}
		}), status: 400, code: "BadRequest", contains: "Microsoft certificate"},
		{name: "LB subnet without internal LB", body: withProps(aksCreate("Standard_D3_v2", 3, prod), func(p *armmachinelearning.AKSSchemaProperties) {
			p.LoadBalancerSubnet = ptr("aks-subnet")
		}), status: 400, code: "BadRequest", contains: "InternalLoadBalancer"},
		{name: "partial networking", body: withProps(aksCreate("Standard_D3_v2", 3, prod), func(p *armmachinelearning.AKSSchemaProperties) {
			p.AksNetworkingConfiguration = &armmachinelearning.AksNetworkingConfiguration{SubnetID: fullNet.SubnetID, ServiceCidr: fullNet.ServiceCidr}
		}), status: 400, code: "BadRequest", contains: "all of"},
		{name: "DNS IP outside service CIDR", body: withProps(aksCreate("Standard_D3_v2", 3, prod), func(p *armmachinelearning.AKSSchemaProperties) {
			n := *fullNet
			n.DNSServiceIP = ptr("10.1.0.10")
			p.AksNetworkingConfiguration = &n
		}), status: 400, code: "BadRequest", contains: "not within"},
		{name: "attach a missing cluster", body: aksAttach(clusterID("aks-ghost"), prod), status: 404, code: "ResourceNotFound", contains: "aks-ghost"},
		{name: "attach with missing AML ranges", body: aksAttach(clusterID("aks-missing-ranges"), prod), status: 400, code: "BadRequest", contains: "52.168.112.192/28, 13.86.195.192/28, 40.112.242.176/28"},
		{name: "attach small cluster for production", body: aksAttach(clusterID("aks-small"), prod), status: 400, code: "BadRequest", contains: "12 vCPUs"},
		{name: "attach private cluster with public FQDN", body: aksAttach(clusterID("aks-private"), prod), status: 400, code: "BadRequest", contains: "public FQDN"},
		{name: "attach with LB subnet and public LB", body: withProps(aksAttach(clusterID("aks-healthy"), prod), func(p *armmachinelearning.AKSSchemaProperties) {
			p.LoadBalancerSubnet = ptr("aks-subnet")
		}), status: 400, code: "BadRequest", contains: "InternalLoadBalancer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := tc.ws
			if ws == "" {
				ws = "ws-east"
			}
			name := tc.compute
			if name == "" {
				name = "refused"
			}
			_, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", ws, name, tc.body, nil)
			if err == nil {
				t.Fatal("accepted, want a refusal")
			}
			re := mustResponseError(t, err)
			if re.StatusCode != tc.status || re.ErrorCode != tc.code {
				t.Errorf("got %d %s, want %d %s", re.StatusCode, re.ErrorCode, tc.status, tc.code)
			}
			if !strings.Contains(re.Error(), tc.contains) {
				t.Errorf("message lacks %q:\n%v", tc.contains, re)
			}
		})
	}
	if n := len(c.emu.Attachments(clusterID("aks-healthy"))); n != 0 {
		t.Errorf("a refused request attached something: %d", n)
	}

	// What Azure accepts that the product refuses or warns about.
	accepted := []struct {
		name string
		body armmachinelearning.ComputeResource
	}{
		{"dev/test single small node", aksCreate("Standard_D2s_v3", 1, dev)},
		{"attach basic LB with ranges", aksAttach(clusterID("aks-basic-ranges"), prod)},
		{"attach preview version", aksAttach(clusterID("aks-preview"), prod)},
		{"attach small for dev/test", aksAttach(clusterID("aks-small"), dev)},
		{"attach other region", aksAttach(clusterID("aks-west"), prod)},
		{"attach GPU in a secondary pool", aksAttach(clusterID("aks-gpu-secondary"), prod)},
	}
	for i, tc := range accepted {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			if _, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "accepted-"+string(rune('a'+i)), tc.body, nil); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
}

func TestAgentPoolVMSizeCannotChange(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	pool := armcontainerservice.AgentPool{Properties: &armcontainerservice.ManagedClusterAgentPoolProfileProperties{
		Count: ptr(int32(3)), VMSize: ptr("Standard_D8s_v3"),
	}}
	_, err := c.pools.BeginCreateOrUpdate(ctx, clusterRG, "aks-healthy", "nodepool1", pool, nil)
	re := mustResponseError(t, err)
	if re.StatusCode != 400 || !strings.Contains(re.Error(), "VM size of an existing node pool cannot be changed") {
		t.Errorf("got %d %s: %v", re.StatusCode, re.ErrorCode, re)
	}
	got, err := c.pools.Get(ctx, clusterRG, "aks-healthy", "nodepool1", nil)
	if err != nil || deref(got.Properties.VMSize) != "Standard_D4s_v3" {
		t.Errorf("pool after refusal: %s %v", deref(got.Properties.VMSize), err)
	}
}
