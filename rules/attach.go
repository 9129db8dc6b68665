package rules

import (
	"fmt"
	"net/netip"
	"strings"
)

// ClusterRef is a parsed AKS managed cluster resource ID.
type ClusterRef struct {
	Subscription  string
	ResourceGroup string
	Name          string
}

// ID is the canonical resource ID.
func (r ClusterRef) ID() string {
	return "/subscriptions/" + r.Subscription + "/resourceGroups/" + r.ResourceGroup +
		"/providers/Microsoft.ContainerService/managedClusters/" + r.Name
}

// ParseClusterID parses an AKS cluster resource ID (rule T2). Segment names
// compare case-insensitively; values keep their case.
func ParseClusterID(id string) (ClusterRef, error) {
	const shape = "/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}"
	parts := strings.Split(strings.TrimSuffix(id, "/"), "/")
	if len(parts) != 9 || parts[0] != "" {
		return ClusterRef{}, fmt.Errorf("it must look like %s", shape)
	}
	want := []string{"", "subscriptions", "", "resourcegroups", "", "providers", "microsoft.containerservice", "managedclusters", ""}
	for i, w := range want {
		if w != "" && strings.ToLower(parts[i]) != w {
			if i == 6 || i == 7 {
				return ClusterRef{}, fmt.Errorf("it names a %s/%s resource, not an AKS cluster (Microsoft.ContainerService/managedClusters)", parts[6], parts[7])
			}
			return ClusterRef{}, fmt.Errorf("it must look like %s", shape)
		}
	}
	ref := ClusterRef{Subscription: parts[2], ResourceGroup: parts[4], Name: parts[8]}
	switch {
	case !isGUID(ref.Subscription):
		return ClusterRef{}, fmt.Errorf("%q is not a subscription ID", ref.Subscription)
	case !validResourceGroup(ref.ResourceGroup):
		return ClusterRef{}, fmt.Errorf("%q is not a valid resource group name", ref.ResourceGroup)
	case !validClusterName(ref.Name):
		return ClusterRef{}, fmt.Errorf("%q is not a valid cluster name", ref.Name)
	}
	return ref, nil
}

// TargetID returns the full resource ID an attach request points at, and
// whether the target is well-formed.
func (r Request) TargetID() (string, bool) {
	t := r.Target
	if t.ResourceID != "" {
		ref, err := ParseClusterID(t.ResourceID)
		if err != nil {
			return "", false
		}
		return ref.ID(), true
	}
	if t.ResourceGroup == "" || t.Name == "" || !validResourceGroup(t.ResourceGroup) || !validClusterName(t.Name) {
		return "", false
	}
	return ClusterRef{Subscription: r.Workspace.Subscription, ResourceGroup: t.ResourceGroup, Name: t.Name}.ID(), true
}

func checkAttach(c *checker, req Request, facts Facts, purposeOK bool) {
	t := req.Target
	byID, byName := t.ResourceID != "", t.ResourceGroup != "" || t.Name != ""
	switch {
	case byID && byName:
		c.err("T1", FieldTarget, "Give the target cluster either by resource ID or by resource group and name, not both.", "Clear the resource ID, or clear the resource group and name.")
		return
	case !byID && !byName:
		c.err("T1", FieldTarget, "The cluster to attach is required.", "Pick a cluster, or give its resource ID.")
		return
	case byID:
		if _, err := ParseClusterID(t.ResourceID); err != nil {
			c.err("T2", FieldTargetID, "The resource ID is not an AKS cluster's: "+err.Error()+".", "Copy the ID from the cluster's Properties page in the Azure portal.")
			return
		}
	default:
		if t.ResourceGroup == "" {
			c.err("T1", FieldTargetRG, "The cluster's resource group is required.", "Give the resource group of the cluster.")
		} else if !validResourceGroup(t.ResourceGroup) {
			c.err("T2", FieldTargetRG, fmt.Sprintf("%q is not a valid resource group name.", t.ResourceGroup), "Use letters, digits, periods, underscores, hyphens or parentheses.")
		}
		if t.Name == "" {
			c.err("T1", FieldTargetName, "The cluster name is required.", "Give the name of the cluster.")
		} else if !validClusterName(t.Name) {
			c.err("T2", FieldTargetName, fmt.Sprintf("%q is not a valid AKS cluster name.", t.Name), "Use 1 to 63 letters, digits, hyphens or underscores.")
		}
		if t.ResourceGroup == "" || t.Name == "" {
			return
		}
	}
	id, ok := req.TargetID()
	if !ok {
		return
	}
	field := FieldTargetID
	if !byID {
		field = FieldTargetName
	}
	for _, cp := range facts.Computes {
		if cp.ClusterID != "" && strings.EqualFold(cp.ClusterID, id) && !req.Kind.Legacy() {
			c.info("X15", field, fmt.Sprintf("This cluster is already attached to the workspace as %q. A Kubernetes compute may share a cluster: use another namespace to keep their workloads apart.", cp.Name), "")
			break
		}
		if cp.ClusterID != "" && strings.EqualFold(cp.ClusterID, id) {
			c.err("T4", field, fmt.Sprintf("This cluster is already attached to the workspace as %q. Attaching it again under another name breaks the earlier attachment.", cp.Name), fmt.Sprintf("Use %q, or detach it first to attach it again (for a TLS change, say).", cp.Name))
			break
		}
	}
	// The same cluster attached as an AKS compute by another workspace: the
	// Azure ML v1 attach installs its own front end, and two workspaces
	// would fight over it. A Kubernetes compute shares clusters by namespace.
	if req.Kind.Legacy() {
		for _, a := range facts.Attachments {
			if strings.EqualFold(a.Type, "AKS") {
				c.err("T4", field, fmt.Sprintf("This cluster is already attached as %q to the workspace %s. An AKS cluster can serve one Azure ML workspace through the v1 attach.", a.Name, lastSegment(a.Workspace)),
					"Detach it there first, or attach it as a Kubernetes compute, which may share a cluster.")
				break
			}
		}
	}
	if facts.ClusterMissing {
		c.err("T2", field, "No AKS cluster was found at "+id+".", "Check the subscription, resource group and name, and that the proxy's identity may read the cluster.")
		return
	}
	cl := facts.Cluster
	if cl == nil {
		return
	}
	if facts.WorkspaceLocation != "" && !strings.EqualFold(cl.Location, facts.WorkspaceLocation) {
		c.info("T3", field, fmt.Sprintf("The cluster is in %s and the workspace in %s: that works, with some added latency.", cl.Location, facts.WorkspaceLocation), "")
	}
	if purposeOK && req.Kind.Legacy() {
		have, need := cl.VCPUs(), MinVCPUs(req.Purpose)
		if have < need && coresKnown(cl.Pools) {
			what := "production"
			if !req.Purpose.Production() {
				what = "dev/test"
			}
			c.err("T5", field, fmt.Sprintf("A %s cluster needs at least %d vCPUs over its node pools; %s has %s.", what, need, cl.Name, poolArithmetic(cl.Pools)), "Scale the cluster's node pools in AKS, or choose DevTest.")
		}
	}
	checkClusterAccess(c, field, *cl, facts)
	checkClusterVersion(c, field, *cl, facts)
	gpuSystem, gpuOther := false, false
	for _, p := range cl.Pools {
		if p.GPU || p.FPGA {
			if p.System {
				gpuSystem = true
			} else {
				gpuOther = true
			}
		}
	}
	if gpuOther && !gpuSystem && req.Kind.Legacy() {
		c.warn("P7", field, "The cluster's GPU or FPGA nodes are only in a secondary node pool; Azure ML deploys to the nodes the cluster was created with.", "Create a cluster with a GPU or FPGA VM size from the start.")
	}
}

