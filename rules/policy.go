package rules

import (
	"fmt"
	"strings"
)

// checkPolicy applies the platform team's guardrails (codes G1–G6). The same
// code runs in the browser, to show them on the right fields, and in the
// proxy, which refuses with 403 before anything reaches Azure.
func checkPolicy(c *checker, req Request, facts Facts, p Policy) {
	const fix = "Ask the platform team, or pick an allowed value."
	checkScope(c, req.Workspace, p)
	if req.Mode == ModeAttach {
		// The cluster an attach points at is written to by a later scale: it
		// must lie in an allowed subscription and resource group too.
		if id, ok := req.TargetID(); ok {
			field := FieldTargetID
			if req.Target.ResourceID == "" {
				field = FieldTargetRG
			}
			checkClusterScope(c, p, id, field)
		}
	}
	if len(p.Purposes) > 0 && !containsFold(p.Purposes, string(req.Purpose)) {
		c.err("G5", FieldPurpose, fmt.Sprintf("The platform's policy does not allow purpose %s. Allowed: %s.", req.Purpose, strings.Join(p.Purposes, ", ")), fix)
	}
	for _, tag := range p.RequiredTags {
		if !Visible(req.Tags[tag]) {
			c.err("G6", FieldTags, fmt.Sprintf("The platform's policy requires the tag %q, with a value you can see.", tag), fmt.Sprintf("Add the tag %s with a value (spaces and invisible characters do not count).", tag))
		}
	}
	if req.Mode != ModeCreate {
		return
	}
	if len(p.VMSizes) > 0 && !containsFold(p.VMSizes, req.VMSize) {
		c.err("G2", FieldVMSize, fmt.Sprintf("The platform's policy does not allow VM size %s. Allowed: %s.", req.VMSize, strings.Join(p.VMSizes, ", ")), fix)
	}
	if p.MaxNodes > 0 && req.NodeCount > p.MaxNodes {
		c.err("G3", FieldNodeCount, fmt.Sprintf("The platform's policy allows at most %s; this asks for %d.", Count(p.MaxNodes, "node"), req.NodeCount), fmt.Sprintf("Use %s or fewer.", Count(p.MaxNodes, "node")))
	}
	sizes := facts.VMSizes
	if sizes == nil {
		sizes = Catalog
	}
	if size, ok := FindVMSize(sizes, req.VMSize); ok && p.MaxVCPUs > 0 {
		if have, ok := mulNodes(req.NodeCount, size.VCPUs); !ok || have > p.MaxVCPUs {
			c.err("G4", FieldNodeCount, fmt.Sprintf("The platform's policy allows at most %d vCPUs; %s.", p.MaxVCPUs, vcpuArithmetic(req.NodeCount, size.VCPUs)), "Use fewer nodes or a smaller VM size.")
		}
	}
}

// CheckScope applies G1 alone: whether the policy allows the workspace's
// subscription, resource group and name. A nil policy allows everything.
func CheckScope(p *Policy, ref WorkspaceRef) Findings {
	if p == nil {
		return nil
	}
	var c checker
	checkScope(&c, ref, *p)
	return c.out
}

// CheckClusterScope applies G1 to an AKS cluster amlaks writes to (an
// attach target, the cluster a scale changes): its subscription and
// resource group must be allowed. A nil policy allows everything; an ID that
// does not parse is refused when the policy limits anything.
func CheckClusterScope(p *Policy, clusterID, field string) Findings {
	if p == nil {
		return nil
	}
	var c checker
	checkClusterScope(&c, *p, clusterID, field)
	return c.out
}

func checkClusterScope(c *checker, p Policy, clusterID, field string) {
	if len(p.Subscriptions) == 0 && len(p.ResourceGroups) == 0 {
		return
	}
	ref, err := ParseClusterID(clusterID)
	if err != nil {
		c.err("G1", field, "The platform's policy cannot check this cluster: its resource ID is not an AKS cluster's.", "Ask the platform team.")
		return
	}
	if len(p.Subscriptions) > 0 && !containsFold(p.Subscriptions, ref.Subscription) {
		c.err("G1", field, fmt.Sprintf("The platform's policy does not allow clusters in subscription %q. Allowed: %s.", ref.Subscription, strings.Join(p.Subscriptions, ", ")), "Ask the platform team, or pick a cluster in an allowed subscription.")
	}
	if len(p.ResourceGroups) > 0 && !containsFold(p.ResourceGroups, ref.ResourceGroup) {
		c.err("G1", field, fmt.Sprintf("The platform's policy does not allow clusters in resource group %q. Allowed: %s.", ref.ResourceGroup, strings.Join(p.ResourceGroups, ", ")), "Ask the platform team, or pick a cluster in an allowed resource group.")
	}
}

