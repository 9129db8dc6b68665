package azure

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"

	"github.com/amlaks/amlaks/rules"
)

// Scale changes the node count of the compute's cluster (rule S1): it reads
// the compute, finds its cluster, and PUTs the cluster's system pool (the
// first pool in System mode, else the first pool) with the new count. It
// returns once Azure has accepted the change.
func (c *Client) Scale(ctx context.Context, ref rules.WorkspaceRef, name string, nodes int) error {
	if err := checkRef(ref); err != nil {
		return err
	}
	if name == "" {
		return rules.Errorf(rules.ErrInvalid, "name", "A compute name is required.")
	}
	if nodes <= 0 {
		return rules.Errorf(rules.ErrInvalid, "nodeCount", "The node count must be a positive whole number.")
	}
	sc, err := c.forSubscription(ref.Subscription)
	if err != nil {
		return err
	}
	comp, err := sc.computes.Get(ctx, ref.ResourceGroup, ref.Name, name, nil)
	if err != nil {
		return mapError(err, "name")
	}
	var clusterID string
	if comp.Properties != nil {
		clusterID = deref(comp.Properties.GetCompute().ResourceID)
	}
	if clusterID == "" {
		return rules.Errorf(rules.ErrUnsupported, "name",
			fmt.Sprintf("The compute %s has no AKS cluster yet: wait until it is created, then scale it.", name))
	}
	rid, err := parseClusterID(clusterID, "name")
	if err != nil {
		return err
	}
	csc, err := c.forSubscription(rid.SubscriptionID)
	if err != nil {
		return err
	}
	pool, err := systemAgentPool(ctx, csc.pools, rid.ResourceGroupName, rid.Name)
	if err != nil {
		return err
	}
	if deref(pool.Properties.EnableAutoScaling) {
		return rules.Errorf(rules.ErrUnsupported, "nodeCount",
			fmt.Sprintf("The node pool %s of cluster %s scales itself (autoscaling is on): change its minimum and maximum in AKS instead.",
				deref(pool.Name), rid.Name))
	}
	update := armcontainerservice.AgentPool{Properties: pool.Properties}
	props := *pool.Properties
	props.Count = to.Ptr(int32(nodes))
	// Read-only fields are not sent back.
	props.ProvisioningState, props.CurrentOrchestratorVersion, props.NodeImageVersion, props.ETag = nil, nil, nil, nil
	update.Properties = &props
	pctx, captured := c.captureRetryAfter(ctx, ref, name)
	poller, err := csc.pools.BeginCreateOrUpdate(pctx, rid.ResourceGroupName, rid.Name, deref(pool.Name), update, nil)
	if err != nil {
		return mapError(err, "nodeCount")
	}
	captured()
	followPoller(c, fmt.Sprintf("scale of compute %s (pool %s of cluster %s) to %d nodes", name, deref(pool.Name), rid.Name, nodes), poller)
	return nil
}

// systemAgentPool lists a cluster's node pools and returns the first one in
// System mode, else the first one.
func systemAgentPool(ctx context.Context, pools *armcontainerservice.AgentPoolsClient, group, cluster string) (*armcontainerservice.AgentPool, error) {
	var first, system *armcontainerservice.AgentPool
	pager := pools.NewListPager(group, cluster, nil)
	for pager.More() && system == nil {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "name")
		}
		for _, p := range page.Value {
			if p == nil || p.Properties == nil || deref(p.Name) == "" {
				continue
			}
			if first == nil {
				first = p
			}
			if deref(p.Properties.Mode) == armcontainerservice.AgentPoolModeSystem {
				system = p
				break
			}
		}
	}
	if system != nil {
		return system, nil
	}
	if first != nil {
		return first, nil
	}
	return nil, rules.Errorf(rules.ErrNotFound, "name", "The compute's AKS cluster "+cluster+" has no node pool to scale.")
}
