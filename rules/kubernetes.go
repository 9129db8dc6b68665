package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the kind of Azure ML compute a request makes, named as ARM's
// computeType names it.
type Kind string

// The two kinds of compute. KindAKS is Azure ML v1's AKS compute, which Azure
// ML calls legacy (SDK v1 support ended on 30 June 2026, CLI v1 support on 30
// September 2025); KindKubernetes is the v2 Kubernetes compute: the Azure ML
// extension installed on the cluster, then the cluster attached with a
// namespace. An empty kind is KindAKS, so requests and links made before v2
// keep their meaning.
const (
	KindAKS        Kind = "AKS"
	KindKubernetes Kind = "Kubernetes"
)

// Legacy reports whether the kind is Azure ML v1's legacy AKS compute.
func (k Kind) Legacy() bool { return k == "" || k == KindAKS }

// RouterServiceType is how the Azure ML inference router (azureml-fe) is
// exposed: the extension setting inferenceRouterServiceType.
type RouterServiceType string

// The router service types the extension accepts.
const (
	RouterLoadBalancer RouterServiceType = "loadBalancer"
	RouterNodePort     RouterServiceType = "nodePort"
	RouterClusterIP    RouterServiceType = "clusterIP"
)

// IdentityType is the managed identity a Kubernetes compute uses.
type IdentityType string

// The identity types of a Kubernetes compute.
const (
	IdentitySystemAssigned IdentityType = "SystemAssigned"
	IdentityUserAssigned   IdentityType = "UserAssigned"
)

// ExtensionType is the cluster extension type of the Azure ML extension.
const ExtensionType = "Microsoft.AzureML.Kubernetes"

// DefaultNamespace is the namespace a Kubernetes compute uses when none is given.
const DefaultNamespace = "default"

// Kubernetes holds the settings of a v2 Kubernetes compute: where its
// workloads run (namespace), how the extension is configured, and, for a
// create, the cluster's Kubernetes version and API server ranges. The TLS
// certificate and key of HTTPS come from Request.TLS (mode custom) and are
// sent to Azure as the extension's protected settings only; an internal load
// balancer is Request.LoadBalancer's InternalLoadBalancer.
type Kubernetes struct {
	// Namespace is the Kubernetes namespace of the compute's workloads. It
	// must exist already: attach neither creates nor checks it.
	Namespace string `json:"namespace,omitempty"`
	// Version is the Kubernetes version of a created cluster; empty means
	// the location's default.
	Version string `json:"version,omitempty"`
	// Training also enables training jobs (enableTraining).
	Training bool `json:"training,omitempty"`
	// RouterServiceType exposes the inference router; empty means loadBalancer.
	RouterServiceType RouterServiceType `json:"routerServiceType,omitempty"`
	// AllowInsecure serves scoring over HTTP (allowInsecureConnections): for
	// development and test only.
	AllowInsecure bool `json:"allowInsecure,omitempty"`
	// SingleRouter turns inferenceRouterHA off: one router replica instead
	// of three. The three replicas need at least three nodes.
	SingleRouter bool `json:"singleRouter,omitempty"`
	// NvidiaDevicePlugin installs the NVIDIA device plugin, which GPU
	// workloads need (installNvidiaDevicePlugin).
	NvidiaDevicePlugin bool `json:"nvidiaDevicePlugin,omitempty"`
	// NodeSelector limits the extension's workloads to matching nodes.
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// Identity is the compute's managed identity; empty means system-assigned.
	Identity IdentityType `json:"identity,omitempty"`
	// UserIdentity is the resource ID of the user-assigned identity.
	UserIdentity string `json:"userIdentity,omitempty"`
	// AuthorizedIPRanges are the API server ranges of a created cluster;
	// amlaks adds the Azure ML control plane ranges to them.
	AuthorizedIPRanges []string `json:"authorizedIpRanges,omitempty"`
	// GPUPool is an optional second node pool of a GPU size, for a created
	// cluster only (rule X16).
	GPUPool GPUPool `json:"gpuPool,omitzero"`
}

