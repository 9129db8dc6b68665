package armemu

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The Azure ML v2 path: AKS clusters created through
// Microsoft.ContainerService, cluster extensions of
// Microsoft.KubernetesConfiguration, and computes of type Kubernetes. The
// refusals are Azure's own, not amlaks's rules: a cluster without a managed
// identity, with local accounts disabled or with pod identity; a cluster in
// another subscription; an extension of a region the extension is not
// offered in (asynchronously, as the extension's operation fails); an attach
// before the extension has Succeeded.

// providerK8sConfig is the resource provider of cluster extensions.
const providerK8sConfig = "Microsoft.KubernetesConfiguration"

// azureMLExtensionType is the extension type of the Azure ML extension.
const azureMLExtensionType = "Microsoft.AzureML.Kubernetes"

// extensionRegions are where the sample subscription is offered cluster
// extensions (the regions of Azure Arc-enabled Kubernetes among the
// emulator's locations): not centralus, so that refusal can be shown.
var extensionRegions = []string{"eastus", "westus", "eastus2", "westeurope", "northeurope"}

func extensionOffered(loc string) bool {
	for _, r := range extensionRegions {
		if strings.EqualFold(r, loc) {
			return true
		}
	}
	return false
}

// extension is a cluster extension.
type extension struct {
	name, extType, releaseTrain, releaseNamespace, version string
	settings                                               map[string]string
	protectedKeys                                          []string // names only: values are never stored
	state                                                  string   // Creating, Succeeded, Failed, Deleting
	fail                                                   *armError
	created, modified                                      time.Time
}

func (c *cluster) extension(name string) *extension {
	for _, x := range c.extensions {
		if strings.EqualFold(x.name, name) {
			return x
		}
	}
	return nil
}

func (c *cluster) removeExtension(x *extension) {
	for i, y := range c.extensions {
		if y == x {
			c.extensions = append(c.extensions[:i], c.extensions[i+1:]...)
			return
		}
	}
}

// azureMLExtension is the cluster's Azure ML extension, if any.
func (c *cluster) azureMLExtension() *extension {
	for _, x := range c.extensions {
		if strings.EqualFold(x.extType, azureMLExtensionType) {
			return x
		}
	}
	return nil
}

func (c *cluster) extensionID(x *extension) string {
	return c.id() + "/providers/" + providerK8sConfig + "/extensions/" + x.name
}

func (c *cluster) extensionJSON(x *extension) map[string]any {
	settings := map[string]string{}
	for k, v := range x.settings {
		settings[k] = v
	}
	protected := map[string]string{}
	for _, k := range x.protectedKeys {
		protected[k] = "" // ARM never returns protected values
	}
	props := map[string]any{
		"extensionType":                  x.extType,
		"autoUpgradeMinorVersion":        true,
		"releaseTrain":                   x.releaseTrain,
		"version":                        nil,
		"currentVersion":                 x.version,
		"scope":                          map[string]any{"cluster": map[string]any{"releaseNamespace": x.releaseNamespace}},
		"configurationSettings":          settings,
		"configurationProtectedSettings": protected,
		"provisioningState":              x.state,
		"statuses":                       []any{},
		"isSystemExtension":              false,
		"aksAssignedIdentity":            map[string]any{"type": "SystemAssigned", "principalId": "7c0e1d2f-0000-4000-8000-" + c.hash() + "0001"},
	}
	if x.fail != nil {
		props["errorInfo"] = map[string]any{"code": x.fail.code, "message": x.fail.message}
	}
	return map[string]any{
		"id":         c.extensionID(x),
		"name":       x.name,
		"type":       providerK8sConfig + "/extensions",
		"identity":   map[string]any{"type": "SystemAssigned", "principalId": "7c0e1d2f-0000-4000-8000-" + c.hash() + "0002", "tenantId": TenantID},
		"properties": props,
		"systemData": map[string]any{"createdAt": timeJSON(x.created), "lastModifiedAt": timeJSON(x.modified)},
	}
}

// clusterOf finds the cluster of an extension route.
func (e *Emulator) clusterOf(p params) (*cluster, error) {
	return e.w.cluster(p["rg"], p["cluster"])
}

