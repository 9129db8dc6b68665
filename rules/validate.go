package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// BasicRetired and BasicUpgrade are V4's words: AKS retired the Basic load
// balancer on 30 September 2025, and a cluster still on it is upgraded in place.
const (
	BasicRetired = "AKS retired the Basic load balancer on 30 September 2025."
	BasicUpgrade = "az aks update --load-balancer-sku standard"
)

// Minimum vCPUs of a cluster by purpose (rules P2, P3 and T5).
const (
	MinProductionVCPUs = 12
	MinDevTestVCPUs    = 2
	MinProductionNodes = 3
	MinDevTestNodes    = 1
)

// Field paths used in findings. They follow the request's JSON names.
const (
	FieldMode          = "mode"
	FieldSubscription  = "workspace.subscription"
	FieldResourceGroup = "workspace.resourceGroup"
	FieldWorkspace     = "workspace.name"
	FieldName          = "name"
	FieldPurpose       = "purpose"
	FieldLocation      = "location"
	FieldVMSize        = "vmSize"
	FieldNodeCount     = "nodeCount"
	FieldLBType        = "loadBalancer.type"
	FieldLBSubnet      = "loadBalancer.subnet"
	FieldTLSMode       = "tls.mode"
	FieldTLSCert       = "tls.certPem"
	FieldTLSKey        = "tls.keyPem"
	FieldTLSCNAME      = "tls.cname"
	FieldTLSLeaf       = "tls.leafDomainLabel"
	FieldTLSOverwrite  = "tls.overwriteExistingDomain"
	FieldTarget        = "target"
	FieldTargetID      = "target.resourceId"
	FieldTargetRG      = "target.resourceGroup"
	FieldTargetName    = "target.name"
	FieldDescription   = "description"
	FieldTags          = "tags"
	FieldLink          = "link"
)

// ReservedNames are compute names Azure ML refuses (rule N7).
var ReservedNames = []string{"amlcompute", "local", "containerinstance"}

// checker collects findings.
type checker struct{ out Findings }

func (c *checker) add(code, field string, sev Severity, msg, fix string) {
	c.out = append(c.out, Finding{Code: code, Field: field, Severity: sev, Message: msg, Fix: fix})
}
func (c *checker) err(code, field, msg, fix string)  { c.add(code, field, SeverityError, msg, fix) }
func (c *checker) warn(code, field, msg, fix string) { c.add(code, field, SeverityWarning, msg, fix) }
func (c *checker) info(code, field, msg, fix string) { c.add(code, field, SeverityInfo, msg, fix) }

// Validate runs every rule of SPEC.md on a request with the facts known from
// Azure and returns the findings, errors first. Facts that are not known (nil
// or empty) skip the rules that need them, except VM sizes, which fall back
// to the built-in Catalog.
func Validate(req Request, facts Facts) Findings {
	var c checker
	req = checkText(&c, req) // C1, C2: before any rule reads, or echoes, a value
	if req.Mode != ModeCreate && req.Mode != ModeAttach {
		c.err("M1", FieldMode, fmt.Sprintf("Mode %q is not known.", req.Mode), `Choose "create" or "attach".`)
		return c.out.sorted()
	}
	if req.Kind != "" && req.Kind != KindAKS && req.Kind != KindKubernetes {
		c.err("M1", FieldKind, fmt.Sprintf("Compute kind %s is not known.", quoteValue(string(req.Kind))), `Choose "Kubernetes" (Azure ML v2) or "AKS" (v1, legacy).`)
		return c.out.sorted()
	}
	checkWorkspace(&c, req.Workspace)
	checkName(&c, req.Name, facts)
	purposeOK := checkPurpose(&c, req)
	norm := req.Normalized(facts.WorkspaceLocation)
	checkModeFields(&c, req)
	checkShapes(&c, req)
	switch req.Mode {
	case ModeCreate:
		checkCreate(&c, norm, facts, purposeOK)
		checkNetwork(&c, norm.Network, facts)
	case ModeAttach:
		checkAttach(&c, norm, facts, purposeOK)
	}
	if norm.Kind == KindKubernetes {
		checkKubernetes(&c, norm, facts, purposeOK)
	}
	checkLoadBalancer(&c, norm)
	if norm.Kind.Legacy() {
		checkLBSubnet(&c, norm.LoadBalancer)
	}
	if norm.Kind.Legacy() || norm.TLS.Mode != TLSMicrosoft {
		checkTLS(&c, norm, facts)
	}
	checkTagsAndDescription(&c, norm)
	if facts.Policy != nil {
		checkPolicy(&c, norm, facts, *facts.Policy)
	}
	return c.out.sorted()
}

