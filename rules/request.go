// Package rules is the amlaks domain: the request a team makes to create or
// attach an AKS inference cluster from an Azure Machine Learning workspace, the
// facts from Azure that the checks need, the findings the checks produce, the
// share-link codec, the exports and the error type.
//
// The package does no I/O and reads no clock or environment, so the browser
// (compiled to WebAssembly) and the proxy run exactly the same checks.
package rules

// Mode says whether a request creates a new AKS cluster or attaches an existing one.
type Mode string

// The two modes of a request.
const (
	ModeCreate Mode = "create"
	ModeAttach Mode = "attach"
)

// Purpose is the cluster purpose of an AKS compute, as Azure ML names it.
type Purpose string

// The cluster purposes Azure ML knows. FastProd and DenseProd are production.
const (
	PurposeDevTest   Purpose = "DevTest"
	PurposeFastProd  Purpose = "FastProd"
	PurposeDenseProd Purpose = "DenseProd"
)

// Production reports whether the purpose is a production one. No purpose
// means production (rule P1).
func (p Purpose) Production() bool { return p != PurposeDevTest }

// LoadBalancerType is the kind of load balancer in front of the scoring endpoint.
type LoadBalancerType string

// The load balancer types Azure ML knows.
const (
	LoadBalancerPublicIP LoadBalancerType = "PublicIp"
	LoadBalancerInternal LoadBalancerType = "InternalLoadBalancer"
)

// TLSMode says how the scoring endpoint gets its certificate.
type TLSMode string

// The TLS choices of rule L1.
const (
	TLSDisabled  TLSMode = "disabled"
	TLSCustom    TLSMode = "custom"
	TLSMicrosoft TLSMode = "microsoft"
)

// Defaults of the Azure ML Python SDK v1 (AksCompute.provisioning_configuration).
const (
	DefaultVMSize    = "Standard_D3_v2"
	DefaultNodeCount = 3
)

// WorkspaceRef names an Azure ML workspace.
type WorkspaceRef struct {
	Subscription  string `json:"subscription"`
	ResourceGroup string `json:"resourceGroup"`
	Name          string `json:"name"`
}

// IsZero reports whether no part of the reference is set.
func (w WorkspaceRef) IsZero() bool { return w == WorkspaceRef{} }

// ID is the ARM resource ID of the workspace.
func (w WorkspaceRef) ID() string {
	return "/subscriptions/" + w.Subscription + "/resourceGroups/" + w.ResourceGroup +
		"/providers/Microsoft.MachineLearningServices/workspaces/" + w.Name
}

// Network holds the six virtual-network settings of a created cluster; they come
// all together or not at all (rule V1).
type Network struct {
	VnetResourceGroup string `json:"vnetResourceGroup,omitempty"`
	VnetName          string `json:"vnetName,omitempty"`
	SubnetName        string `json:"subnetName,omitempty"`
	ServiceCIDR       string `json:"serviceCidr,omitempty"`
	DNSServiceIP      string `json:"dnsServiceIP,omitempty"`
	DockerBridgeCIDR  string `json:"dockerBridgeCidr,omitempty"`
}

// IsZero reports whether no network setting is given.
func (n Network) IsZero() bool { return n == Network{} }

// LoadBalancer is the load balancer of the scoring endpoint.
type LoadBalancer struct {
	Type   LoadBalancerType `json:"type,omitempty"`
	Subnet string           `json:"subnet,omitempty"`
}

// TLS is the scoring endpoint's TLS choice. CertPEM and KeyPEM are secrets
// (rule L5): they never appear in a link, an export, a log or a response.
type TLS struct {
	Mode                    TLSMode `json:"mode,omitempty"`
	CertPEM                 string  `json:"certPem,omitempty"`
	KeyPEM                  string  `json:"keyPem,omitempty"`
	CNAME                   string  `json:"cname,omitempty"`
	LeafDomainLabel         string  `json:"leafDomainLabel,omitempty"`
	OverwriteExistingDomain bool    `json:"overwriteExistingDomain,omitempty"`
}

// Target is the existing AKS cluster of an attach: by full resource ID, or by
// resource group and name in the workspace's subscription, never both (rule T1).
type Target struct {
	ResourceID    string `json:"resourceId,omitempty"`
	ResourceGroup string `json:"resourceGroup,omitempty"`
	Name          string `json:"name,omitempty"`
}

// IsZero reports whether no target is given.
func (t Target) IsZero() bool { return t == Target{} }

// Request is what a person asks for: create a new AKS compute or attach an
// existing cluster. Field paths used in findings follow the JSON names, for
// example "network.dnsServiceIP". Kind is the compute kind: KindAKS (v1,
// legacy; also when empty) or KindKubernetes (v2), whose settings are in
// Kubernetes.
type Request struct {
	Mode         Mode              `json:"mode"`
	Kind         Kind              `json:"kind,omitempty"`
	Workspace    WorkspaceRef      `json:"workspace"`
	Name         string            `json:"name"`
	Purpose      Purpose           `json:"purpose,omitempty"`
	Location     string            `json:"location,omitempty"`
	VMSize       string            `json:"vmSize,omitempty"`
	NodeCount    int               `json:"nodeCount,omitempty"`
	Network      Network           `json:"network,omitzero"`
	LoadBalancer LoadBalancer      `json:"loadBalancer,omitzero"`
	TLS          TLS               `json:"tls,omitzero"`
	Target       Target            `json:"target,omitzero"`
	Kubernetes   Kubernetes        `json:"kubernetes,omitzero"`
	Description  string            `json:"description,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`

	// zeroNodes records a node count given as 0 (see nodecount.go): P5
	// refuses it, where an absent node count means the default.
	zeroNodes bool
}

// Normalized returns the request with the defaults Azure ML applies filled in:
// production purpose, the workspace location, Standard_D3_v2 and 3 nodes for a
// create, a public IP load balancer, TLS disabled, and for a
// Kubernetes compute the extension's defaults (namespace "default", router
// service type loadBalancer, a system-assigned identity).
func (r Request) Normalized(workspaceLocation string) Request {
	if r.Mode == "" {
		r.Mode = ModeCreate
	}
	if r.Purpose == "" {
		r.Purpose = PurposeFastProd
	}
	if r.LoadBalancer.Type == "" {
		r.LoadBalancer.Type = LoadBalancerPublicIP
	}
	if r.TLS.Mode == "" {
		r.TLS.Mode = TLSDisabled
	}
	if r.Kind == KindKubernetes {
		r.Kubernetes = normalizeKubernetes(r.Kubernetes)
	}
	if r.Mode == ModeCreate {
		if r.Location == "" {
			r.Location = workspaceLocation
		}
		if r.VMSize == "" {
			r.VMSize = DefaultVMSize
		}
		if !r.NodeCountGiven() {
			r.NodeCount = DefaultNodeCount
		}
	}
	return r
}

// Redacted returns the request without its secrets: the certificate and key
// PEMs become empty, and so does any other field, or tag, that looks like a
// secret (C2). Use it for anything that is logged, stored or echoed.
func (r Request) Redacted() Request {
	return exportable(r)
}

// ScaleRequest changes the node count of an existing AKS compute (rule S1).
// VMSize, when set and different from the cluster's, is refused.
type ScaleRequest struct {
	Workspace WorkspaceRef `json:"workspace"`
	Name      string       `json:"name"`
	NodeCount int          `json:"nodeCount"`
	VMSize    string       `json:"vmSize,omitempty"`
}