// IsZero reports whether no Kubernetes setting is given.
func (k Kubernetes) IsZero() bool {
	return k.Namespace == "" && k.Version == "" && !k.Training && k.RouterServiceType == "" &&
		!k.AllowInsecure && !k.SingleRouter && !k.NvidiaDevicePlugin &&
		len(k.NodeSelector) == 0 && k.Identity == "" && k.UserIdentity == "" && len(k.AuthorizedIPRanges) == 0 &&
		k.GPUPool.IsZero()
}

// Extension is a cluster extension installed on an AKS cluster, as Azure
// reports it (Microsoft.KubernetesConfiguration/extensions).
type Extension struct {
	Name         string            `json:"name"`
	Type         string            `json:"type"`                   // Microsoft.AzureML.Kubernetes for Azure ML
	State        string            `json:"state,omitempty"`        // provisioningState
	Version      string            `json:"version,omitempty"`      // currentVersion
	ReleaseTrain string            `json:"releaseTrain,omitempty"` // stable
	Settings     map[string]string `json:"settings,omitempty"`     // configurationSettings, never the protected ones
	Errors       []string          `json:"errors,omitempty"`       // Azure's words when it failed (errorInfo)
}

// AzureML reports whether the extension is the Azure ML extension.
func (e Extension) AzureML() bool { return strings.EqualFold(e.Type, ExtensionType) }

// Field paths of the Kubernetes settings.
const (
	FieldKind               = "kind"
	FieldKubernetes         = "kubernetes"
	FieldNamespace          = "kubernetes.namespace"
	FieldK8sVersion         = "kubernetes.version"
	FieldRouterServiceType  = "kubernetes.routerServiceType"
	FieldAllowInsecure      = "kubernetes.allowInsecure"
	FieldSingleRouter       = "kubernetes.singleRouter"
	FieldNvidiaDevicePlugin = "kubernetes.nvidiaDevicePlugin"
	FieldNodeSelector       = "kubernetes.nodeSelector"
	FieldIdentity           = "kubernetes.identity"
	FieldUserIdentity       = "kubernetes.userIdentity"
	FieldAuthorizedIPRanges = "kubernetes.authorizedIpRanges"
)

// Resource minimums of the Azure ML extension for inference ("Reference for
// configuring Kubernetes cluster for Azure Machine Learning", recommended
// resource planning): production needs three nodes of the DS3_v2 class, a
// test cluster one node of the DS2_v2 class.
const (
	ExtensionProductionNodes  = 3
	ExtensionProductionVCPUs  = 4
	ExtensionProductionMemory = 14
	ExtensionTestNodes        = 1
	ExtensionTestVCPUs        = 2
	ExtensionTestMemory       = 7
	// RouterHANodes is what inferenceRouterHA's three router replicas need.
	RouterHANodes = 3
	// SupportedMinors is the AKS support window: the newest generally
	// available minor and the two before it (N-2).
	SupportedMinors = 3
)

// normalizeKubernetes fills in the extension's defaults.
func normalizeKubernetes(k Kubernetes) Kubernetes {
	if k.Namespace == "" {
		k.Namespace = DefaultNamespace
	}
	if k.RouterServiceType == "" {
		k.RouterServiceType = RouterLoadBalancer
	}
	if k.Identity == "" {
		k.Identity = IdentitySystemAssigned
	}
	if !k.GPUPool.IsZero() && k.GPUPool.Name == "" {
		k.GPUPool.Name = DefaultGPUPoolName
	}
	return k
}