// vcpuArithmetic states nodes × cores, or that the node count is out of range.
func vcpuArithmetic(nodes, cores int) string {
	if have, ok := mulNodes(nodes, cores); ok {
		return fmt.Sprintf("%d nodes × %d cores = %d", nodes, cores, have)
	}
	return fmt.Sprintf("%d nodes is more than an AKS node pool holds (%d)", nodes, MaxNodeCount)
}

func checkScope(c *checker, ref WorkspaceRef, p Policy) {
	scope := []struct {
		field, label, value string
		allowed             []string
	}{
		{FieldSubscription, "subscription", ref.Subscription, p.Subscriptions},
		{FieldResourceGroup, "resource group", ref.ResourceGroup, p.ResourceGroups},
		{FieldWorkspace, "workspace", ref.Name, p.Workspaces},
	}
	for _, s := range scope {
		if s.value != "" && len(s.allowed) > 0 && !containsFold(s.allowed, s.value) {
			c.err("G1", s.field, fmt.Sprintf("The platform's policy does not allow %s %q. Allowed: %s.", s.label, s.value, strings.Join(s.allowed, ", ")), "Ask the platform team, or pick an allowed value.")
		}
	}
}

// CheckScale applies S1, P2/P3, P5 and the policy caps to a node-count change
// of an existing compute.
func CheckScale(req ScaleRequest, current Compute, facts Facts) Findings {
	var c checker
	req.VMSize = checkOneText(&c, FieldVMSize, "VM size", req.VMSize)
	if req.VMSize != "" && !ValidVMSize(req.VMSize) {
		c.err("C3", FieldVMSize, fmt.Sprintf("%q is not a VM size name.", clip(req.VMSize)), "Leave the VM size out: a scale changes the node count only.")
		req.VMSize = ""
	}
	if req.VMSize != "" && !strings.EqualFold(req.VMSize, current.VMSize) {
		c.err("S1", FieldVMSize, fmt.Sprintf("The VM size of an existing cluster cannot change (it is %s).", current.VMSize), "Create a new cluster with "+req.VMSize+", then detach this one.")
	}
	if req.NodeCount <= 0 {
		c.err("P5", FieldNodeCount, "The node count must be a positive whole number.", "Give a node count of 1 or more.")
		return c.out.sorted()
	}
	if req.NodeCount > MaxNodeCount {
		checkNodeRange(&c, req.NodeCount)
		if p := facts.Policy; p != nil && p.MaxNodes > 0 {
			c.err("G3", FieldNodeCount, fmt.Sprintf("The platform's policy allows at most %d nodes.", p.MaxNodes), fmt.Sprintf("Use %d nodes or fewer.", p.MaxNodes))
		}
		return c.out.sorted()
	}
	purpose := current.Purpose
	if purpose.Production() && req.NodeCount < MinProductionNodes {
		c.err("P5", FieldNodeCount, fmt.Sprintf("A production cluster needs at least %s.", Count(MinProductionNodes, "node")), fmt.Sprintf("Keep %s or more.", Count(MinProductionNodes, "node")))
	}
	sizes := facts.VMSizes
	if sizes == nil {
		sizes = Catalog
	}
	if size, ok := FindVMSize(sizes, current.VMSize); ok {
		checkVCPUs(&c, FieldNodeCount, purpose, req.NodeCount, size)
		if current.Nodes > 0 {
			checkQuota(&c, FieldNodeCount, req.NodeCount-current.Nodes, size, facts.Quotas, current.Location)
		}
		if p := facts.Policy; p != nil && p.MaxVCPUs > 0 {
			if have, ok := mulNodes(req.NodeCount, size.VCPUs); !ok || have > p.MaxVCPUs {
				c.err("G4", FieldNodeCount, fmt.Sprintf("The platform's policy allows at most %d vCPUs; %s.", p.MaxVCPUs, vcpuArithmetic(req.NodeCount, size.VCPUs)), "Use fewer nodes.")
			}
		}
	}
	if p := facts.Policy; p != nil && p.MaxNodes > 0 && req.NodeCount > p.MaxNodes {
		c.err("G3", FieldNodeCount, fmt.Sprintf("The platform's policy allows at most %s.", Count(p.MaxNodes, "node")), fmt.Sprintf("Use %s or fewer.", Count(p.MaxNodes, "node")))
	}
	return c.out.sorted()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
