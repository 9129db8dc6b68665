package azure

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/rules"
)

// Computes lists a workspace's computes of every type. AKS computes carry
// their cluster's version, nodes and cores, as Compute does.
func (c *Client) Computes(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error) {
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	sc, err := c.forSubscription(ref.Subscription)
	if err != nil {
		return nil, err
	}
	var out []rules.Compute
	pager := sc.computes.NewListPager(ref.ResourceGroup, ref.Name, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "workspace.name")
		}
		for _, r := range page.Value {
			if r != nil {
				out = append(out, c.compute(ctx, ref, r, false))
			}
		}
	}
	return out, nil
}

// Compute reads one compute: its type, provisioning state, purpose, size,
// nodes, cores, Kubernetes version, errors in plain words and times. A
// compute that does not exist is a rules.ErrNotFound.
func (c *Client) Compute(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error) {
	if err := checkRef(ref); err != nil {
		return rules.Compute{}, err
	}
	if name == "" {
		return rules.Compute{}, rules.Errorf(rules.ErrInvalid, "name", "A compute name is required.")
	}
	sc, err := c.forSubscription(ref.Subscription)
	if err != nil {
		return rules.Compute{}, err
	}
	resp, err := sc.computes.Get(ctx, ref.ResourceGroup, ref.Name, name, nil)
	if err != nil {
		return rules.Compute{}, mapError(err, "name")
	}
	return c.compute(ctx, ref, &resp.ComputeResource, false), nil
}

// compute maps a compute resource. For an AKS compute linked to a cluster
// (created or attached) the cluster is read for its version, node count and
// cores; a cluster that is missing or unreadable is tolerated, and the
// compute's own agent count and size are used instead. brief maps the
// compute's own figures only, and asks Azure nothing more.
func (c *Client) compute(ctx context.Context, ref rules.WorkspaceRef, r *armmachinelearning.ComputeResource, brief bool) rules.Compute {
	out := rules.Compute{Name: deref(r.Name)}
	if out.Name == "" {
		if rid, err := arm.ParseResourceID(deref(r.ID)); err == nil {
			out.Name = rid.Name
		}
	}
	if r.Properties == nil {
		return out
	}
	base := r.Properties.GetCompute()
	out.Type = string(deref(base.ComputeType))
	out.State = string(deref(base.ProvisioningState))
	out.Location = normLocation(deref(base.ComputeLocation))
	if out.Location == "" {
		out.Location = normLocation(deref(r.Location))
	}
	out.ClusterID = deref(base.ResourceID)
	out.Attached = deref(base.IsAttachedCompute)
	out.Description = deref(base.Description)
	out.CreatedOn = rfc3339(base.CreatedOn)
	out.ModifiedOn = rfc3339(base.ModifiedOn)
	out.Errors = provisioningErrors(base.ProvisioningErrors)

	if k, ok := r.Properties.(*armmachinelearning.Kubernetes); ok {
		if k.Properties != nil {
			out.Namespace = deref(k.Properties.Namespace)
		}
		if !brief && out.ClusterID != "" {
			c.kubernetesCompute(ctx, ref, &out)
		}
		return out
	}
	aks, ok := r.Properties.(*armmachinelearning.AKS)
	if !ok {
		return out
	}
	if p := aks.Properties; p != nil {
		out.Purpose = rules.Purpose(deref(p.ClusterPurpose))
		out.VMSize = deref(p.AgentVMSize)
		out.Nodes = int(deref(p.AgentCount))
	}
	if brief {
		return out
	}
	if out.ClusterID != "" {
		cl, err := c.Cluster(ctx, out.ClusterID)
		var re *rules.Error
		switch {
		case err == nil:
			out.Version = cl.Version
			if strings.EqualFold(out.State, "Succeeded") && cl.State != "" && !strings.EqualFold(cl.State, "Succeeded") {
				// A scale changes the cluster, not the compute: until AKS is
				// done, say what the cluster is doing (Scaling, Updating).
				out.State = cl.State
			}
			if len(cl.Pools) > 0 {
				nodes := 0
				for _, p := range cl.Pools {
					nodes += p.Count
				}
				out.Nodes, out.VCPUs = nodes, cl.VCPUs()
				if out.VMSize == "" {
					out.VMSize = cl.Pools[systemPool(cl.Pools)].VMSize
				}
			}
			if out.Location == "" {
				out.Location = cl.Location
			}
			return out
		case errors.As(err, &re) && re.Code == rules.ErrNotFound:
			// The cluster is gone or not created yet: use the compute's own figures.
		default:
			c.logf("azure: cluster of compute %s in workspace %s: %v", out.Name, ref.Name, err)
		}
	}
	if out.VMSize != "" && out.Nodes > 0 && out.Location != "" {
		sizes, err := c.vmSizes(ctx, ref.Subscription, out.Location)
		if err != nil {
			c.logf("azure: VM sizes of %s for compute %s: %v", out.Location, out.Name, err)
		}
		if s, ok := sizeIndex(sizes)[strings.ToLower(out.VMSize)]; ok {
			out.VCPUs = out.Nodes * s.VCPUs
		}
	}
	return out
}

// rfc3339 formats a time from Azure, "" for none.
func rfc3339(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// kubernetesCompute adds to a Kubernetes compute its cluster's figures and
// the state of the cluster's Azure ML extension. A cluster or extension
// that cannot be read is tolerated (and logged): the inventory still lists
// the compute.
func (c *Client) kubernetesCompute(ctx context.Context, ref rules.WorkspaceRef, out *rules.Compute) {
	cl, err := c.Cluster(ctx, out.ClusterID)
	if err != nil {
		var re *rules.Error
		if !errors.As(err, &re) || re.Code != rules.ErrNotFound {
			c.logf("azure: cluster of compute %s in workspace %s: %v", out.Name, ref.Name, err)
		}
		return
	}
	out.Version = cl.Version
	if out.Location == "" {
		out.Location = cl.Location
	}
	if len(cl.Pools) > 0 {
		nodes := 0
		for _, p := range cl.Pools {
			nodes += p.Count
		}
		out.Nodes, out.VCPUs = nodes, cl.VCPUs()
		out.VMSize = cl.Pools[systemPool(cl.Pools)].VMSize
	}
	if strings.EqualFold(out.State, "Succeeded") && cl.State != "" && !strings.EqualFold(cl.State, "Succeeded") {
		out.State = cl.State
	}
	ref2, err := rules.ParseClusterID(out.ClusterID)
	if err != nil {
		return
	}
	exts, err := c.Extensions(ctx, ref2)
	if err != nil {
		c.logf("azure: extensions of cluster %s: %v", cl.Name, err)
		return
	}
	for _, e := range exts {
		if e.AzureML() {
			out.ExtensionState = e.State
			break
		}
	}
}