// checkKubernetes applies the rules of the v2 path (X1–X14) to a normalized
// Kubernetes request. The v1 rules that hold for both kinds (names, VM
// sizes, node counts, networks, targets, policy) run beside it in Validate.
func checkKubernetes(c *checker, req Request, facts Facts, purposeOK bool) {
	k := req.Kubernetes
	checkKubernetesShape(c, req)
	checkKubernetesTLS(c, req)
	if req.Mode == ModeCreate {
		checkKubernetesCreate(c, req, facts, purposeOK)
	}
	if facts.ExtensionRegions != nil && req.Mode == ModeCreate && req.Location != "" &&
		!slices.ContainsFunc(facts.ExtensionRegions, func(r string) bool { return strings.EqualFold(r, req.Location) }) {
		c.err("X10", FieldLocation, fmt.Sprintf("The Azure ML extension is not offered in %s: it is available only where Azure Arc-enabled Kubernetes is.", req.Location), "Choose a region where cluster extensions are offered, such as "+strings.Join(closest(req.Location, facts.ExtensionRegions, 3), ", ")+".")
	}
	if req.Mode == ModeAttach {
		checkKubernetesAttach(c, req, facts, purposeOK)
	}
	if k.Namespace != DefaultNamespace && validLabel(k.Namespace) {
		c.info("X11", FieldNamespace, fmt.Sprintf("Namespace %q must exist on the cluster before the compute is used: attaching neither creates nor checks it.", k.Namespace), "kubectl create namespace "+k.Namespace)
	}
}

// checkKubernetesShape applies the rules that need no facts: the namespace,
// the router, the identity and the node selector.
func checkKubernetesShape(c *checker, req Request) {
	k := req.Kubernetes
	if !validLabel(k.Namespace) {
		c.err("X11", FieldNamespace, fmt.Sprintf("%s is not a Kubernetes namespace name.", quoteValue(k.Namespace)), "Use 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, such as team-a.")
	}
	switch k.RouterServiceType {
	case RouterLoadBalancer, RouterNodePort, RouterClusterIP:
	default:
		c.err("X12", FieldRouterServiceType, fmt.Sprintf("Router service type %s is not known.", quoteValue(string(k.RouterServiceType))), "Choose loadBalancer, nodePort or clusterIP.")
	}
	if req.LoadBalancer.Type == LoadBalancerInternal && k.RouterServiceType != RouterLoadBalancer {
		c.err("X12", FieldLBType, "An internal load balancer (internalLoadBalancerProvider=azure) needs the router service type loadBalancer.", "Choose loadBalancer, or a public IP.")
	}
	if req.LoadBalancer.Subnet != "" {
		c.warn("M2", FieldLBSubnet, "A Kubernetes compute's internal load balancer uses the cluster's own subnet; the load balancer subnet is ignored.", "Clear it.")
	}
	switch k.Identity {
	case IdentitySystemAssigned:
		if k.UserIdentity != "" {
			c.err("X1", FieldUserIdentity, "A user-assigned identity goes only with the identity type UserAssigned.", "Choose UserAssigned, or clear the identity's resource ID.")
		}
	case IdentityUserAssigned:
		if _, ok := parseIdentityID(k.UserIdentity); !ok {
			c.err("X1", FieldUserIdentity, "A user-assigned identity needs its resource ID: /subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}.", "Copy the ID from the identity's Properties page in the Azure portal.")
		}
	default:
		c.err("X1", FieldIdentity, fmt.Sprintf("Identity type %s is not known.", quoteValue(string(k.Identity))), "Choose SystemAssigned or UserAssigned.")
	}
	for _, key := range sortedKeys(k.NodeSelector) {
		if !validLabelKey(key) || !validLabelValue(k.NodeSelector[key]) {
			c.err("X12", FieldNodeSelector, fmt.Sprintf("Node selector %s=%s is not a Kubernetes label.", quoteValue(key), quoteValue(k.NodeSelector[key])), "Use a label key such as agentpool or kubernetes.azure.com/agentpool and a value of up to 63 letters, digits, '-', '_' or '.'.")
		}
	}
	if req.Mode == ModeAttach && !k.GPUPool.IsZero() {
		c.warn("M2", FieldGPUPool, "A GPU node pool is only added when amlaks creates the cluster; for an attach it is ignored.", "Remove the GPU pool, or add it to the cluster with az aks nodepool add before attaching.")
	}
	if req.Mode == ModeAttach && (k.Version != "" || len(k.AuthorizedIPRanges) > 0) {
		c.warn("M2", FieldKubernetes, "The Kubernetes version and API server ranges are only used when creating a cluster; they are ignored.", "Clear them, or switch to create.")
	}
}