func coresKnown(pools []Pool) bool {
	for _, p := range pools {
		if p.VCPUs <= 0 {
			return false
		}
	}
	return len(pools) > 0
}

func poolArithmetic(pools []Pool) string {
	var parts []string
	total := 0
	for _, p := range pools {
		parts = append(parts, fmt.Sprintf("%d × %d (%s)", p.Count, p.VCPUs, p.VMSize))
		total += p.Count * p.VCPUs
	}
	return strings.Join(parts, " + ") + fmt.Sprintf(" = %d", total)
}

// checkClusterAccess applies A1, A2 and A3 to an attach target.
func checkClusterAccess(c *checker, field string, cl Cluster, facts Facts) {
	if cl.Private {
		if cl.PrivateFQDNPublic {
			c.err("A3", field, "The cluster is private with a public FQDN, which Azure ML refuses to attach.", "Disable the public FQDN of the private cluster, or attach a cluster without it.")
		} else {
			c.info("A3", field, "The cluster is private: the workspace reaches it through the virtual network.", "")
		}
	}
	if len(cl.AuthorizedIPRanges) == 0 {
		return
	}
	if !strings.EqualFold(cl.LoadBalancerSKU, "standard") {
		c.warn("A2", field, "The cluster has authorized IP ranges, which only work with a Standard load balancer; this one is "+orUnknown(cl.LoadBalancerSKU)+".", "Recreate the cluster in AKS with a Standard load balancer.")
	}
	var ranges []netip.Prefix
	for _, r := range cl.AuthorizedIPRanges {
		if p, ok := parseRange(r); ok {
			ranges = append(ranges, p)
		}
	}
	var missing []string
	for _, r := range facts.AMLRanges {
		p, ok := parseRange(r)
		if ok && !coveredBy(p, ranges) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		regions := facts.WorkspaceLocation
		if facts.PairedRegion != "" {
			regions += " and " + facts.PairedRegion
		}
		c.err("A1", field, fmt.Sprintf("The cluster's authorized IP ranges miss %d of the Azure ML control plane ranges (service tag AzureMachineLearning, %s): %s.", len(missing), regions, strings.Join(missing, ", ")), "Add these ranges to the cluster's API server authorized IP ranges: az aks update --api-server-authorized-ip-ranges.")
	}
}

// checkClusterVersion applies K2 and K3 to an attach target.
func checkClusterVersion(c *checker, field string, cl Cluster, facts Facts) {
	vs := facts.ClusterVersions
	if vs == nil && strings.EqualFold(cl.Location, facts.WorkspaceLocation) {
		vs = facts.Versions
	}
	if vs == nil || cl.Version == "" {
		return
	}
	v, ok := FindVersion(vs, cl.Version)
	if !ok {
		var list []string
		for _, s := range vs {
			list = append(list, s.Version)
		}
		c.err("K2", field, fmt.Sprintf("The cluster runs Kubernetes %s, which AKS no longer supports in %s. Supported: %s.", cl.Version, cl.Location, strings.Join(list, ", ")), "Upgrade the cluster in AKS first: az aks upgrade.")
		return
	}
	if v.Preview {
		c.warn("K3", field, fmt.Sprintf("The cluster runs Kubernetes %s, a preview version: no SLA, not for production.", cl.Version), "Upgrade to a generally available version for production.")
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// lastSegment is the last part of a resource ID: its name.
func lastSegment(id string) string {
	if i := strings.LastIndex(strings.TrimRight(id, "/"), "/"); i >= 0 {
		return strings.TrimRight(id, "/")[i+1:]
	}
	return id
}
