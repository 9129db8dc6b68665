package rules

import "time"

// Workspace is an Azure ML workspace amlaks can use.
type Workspace struct {
	WorkspaceRef
	Location string `json:"location"`
}

// Location is an Azure region a subscription can use.
type Location struct {
	Name        string `json:"name"`                  // eastus
	DisplayName string `json:"displayName,omitempty"` // East US
	Paired      string `json:"paired,omitempty"`      // westus
}

// Attachment is a compute of another workspace that uses a cluster (T4).
type Attachment struct {
	// Workspace is the workspace's resource ID.
	Workspace string `json:"workspace"`
	// Name is the compute's name.
	Name string `json:"name"`
	// Type is the compute type: AKS or Kubernetes.
	Type string `json:"type"`
}

// ComputeHit is an Azure ML compute found by Azure Resource Graph across
// workspaces and subscriptions.
type ComputeHit struct {
	ID        string `json:"id"`        // the compute's resource ID
	Name      string `json:"name"`      // its name
	Workspace string `json:"workspace"` // its workspace's resource ID
	Location  string `json:"location"`  // the compute resource's location (its workspace's)
	Type      string `json:"type"`      // AKS or Kubernetes
	ClusterID string `json:"clusterId"` // properties.resourceId, the cluster it uses
}

// MLResources is one Azure Resource Graph answer about Azure ML: every
// workspace the identity can see in an enabled subscription, the computes
// of one of them (every type), the AKS and Kubernetes computes of every
// workspace (N6, T4) and the resource IDs of the AKS clusters. It replaces
// the subscriptions, workspaces and cluster lists and the workspace's
// compute list of a cold facts read.
type MLResources struct {
	Workspaces []Workspace
	Computes   []Compute    // the asked workspace's computes, nil when none was asked
	Hits       []ComputeHit // AKS and Kubernetes computes of every workspace, any location
	Clusters   []string     // the AKS managed clusters' resource IDs
}

// VMSize is a virtual machine size available in a location.
type VMSize struct {
	Name     string  `json:"name"`
	VCPUs    int     `json:"vcpus"`
	MemoryGB float64 `json:"memoryGB"`
	GPUs     int     `json:"gpus,omitempty"`
	FPGA     bool    `json:"fpga,omitempty"`
	// Family is the resource SKU's family, which names its vCPU quota (Q1).
	Family string `json:"family,omitempty"`
}

// Accelerated reports whether the size has GPUs or FPGAs (rule P7).
func (s VMSize) Accelerated() bool { return s.GPUs > 0 || s.FPGA }

// KubernetesVersion is one row of `az aks get-versions` (rule K4).
type KubernetesVersion struct {
	Version  string   `json:"version"`
	Default  bool     `json:"default,omitempty"`
	Preview  bool     `json:"preview,omitempty"`
	Upgrades []string `json:"upgrades,omitempty"`
}

// Pool is a node pool of an AKS cluster.
type Pool struct {
	Name   string `json:"name"`
	System bool   `json:"system,omitempty"`
	VMSize string `json:"vmSize"`
	Count  int    `json:"count"`
	// VCPUs is the cores of one node; 0 when the size is unknown.
	VCPUs int `json:"vcpus,omitempty"`
	// MemoryGB is the memory of one node; 0 when the size is unknown.
	MemoryGB float64 `json:"memoryGB,omitempty"`
	GPU      bool    `json:"gpu,omitempty"`
	FPGA     bool    `json:"fpga,omitempty"`
}

