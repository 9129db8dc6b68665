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

// TargetResourceID is the attach target as one resource ID, whether it was
// given by ID or by resource group and name (TargetID); a target TargetID
// cannot read is returned as typed, for the exports to show it. Exports and
// the proxy's attach use it, so the fallback lives here once.
func (r Request) TargetResourceID() string {
	if id, ok := r.TargetID(); ok {
		return id
	}
	return r.Target.ResourceID
}

// WithCanonicalTarget returns an attach request whose target is given by its
// resource ID alone (TargetResourceID), as the proxy sends it to Azure.
func (r Request) WithCanonicalTarget() Request {
	if r.Mode == ModeAttach {
		r.Target = Target{ResourceID: r.TargetResourceID()}
	}
	return r
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
	if purposeOK && req.Purpose.Production() && len(cl.Pools) > 0 {
		if n := cl.Nodes(); n < MinProductionNodes {
			c.err("P5", field, fmt.Sprintf("A production cluster needs at least %s; %s has %s.", Count(MinProductionNodes, "node"), cl.Name, Count(n, "node")), fmt.Sprintf("Scale the cluster to %d nodes or more in AKS (az aks scale), or choose DevTest.", MinProductionNodes))
		}
	}
	if purposeOK && req.Kind.Legacy() {
		have, need := cl.VCPUs(), MinVCPUs(req.Purpose)
		if have < need && coresKnown(cl.Pools) {
			if req.Purpose.Production() {
				c.err("T5", field, fmt.Sprintf("A production cluster needs at least %d vCPUs over its node pools; %s has %s.", need, cl.Name, poolArithmetic(cl.Pools)), "Scale the cluster's node pools in AKS, or choose DevTest.")
			} else {
				// As P3: the article recommends 2 vCPUs for dev/test.
				c.warn("T5", field, fmt.Sprintf("A dev/test cluster should have at least %d vCPUs over its node pools; %s has %s.", need, cl.Name, poolArithmetic(cl.Pools)), "Scale the cluster's node pools in AKS.")
			}
		}
	}
	if req.Kind.Legacy() && strings.EqualFold(cl.LoadBalancerSKU, "basic") {
		c.err("V4", field, cl.Name+" uses a Basic load balancer. "+BasicRetired, "Upgrade it before anything else: "+BasicUpgrade+", then attach it.")
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
		c.warn("A2", field, "The cluster has authorized IP ranges, which only work with a Standard load balancer; this one is "+orUnknown(cl.LoadBalancerSKU)+".", "Upgrade the cluster to a Standard load balancer: "+BasicUpgrade+".")
	}
	ranges, tags := authorizedRanges(cl.AuthorizedIPRanges)
	for _, t := range tags {
		if coversAML(t) {
			return // the tag holds every Azure ML range
		}
	}
	var missing []string
	for _, r := range facts.AMLRanges {
		p, ok := parseRange(r)
		if ok && !coveredBy(p, ranges[p.Addr().Is4()]) && (p.Addr().Is4() || len(ranges[false]) > 0) {
			// Like with like: an IPv6 range of Azure ML's is only missing
			// from a cluster that authorizes IPv6 ranges at all.
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return
	}
	regions := facts.WorkspaceLocation
	if facts.PairedRegion != "" {
		regions += " and " + facts.PairedRegion
	}
	if len(tags) > 0 {
		c.warn("A1", field, fmt.Sprintf("The cluster's authorized IP ranges hold the service tag %s, whose ranges amlaks does not know; its CIDRs miss %d of the Azure ML control plane ranges (service tag AzureMachineLearning, %s): %s.", strings.Join(tags, ", "), len(missing), regions, strings.Join(missing, ", ")), "Check that the tag covers them, or use the service tag AzureMachineLearning: az aks update --api-server-authorized-ip-ranges.")
		return
	}
	c.err("A1", field, fmt.Sprintf("The cluster's authorized IP ranges miss %d of the Azure ML control plane ranges (service tag AzureMachineLearning, %s): %s.", len(missing), regions, strings.Join(missing, ", ")), "Add these ranges to the cluster's API server authorized IP ranges: az aks update --api-server-authorized-ip-ranges.")
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
	v, ok := AttachedVersion(vs, cl.Version)
	if !ok {
		var list []string
		newest := ""
		for _, s := range vs {
			list = append(list, s.Version)
			if newest == "" || CompareVersions(s.Version, newest) > 0 {
				newest = s.Version
			}
		}
		if newest != "" && CompareVersions(minorOf(strings.TrimPrefix(cl.Version, "v")), minorOf(newest)) > 0 {
			c.warn("K2", field, fmt.Sprintf("The cluster runs Kubernetes %s, newer than any version AKS lists in %s (the newest is %s): it is not in the list, so amlaks cannot tell whether Azure ML supports it.", cl.Version, cl.Location, newest), "Check the cluster's version with az aks show, and Azure ML's supported versions, before you rely on it.")
			return
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

// authorizedRanges sorts a cluster's authorized IP ranges into IPv4
// prefixes (key true), IPv6 prefixes (key false) and service tags. AKS takes
// IPv4 and IPv6 CIDRs (IPv6 on dual-stack clusters) and, since the service
// tag preview, one service tag such as AzureMachineLearning.
func authorizedRanges(entries []string) (map[bool][]netip.Prefix, []string) {
	ranges := map[bool][]netip.Prefix{}
	var tags []string
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if p, ok := parseRange(e); ok {
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
			}
			ranges[p.Addr().Is4()] = append(ranges[p.Addr().Is4()], p)
		} else if serviceTagShaped(e) {
			tags = append(tags, e)
		}
	}
	return ranges, tags
}

// coversAML reports whether a service tag holds every Azure ML control plane
// range of every region: AzureMachineLearning itself, or AzureCloud (all of
// Azure's public ranges). A regional tag holds one region's only.
func coversAML(tag string) bool {
	return strings.EqualFold(tag, "AzureMachineLearning") || strings.EqualFold(tag, "AzureCloud")
}

// AttachedVersion finds the row a running cluster's version falls under
// (K2): AKS supports every patch of a supported minor version, so 1.32.5 is
// supported when the location lists 1.32.7. The exact row wins; otherwise the
// newest row of the same minor.
func AttachedVersion(vs []KubernetesVersion, version string) (KubernetesVersion, bool) {
	if v, ok := FindVersion(vs, version); ok {
		return v, true
	}
	m := minorOf(strings.TrimPrefix(version, "v"))
	if m == "" || strings.Count(m, ".") != 1 {
		return KubernetesVersion{}, false
	}
	var best KubernetesVersion
	found := false
	for _, v := range vs {
		if minorOf(v.Version) == m && (!found || CompareVersions(v.Version, best.Version) > 0) {
			best, found = v, true
		}
	}
	return best, found
}

// lastSegment is the last part of a resource ID: its name.
func lastSegment(id string) string {
	if i := strings.LastIndex(strings.TrimRight(id, "/"), "/"); i >= 0 {
		return strings.TrimRight(id, "/")[i+1:]
	}
	return id
}
