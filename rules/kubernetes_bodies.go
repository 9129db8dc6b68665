package rules

import (
	"encoding/base64"
	"maps"
	"strconv"
	"strings"
)

// The Azure ML extension as amlaks installs it: the names and values the
// Azure CLI's k8s-extension (partner extension AzureMLKubernetes, in
// Azure/azure-cli-extensions) derives from the settings a person gives, so a
// cluster set up by amlaks through ARM is the one `az k8s-extension create`
// would have made.
const (
	// ExtensionName is the extension resource's name.
	ExtensionName = "azureml"
	// ExtensionReleaseNamespace is where the extension's own pods run; the
	// CLI sets it and refuses any other.
	ExtensionReleaseNamespace = "azureml"
	// ExtensionReleaseTrain is the release train the CLI defaults to.
	ExtensionReleaseTrain = "stable"
	// ExtensionAPIVersion is the Microsoft.KubernetesConfiguration API version
	// of armkubernetesconfiguration v2.2.0.
	ExtensionAPIVersion = "2023-05-01"
	// ManagedClusterAPIVersion is the Microsoft.ContainerService API version
	// of armcontainerservice v8.2.0.
	ManagedClusterAPIVersion = "2025-10-01"
)

// ExtensionConfig is the configuration of the Azure ML extension: settings
// that Azure shows to anyone who may read the cluster, and protected settings
// that it never shows. Protected holds the TLS certificate and key (L5): the
// proxy sends them to Azure and nowhere else.
type ExtensionConfig struct {
	Settings  map[string]string `json:"settings"`
	Protected map[string]string `json:"-"`
}

// ExtensionSettings returns the extension's configuration for a normalized
// Kubernetes request on a cluster in location with nodes nodes in all (0
// when not known):
// inference on, the router's service type and replicas (one, and a dev/test
// purpose, on a cluster under three nodes, as the CLI does), HTTPS from the
// request's certificate (base64 of the PEMs, as protected settings
// scoringFe.sslCert and scoringFe.sslKey) or HTTP, the NVIDIA plugin, the node
// selector, and the values the CLI fills in for an AKS cluster: no relay, no
// service bus, its own ingress.
func ExtensionSettings(r Request, cluster ClusterRef, location string, nodes int) ExtensionConfig {
	k := r.Kubernetes
	loc := strings.ToLower(location)
	s := map[string]string{
		"enableInference":       "True",
		"enableTraining":        pyBool(k.Training),
		"cluster_name":          cluster.ID(),
		"cluster_name_friendly": cluster.Name,
		"location":              loc,
		"jobSchedulerLocation":  loc,
		"domain":                loc + ".cloudapp.azure.com",
		"servicebus.enabled":    "false",
		"relayserver.enabled":   "false",
		"nginxIngress.enabled":  "true",
	}
	switch k.RouterServiceType {
	case RouterNodePort:
		s["inferenceRouterServiceType"] = "NodePort"
		s["scoringFe.serviceType.nodePort"] = "True"
	case RouterClusterIP:
		s["inferenceRouterServiceType"] = "ClusterIP"
	default:
		s["inferenceRouterServiceType"] = "LoadBalancer"
		if r.LoadBalancer.Type == LoadBalancerInternal {
			s["internalLoadBalancerProvider"] = "azure"
			s["scoringFe.serviceType.internalLoadBalancer"] = "True"
		}
	}
	small := nodes > 0 && nodes < RouterHANodes
	if k.SingleRouter || small {
		s["inferenceRouterHA"] = "false"
	}
	if !r.Purpose.Production() || small {
		s["clusterPurpose"] = string(PurposeDevTest)
	}
	if k.NvidiaDevicePlugin {
		s["installNvidiaDevicePlugin"] = "True"
	}
	for key, v := range k.NodeSelector {
		s["nodeSelector."+key] = v
	}
	cfg := ExtensionConfig{Settings: s}
	switch {
	case r.TLS.Mode == TLSCustom:
		s["allowInsecureConnections"] = pyBool(k.AllowInsecure)
		s["sslCname"] = r.TLS.CNAME
		cfg.Protected = map[string]string{
			"scoringFe.sslCert": base64.StdEncoding.EncodeToString([]byte(r.TLS.CertPEM)),
			"scoringFe.sslKey":  base64.StdEncoding.EncodeToString([]byte(r.TLS.KeyPEM)),
		}
	default:
		s["allowInsecureConnections"] = "True"
	}
	return cfg
}

// KubernetesCluster returns the AKS cluster a Kubernetes request works on:
// the attach target, or for a create the cluster amlaks creates, named as
// the compute, in the workspace's resource group.
func (r Request) KubernetesCluster() (ClusterRef, bool) {
	if r.Mode == ModeCreate {
		if !validClusterName(r.Name) || r.Workspace.Subscription == "" || r.Workspace.ResourceGroup == "" {
			return ClusterRef{}, false
		}
		return ClusterRef{Subscription: r.Workspace.Subscription, ResourceGroup: r.Workspace.ResourceGroup, Name: r.Name}, true
	}
	id, ok := r.TargetID()
	if !ok {
		return ClusterRef{}, false
	}
	ref, err := ParseClusterID(id)
	return ref, err == nil
}