// checkKubernetesTLS applies X4: HTTPS needs a CNAME, a certificate and its
// key (checked as L4 checks them); HTTP is for development and test only;
// the v2 extension has no Microsoft certificate.
func checkKubernetesTLS(c *checker, req Request) {
	k := req.Kubernetes
	switch req.TLS.Mode {
	case TLSMicrosoft:
		c.err("X4", FieldTLSMode, "A Kubernetes compute has no Microsoft certificate: the Azure ML extension serves HTTPS with your certificate, or HTTP.", "Give your certificate, key and CNAME, or allow HTTP for development and test.")
	case TLSDisabled:
		if !k.AllowInsecure {
			c.err("X4", FieldTLSMode, "Scoring needs HTTPS with your certificate, or HTTP allowed explicitly.", "Give your certificate, key and CNAME, or allow HTTP (development and test only).")
			return
		}
		c.warn("X4", FieldAllowInsecure, "Scoring over HTTP sends requests and answers unencrypted: for development and test only.", "Give a certificate, key and CNAME for production.")
	case TLSCustom:
		if k.AllowInsecure {
			c.warn("X4", FieldAllowInsecure, "HTTP is allowed beside HTTPS: scoring requests may travel unencrypted.", "Clear \"allow HTTP\" when the certificate is in place.")
		}
	}
}

// checkKubernetesCreate applies the v2 rules of a created cluster: the
// version (X7), the router replicas (X5), the nodes (X6), the GPU pool
// (X16), GPUs (X13) and the API server ranges (X8). X5 and X6 count the
// system pool only.
func checkKubernetesCreate(c *checker, req Request, facts Facts, purposeOK bool) {
	k := req.Kubernetes
	if k.Version != "" && facts.Versions != nil {
		checkCreateVersion(c, k.Version, facts.Versions, req.Location)
	}
	size, sizeKnown := FindVMSize(vmSizesOf(facts), req.VMSize)
	nodes := req.NodeCount
	if !k.SingleRouter && nodes > 0 && nodes < RouterHANodes {
		c.err("X5", FieldSingleRouter, fmt.Sprintf("Three inference router replicas (inferenceRouterHA) need at least %d nodes; the cluster will have %d.", RouterHANodes, nodes), fmt.Sprintf("Use %d nodes or more, or run a single router (development and test only).", RouterHANodes))
	}
	if sizeKnown && purposeOK && nodes > 0 {
		checkExtensionResources(c, FieldVMSize, req.Purpose, []Pool{{Name: "system", System: true, VMSize: size.Name, Count: nodes, VCPUs: size.VCPUs, MemoryGB: size.MemoryGB}})
	}
	gpuSize, gpuKnown := checkGPUPool(c, req, facts, size, sizeKnown)
	switch {
	case k.NvidiaDevicePlugin:
	case sizeKnown && size.GPUs > 0:
		c.err("X13", FieldNvidiaDevicePlugin, fmt.Sprintf("%s has GPUs, and Azure ML's GPU workloads need the NVIDIA device plugin, which the extension does not install unless asked.", size.Name), "Turn on the NVIDIA device plugin.")
	case gpuKnown:
		// A cluster amlaks creates runs no device plugin of its own, so
		// this is an error here, where an attached cluster's is a warning.
		c.err("X13", FieldNvidiaDevicePlugin, fmt.Sprintf("The GPU pool's %s nodes need the NVIDIA device plugin for Azure ML's GPU workloads, and the extension does not install it unless asked.", gpuSize.Name), "Turn on the NVIDIA device plugin.")
	}
	checkCreateRanges(c, k.AuthorizedIPRanges, facts)
}

