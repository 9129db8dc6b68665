package armemu

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"time"
)

const nodeImage = "AKSUbuntu-2204gen2containerd-202509.01.0"

// systemPool is the cluster's first System pool (or its first pool).
func (c *cluster) systemPool() *agentPool {
	for _, p := range c.pools {
		if p.mode == "System" {
			return p
		}
	}
	return c.pools[0]
}

func (c *cluster) pool(name string) *agentPool {
	for _, p := range c.pools {
		if strings.EqualFold(p.name, name) {
			return p
		}
	}
	return nil
}

func (c *cluster) hash() string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(c.id())))
	return fmt.Sprintf("%08x", h.Sum32())
}

func (c *cluster) dnsPrefix() string { return c.name + "-dns" }

func (c *cluster) publicFQDN() string {
	return fmt.Sprintf("%s-%s.hcp.%s.azmk8s.io", c.dnsPrefix(), c.hash(), c.location)
}

func (c *cluster) privateFQDN() string {
	return fmt.Sprintf("%s-%s.%s.privatelink.%s.azmk8s.io", c.dnsPrefix(), c.hash()[:6], c.hash(), c.location)
}

// state is the cluster's provisioningState: that of a pool being changed,
// or Succeeded.
func (c *cluster) state() string {
	failed := false
	for _, p := range c.pools {
		if p.state != "Succeeded" && p.state != "Failed" {
			return p.state
		}
		failed = failed || p.state == "Failed"
	}
	if failed {
		return "Failed" // a create whose operation failed, as AKS reports it
	}
	return "Succeeded"
}

func (c *cluster) poolProperties(p *agentPool) map[string]any {
	return map[string]any{
		"count":                      p.count,
		"vmSize":                     p.vmSize,
		"mode":                       p.mode,
		"type":                       "VirtualMachineScaleSets",
		"osType":                     "Linux",
		"osSKU":                      "Ubuntu",
		"osDiskSizeGB":               128,
		"maxPods":                    110,
		"availabilityZones":          []string{"1", "2", "3"},
		"enableAutoScaling":          false,
		"orchestratorVersion":        c.version,
		"currentOrchestratorVersion": c.version,
		"nodeImageVersion":           nodeImage,
		"provisioningState":          p.state,
		"powerState":                 map[string]any{"code": "Running"},
		"upgradeSettings":            map[string]any{"maxSurge": "10%"},
		"eTag":                       c.hash()[:6] + p.name,
	}
}

func (c *cluster) poolJSON(p *agentPool) map[string]any {
	return map[string]any{
		"id":         c.id() + "/agentPools/" + p.name,
		"name":       p.name,
		"type":       providerAKS + "/managedClusters/agentPools",
		"properties": c.poolProperties(p),
	}
}