// ARMKubernetesCompute is the JSON body of the ARM PUT that attaches a
// cluster as a Kubernetes compute (computeType Kubernetes).
type ARMKubernetesCompute struct {
	Location   string            `json:"location,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Identity   *ARMIdentity      `json:"identity,omitempty"`
	Properties ARMKubernetes     `json:"properties"`
}

// ARMIdentity is a resource's managed identity.
type ARMIdentity struct {
	Type                   string              `json:"type"`
	UserAssignedIdentities map[string]struct{} `json:"userAssignedIdentities,omitempty"`
}

// ARMKubernetes is the compute's properties with computeType Kubernetes.
type ARMKubernetes struct {
	ComputeType string                  `json:"computeType"`
	Description string                  `json:"description,omitempty"`
	ResourceID  string                  `json:"resourceId"`
	Properties  ARMKubernetesProperties `json:"properties"`
}

// ARMKubernetesProperties holds the namespace of the compute.
type ARMKubernetesProperties struct {
	Namespace                     string `json:"namespace"`
	ExtensionInstanceReleaseTrain string `json:"extensionInstanceReleaseTrain,omitempty"`
}

// KubernetesComputeBody returns the ARM body that attaches the request's
// cluster as a Kubernetes compute of the workspace in workspaceLocation.
func KubernetesComputeBody(req Request, workspaceLocation string) ARMKubernetesCompute {
	r := req.Normalized(workspaceLocation)
	cluster, _ := r.KubernetesCluster()
	body := ARMKubernetesCompute{
		Location: workspaceLocation,
		Tags:     r.Tags,
		Identity: &ARMIdentity{Type: string(r.Kubernetes.Identity)},
		Properties: ARMKubernetes{
			ComputeType: string(KindKubernetes),
			Description: r.Description,
			ResourceID:  cluster.ID(),
			Properties:  ARMKubernetesProperties{Namespace: r.Kubernetes.Namespace, ExtensionInstanceReleaseTrain: ExtensionReleaseTrain},
		},
	}
	if r.Kubernetes.Identity == IdentityUserAssigned {
		body.Identity.UserAssignedIdentities = map[string]struct{}{r.Kubernetes.UserIdentity: {}}
	}
	return body
}

// ARMExtension is the JSON body of the ARM PUT of the Azure ML extension.
type ARMExtension struct {
	Identity   *ARMIdentity           `json:"identity,omitempty"`
	Properties ARMExtensionProperties `json:"properties"`
}

// ARMExtensionProperties are the extension's properties.
type ARMExtensionProperties struct {
	ExtensionType                  string            `json:"extensionType"`
	AutoUpgradeMinorVersion        bool              `json:"autoUpgradeMinorVersion"`
	ReleaseTrain                   string            `json:"releaseTrain"`
	Scope                          ARMExtensionScope `json:"scope"`
	ConfigurationSettings          map[string]string `json:"configurationSettings"`
	ConfigurationProtectedSettings map[string]string `json:"configurationProtectedSettings,omitempty"`
}

// ARMExtensionScope is a cluster-scoped extension's scope.
type ARMExtensionScope struct {
	Cluster ARMExtensionClusterScope `json:"cluster"`
}

// ARMExtensionClusterScope names the extension's release namespace.
type ARMExtensionClusterScope struct {
	ReleaseNamespace string `json:"releaseNamespace"`
}

// ExtensionBody returns the ARM body that installs the Azure ML extension.
// With secrets false the protected settings are placeholders, for exports.
func ExtensionBody(cfg ExtensionConfig, secrets bool) ARMExtension {
	body := ARMExtension{
		Identity: &ARMIdentity{Type: "SystemAssigned"},
		Properties: ARMExtensionProperties{
			ExtensionType:           ExtensionType,
			AutoUpgradeMinorVersion: true,
			ReleaseTrain:            ExtensionReleaseTrain,
			Scope:                   ARMExtensionScope{Cluster: ARMExtensionClusterScope{ReleaseNamespace: ExtensionReleaseNamespace}},
			ConfigurationSettings:   maps.Clone(cfg.Settings),
		},
	}
	if len(cfg.Protected) > 0 {
		body.Properties.ConfigurationProtectedSettings = map[string]string{}
		placeholders := map[string]string{"scoringFe.sslCert": "<base64 of the certificate PEM>", "scoringFe.sslKey": "<base64 of the private key PEM>"}
		for k, v := range cfg.Protected {
			if !secrets {
				v = placeholders[k]
				if v == "" {
					v = "<secret>"
				}
			}
			body.Properties.ConfigurationProtectedSettings[k] = v
		}
	}
	return body
}

// ARMManagedCluster is the JSON body of the ARM PUT that creates the AKS
// cluster of a Kubernetes create: a managed identity, local accounts on, a
// Standard load balancer, one system pool of the request's size and count,
// and the GPU pool (mode User) when the request has one.
type ARMManagedCluster struct {
	Location   string                   `json:"location"`
	Tags       map[string]string        `json:"tags,omitempty"`
	Identity   ARMIdentity              `json:"identity"`
	Properties ARMManagedClusterDetails `json:"properties"`
}

// ARMManagedClusterDetails are the managed cluster's properties.
type ARMManagedClusterDetails struct {
	KubernetesVersion      string                `json:"kubernetesVersion,omitempty"`
	DNSPrefix              string                `json:"dnsPrefix"`
	DisableLocalAccounts   bool                  `json:"disableLocalAccounts"`
	AgentPoolProfiles      []ARMAgentPoolProfile `json:"agentPoolProfiles"`
	NetworkProfile         ARMNetworkProfile     `json:"networkProfile"`
	APIServerAccessProfile *ARMAPIServerAccess   `json:"apiServerAccessProfile,omitempty"`
}

// ARMAgentPoolProfile is one node pool of a created cluster.
type ARMAgentPoolProfile struct {
	Name         string `json:"name"`
	Mode         string `json:"mode"`
	VMSize       string `json:"vmSize"`
	Count        int    `json:"count"`
	OSType       string `json:"osType"`
	VnetSubnetID string `json:"vnetSubnetID,omitempty"`
}

// ARMNetworkProfile is a created cluster's network.
type ARMNetworkProfile struct {
	LoadBalancerSKU string `json:"loadBalancerSku"`
	ServiceCIDR     string `json:"serviceCidr,omitempty"`
	DNSServiceIP    string `json:"dnsServiceIP,omitempty"`
}

// ARMAPIServerAccess holds a created cluster's authorized IP ranges.
type ARMAPIServerAccess struct {
	AuthorizedIPRanges []string `json:"authorizedIPRanges"`
}

// ManagedClusterBody returns the ARM body that creates the cluster of a
// Kubernetes create in its location. amlRanges are the Azure ML control
// plane ranges, added to the request's API server ranges when it has any.
func ManagedClusterBody(req Request, workspaceLocation string, amlRanges []string) ARMManagedCluster {
	r := req.Normalized(workspaceLocation)
	pools := []ARMAgentPoolProfile{{Name: SystemPoolName, Mode: "System", VMSize: r.VMSize, Count: r.NodeCount, OSType: "Linux"}}
	if g := r.Kubernetes.GPUPool; !g.IsZero() {
		pools = append(pools, ARMAgentPoolProfile{Name: g.Name, Mode: "User", VMSize: g.VMSize, Count: g.Count, OSType: "Linux"})
	}
	net := ARMNetworkProfile{LoadBalancerSKU: "standard"}
	if n := r.Network; !n.IsZero() {
		for i := range pools {
			pools[i].VnetSubnetID = SubnetID(r.Workspace.Subscription, n)
		}
		net.ServiceCIDR, net.DNSServiceIP = n.ServiceCIDR, n.DNSServiceIP
	}
	body := ARMManagedCluster{
		Location: r.Location,
		Tags:     r.Tags,
		Identity: ARMIdentity{Type: "SystemAssigned"},
		Properties: ARMManagedClusterDetails{
			KubernetesVersion: strings.TrimPrefix(r.Kubernetes.Version, "v"),
			DNSPrefix:         dnsPrefix(r.Name),
			AgentPoolProfiles: pools,
			NetworkProfile:    net,
		},
	}
	if len(r.Kubernetes.AuthorizedIPRanges) > 0 {
		ranges := append([]string(nil), r.Kubernetes.AuthorizedIPRanges...)
		for _, a := range amlRanges {
			if !containsFold(ranges, a) {
				ranges = append(ranges, a)
			}
		}
		body.Properties.APIServerAccessProfile = &ARMAPIServerAccess{AuthorizedIPRanges: ranges}
	}
	return body
}

// SubnetID is the resource ID of a request's subnet.
func SubnetID(subscription string, n Network) string {
	return "/subscriptions/" + subscription + "/resourceGroups/" + n.VnetResourceGroup +
		"/providers/Microsoft.Network/virtualNetworks/" + n.VnetName + "/subnets/" + n.SubnetName
}

// dnsPrefix makes an AKS DNS prefix from a compute name: letters, digits and
// hyphens, 1 to 54 characters, starting and ending with a letter or digit.
func dnsPrefix(name string) string {
	var b strings.Builder
	for _, r := range name {
		if isASCIILetter(r) || isDigit(r) || r == '-' {
			b.WriteRune(r)
		}
	}
	p := strings.Trim(b.String(), "-")
	if len(p) > 54 {
		p = strings.TrimRight(p[:54], "-")
	}
	if p == "" {
		p = "aks"
	}
	return p
}

// SortedSettings returns settings as key=value strings in key order.
func SortedSettings(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}

// nodeCountText is a node count for a command line.
func nodeCountText(n int) string { return strconv.Itoa(n) }

// pyBool is a Python boolean literal.
func pyBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
}
