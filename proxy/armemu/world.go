package armemu

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// Resource providers the emulator serves operations for.
const (
	providerML  = "Microsoft.MachineLearningServices"
	providerAKS = "Microsoft.ContainerService"
)

// LockedResourceGroup is the sample resource group whose Azure Policy denies
// public IP addresses: a compute create there is accepted and then fails
// with RequestDisallowedByPolicy.
const LockedResourceGroup = "ml-locked-rg"

// world is everything the emulator knows: resource groups, workspaces with
// their computes, and managed clusters.
type world struct {
	resourceGroups map[string]string // lower-case name -> location
	rgNames        map[string]string // lower-case name -> name as created
	workspaces     []*workspace
	clusters       []*cluster
}

type workspace struct {
	sub, rg, name, location string
	guid                    string
	created                 time.Time
	computes                []*compute
}

func (ws *workspace) id() string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/%s/workspaces/%s", ws.sub, ws.rg, providerML, ws.name)
}

// compute is an Azure ML compute. Only AKS computes are fully modelled;
// others carry their computeType and a fixed property bag.
type compute struct {
	name        string
	computeType string // "AKS", "AmlCompute"
	location    string
	description string
	tags        map[string]string
	resourceID  string // the AKS cluster
	attached    bool
	state       string // Creating, Succeeded, Failed, Deleting
	errors      []*armError
	created     time.Time
	modified    time.Time

	// What the create or attach asked for; the cluster, once it exists,
	// answers for agentCount and agentVmSize.
	purpose    string
	agentCount int
	vmSize     string
	lbType     string
	lbSubnet   string
	network    *aksNetwork
	ssl        sslConfig
	extra      map[string]any // properties.properties of non-AKS computes
	frontEndIP string

	// A Kubernetes compute's namespace and identity type.
	namespace, identity string
}

// aksNetwork is properties.properties.aksNetworkingConfiguration.
type aksNetwork struct {
	SubnetID         string `json:"subnetId,omitempty"`
	ServiceCidr      string `json:"serviceCidr,omitempty"`
	DNSServiceIP     string `json:"dnsServiceIP,omitempty"`
	DockerBridgeCidr string `json:"dockerBridgeCidr,omitempty"`
}

// sslConfig keeps the non-secret TLS settings. The certificate and its key
// are never stored.
type sslConfig struct {
	status, cname, leafDomainLabel string
	overwrite                      bool
}

type cluster struct {
	sub, rg, name, location string
	version                 string
	lbSKU                   string // "basic" or "standard"
	authorizedRanges        []string
	private, privatePublic  bool
	pools                   []*agentPool
	created                 time.Time
	serviceCidr, dnsIP      string
	subnetID                string
	tags                    map[string]string

	// The facts of the Azure ML v2 path (kubernetes.go).
	identityType          string // SystemAssigned, UserAssigned, or "" for a service principal
	localAccountsDisabled bool
	podIdentity           bool
	legacyFrontend        bool // a v1 AKS compute's azureml-fe still runs on it
	extensions            []*extension
}

func (c *cluster) id() string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/%s/managedClusters/%s", c.sub, c.rg, providerAKS, c.name)
}

type agentPool struct {
	name, mode, vmSize string
	count              int
	state              string // Succeeded, Creating, Scaling, Updating, Failed
}

// location is an Azure region of the sample subscription.
type location struct {
	name, display, paired, geography string
	lat, long                        string
}

var locations = []location{
	{"eastus", "East US", "westus", "United States", "37.3719", "-79.8164"},
	{"westus", "West US", "eastus", "United States", "37.783", "-122.417"},
	{"eastus2", "East US 2", "centralus", "United States", "36.6681", "-78.3889"},
	{"centralus", "Central US", "eastus2", "United States", "41.5908", "-93.6208"},
	{"westeurope", "West Europe", "northeurope", "Europe", "52.3667", "4.9"},
	{"northeurope", "North Europe", "westeurope", "Europe", "53.3478", "-6.2597"},
}

func findLocation(name string) (location, bool) {
	for _, l := range locations {
		if strings.EqualFold(l.name, name) {
			return l, true
		}
	}
	return location{}, false
}

// vmSize is a virtual machine size of the SKU catalog.
type vmSize struct {
	name, family string
	vCPUs        int
	memoryGB     float64
	gpus         int
	fpga         bool
}