// Cluster is an existing AKS managed cluster, with what attach needs to know.
type Cluster struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	ResourceGroup      string   `json:"resourceGroup"`
	Subscription       string   `json:"subscription"`
	Location           string   `json:"location"`
	Version            string   `json:"version"`
	LoadBalancerSKU    string   `json:"loadBalancerSku,omitempty"` // "basic" or "standard"
	Private            bool     `json:"private,omitempty"`
	PrivateFQDNPublic  bool     `json:"privateFqdnPublic,omitempty"` // a private cluster with a public FQDN
	AuthorizedIPRanges []string `json:"authorizedIpRanges,omitempty"`
	Pools              []Pool   `json:"pools,omitempty"`
	State              string   `json:"state,omitempty"`
	// IdentityType is the cluster's identity: SystemAssigned, UserAssigned,
	// or ServicePrincipal when it has no managed identity (X1).
	IdentityType string `json:"identityType,omitempty"`
	// LocalAccountsDisabled is AKS's disableLocalAccounts (X2).
	LocalAccountsDisabled bool `json:"localAccountsDisabled,omitempty"`
	// PodIdentity is Microsoft Entra pod-managed identity, enabled (X3).
	PodIdentity bool `json:"podIdentity,omitempty"`
	// LegacyFrontend is true while the cluster still carries a v1 AKS
	// compute's azureml-fe (X14).
	LegacyFrontend bool `json:"legacyFrontend,omitempty"`
	// Extensions are the cluster extensions installed on the cluster.
	Extensions []Extension `json:"extensions,omitempty"`
}

// VCPUs is the sum of cores over the cluster's node pools (rule T5).
func (c Cluster) VCPUs() int {
	n := 0
	for _, p := range c.Pools {
		n += p.Count * p.VCPUs
	}
	return n
}

// Nodes is the cluster's node count over its node pools (P5 on attach).
func (c Cluster) Nodes() int {
	n := 0
	for _, p := range c.Pools {
		n += p.Count
	}
	return n
}

// Compute is an AKS compute of a workspace, created or attached.
type Compute struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"` // "AKS", or another compute type for rule N5
	State       string   `json:"state,omitempty"`
	Purpose     Purpose  `json:"purpose,omitempty"`
	Location    string   `json:"location,omitempty"`
	VMSize      string   `json:"vmSize,omitempty"`
	Nodes       int      `json:"nodes,omitempty"`
	VCPUs       int      `json:"vcpus,omitempty"`
	Version     string   `json:"version,omitempty"`
	ClusterID   string   `json:"clusterId,omitempty"`
	Attached    bool     `json:"attached,omitempty"`
	Description string   `json:"description,omitempty"`
	CreatedOn   string   `json:"createdOn,omitempty"` // RFC 3339, from Azure
	ModifiedOn  string   `json:"modifiedOn,omitempty"`
	Errors      []string `json:"errors,omitempty"` // Azure's provisioning errors, in plain words
	// Namespace is a Kubernetes compute's namespace (Type "Kubernetes").
	Namespace string `json:"namespace,omitempty"`
	// ExtensionState is the provisioningState of the Azure ML extension on
	// a Kubernetes compute's cluster; empty when not read or not installed.
	ExtensionState string `json:"extensionState,omitempty"`
}