func checkWorkspace(c *checker, w WorkspaceRef) {
	if w.IsZero() {
		c.err("W1", FieldWorkspace, "The workspace is required.", "Pick a workspace.")
		return
	}
	if w.Subscription == "" {
		c.err("W1", FieldSubscription, "The workspace's subscription is required.", "Pick a workspace, or give its subscription ID.")
	} else if !isGUID(w.Subscription) {
		c.err("W1", FieldSubscription, fmt.Sprintf("%q is not a subscription ID.", w.Subscription), "A subscription ID looks like 00000000-0000-0000-0000-000000000000.")
	}
	if w.ResourceGroup == "" {
		c.err("W1", FieldResourceGroup, "The workspace's resource group is required.", "Pick a workspace, or give its resource group.")
	} else if !validResourceGroup(w.ResourceGroup) {
		c.err("W1", FieldResourceGroup, fmt.Sprintf("%q is not a valid resource group name.", w.ResourceGroup), "Use 1 to 90 letters, digits, periods, underscores, hyphens or parentheses, not ending in a period.")
	}
	if w.Name == "" {
		c.err("W1", FieldWorkspace, "The workspace name is required.", "Pick a workspace.")
	} else if !validWorkspaceName(w.Name) {
		c.err("W1", FieldWorkspace, fmt.Sprintf("%q is not a valid workspace name.", w.Name), "Use 3 to 33 letters, digits, hyphens or underscores, starting with a letter or digit.")
	}
}

// CheckWorkspace applies W1 alone: the shape of a workspace reference. The
// proxy uses it on references from URL paths before they reach Azure.
func CheckWorkspace(w WorkspaceRef) Findings {
	var c checker
	checkWorkspace(&c, w)
	return c.out
}

// CheckNameShape applies N1–N4 alone: the shape of a compute name, the
// rules that need no facts. The proxy uses it on names from URL paths.
func CheckNameShape(name string) Findings {
	var c checker
	checkNameShape(&c, name)
	return c.out
}

func checkName(c *checker, name string, facts Facts) {
	if !checkNameShape(c, name) {
		return
	}
	checkNameFacts(c, name, facts)
}

// checkNameShape applies N1–N4 and reports whether there is a name to check further.
func checkNameShape(c *checker, name string) bool {
	n := len([]rune(name))
	switch {
	case name == "":
		c.err("N1", FieldName, "The compute name is required.", "Give a name of 3 to 24 characters, such as aks-prod.")
		return false
	case n < 3 || n > 24:
		c.err("N1", FieldName, fmt.Sprintf("The compute name has %d characters; it needs 3 to 24.", n), "Shorten or lengthen the name to 3 to 24 characters.")
	}
	if r := []rune(name)[0]; !isASCIILetter(r) {
		c.err("N2", FieldName, fmt.Sprintf("The compute name starts with %q; it must start with a letter.", string(r)), "Start the name with a letter a to z.")
	}
	var bad []string
	seen := map[rune]bool{}
	for _, r := range name {
		if !isASCIILetter(r) && !isDigit(r) && r != '-' && !seen[r] {
			seen[r] = true
			bad = append(bad, quoteRune(r))
		}
	}
	if len(bad) > 0 {
		c.err("N3", FieldName, "The compute name may contain only letters, digits and hyphens; it has "+strings.Join(bad, ", ")+".", "Remove those characters or replace them with hyphens.")
	}
	if r := []rune(name)[n-1]; !isASCIILetter(r) && !isDigit(r) {
		c.err("N4", FieldName, fmt.Sprintf("The compute name ends with %q; it must end with a letter or a digit.", string(r)), "Remove the last character, or add a letter or digit after it.")
	}
	return true
}