// vmSizes is the catalog of the sample world: the same sizes, vCPUs, memory
// and accelerators as amlaks's built-in catalog (rules.Catalog; a test in
// proxy/azure holds the two equal), from the Azure resource SKUs' vCPUs and
// MemoryGB capabilities. It has 1-vCPU, 2-vCPU and GPU sizes.
var vmSizes = []vmSize{
	{"Standard_A1_v2", "standardAv2Family", 1, 2, 0, false},
	{"Standard_A2_v2", "standardAv2Family", 2, 4, 0, false},
	{"Standard_A4_v2", "standardAv2Family", 4, 8, 0, false},
	{"Standard_D2_v2", "standardDv2Family", 2, 7, 0, false},
	{"Standard_D3_v2", "standardDv2Family", 4, 14, 0, false},
	{"Standard_D4_v2", "standardDv2Family", 8, 28, 0, false},
	{"Standard_DS2_v2", "standardDSv2Family", 2, 7, 0, false},
	{"Standard_DS3_v2", "standardDSv2Family", 4, 14, 0, false},
	{"Standard_DS4_v2", "standardDSv2Family", 8, 28, 0, false},
	{"Standard_D2s_v3", "standardDSv3Family", 2, 8, 0, false},
	{"Standard_D4s_v3", "standardDSv3Family", 4, 16, 0, false},
	{"Standard_D8s_v3", "standardDSv3Family", 8, 32, 0, false},
	{"Standard_D16s_v3", "standardDSv3Family", 16, 64, 0, false},
	{"Standard_D4s_v5", "standardDSv5Family", 4, 16, 0, false},
	{"Standard_D8s_v5", "standardDSv5Family", 8, 32, 0, false},
	{"Standard_E4s_v3", "standardESv3Family", 4, 32, 0, false},
	{"Standard_E8s_v3", "standardESv3Family", 8, 64, 0, false},
	{"Standard_F4s_v2", "standardFSv2Family", 4, 8, 0, false},
	{"Standard_F8s_v2", "standardFSv2Family", 8, 16, 0, false},
	{"Standard_NC6s_v3", "standardNCSv3Family", 6, 112, 1, false},
	{"Standard_NC4as_T4_v3", "standardNCASv3_T4Family", 4, 28, 1, false},
	{"Standard_NC24ads_A100_v4", "standardNCADSA100v4Family", 24, 220, 1, false},
	{"Standard_ND40rs_v2", "standardNDSv2Family", 40, 672, 8, false},
	{"Standard_PB6s", "standardPBSFamily", 6, 112, 0, true},
}

// skuLocations are the regions where the VM sizes and Kubernetes versions
// of the catalog are offered: centralus too, where cluster extensions are
// not (extensionRegions), so a Kubernetes create there is refused for the
// extension alone. The other regions of the subscription offer it no VM
// size and no AKS, as a region not open to a subscription does (W2).
var skuLocations = []string{"eastus", "westus", "centralus"}

func offered(loc string) bool {
	for _, l := range skuLocations {
		if strings.EqualFold(l, loc) {
			return true
		}
	}
	return false
}

// findVMSize returns the size offered in loc, compared case-insensitively.
func findVMSize(loc, name string) (vmSize, bool) {
	if !offered(loc) {
		return vmSize{}, false
	}
	for _, s := range vmSizes {
		if strings.EqualFold(s.name, name) {
			return s, true
		}
	}
	return vmSize{}, false
}

// k8sVersion is one supported Kubernetes patch version.
type k8sVersion struct {
	patch    string
	upgrades []string
	def      bool
	preview  bool
}

var k8sVersions = []k8sVersion{
	{"1.31.10", []string{"1.32.7"}, false, false},
	{"1.32.7", []string{"1.33.2"}, true, false},
	{"1.33.2", []string{}, false, true},
}

func minor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

func defaultVersion() string {
	for _, v := range k8sVersions {
		if v.def {
			return v.patch
		}
	}
	return ""
}

// supportedVersion reports whether AKS supports version v in loc: its minor
// version is one the location lists.
func supportedVersion(loc, v string) bool {
	if !offered(loc) {
		return false
	}
	for _, k := range k8sVersions {
		if k.patch == v || minor(k.patch) == v || minor(k.patch) == minor(v) {
			return true
		}
	}
	return false
}