func (c *cluster) json() map[string]any {
	var profiles []any
	for _, p := range c.pools {
		prof := c.poolProperties(p)
		prof["name"] = p.name
		if c.subnetID != "" {
			prof["vnetSubnetID"] = c.subnetID
		}
		profiles = append(profiles, prof)
	}
	net := map[string]any{
		"networkPlugin":   "kubenet",
		"loadBalancerSku": c.lbSKU,
		"outboundType":    "loadBalancer",
		"podCidr":         "10.244.0.0/16",
		"podCidrs":        []string{"10.244.0.0/16"},
		"serviceCidr":     c.serviceCidr,
		"serviceCidrs":    []string{c.serviceCidr},
		"dnsServiceIP":    c.dnsIP,
		"ipFamilies":      []string{"IPv4"},
	}
	if c.lbSKU == "standard" {
		net["loadBalancerProfile"] = map[string]any{
			"managedOutboundIPs":     map[string]any{"count": 1},
			"effectiveOutboundIPs":   []any{map[string]any{"id": fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/publicIPAddresses/%s-outbound", c.sub, c.nodeResourceGroup(), c.hash())}},
			"allocatedOutboundPorts": 0,
			"idleTimeoutInMinutes":   30,
		}
	}
	props := map[string]any{
		"provisioningState":        c.state(),
		"powerState":               map[string]any{"code": "Running"},
		"kubernetesVersion":        c.version,
		"currentKubernetesVersion": c.version,
		"dnsPrefix":                c.dnsPrefix(),
		"azurePortalFQDN":          strings.Replace(c.publicFQDN(), ".hcp.", ".portal.hcp.", 1),
		"agentPoolProfiles":        profiles,
		"linuxProfile": map[string]any{
			"adminUsername": "azureuser",
			"ssh":           map[string]any{"publicKeys": []any{map[string]any{"keyData": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQemulated azureuser"}}},
		},
		"servicePrincipalProfile": map[string]any{"clientId": c.servicePrincipal()},
		"disableLocalAccounts":    c.localAccountsDisabled,
		"nodeResourceGroup":       c.nodeResourceGroup(),
		"enableRBAC":              true,
		"supportPlan":             "KubernetesOfficial",
		"maxAgentPools":           100,
		"networkProfile":          net,
	}
	if !c.private || c.privatePublic {
		props["fqdn"] = c.publicFQDN()
	}
	if c.private {
		props["privateFQDN"] = c.privateFQDN()
	}
	if c.private || len(c.authorizedRanges) > 0 {
		api := map[string]any{}
		if len(c.authorizedRanges) > 0 {
			api["authorizedIPRanges"] = c.authorizedRanges
		}
		if c.private {
			api["enablePrivateCluster"] = true
			api["enablePrivateClusterPublicFQDN"] = c.privatePublic
			api["privateDNSZone"] = "system"
		}
		props["apiServerAccessProfile"] = api
	}
	if c.podIdentity {
		props["podIdentityProfile"] = map[string]any{"enabled": true, "allowNetworkPluginKubenet": true}
	}
	tags := map[string]string{}
	for k, v := range c.tags {
		tags[k] = v
	}
	out := map[string]any{
		"id":         c.id(),
		"name":       c.name,
		"type":       providerAKS + "/managedClusters",
		"location":   c.location,
		"eTag":       c.hash(),
		"tags":       tags,
		"sku":        map[string]any{"name": "Base", "tier": "Free"},
		"properties": props,
	}
	if c.identityType != "" {
		out["identity"] = map[string]any{"type": c.identityType, "principalId": "5e1d0c2b-0000-4000-8000-" + c.hash() + "0000", "tenantId": TenantID}
	}
	return out
}

// servicePrincipal is the servicePrincipalProfile's clientId: "msi" for a
// cluster with a managed identity, an application ID otherwise.
func (c *cluster) servicePrincipal() string {
	if c.identityType != "" {
		return "msi"
	}
	return "3f1b2c4d-0000-4000-8000-" + c.hash() + "9999"
}

func (c *cluster) nodeResourceGroup() string {
	return fmt.Sprintf("MC_%s_%s_%s", c.rg, c.name, c.location)
}

// listClusters serves
// GET /subscriptions/{sub}/providers/Microsoft.ContainerService/managedClusters and
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters.
func (e *Emulator) listClusters(w http.ResponseWriter, _ *http.Request, p params) error {
	rg, byRG := p["rg"]
	if byRG {
		if _, err := e.w.resourceGroup(rg); err != nil {
			return err
		}
	}
	out := []any{}
	for _, c := range e.w.clusters {
		if !byRG || strings.EqualFold(c.rg, rg) {
			out = append(out, c.json())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

// getCluster serves
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{cluster}.
func (e *Emulator) getCluster(w http.ResponseWriter, _ *http.Request, p params) error {
	c, err := e.w.cluster(p["rg"], p["cluster"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c.json())
	return nil
}

// listAgentPools serves
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{cluster}/agentPools.
func (e *Emulator) listAgentPools(w http.ResponseWriter, _ *http.Request, p params) error {
	c, err := e.w.cluster(p["rg"], p["cluster"])
	if err != nil {
		return err
	}
	out := []any{}
	for _, ap := range c.pools {
		out = append(out, c.poolJSON(ap))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

// getAgentPool serves
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{cluster}/agentPools/{pool}.
func (e *Emulator) getAgentPool(w http.ResponseWriter, _ *http.Request, p params) error {
	c, err := e.w.cluster(p["rg"], p["cluster"])
	if err != nil {
		return err
	}
	ap := c.pool(p["pool"])
	if ap == nil {
		return errorf(http.StatusNotFound, "NotFound", "Agent pool '%s' was not found in managed cluster '%s'.", p["pool"], c.name)
	}
	writeJSON(w, http.StatusOK, c.poolJSON(ap))
	return nil
}

// putAgentPool serves
// PUT /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{cluster}/agentPools/{pool}:
// a new pool (201) or a change of an existing pool's node count (200). The
// VM size of an existing pool cannot change.
func (e *Emulator) putAgentPool(w http.ResponseWriter, req *http.Request, p params) error {
	c, err := e.w.cluster(p["rg"], p["cluster"])
	if err != nil {
		return err
	}
	var body struct {
		Properties struct {
			Count  *int   `json:"count"`
			VMSize string `json:"vmSize"`
			Mode   string `json:"mode"`
		} `json:"properties"`
	}
	if err := decodeBody(req, &body); err != nil {
		return err
	}
	in := body.Properties
	if c.state() != "Succeeded" {
		return errorf(http.StatusConflict, "OperationNotAllowed", "Operation is not allowed because there's an in progress %s operation on managed cluster '%s'.", strings.ToLower(c.state()), c.name)
	}
	ap := c.pool(p["pool"])
	status := http.StatusOK
	if ap == nil {
		vm, ok := findVMSize(c.location, firstNonEmpty(in.VMSize, "Standard_D2s_v3"))
		if !ok {
			return errorf(http.StatusBadRequest, "InvalidParameter", "The VM size '%s' is not available in location '%s'.", in.VMSize, c.location)
		}
		ap = &agentPool{name: p["pool"], mode: firstNonEmpty(in.Mode, "User"), vmSize: vm.name, count: 1, state: "Creating"}
		if in.Count != nil {
			ap.count = *in.Count
		}
		c.pools = append(c.pools, ap)
		status = http.StatusCreated
	} else {
		if in.VMSize != "" && !strings.EqualFold(in.VMSize, ap.vmSize) {
			return errorf(http.StatusBadRequest, "PropertyChangeNotAllowed", "Changing property 'vmSize' is not allowed: the VM size of an existing node pool cannot be changed (pool %s is %s, the request asks for %s). Create a new node pool or a new cluster with that size.", ap.name, ap.vmSize, in.VMSize)
		}
		if in.Count != nil {
			if *in.Count < 0 || (*in.Count < 1 && ap.mode == "System") || *in.Count > 1000 {
				return errorf(http.StatusBadRequest, "InvalidParameter", "The node count %d of agent pool '%s' is invalid: a System pool needs 1 to 1000 nodes, a User pool 0 to 1000.", *in.Count, ap.name)
			}
			ap.count, ap.state = *in.Count, "Scaling"
		} else {
			ap.state = "Updating"
		}
	}
	var fail *armError
	if f, ok := e.takeFault(req, true); ok {
		fail = faultError(Fault{Status: http.StatusBadRequest, Code: firstNonEmpty(f.Code, "InternalOperationError"), Message: firstNonEmpty(f.Message, "The operation failed (injected fault)."), Details: f.Details})
	}
	op := e.startOperation(providerAKS, c.location, e.opts.UpdateDuration, fail, func(time.Time) {
		ap.state = "Succeeded"
		if fail != nil {
			ap.state = "Failed"
		}
	})
	e.setOperationHeaders(w, req, op, false)
	writeJSON(w, status, c.poolJSON(ap))
	return nil
}

// listKubernetesVersions serves
// GET /subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{loc}/kubernetesVersions.
func (e *Emulator) listKubernetesVersions(w http.ResponseWriter, _ *http.Request, p params) error {
	if !offered(p["loc"]) {
		return errorf(http.StatusBadRequest, "LocationNotAvailableForResourceType", "The provided location '%s' is not available for resource type 'Microsoft.ContainerService/locations/kubernetesVersions'. Available locations: %s.", p["loc"], strings.Join(skuLocations, ", "))
	}
	values := []any{}
	for _, v := range k8sVersions {
		entry := map[string]any{
			"version":       minor(v.patch),
			"capabilities":  map[string]any{"supportPlan": []string{"KubernetesOfficial"}},
			"patchVersions": map[string]any{v.patch: map[string]any{"upgrades": v.upgrades}},
		}
		if v.def {
			entry["isDefault"] = true
		}
		if v.preview {
			entry["isPreview"] = true
		}
		values = append(values, entry)
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": values})
	return nil
}
