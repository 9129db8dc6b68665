package azure

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"

	"github.com/amlaks/amlaks/rules"
)

// Clusters lists the AKS managed clusters of a subscription, with their node
// pools; each pool's cores and accelerators come from the VM sizes of the
// cluster's location.
func (c *Client) Clusters(ctx context.Context, subscription string) ([]rules.Cluster, error) {
	sc, err := c.forSubscription(subscription)
	if err != nil {
		return nil, err
	}
	var out []rules.Cluster
	pager := sc.clusters.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "")
		}
		for _, mc := range page.Value {
			if mc == nil {
				continue
			}
			out = append(out, c.cluster(ctx, mc))
		}
	}
	return out, nil
}

// Cluster reads one managed cluster by resource ID. A cluster that does not
// exist is a rules.ErrNotFound.
func (c *Client) Cluster(ctx context.Context, id string) (rules.Cluster, error) {
	const field = "target.resourceId"
	rid, err := parseClusterID(id, field)
	if err != nil {
		return rules.Cluster{}, err
	}
	sc, err := c.forSubscription(rid.SubscriptionID)
	if err != nil {
		return rules.Cluster{}, err
	}
	resp, err := sc.clusters.Get(ctx, rid.ResourceGroupName, rid.Name, nil)
	if err != nil {
		return rules.Cluster{}, mapError(err, field)
	}
	return c.cluster(ctx, &resp.ManagedCluster), nil
}

// parseClusterID checks that id is the resource ID of a managed cluster (rule T2).
func parseClusterID(id, field string) (*arm.ResourceID, error) {
	rid, err := arm.ParseResourceID(id)
	if err != nil || !strings.EqualFold(rid.ResourceType.String(), "Microsoft.ContainerService/managedClusters") ||
		rid.SubscriptionID == "" || rid.ResourceGroupName == "" || rid.Name == "" {
		return nil, rules.Errorf(rules.ErrInvalid, field,
			"This is not the resource ID of an AKS cluster: it looks like "+
				"/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}.")
	}
	return rid, nil
}

// cluster maps a managed cluster. The pools' cores come from the VM sizes of
// the cluster's location; when they cannot be read the pools keep 0 cores
// and the failure is logged.
func (c *Client) cluster(ctx context.Context, mc *armcontainerservice.ManagedCluster) rules.Cluster {
	out := rules.Cluster{
		ID:       deref(mc.ID),
		Name:     deref(mc.Name),
		Location: normLocation(deref(mc.Location)),
	}
	if rid, err := arm.ParseResourceID(out.ID); err == nil {
		out.ResourceGroup, out.Subscription = rid.ResourceGroupName, rid.SubscriptionID
		if out.Name == "" {
			out.Name = rid.Name
		}
	}
	p := mc.Properties
	if p == nil {
		return out
	}
	out.Version = deref(p.CurrentKubernetesVersion)
	if out.Version == "" {
		out.Version = deref(p.KubernetesVersion)
	}
	out.State = deref(p.ProvisioningState)
	clusterV2Facts(&out, mc)
	if p.NetworkProfile != nil && p.NetworkProfile.LoadBalancerSKU != nil {
		out.LoadBalancerSKU = strings.ToLower(string(*p.NetworkProfile.LoadBalancerSKU))
	}
	if a := p.APIServerAccessProfile; a != nil {
		out.Private = deref(a.EnablePrivateCluster)
		out.PrivateFQDNPublic = out.Private && deref(a.EnablePrivateClusterPublicFQDN)
		for _, r := range a.AuthorizedIPRanges {
			if r != nil && *r != "" {
				out.AuthorizedIPRanges = append(out.AuthorizedIPRanges, *r)
			}
		}
	}
	var sizes map[string]rules.VMSize
	if len(p.AgentPoolProfiles) > 0 && out.Subscription != "" && out.Location != "" {
		list, err := c.vmSizes(ctx, out.Subscription, out.Location)
		if err != nil {
			c.logf("azure: VM sizes of %s for cluster %s: %v", out.Location, out.Name, err)
		}
		sizes = sizeIndex(list)
	}
	for _, ap := range p.AgentPoolProfiles {
		if ap == nil {
			continue
		}
		pool := rules.Pool{
			Name:   deref(ap.Name),
			System: deref(ap.Mode) == armcontainerservice.AgentPoolModeSystem,
			VMSize: deref(ap.VMSize),
			Count:  int(deref(ap.Count)),
		}
		if s, ok := sizes[strings.ToLower(pool.VMSize)]; ok {
			pool.VCPUs, pool.MemoryGB, pool.GPU, pool.FPGA = s.VCPUs, s.MemoryGB, s.GPUs > 0, s.FPGA
		}
		out.Pools = append(out.Pools, pool)
	}
	return out
}

// systemPool returns the index of the cluster's system pool: the first pool in
// System mode, else the first pool; -1 when there is no pool.
func systemPool(pools []rules.Pool) int {
	for i, p := range pools {
		if p.System {
			return i
		}
	}
	if len(pools) > 0 {
		return 0
	}
	return -1
}