func supportedList() string {
	var out []string
	for _, k := range k8sVersions {
		out = append(out, k.patch)
	}
	return strings.Join(out, ", ")
}

// serviceTag is one AzureMachineLearning service tag, by region.
type serviceTag struct {
	region   string
	prefixes []string
}

var amlTags = []serviceTag{
	{"eastus", []string{"20.42.0.240/28", "40.71.11.64/28", "52.168.112.192/28"}},
	{"westus", []string{"13.86.195.192/28", "40.112.242.176/28"}},
	{"eastus2", []string{"20.44.16.160/28", "52.167.106.144/28"}},
	{"centralus", []string{"20.40.206.112/28", "52.182.139.16/28"}},
	{"westeurope", []string{"20.50.1.64/28", "51.144.184.128/28"}},
	{"northeurope", []string{"20.38.80.112/28", "52.138.90.144/28"}},
}

func amlPrefixes(region string) []string {
	for _, t := range amlTags {
		if strings.EqualFold(t.region, region) {
			return t.prefixes
		}
	}
	return nil
}

// clusterSuffix is the short suffix Azure ML puts after a compute's name
// when it names the cluster it creates.
func clusterSuffix(ws *workspace, name string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(ws.id() + "/" + name)))
	return fmt.Sprintf("%05x", h.Sum32()&0xfffff)
}