// checkCreateVersion applies X7 to the version a create chooses: a version
// the location lists, in the support window; a preview warns as K3 does.
func checkCreateVersion(c *checker, version string, vs []KubernetesVersion, location string) {
	v, ok := FindVersion(vs, version)
	if !ok && strings.Count(strings.TrimPrefix(version, "v"), ".") == 1 {
		// A minor version ("1.32"): AKS picks its newest patch.
		for _, s := range vs {
			if minorOf(s.Version) == strings.TrimPrefix(version, "v") && (!ok || CompareVersions(s.Version, v.Version) > 0) {
				v, ok = s, true
			}
		}
	}
	if !ok {
		var list []string
		for _, s := range vs {
			list = append(list, s.Version)
		}
		c.err("X7", FieldK8sVersion, fmt.Sprintf("AKS does not offer Kubernetes %s in %s. Offered: %s.", version, location, strings.Join(list, ", ")), "Choose an offered version, or leave it empty for the default.")
		return
	}
	if v.Preview {
		c.warn("K3", FieldK8sVersion, fmt.Sprintf("Kubernetes %s is a preview version: no SLA, not for production.", version), "Choose a generally available version for production.")
	}
	if !InSupportWindow(vs, version) {
		c.err("X7", FieldK8sVersion, fmt.Sprintf("Kubernetes %s is older than the AKS support window (the newest generally available minor and the two before it).", version), "Choose a newer version, or leave it empty for the default.")
	}
}

// InSupportWindow reports whether version's minor is one of the
// SupportedMinors newest generally available minors of vs (N-2). With no
// generally available version known it reports true: nothing to compare with.
func InSupportWindow(vs []KubernetesVersion, version string) bool {
	var minors []string
	for _, v := range vs {
		if v.Preview {
			continue
		}
		m := minorOf(v.Version)
		if !slices.Contains(minors, m) {
			minors = append(minors, m)
		}
	}
	if len(minors) == 0 {
		return true
	}
	SortSmall(minors, func(a, b string) int { return CompareVersions(b, a) })
	oldest := minors[min(len(minors), SupportedMinors)-1]
	return CompareVersions(minorOf(version), oldest) >= 0
}

// minorOf returns "1.32" of "1.32.7".
func minorOf(v string) string {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return strings.Join(parts, ".")
	}
	return parts[0] + "." + parts[1]
}

// checkCreateRanges applies X8 to a create's API server ranges: each is an
// IP range, and amlaks adds the Azure ML control plane ranges itself (info).
func checkCreateRanges(c *checker, ranges []string, facts Facts) {
	if len(ranges) == 0 {
		return
	}
	var bad []string
	for _, r := range ranges {
		if _, ok := parseRange(r); !ok {
			bad = append(bad, quoteValue(r))
		}
	}
	if len(bad) > 0 {
		c.err("X8", FieldAuthorizedIPRanges, "These API server ranges are not IP addresses or CIDR ranges: "+strings.Join(bad, ", ")+".", "Write each range as 203.0.113.0/24 or 2001:db8::/48.")
		return
	}
	if len(facts.AMLRanges) > 0 {
		c.info("X8", FieldAuthorizedIPRanges, fmt.Sprintf("amlaks adds the %d Azure ML control plane ranges of the workspace region and its pair to these ranges, so the extension can be reached.", len(facts.AMLRanges)), "")
	}
}