// listExtensions serves GET .../managedClusters/{cluster}/providers/Microsoft.KubernetesConfiguration/extensions.
func (e *Emulator) listExtensions(w http.ResponseWriter, _ *http.Request, p params) error {
	c, err := e.clusterOf(p)
	if err != nil {
		return err
	}
	items := []any{}
	for _, x := range c.extensions {
		items = append(items, c.extensionJSON(x))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": items})
	return nil
}

// getExtension serves GET .../extensions/{ext}.
func (e *Emulator) getExtension(w http.ResponseWriter, _ *http.Request, p params) error {
	c, err := e.clusterOf(p)
	if err != nil {
		return err
	}
	x := c.extension(p["ext"])
	if x == nil {
		return errorf(http.StatusNotFound, "ExtensionNotFound", "The extension '%s' was not found on cluster '%s'.", p["ext"], c.name)
	}
	writeJSON(w, http.StatusOK, c.extensionJSON(x))
	return nil
}

// extensionPut is the body of an extension PUT.
type extensionPut struct {
	Properties struct {
		ExtensionType                  string             `json:"extensionType"`
		ReleaseTrain                   string             `json:"releaseTrain"`
		ConfigurationSettings          map[string]*string `json:"configurationSettings"`
		ConfigurationProtectedSettings map[string]*string `json:"configurationProtectedSettings"`
		Scope                          *struct {
			Cluster *struct {
				ReleaseNamespace string `json:"releaseNamespace"`
			} `json:"cluster"`
			Namespace *struct {
				TargetNamespace string `json:"targetNamespace"`
			} `json:"namespace"`
		} `json:"scope"`
	} `json:"properties"`
}

// putExtension serves PUT .../extensions/{ext}: it installs an extension,
// answering 201 and an Azure-AsyncOperation to follow. The Azure ML
// extension is checked as the Azure ML extension checks itself: inference
// or training, HTTPS with its certificate or HTTP allowed, scope cluster;
// in a region without cluster extensions, its operation fails.
func (e *Emulator) putExtension(w http.ResponseWriter, req *http.Request, p params) error {
	c, err := e.clusterOf(p)
	if err != nil {
		return err
	}
	var body extensionPut
	if err := decodeBody(req, &body); err != nil {
		return err
	}
	in := body.Properties
	if in.ExtensionType == "" {
		return badRequest("The extensionType property is required.")
	}
	if c.state() != "Succeeded" {
		return errorf(http.StatusConflict, "OperationNotAllowed", "Operation is not allowed because there's an in progress %s operation on managed cluster '%s'.", strings.ToLower(c.state()), c.name)
	}
	if old := c.extension(p["ext"]); old != nil {
		if err := busy("The extension", old.name, old.state); err != nil {
			return err
		}
	}
	settings := map[string]string{}
	for k, v := range in.ConfigurationSettings {
		if v != nil {
			settings[k] = *v
		}
	}
	var protected []string
	for k, v := range in.ConfigurationProtectedSettings {
		if v != nil && *v != "" {
			protected = append(protected, k)
		}
	}
	x := &extension{name: p["ext"], extType: in.ExtensionType, releaseTrain: firstNonEmpty(in.ReleaseTrain, "Stable"),
		releaseNamespace: p["ext"], version: "1.1.96", settings: settings, protectedKeys: protected,
		state: "Creating", created: e.now(), modified: e.now()}
	if in.Scope != nil && in.Scope.Cluster != nil && in.Scope.Cluster.ReleaseNamespace != "" {
		x.releaseNamespace = in.Scope.Cluster.ReleaseNamespace
	}
	var fail *armError
	if strings.EqualFold(in.ExtensionType, azureMLExtensionType) {
		if in.Scope == nil || in.Scope.Cluster == nil {
			return badRequest("The Azure ML extension can only be installed at cluster scope.")
		}
		if err := checkAzureMLSettings(settings, protected); err != nil {
			return err
		}
		if !strings.EqualFold(c.identityType, "SystemAssigned") && !strings.EqualFold(c.identityType, "UserAssigned") {
			fail = errorf(http.StatusBadRequest, "ExtensionOperationFailed",
				"Error: {failed to install chart from path [] for release [%s]: err [admission webhook denied the request: the cluster uses a service principal; Azure Machine Learning requires a managed identity]} occurred while doing the operation : [Create] on the config", x.name)
		}
		if c.legacyFrontend {
			// The v1 front end's objects are in the way of the extension's
			// chart, as Helm says when a resource exists already.
			fail = errorf(http.StatusBadRequest, "ExtensionOperationFailed",
				"Error: {failed to install chart from path [] for release [%s]: err [rendered manifests contain a resource that already exists. Unable to continue with install: ServiceAccount \"azureml-fe\" in namespace \"default\" exists and cannot be imported into the current release]} occurred while doing the operation : [Create] on the config", x.name)
		}
		if c.localAccountsDisabled {
			fail = errorf(http.StatusBadRequest, "ExtensionOperationFailed",
				"Error: {Local accounts are disabled on cluster '%s'; the Azure ML extension needs them} occurred while doing the operation : [Create] on the config", c.name)
		}
	}
	if !extensionOffered(c.location) {
		fail = errorf(http.StatusBadRequest, "ExtensionTypeRegistrationGetFailed",
			"Extension type '%s' is not supported in region '%s'. Learn more at https://aka.ms/ArcK8sExtensionTypes", in.ExtensionType, c.location)
	}
	if f, ok := e.takeFault(req, true); ok {
		fail = faultError(Fault{Status: http.StatusBadRequest, Code: firstNonEmpty(f.Code, "ExtensionOperationFailed"), Message: firstNonEmpty(f.Message, "The operation failed (injected fault).")})
	}
	status := http.StatusCreated
	if old := c.extension(x.name); old != nil {
		c.removeExtension(old)
		status = http.StatusOK
	}
	c.extensions = append(c.extensions, x)
	op := e.startOperation(providerK8sConfig, c.location, e.opts.ExtensionDuration, fail, func(end time.Time) {
		x.modified = end
		if fail != nil {
			x.state, x.fail = "Failed", fail
			return
		}
		x.state = "Succeeded"
	})
	op.statusURL = c.extensionID(x) + "/operations/" + op.id
	e.setOperationHeaders(w, req, op, false)
	writeJSON(w, status, c.extensionJSON(x))
	return nil
}

// checkAzureMLSettings refuses what the Azure ML extension refuses at once.
func checkAzureMLSettings(s map[string]string, protected []string) error {
	isTrue := func(k string) bool { return strings.EqualFold(s[k], "true") }
	if !isTrue("enableInference") && !isTrue("enableTraining") {
		return badRequest("To create Microsoft.AzureML.Kubernetes extension, either enable Machine Learning training or inference by specifying enableTraining=true or enableInference=true.")
	}
	if isTrue("enableInference") {
		https := contains(protected, "scoringFe.sslCert") && contains(protected, "scoringFe.sslKey")
		if !https && !isTrue("allowInsecureConnections") {
			return badRequest("To enable HTTPs endpoint, either provide sslCertPemFile and sslKeyPemFile to --configuration-protected-settings, or provide sslSecret. Otherwise, to enable HTTP endpoint, explicitly set allowInsecureConnections=true.")
		}
		if https && s["sslCname"] == "" {
			return badRequest("To enable HTTPs endpoint, please specify sslCname parameter in --configuration-settings.")
		}
		switch strings.ToLower(s["inferenceRouterServiceType"]) {
		case "loadbalancer", "nodeport", "clusterip":
		default:
			return badRequest("To use inference, please specify inferenceRouterServiceType=ClusterIP or inferenceRouterServiceType=NodePort or inferenceRouterServiceType=LoadBalancer.")
		}
		if strings.EqualFold(s["inferenceRouterServiceType"], "nodeport") && strings.EqualFold(s["internalLoadBalancerProvider"], "azure") {
			return badRequest("When using nodePort as inferenceRouterServiceType, no need to specify internalLoadBalancerProvider.")
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// deleteExtension serves DELETE .../extensions/{ext}.
func (e *Emulator) deleteExtension(w http.ResponseWriter, req *http.Request, p params) error {
	c, err := e.clusterOf(p)
	if err != nil {
		return err
	}
	x := c.extension(p["ext"])
	if x == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err := busy("The extension", x.name, x.state); err != nil {
		return err
	}
	x.state, x.modified = "Deleting", e.now()
	op := e.startOperation(providerK8sConfig, c.location, e.opts.DeleteDuration, nil, func(time.Time) { c.removeExtension(x) })
	op.statusURL = c.extensionID(x) + "/operations/" + op.id
	e.setOperationHeaders(w, req, op, false)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// extensionOperation serves the status of an extension's operation:
// GET .../extensions/{ext}/operations/{id}.
func (e *Emulator) extensionOperation(w http.ResponseWriter, req *http.Request, p params) error {
	op, ok := e.ops[strings.ToLower(p["id"])]
	if !ok || op.provider != providerK8sConfig {
		return errorf(http.StatusNotFound, "OperationNotFound", "The operation '%s' could not be found.", p["id"])
	}
	e.writeOperationStatus(w, op)
	return nil
}

// clusterPut is the body of a managed cluster PUT.
type clusterPut struct {
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags"`
	Identity *struct {
		Type string `json:"type"`
	} `json:"identity"`
	Properties struct {
		KubernetesVersion    string `json:"kubernetesVersion"`
		DNSPrefix            string `json:"dnsPrefix"`
		DisableLocalAccounts bool   `json:"disableLocalAccounts"`
		AgentPoolProfiles    []struct {
			Name         string `json:"name"`
			Mode         string `json:"mode"`
			VMSize       string `json:"vmSize"`
			Count        *int   `json:"count"`
			VnetSubnetID string `json:"vnetSubnetID"`
		} `json:"agentPoolProfiles"`
		NetworkProfile *struct {
			LoadBalancerSKU string `json:"loadBalancerSku"`
			ServiceCidr     string `json:"serviceCidr"`
			DNSServiceIP    string `json:"dnsServiceIP"`
		} `json:"networkProfile"`
		APIServerAccessProfile *struct {
			AuthorizedIPRanges []string `json:"authorizedIPRanges"`
		} `json:"apiServerAccessProfile"`
	} `json:"properties"`
}

// putCluster serves PUT .../managedClusters/{cluster}: it creates a
// cluster (updates are not modelled), answering 201 with provisioningState
// Creating and an Azure-AsyncOperation to follow.
func (e *Emulator) putCluster(w http.ResponseWriter, req *http.Request, p params) error {
	if _, err := e.w.resourceGroup(p["rg"]); err != nil {
		return err
	}
	if existing, _ := e.w.cluster(p["rg"], p["cluster"]); existing != nil {
		return errorf(http.StatusConflict, "OperationNotAllowed", "Managed cluster '%s' exists already; amlaks's emulator models creating clusters only.", existing.name)
	}
	var body clusterPut
	if err := decodeBody(req, &body); err != nil {
		return err
	}
	in := body.Properties
	loc := strings.ToLower(body.Location)
	if _, ok := findLocation(loc); !ok {
		return errorf(http.StatusBadRequest, "LocationNotAvailableForResourceType", "The provided location '%s' is not available for resource type 'Microsoft.ContainerService/managedClusters'.", body.Location)
	}
	if in.DNSPrefix == "" {
		return errorf(http.StatusBadRequest, "InvalidParameter", "The value of parameter dnsPrefix is invalid: it is required.")
	}
	if len(in.AgentPoolProfiles) == 0 {
		return errorf(http.StatusBadRequest, "InvalidParameter", "At least one agent pool profile is required.")
	}
	version := firstNonEmpty(in.KubernetesVersion, defaultVersion())
	if !supportedVersion(loc, version) {
		return errorf(http.StatusBadRequest, "AgentPoolK8sVersionNotSupported", "Version %s is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region.", version)
	}
	c := &cluster{sub: SubscriptionID, rg: e.w.rgNames[strings.ToLower(p["rg"])], name: p["cluster"], location: loc, version: resolvePatch(version),
		lbSKU: "standard", created: e.now(), serviceCidr: "10.0.0.0/16", dnsIP: "10.0.0.10", tags: body.Tags,
		identityType: "SystemAssigned", localAccountsDisabled: in.DisableLocalAccounts}
	if body.Identity != nil && body.Identity.Type != "" {
		c.identityType = body.Identity.Type
	}
	if n := in.NetworkProfile; n != nil {
		if n.LoadBalancerSKU != "" && !strings.EqualFold(n.LoadBalancerSKU, "standard") {
			return errorf(http.StatusBadRequest, "InvalidLoadBalancerProfile", "Basic load balancer is retired and not supported for new clusters: use the Standard load balancer.")
		}
		c.serviceCidr, c.dnsIP = firstNonEmpty(n.ServiceCidr, c.serviceCidr), firstNonEmpty(n.DNSServiceIP, c.dnsIP)
	}
	if a := in.APIServerAccessProfile; a != nil {
		c.authorizedRanges = a.AuthorizedIPRanges
	}
	system := false
	seen := map[string]bool{}
	for i, ap := range in.AgentPoolProfiles {
		if !agentPoolNameOK(ap.Name) {
			return errorf(http.StatusBadRequest, "InvalidParameter", "The value of parameter agentPoolProfile.name '%s' is invalid: a Linux agent pool name has 1 to 12 lowercase letters and digits and starts with a letter.", ap.Name)
		}
		if seen[ap.Name] {
			return errorf(http.StatusBadRequest, "InvalidParameter", "The agent pool name '%s' is used by more than one agent pool profile.", ap.Name)
		}
		seen[ap.Name] = true
		// The first pool is System when it says nothing, as AKS makes it.
		mode := ap.Mode
		if mode == "" && i == 0 {
			mode = "System"
		}
		if mode == "" {
			mode = "User"
		}
		if mode != "System" && mode != "User" {
			return errorf(http.StatusBadRequest, "InvalidParameter", "The value of parameter agentPoolProfile.mode '%s' of agent pool '%s' is invalid: System or User.", ap.Mode, ap.Name)
		}
		system = system || mode == "System"
		vm, ok := findVMSize(loc, ap.VMSize)
		if !ok {
			return errorf(http.StatusBadRequest, "InvalidParameter", "The VM size '%s' is not available in location '%s'.", ap.VMSize, loc)
		}
		count := 1
		if ap.Count != nil {
			count = *ap.Count
		}
		low := 1
		if mode == "User" {
			low = 0 // a User pool may be scaled to zero
		}
		if count < low || count > 1000 {
			return errorf(http.StatusBadRequest, "InvalidParameter", "The node count %d of agent pool '%s' is invalid: a %s pool needs %d to 1000 nodes.", count, ap.Name, mode, low)
		}
		c.pools = append(c.pools, &agentPool{name: ap.Name, mode: mode, vmSize: vm.name, count: count, state: "Creating"})
		if ap.VnetSubnetID != "" {
			c.subnetID = ap.VnetSubnetID
		}
	}
	if !system {
		return errorf(http.StatusBadRequest, "InvalidParameter", "A managed cluster needs at least one agent pool of mode System.")
	}
	if err := serviceCidrOverlap(c.subnetID, c.serviceCidr); err != nil {
		return err // AKS refuses it at the PUT, before anything is made
	}
	var fail *armError
	if strings.EqualFold(c.rg, LockedResourceGroup) {
		fail = errorf(http.StatusForbidden, "RequestDisallowedByPolicy",
			"Resource '%s' was disallowed by policy. Reasons: 'Public IP addresses are not allowed in resource group %s.'", c.name, c.rg)
	}
	if f, ok := e.takeFault(req, true); ok {
		fail = faultError(Fault{Status: http.StatusBadRequest, Code: firstNonEmpty(f.Code, "InternalOperationError"), Message: firstNonEmpty(f.Message, "The operation failed (injected fault).")})
	}
	e.w.clusters = append(e.w.clusters, c)
	op := e.startOperation(providerAKS, loc, e.opts.CreateDuration, fail, func(time.Time) {
		for _, ap := range c.pools {
			ap.state = "Succeeded"
			if fail != nil {
				ap.state = "Failed"
			}
		}
	})
	e.setOperationHeaders(w, req, op, false)
	writeJSON(w, http.StatusCreated, c.json())
	return nil
}

// agentPoolNameOK reports whether s is a Linux agent pool name as AKS
// accepts it: 1 to 12 lowercase letters and digits, starting with a letter.
func agentPoolNameOK(s string) bool {
	if len(s) == 0 || len(s) > 12 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// resolvePatch turns a minor version ("1.32") into the newest patch the
// catalog has of it.
func resolvePatch(v string) string {
	if strings.Count(v, ".") != 1 {
		return v
	}
	best := v
	for _, k := range k8sVersions {
		if minor(k.patch) == v {
			best = k.patch
		}
	}
	return best
}

// deleteCluster serves DELETE .../managedClusters/{cluster}.
func (e *Emulator) deleteCluster(w http.ResponseWriter, req *http.Request, p params) error {
	c, err := e.w.cluster(p["rg"], p["cluster"])
	if err != nil {
		if ae, ok := err.(*armError); ok && ae.status == http.StatusNotFound {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		return err
	}
	for _, ws := range e.w.workspaces {
		for _, cp := range ws.computes {
			if strings.EqualFold(cp.resourceID, c.id()) && cp.state != "Deleting" {
				return errorf(http.StatusConflict, "ResourceInUse", "Managed cluster '%s' is attached to compute '%s' of workspace '%s'; detach it first.", c.name, cp.name, ws.name)
			}
		}
	}
	for _, ap := range c.pools {
		ap.state = "Deleting"
	}
	op := e.startOperation(providerAKS, c.location, e.opts.DeleteDuration, nil, func(time.Time) { e.w.removeCluster(c) })
	e.setOperationHeaders(w, req, op, false)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// checkKubernetesAttach makes Azure ML's own checks of a Kubernetes compute
// attach: a cluster of the workspace's subscription that exists, with the
// Azure ML extension installed and Succeeded, a namespace, and a known
// identity type.
func (e *Emulator) checkKubernetesAttach(ws *workspace, id, namespace, identity string) (*cluster, error) {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) != 8 || !strings.EqualFold(parts[6], "managedClusters") {
		return nil, badRequest("The resourceId '%s' is not the resource ID of an AKS cluster.", id)
	}
	if !strings.EqualFold(parts[1], ws.sub) {
		return nil, badRequest("Attaching a Kubernetes cluster of another subscription is not supported: connect it to Azure Arc in subscription %s first.", ws.sub)
	}
	cl := e.w.clusterByID(id)
	if cl == nil {
		return nil, errorf(http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.ContainerService/managedClusters/%s' under resource group '%s' was not found.", parts[7], parts[3])
	}
	x := cl.azureMLExtension()
	if x == nil || x.state != "Succeeded" {
		return nil, badRequest("The Azure Machine Learning extension is not installed (or not ready) on cluster '%s': install Microsoft.AzureML.Kubernetes, then attach.", cl.name)
	}
	if namespace == "" {
		return nil, badRequest("properties.properties.namespace is required for a Kubernetes compute.")
	}
	switch strings.ToLower(identity) {
	case "", "systemassigned", "userassigned", "systemassigned,userassigned":
	default:
		return nil, badRequest("Identity type '%s' is not supported for a Kubernetes compute.", identity)
	}
	return cl, nil
}

// kubernetesProperties is properties.properties of a Kubernetes compute.
func (e *Emulator) kubernetesProperties(c *compute) map[string]any {
	out := map[string]any{
		"namespace":                     c.namespace,
		"extensionInstanceReleaseTrain": "stable",
		"defaultInstanceType":           "defaultinstancetype",
		"instanceTypes": map[string]any{"defaultinstancetype": map[string]any{
			"resources": map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "2Gi"}, "limits": map[string]any{"cpu": "2", "memory": "2Gi"}},
		}},
	}
	if cl := e.w.clusterByID(c.resourceID); cl != nil {
		if x := cl.azureMLExtension(); x != nil {
			out["extensionPrincipalId"] = fmt.Sprintf("7c0e1d2f-0000-4000-8000-%s0001", cl.hash())
		}
	}
	return out
}

// putKubernetesCompute attaches a cluster as a Kubernetes compute, after
// Azure ML's checks, answering 201 with provisioningState Creating.
func (e *Emulator) putKubernetesCompute(w http.ResponseWriter, req *http.Request, ws *workspace, name string, body computePut) error {
	props := body.Properties
	identity := "SystemAssigned"
	if body.Identity != nil && body.Identity.Type != "" {
		identity = body.Identity.Type
	}
	if _, err := e.checkKubernetesAttach(ws, props.ResourceID, props.Properties.Namespace, identity); err != nil {
		return err
	}
	c := &compute{name: name, computeType: "Kubernetes", location: ws.location, description: props.Description, tags: body.Tags,
		resourceID: props.ResourceID, attached: true, namespace: props.Properties.Namespace, identity: identity,
		state: "Creating", created: e.now(), modified: e.now()}
	var fail *armError
	if f, ok := e.takeFault(req, true); ok {
		fail = faultError(Fault{Status: http.StatusBadRequest, Code: firstNonEmpty(f.Code, "InternalServerError"), Message: firstNonEmpty(f.Message, "The operation failed (injected fault).")})
	}
	ws.computes = append(ws.computes, c)
	op := e.startOperation(providerML, ws.location, e.opts.AttachDuration, fail, func(end time.Time) {
		c.modified = end
		if fail != nil {
			c.state, c.errors = "Failed", []*armError{fail}
			return
		}
		c.state = "Succeeded"
	})
	e.setOperationHeaders(w, req, op, false)
	writeJSON(w, http.StatusCreated, e.computeJSON(ws, c))
	return nil
}

// addV2Clusters adds the clusters that show the v2 path's cases: ready
// with the extension installed, a service principal, local accounts
// disabled, pod identity, a region without cluster extensions.
func addV2Clusters(w *world, mk func(rg, name, loc, version, lb string, pools []*agentPool) *cluster, system func(string, int) []*agentPool, ago func(int) time.Time) {
	ready := mk("aks-rg", "aks-v2-ready", "eastus", "1.32.7", "standard", system("Standard_DS3_v2", 3))
	ready.extensions = []*extension{{name: "azureml", extType: azureMLExtensionType, releaseTrain: "stable", releaseNamespace: "azureml",
		version: "1.1.96", state: "Succeeded", created: ago(10), modified: ago(10),
		settings: map[string]string{"enableInference": "True", "inferenceRouterServiceType": "LoadBalancer", "allowInsecureConnections": "True"}}}
	sp := mk("aks-rg", "aks-sp", "eastus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
	sp.identityType = ""
	nolocal := mk("aks-rg", "aks-no-local", "eastus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
	nolocal.localAccountsDisabled = true
	podid := mk("aks-rg", "aks-pod-identity", "eastus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
	podid.podIdentity = true
	mk("aks-rg", "aks-central", "centralus", "1.32.7", "standard", system("Standard_D4s_v3", 3))
}

// busy is Azure's 409 for a resource whose operation is still running.
func busy(what, name, state string) error {
	if state == "Creating" || state == "Deleting" {
		return errorf(http.StatusConflict, "Conflict", "%s '%s' is %s; wait for its operation to finish.", what, name, strings.ToLower(state))
	}
	return nil
}

// apiResources is the Microsoft.Resources API version of a provider read.
const apiResources = "2021-04-01"

// getK8sConfigProvider serves GET /subscriptions/{sub}/providers/Microsoft.KubernetesConfiguration:
// the provider's resource types and where each is offered, by display name
// as ARM gives them: cluster extensions in extensionRegions only.
func (e *Emulator) getK8sConfigProvider(w http.ResponseWriter, _ *http.Request, p params) error {
	if !strings.EqualFold(p["sub"], SubscriptionID) {
		return errorf(http.StatusNotFound, "SubscriptionNotFound", "The subscription '%s' could not be found.", p["sub"])
	}
	var display []string
	for _, r := range extensionRegions {
		if l, ok := findLocation(r); ok {
			display = append(display, l.display)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":                "/subscriptions/" + SubscriptionID + "/providers/" + providerK8sConfig,
		"namespace":         providerK8sConfig,
		"registrationState": "Registered",
		"resourceTypes": []any{
			map[string]any{"resourceType": "extensions", "locations": display, "apiVersions": []string{apiK8sConfiguration}},
			map[string]any{"resourceType": "operations", "locations": []string{}, "apiVersions": []string{apiK8sConfiguration}},
		},
	})
	return nil
}