// checkNameFacts applies N5–N7: uniqueness and reserved names.
func checkNameFacts(c *checker, name string, facts Facts) {
	for _, cp := range facts.Computes {
		if strings.EqualFold(cp.Name, name) {
			kind := cp.Type
			if kind == "" {
				kind = "compute"
			}
			c.err("N5", FieldName, fmt.Sprintf("The workspace already has %s compute named %q; names are unique across every compute type.", WithArticle(kind), cp.Name), "Choose another name.")
			break
		}
	}
	for _, other := range facts.RegionNames {
		if strings.EqualFold(other, name) {
			c.err("N6", FieldName, fmt.Sprintf("Another workspace in this region already has a compute named %q; Azure refuses the name, because compute names must be unique within an Azure region.", other), "Choose a name specific to your team, such as teamname-aks.")
			break
		}
	}
	for _, r := range ReservedNames {
		if strings.EqualFold(name, r) {
			c.err("N7", FieldName, fmt.Sprintf("%q is a reserved name in Azure ML.", name), "Choose another name.")
		}
	}
}

// checkPurpose reports whether the purpose is a known one.
func checkPurpose(c *checker, req Request) bool {
	switch req.Purpose {
	case "":
		c.info("P1", FieldPurpose, "No cluster purpose given: the cluster is for production (FastProd).", "")
	case PurposeFastProd, PurposeDenseProd:
	case PurposeDevTest:
		c.warn("P4", FieldPurpose, "A dev/test cluster is not for production traffic: inference may be slower and it has no fault tolerance.", "Choose FastProd or DenseProd for production.")
	default:
		c.err("P1", FieldPurpose, fmt.Sprintf("Cluster purpose %q is not known.", req.Purpose), "Choose DevTest, FastProd or DenseProd.")
		return false
	}
	return true
}

// checkModeFields warns about fields that the request's mode does not use.
func checkModeFields(c *checker, req Request) {
	ignored := func(field, what string) {
		c.warn("M2", field, what+" is only used when "+map[Mode]string{ModeCreate: "attaching", ModeAttach: "creating"}[req.Mode]+"; it is ignored.", "Clear it, or switch mode.")
	}
	if req.Mode == ModeAttach {
		if req.Location != "" {
			ignored(FieldLocation, "The location")
		}
		if req.VMSize != "" {
			ignored(FieldVMSize, "The VM size")
		}
		if req.NodeCountGiven() {
			ignored(FieldNodeCount, "The node count")
		}
		if !req.Network.IsZero() {
			ignored("network", "The virtual network")
		}
	} else if !req.Target.IsZero() {
		ignored(FieldTarget, "The target cluster")
	}
	if req.Kind.Legacy() && !req.Kubernetes.IsZero() {
		c.warn("M2", FieldKubernetes, "The Kubernetes settings are only used by a Kubernetes compute (Azure ML v2); this request makes a legacy AKS compute, so they are ignored.", `Choose the kind "Kubernetes", or clear them.`)
	}
}