// Facts are what the checks need to know from Azure. The browser gets them from
// the proxy; the proxy fetches them itself and never trusts the browser's.
// A nil slice means "not known": the rules that need it are skipped, or fall
// back to the built-in catalogue.
type Facts struct {
	// WorkspaceLocation is the Azure region of the workspace.
	WorkspaceLocation string `json:"workspaceLocation,omitempty"`
	// VMSizes are the sizes available in the request's location (P6).
	VMSizes []VMSize `json:"vmSizes"` // null: not known; []: none in the location
	// Versions are the Kubernetes versions of the location (K1–K4).
	Versions []KubernetesVersion `json:"versions,omitempty"`
	// ClusterVersions are the Kubernetes versions of the target cluster's location (K2).
	ClusterVersions []KubernetesVersion `json:"clusterVersions,omitempty"`
	// Computes are the workspace's computes of every type (N5, T4).
	Computes []Compute `json:"computes,omitempty"`
	// RegionNames are compute names used by other visible workspaces in the same region (N6).
	RegionNames []string `json:"regionNames,omitempty"`
	// Attachments are the computes of other workspaces, in any subscription
	// the proxy can see, whose resourceId is the attach target (T4), found
	// with one Azure Resource Graph query.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Cluster is the attach target, when found.
	Cluster *Cluster `json:"cluster,omitempty"`
	// AMLRanges are the AzureMachineLearning service-tag prefixes of the
	// workspace region and its paired region (A1).
	AMLRanges []string `json:"amlRanges,omitempty"`
	// PairedRegion is the workspace region's pair.
	PairedRegion string `json:"pairedRegion,omitempty"`
	// ClusterMissing is true when the attach target was looked up and does not exist.
	ClusterMissing bool `json:"clusterMissing,omitempty"`
	// SubnetPrefix is the address range of the create request's subnet, when known (V2).
	SubnetPrefix string `json:"subnetPrefix,omitempty"`
	// SubnetMissing says Azure has no such subnet in that virtual network (V6).
	SubnetMissing bool `json:"subnetMissing,omitempty"`
	// ExtensionRegions are the regions where cluster extensions are offered
	// (X10); nil when not known.
	ExtensionRegions []string `json:"extensionRegions,omitempty"`
	// Quotas are the subscription's vCPU quotas and usage in the request's
	// location (Q1); nil when not known.
	Quotas []Quota `json:"quotas,omitempty"`
	// Policy is the platform team's guardrails, if any.
	Policy *Policy `json:"policy,omitempty"`
	// Now is the time certificates are checked against (L4); the zero time skips
	// the expiry check. The caller reads the clock, never this package.
	Now time.Time `json:"-"`
}

// Policy is the platform team's guardrails. Empty lists allow anything.
type Policy struct {
	Subscriptions  []string `json:"subscriptions,omitempty"`
	ResourceGroups []string `json:"resourceGroups,omitempty"`
	Workspaces     []string `json:"workspaces,omitempty"`
	VMSizes        []string `json:"vmSizes,omitempty"`
	Purposes       []string `json:"purposes,omitempty"`
	MaxNodes       int      `json:"maxNodes,omitempty"`
	MaxVCPUs       int      `json:"maxVcpus,omitempty"`
	RequiredTags   []string `json:"requiredTags,omitempty"`
}

// OperationState is where a create or attach stands, read from Azure.
type OperationState struct {
	Workspace   WorkspaceRef `json:"workspace"`
	Name        string       `json:"name"`
	Mode        Mode         `json:"mode"`
	State       string       `json:"state"` // Azure's provisioningState
	Done        bool         `json:"done"`
	Succeeded   bool         `json:"succeeded"`
	StartedAt   string       `json:"startedAt,omitempty"` // RFC 3339
	ElapsedSec  int          `json:"elapsedSec"`
	ExpectedSec int          `json:"expectedSec"` // about 600 for create, 300 for attach (O1)
	Errors      []string     `json:"errors,omitempty"`
	Compute     *Compute     `json:"compute,omitempty"`

	// The v2 (Kubernetes compute) operation's own fields, empty for v1;
	// see kubernetes_api.go. State is then the operation's: Running,
	// Succeeded or Failed.
	Kind       Kind     `json:"kind,omitempty"`
	Action     Action   `json:"action,omitempty"`
	Cluster    string   `json:"cluster,omitempty"` // the AKS cluster's resource ID
	Namespace  string   `json:"namespace,omitempty"`
	Steps      []Step   `json:"steps,omitempty"`
	FailedStep StepName `json:"failedStep,omitempty"`
	// CanRetry: POST .../retry re-runs from FailedStep. CanCleanup: POST
	// .../cleanup removes what amlaks made.
	CanRetry   bool `json:"canRetry,omitempty"`
	CanCleanup bool `json:"canCleanup,omitempty"`
	// Left says in words what stays in Azure after a failure or a cleanup.
	Left []string `json:"left,omitempty"`
}