// checkKubernetesAttach applies the v2 rules of an existing cluster: the
// subscription (X9), its identity and accounts (X1–X3), a v1 leftover (X14),
// the extension (X10), the router replicas (X5), the nodes (X6) and GPUs
// (X13). checkAttach applies what both kinds share: the target (T1–T3), the
// API server ranges (A1–A3) and the version (K2–K3).
func checkKubernetesAttach(c *checker, req Request, facts Facts, purposeOK bool) {
	id, ok := req.TargetID()
	if !ok {
		return
	}
	field := FieldTargetID
	if req.Target.ResourceID == "" {
		field = FieldTargetName
	}
	if ref, err := ParseClusterID(id); err == nil && !strings.EqualFold(ref.Subscription, req.Workspace.Subscription) {
		c.err("X9", field, "The cluster is in another subscription than the workspace; Azure ML attaches only clusters of the workspace's subscription.", "Connect the cluster to Azure Arc in the workspace's subscription first, then attach the Arc cluster.")
	}
	cl := facts.Cluster
	if cl == nil {
		return
	}
	switch strings.ToLower(cl.IdentityType) {
	case "", "systemassigned", "userassigned":
	default:
		c.err("X1", field, fmt.Sprintf("%s uses a service principal; Azure ML supports only clusters with a managed identity.", cl.Name), "az aks update --enable-managed-identity, then delete and recreate every node pool, before installing the extension.")
	}
	if cl.LocalAccountsDisabled {
		c.err("X2", field, fmt.Sprintf("%s has local accounts disabled, which the Azure ML extension does not support.", cl.Name), "az aks update --enable-local-accounts")
	}
	if cl.PodIdentity {
		c.err("X3", field, fmt.Sprintf("%s has Microsoft Entra pod-managed identity enabled, which Azure ML does not support.", cl.Name), "Disable pod identity (az aks update --disable-pod-identity) or attach another cluster.")
	}
	if cl.LegacyFrontend {
		c.err("X14", field, fmt.Sprintf("%s still runs the v1 inference front end (azureml-fe) of a legacy AKS compute; the extension cannot be installed beside it.", cl.Name), "Migrate the v1 compute first: amlaks detaches it, cleans up azureml-fe and attaches the cluster as a Kubernetes compute.")
	}
	for _, e := range cl.Extensions {
		if !e.AzureML() {
			continue
		}
		switch strings.ToLower(e.State) {
		case "succeeded":
			c.info("X10", field, fmt.Sprintf("The Azure ML extension %q (version %s) is installed; amlaks attaches with it as it is.", e.Name, orUnknown(e.Version)), "")
		case "failed":
			c.warn("X10", field, fmt.Sprintf("The Azure ML extension %q is installed but Failed; attaching needs it healthy.", e.Name), "Remove it (az k8s-extension delete) and let amlaks install it again.")
		default:
			c.warn("X10", field, fmt.Sprintf("The Azure ML extension %q is %s; wait until it has Succeeded.", e.Name, orUnknown(e.State)), "")
		}
		break
	}
	nodes := 0
	for _, p := range cl.Pools {
		nodes += p.Count
	}
	if !req.Kubernetes.SingleRouter && coresKnown(cl.Pools) && nodes < RouterHANodes {
		c.err("X5", FieldSingleRouter, fmt.Sprintf("Three inference router replicas (inferenceRouterHA) need at least %d nodes; %s has %d.", RouterHANodes, cl.Name, nodes), "Scale the cluster, or run a single router (development and test only).")
	}
	if purposeOK && coresKnown(cl.Pools) {
		checkExtensionResources(c, field, req.Purpose, cl.Pools)
	}
	gpu := slices.ContainsFunc(cl.Pools, func(p Pool) bool { return p.GPU })
	if gpu && !req.Kubernetes.NvidiaDevicePlugin {
		c.warn("X13", FieldNvidiaDevicePlugin, fmt.Sprintf("%s has GPU nodes; Azure ML's GPU workloads need the NVIDIA device plugin.", cl.Name), "Turn on the NVIDIA device plugin, unless the cluster runs one already.")
	}
}

// checkExtensionResources applies X6: production inference needs three nodes
// of at least 4 vCPUs and 14 GiB, a test cluster one node of 2 vCPUs and 7
// GiB. Nodes whose memory is not known count on their cores alone.
func checkExtensionResources(c *checker, field string, p Purpose, pools []Pool) {
	needNodes, needCPU, needMem, what := ExtensionTestNodes, ExtensionTestVCPUs, float64(ExtensionTestMemory), "A dev/test"
	if p.Production() {
		needNodes, needCPU, needMem, what = ExtensionProductionNodes, ExtensionProductionVCPUs, float64(ExtensionProductionMemory), "A production"
	}
	fit := 0
	for _, pool := range pools {
		if pool.VCPUs >= needCPU && (pool.MemoryGB == 0 || pool.MemoryGB >= needMem) {
			fit += pool.Count
		}
	}
	if fit >= needNodes {
		return
	}
	c.err("X6", field, fmt.Sprintf("%s Kubernetes compute needs %s of at least %d vCPUs and %g GiB; %s.", what, Count(needNodes, "node"), needCPU, needMem, fitting(fit)),
		fmt.Sprintf("Use %s of a size such as Standard_DS3_v2 (4 vCPUs, 14 GiB) or larger.", Count(needNodes, "node")))
}