func checkCreate(c *checker, req Request, facts Facts, purposeOK bool) {
	locationOK := checkLocationShape(c, req.Location)
	if locationOK && facts.WorkspaceLocation != "" && req.Location != "" && !strings.EqualFold(req.Location, facts.WorkspaceLocation) {
		c.info("T3", FieldLocation, fmt.Sprintf("The cluster will be in %s and the workspace is in %s: calls between them add latency and may cost egress.", req.Location, facts.WorkspaceLocation), "Use the workspace's location unless you need this one.")
	}
	if def, ok := DefaultVersion(facts.Versions); ok && req.Kind.Legacy() {
		c.info("K1", FieldLocation, fmt.Sprintf("The cluster gets Kubernetes %s, the default of %s; a create cannot choose another version.", def.Version, req.Location), "To run another version, create the cluster in AKS and attach it.")
	}
	if req.Kind.Legacy() {
		c.info("V4", FieldLBType, BasicRetired+" Clusters Azure ML created before then used one; check the new cluster's load balancer SKU.", "A cluster still on Basic must be upgraded before anything else: "+BasicUpgrade+". Or create the cluster in AKS with a Standard load balancer and attach it.")
	}

	if req.NodeCount <= 0 || req.NodeCount > MaxPoolNodes { // 0 only when given: Normalized fills in an absent count
		checkNodeRange(c, req.NodeCount)
		return
	}
	if req.NodeCount > MaxNodeCount {
		c.err("P5", FieldNodeCount, fmt.Sprintf("The node count is %d; an AKS node pool holds at most %d nodes.", req.NodeCount, MaxNodeCount), fmt.Sprintf("Give a node count of %d or fewer.", MaxNodeCount))
		return
	}
	prod := req.Purpose.Production()
	if purposeOK {
		if prod && req.NodeCount < MinProductionNodes {
			c.err("P5", FieldNodeCount, fmt.Sprintf("A production cluster needs at least %s; this one has %s.", Count(MinProductionNodes, "node"), Count(req.NodeCount, "node")), fmt.Sprintf("Set the node count to %d or more, or choose DevTest.", MinProductionNodes))
		}
	}
	sizes := facts.VMSizes
	if sizes == nil {
		sizes = Catalog
	}
	if len(sizes) == 0 {
		regions := make([]string, 0, len(RegionPairs))
		for r := range RegionPairs {
			regions = append(regions, r)
		}
		if locationOK {
			c.err("W2", FieldLocation, fmt.Sprintf("Azure offers no VM sizes in %q: it is not a region name, or not open to this subscription.", req.Location), "Did you mean "+strings.Join(closest(req.Location, sortedStrings(regions), 3), ", ")+"?")
		}
		return
	}
	size, ok := FindVMSize(sizes, req.VMSize)
	if !ok {
		names := make([]string, len(sizes))
		for i, s := range sizes {
			names[i] = s.Name
		}
		where := "in " + req.Location
		if req.Location == "" || facts.VMSizes == nil {
			where = "in the known list"
		}
		c.err("P6", FieldVMSize, fmt.Sprintf("VM size %q is not available %s.", req.VMSize, where), "Did you mean "+strings.Join(closest(req.VMSize, names, 3), ", ")+"?")
		return
	}
	if size.Accelerated() && req.Kind.Legacy() {
		kind := "GPU"
		if size.FPGA {
			kind = "FPGA"
		}
		c.info("P7", FieldVMSize, fmt.Sprintf("%s is a %s size. %s work needs the cluster to be created with such a size: node pools added later to an existing cluster are not supported.", size.Name, kind, kind), "")
	}
	if purposeOK && req.Kind.Legacy() {
		checkVCPUs(c, FieldNodeCount, req.Purpose, req.NodeCount, size)
	}
	checkQuota(c, FieldNodeCount, req.NodeCount, size, facts.Quotas, req.Location)
}

// checkVCPUs applies P2/P3 to nodes x cores and states the arithmetic.
func checkVCPUs(c *checker, field string, p Purpose, nodes int, size VMSize) {
	if size.VCPUs <= 0 {
		return
	}
	need, code, what := MinDevTestVCPUs, "P3", "A dev/test"
	minNodes := MinDevTestNodes
	if p.Production() {
		need, code, what, minNodes = MinProductionVCPUs, "P2", "A production", MinProductionNodes
	}
	have, ok := mulNodes(nodes, size.VCPUs)
	if !ok || have >= need { // out of range: P5 says so
		return
	}
	pass := max((need+size.VCPUs-1)/size.VCPUs, minNodes)
	sev := SeverityError
	if code == "P3" {
		sev = SeverityWarning // the article "recommends" 2 vCPUs for dev/test
	}
	c.add(code, field, sev,
		fmt.Sprintf("%s cluster needs at least %d vCPUs: %s × %s of %s = %d.", what, need, Count(nodes, "node"), Count(size.VCPUs, "core"), size.Name, have),
		fmt.Sprintf("Use at least %s of %s, or a larger VM size.", Count(pass, "node"), size.Name))
}