func sampleWorld(now time.Time) *world {
	ago := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour).Truncate(time.Second) }
	w := &world{resourceGroups: map[string]string{}, rgNames: map[string]string{}}
	for _, rg := range []string{"ml-rg", "aks-rg", LockedResourceGroup} {
		w.resourceGroups[rg] = "eastus"
		w.rgNames[rg] = rg
	}
	pool := func(name, mode, size string, n int) *agentPool {
		return &agentPool{name: name, mode: mode, vmSize: size, count: n, state: "Succeeded"}
	}
	system := func(size string, n int) []*agentPool { return []*agentPool{pool("nodepool1", "System", size, n)} }
	mk := func(rg, name, loc, version, lb string, pools []*agentPool) *cluster {
		c := &cluster{sub: SubscriptionID, rg: rg, name: name, location: loc, version: version, lbSKU: lb,
			pools: pools, created: ago(60), serviceCidr: "10.0.0.0/16", dnsIP: "10.0.0.10",
			tags: map[string]string{"team": "ml-platform"}, identityType: "SystemAssigned"}
		w.clusters = append(w.clusters, c)
		return c
	}
	eastRanges := amlPrefixes("eastus")
	westRanges := amlPrefixes("westus")
	corp := "203.0.113.0/24"

	mk("aks-rg", "aks-healthy", "eastus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
	basic := mk("aks-rg", "aks-basic-ranges", "eastus", "1.32.7", "basic", system("Standard_D4s_v3", 3))
	basic.authorizedRanges = append(append([]string{corp}, eastRanges...), westRanges...)
	private := mk("aks-rg", "aks-private", "eastus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
	private.private, private.privatePublic = true, true
	missing := mk("aks-rg", "aks-missing-ranges", "eastus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
	missing.authorizedRanges = []string{corp, eastRanges[0], eastRanges[1]}
	mk("aks-rg", "aks-old", "eastus", "1.27.9", "standard", system("Standard_D4s_v3", 3))
	mk("aks-rg", "aks-preview", "eastus", "1.33.2", "standard", system("Standard_D4s_v3", 3))
	mk("aks-rg", "aks-gpu-secondary", "eastus", "1.32.7", "standard",
		[]*agentPool{pool("nodepool1", "System", "Standard_D4s_v3", 3), pool("gpupool", "User", "Standard_NC6s_v3", 2)})
	attached := mk("aks-rg", "aks-attached", "eastus", "1.32.7", "standard", system("Standard_D3_v2", 3))
	mk("aks-rg", "aks-small", "eastus", "1.32.7", "standard", system("Standard_D2s_v3", 1))
	mk("aks-rg", "aks-west", "westus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
	attached.legacyFrontend = true
	addV2Clusters(w, mk, system, ago)

	addWS := func(rg, name, loc string, n int) *workspace {
		ws := &workspace{sub: SubscriptionID, rg: rg, name: name, location: loc, created: ago(90),
			guid: fmt.Sprintf("6a1c3d2e-0000-4000-8000-%012d", n)}
		w.workspaces = append(w.workspaces, ws)
		return ws
	}
	east := addWS("ml-rg", "ws-east", "eastus", 1)
	east2 := addWS("ml-rg", "ws-east2", "eastus", 2)
	west := addWS("ml-rg", "ws-west", "westus", 3)
	addWS(LockedResourceGroup, "ws-locked", "eastus", 4)

	east.computes = append(east.computes,
		&compute{name: "cpu-cluster", computeType: "AmlCompute", location: "eastus", state: "Succeeded",
			created: ago(30), modified: ago(30), description: "Training cluster",
			extra: map[string]any{"vmSize": "STANDARD_DS3_V2", "vmPriority": "Dedicated",
				"scaleSettings":   map[string]any{"maxNodeCount": 4, "minNodeCount": 0, "nodeIdleTimeBeforeScaleDown": "PT120S"},
				"allocationState": "Steady", "currentNodeCount": 0, "targetNodeCount": 0, "osType": "Linux"}},
		&compute{name: "aks-attached", computeType: "AKS", location: "eastus", state: "Succeeded", attached: true,
			resourceID: attached.id(), purpose: "FastProd", lbType: "PublicIp", ssl: sslConfig{status: "Disabled"},
			created: ago(20), modified: ago(20), frontEndIP: "20.121.0.17"},
	)
	// Computes Azure ML created, with their clusters, in the same region as
	// ws-east (scoring-prod) and in another region (shared-name).
	created := func(ws *workspace, name, size string, n int, ip string) {
		c := mk(ws.rg, name+clusterSuffix(ws, name), ws.location, "1.31.10", "standard", []*agentPool{pool("agentpool", "System", size, n)})
		c.created = ago(45)
		ws.computes = append(ws.computes, &compute{name: name, computeType: "AKS", location: ws.location, state: "Succeeded",
			resourceID: c.id(), purpose: "FastProd", agentCount: n, vmSize: size, lbType: "PublicIp",
			ssl: sslConfig{status: "Disabled"}, created: ago(45), modified: ago(45), frontEndIP: ip})
	}
	created(east2, "scoring-prod", "Standard_D3_v2", 3, "20.121.4.88")
	created(west, "shared-name", "Standard_D3_v2", 3, "13.91.60.12")
	return w
}

func (w *world) resourceGroup(name string) (string, error) {
	if _, ok := w.resourceGroups[strings.ToLower(name)]; !ok {
		return "", errorf(404, "ResourceGroupNotFound", "Resource group '%s' could not be found.", name)
	}
	return w.rgNames[strings.ToLower(name)], nil
}

func (w *world) workspace(rg, name string) (*workspace, error) {
	if _, err := w.resourceGroup(rg); err != nil {
		return nil, err
	}
	for _, ws := range w.workspaces {
		if strings.EqualFold(ws.rg, rg) && strings.EqualFold(ws.name, name) {
			return ws, nil
		}
	}
	return nil, errorf(404, "ResourceNotFound", "The Resource '%s/workspaces/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", providerML, name, rg)
}

func (w *world) cluster(rg, name string) (*cluster, error) {
	if _, err := w.resourceGroup(rg); err != nil {
		return nil, err
	}
	for _, c := range w.clusters {
		if strings.EqualFold(c.rg, rg) && strings.EqualFold(c.name, name) {
			return c, nil
		}
	}
	return nil, errorf(404, "ResourceNotFound", "The Resource '%s/managedClusters/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", providerAKS, name, rg)
}

// clusterByID finds a managed cluster by its resource ID, whose segment
// names compare case-insensitively.
func (w *world) clusterByID(id string) *cluster {
	for _, c := range w.clusters {
		if strings.EqualFold(strings.TrimSuffix(id, "/"), c.id()) {
			return c
		}
	}
	return nil
}

func (w *world) removeCluster(c *cluster) {
	for i, x := range w.clusters {
		if x == c {
			w.clusters = append(w.clusters[:i], w.clusters[i+1:]...)
			return
		}
	}
}

func (ws *workspace) compute(name string) *compute {
	for _, c := range ws.computes {
		if strings.EqualFold(c.name, name) {
			return c
		}
	}
	return nil
}

func (ws *workspace) removeCompute(c *compute) {
	for i, x := range ws.computes {
		if x == c {
			ws.computes = append(ws.computes[:i], ws.computes[i+1:]...)
			return
		}
	}
}