func fitting(n int) string {
	switch n {
	case 0:
		return "no node is that large"
	case 1:
		return "only 1 node is"
	}
	return fmt.Sprintf("only %d nodes are", n)
}

// vmSizesOf is the location's sizes, or the built-in catalogue.
func vmSizesOf(facts Facts) []VMSize {
	if facts.VMSizes != nil {
		return facts.VMSizes
	}
	return Catalog
}

// quoteValue quotes a value for a message, cut to 40 characters so a
// finding never carries a whole pasted text.
func quoteValue(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// validLabel reports whether s is a DNS-1123 label: 1 to 63 lower-case
// letters, digits and hyphens, starting and ending with a letter or digit.
func validLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 {
		return false
	}
	for i, r := range s {
		alnum := r >= 'a' && r <= 'z' || isDigit(r)
		if !alnum && (r != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// validLabelKey reports whether s is a Kubernetes label key: an optional
// DNS subdomain prefix and a slash, then a name of 1 to 63 characters.
func validLabelKey(s string) bool {
	prefix, name, hasPrefix := strings.Cut(s, "/")
	if !hasPrefix {
		name, prefix = prefix, ""
	} else {
		if len(prefix) == 0 || len(prefix) > 253 {
			return false
		}
		for _, part := range strings.Split(prefix, ".") {
			if !validLabel(part) {
				return false
			}
		}
	}
	return name != "" && validLabelValue(name)
}

// validLabelValue reports whether s is a Kubernetes label value: up to 63
// letters, digits, '-', '_' or '.', starting and ending with a letter or
// digit (or empty).
func validLabelValue(s string) bool {
	if len(s) > 63 {
		return false
	}
	for i, r := range s {
		alnum := isASCIILetter(r) || isDigit(r)
		if !alnum && (!strings.ContainsRune("-_.", r) || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// parseIdentityID checks a user-assigned identity's resource ID and returns
// its name.
func parseIdentityID(id string) (string, bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 9 || parts[0] != "" || !strings.EqualFold(parts[1], "subscriptions") || !isGUID(parts[2]) ||
		!strings.EqualFold(parts[3], "resourceGroups") || !validResourceGroup(parts[4]) ||
		!strings.EqualFold(parts[5], "providers") || !strings.EqualFold(parts[6], "Microsoft.ManagedIdentity") ||
		!strings.EqualFold(parts[7], "userAssignedIdentities") {
		return "", false
	}
	name := parts[8]
	if len(name) < 3 || len(name) > 128 {
		return "", false
	}
	for i, r := range name {
		if !isASCIILetter(r) && !isDigit(r) && (r != '-' && r != '_' || i == 0) {
			return "", false
		}
	}
	return name, true
}

// ExtensionNotReady is X10 as a refusal, for an Azure ML extension that is on
// the cluster but that amlaks did not install and cannot use as it is: Failed,
// or still changing. field is where the page shows it (the cluster).
func ExtensionNotReady(e Extension, field string) Finding {
	f := Finding{Code: "X10", Severity: SeverityError, Field: field}
	if strings.EqualFold(e.State, "Failed") {
		f.Message = "The Azure ML extension " + e.Name + " is installed but Failed; attaching needs it healthy."
		f.Fix = "Remove it (az k8s-extension delete) and let amlaks install it again."
	} else {
		f.Message = "The Azure ML extension " + e.Name + " is " + orUnknown(e.State) + "."
		f.Fix = "Wait until it has Succeeded, then retry."
	}
	return f
}