// MinNodes returns the smallest node count of the size that passes the
// purpose's minimums (P2, P3 and P5), or 0 when the size's cores are unknown.
func MinNodes(p Purpose, size VMSize) int {
	if size.VCPUs <= 0 {
		return 0
	}
	need, minNodes := MinDevTestVCPUs, MinDevTestNodes
	if p.Production() {
		need, minNodes = MinProductionVCPUs, MinProductionNodes
	}
	return max((need+size.VCPUs-1)/size.VCPUs, minNodes)
}

// MinVCPUs returns the vCPUs a cluster of the purpose needs.
func MinVCPUs(p Purpose) int {
	if p.Production() {
		return MinProductionVCPUs
	}
	return MinDevTestVCPUs
}

func checkLoadBalancer(c *checker, req Request) {
	switch req.LoadBalancer.Type {
	case LoadBalancerPublicIP:
		if req.LoadBalancer.Subnet != "" {
			c.err("V3", FieldLBSubnet, "A load balancer subnet only goes with an internal load balancer.", "Choose InternalLoadBalancer, or clear the subnet.")
		}
	case LoadBalancerInternal:
	default:
		c.err("V3", FieldLBType, fmt.Sprintf("Load balancer type %q is not known.", req.LoadBalancer.Type), "Choose PublicIp or InternalLoadBalancer.")
	}
}

func checkTagsAndDescription(c *checker, req Request) {
	if len([]rune(req.Description)) > 1024 {
		c.err("D1", FieldDescription, "The description is longer than 1024 characters.", "Shorten it.")
	}
	if len(req.Tags) > 50 {
		c.err("D2", FieldTags, fmt.Sprintf("There are %d tags; Azure allows 50.", len(req.Tags)), "Remove some tags.")
	}
	for _, k := range sortedKeys(req.Tags) {
		v := req.Tags[k]
		switch {
		case k == "":
			c.err("D2", FieldTags, "A tag has an empty name.", "Give every tag a name.")
		case len(k) > 512 || strings.ContainsAny(k, `<>%&\?/`) || hasControl(k):
			c.err("D2", FieldTags, fmt.Sprintf("Tag name %q is not allowed.", k), `Use at most 512 characters and none of < > % & \ ? / or control characters.`)
		case len(v) > 256 || hasControl(v):
			c.err("D2", FieldTags, fmt.Sprintf("The value of tag %q is not allowed.", clip(k)), "Use at most 256 characters and no control characters.")
		}
	}
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isDigit(r rune) bool       { return r >= '0' && r <= '9' }

func hasControl(s string) bool { return strings.ContainsFunc(s, UnsafeRune) }

func quoteRune(r rune) string {
	switch {
	case r == ' ':
		return "a space"
	case r < 0x20 || r == 0x7f || r > 0x7e:
		return strconv.QuoteRune(r)
	}
	return `"` + string(r) + `"`
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !isDigit(r) && !(r >= 'a' && r <= 'f') && !(r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}

func validResourceGroup(s string) bool {
	if len(s) == 0 || len(s) > 90 || strings.HasSuffix(s, ".") {
		return false
	}
	for _, r := range s {
		if !isASCIILetter(r) && !isDigit(r) && !strings.ContainsRune("._-()", r) {
			return false
		}
	}
	return true
}

func validWorkspaceName(s string) bool {
	if len(s) < 3 || len(s) > 33 {
		return false
	}
	for i, r := range s {
		if !isASCIILetter(r) && !isDigit(r) && (i == 0 || (r != '-' && r != '_')) {
			return false
		}
	}
	return true
}

// validClusterName reports whether s can be an AKS cluster name.
func validClusterName(s string) bool {
	if len(s) == 0 || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !isASCIILetter(r) && !isDigit(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return sortedStrings(keys)
}
