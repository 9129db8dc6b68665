package armemu

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// computePut is the body of a compute PUT. Secrets (sslConfiguration.cert
// and key) are read only to know whether they were given, then dropped.
type computePut struct {
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags"`
	Identity *struct {
		Type string `json:"type"`
	} `json:"identity"`
	Properties struct {
		ComputeType     string `json:"computeType"`
		ComputeLocation string `json:"computeLocation"`
		Description     string `json:"description"`
		ResourceID      string `json:"resourceId"`
		Properties      struct {
			Namespace          string      `json:"namespace"`
			AgentCount         *int        `json:"agentCount"`
			AgentVMSize        string      `json:"agentVmSize"`
			ClusterPurpose     string      `json:"clusterPurpose"`
			LoadBalancerType   string      `json:"loadBalancerType"`
			LoadBalancerSubnet string      `json:"loadBalancerSubnet"`
			Networking         *aksNetwork `json:"aksNetworkingConfiguration"`
			SSL                *struct {
				Status                  string `json:"status"`
				Cert                    string `json:"cert"`
				Key                     string `json:"key"`
				Cname                   string `json:"cname"`
				LeafDomainLabel         string `json:"leafDomainLabel"`
				OverwriteExistingDomain bool   `json:"overwriteExistingDomain"`
			} `json:"sslConfiguration"`
		} `json:"properties"`
	} `json:"properties"`
}

func computeID(ws *workspace, name string) string {
	return ws.id() + "/computes/" + name
}

func timeJSON(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (e *Emulator) computeJSON(ws *workspace, c *compute) map[string]any {
	props := map[string]any{
		"computeType":        c.computeType,
		"computeLocation":    c.location,
		"description":        c.description,
		"provisioningState":  c.state,
		"provisioningErrors": nil,
		"createdOn":          timeJSON(c.created),
		"modifiedOn":         timeJSON(c.modified),
		"isAttachedCompute":  c.attached,
		"disableLocalAuth":   false,
	}
	if c.resourceID != "" {
		props["resourceId"] = c.resourceID
	}
	if len(c.errors) > 0 {
		var errs []any
		for _, er := range c.errors {
			errs = append(errs, map[string]any{"error": er.detail()})
		}
		props["provisioningErrors"] = errs
	}
	if c.computeType == "AKS" {
		props["properties"] = e.aksProperties(c)
	} else if c.computeType == "Kubernetes" {
		props["properties"] = e.kubernetesProperties(c)
	} else if c.extra != nil {
		props["properties"] = c.extra
	}
	out := map[string]any{
		"id":         computeID(ws, c.name),
		"name":       c.name,
		"type":       providerML + "/workspaces/computes",
		"location":   c.location,
		"properties": props,
	}
	if len(c.tags) > 0 {
		out["tags"] = c.tags
	}
	if c.identity != "" {
		out["identity"] = map[string]any{"type": c.identity, "principalId": "9a8b7c6d-0000-4000-8000-" + clusterSuffix(ws, c.name) + "0000000", "tenantId": TenantID}
	}
	return out
}

// aksProperties is properties.properties of an AKS compute. The linked
// cluster, when it exists, answers for the node count, VM size and FQDN.
func (e *Emulator) aksProperties(c *compute) map[string]any {
	count, size, fqdn := c.agentCount, c.vmSize, ""
	if cl := e.w.clusterByID(c.resourceID); cl != nil {
		p := cl.systemPool()
		count, size, fqdn = p.count, p.vmSize, cl.publicFQDN()
		if cl.private {
			fqdn = cl.privateFQDN()
		}
	}
	ssl := map[string]any{"status": c.ssl.status}
	if c.ssl.cname != "" {
		ssl["cname"] = c.ssl.cname
	}
	if c.ssl.leafDomainLabel != "" {
		ssl["leafDomainLabel"] = c.ssl.leafDomainLabel
		ssl["overwriteExistingDomain"] = c.ssl.overwrite
	}
	out := map[string]any{
		"clusterPurpose":   c.purpose,
		"loadBalancerType": c.lbType,
		"sslConfiguration": ssl,
	}
	if count > 0 {
		out["agentCount"] = count
	}
	if size != "" {
		out["agentVmSize"] = size
	}
	if fqdn != "" {
		out["clusterFqdn"] = fqdn
	}
	if c.lbSubnet != "" {
		out["loadBalancerSubnet"] = c.lbSubnet
	}
	if c.network != nil {
		out["aksNetworkingConfiguration"] = c.network
	}
	if c.state == "Succeeded" && c.frontEndIP != "" {
		out["systemServices"] = []any{map[string]any{
			"systemServiceType": "ScoringFrontEnd",
			"publicIpAddress":   c.frontEndIP,
			"version":           "1.0.0",
		}}
	}
	return out
}

// listComputes serves
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/computes.
func (e *Emulator) listComputes(w http.ResponseWriter, _ *http.Request, p params) error {
	ws, err := e.w.workspace(p["rg"], p["ws"])
	if err != nil {
		return err
	}
	out := []any{}
	for _, c := range ws.computes {
		out = append(out, e.computeJSON(ws, c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

func computeNotFound(ws *workspace, name string) *armError {
	return errorf(http.StatusNotFound, "UserError", "Compute '%s' was not found in workspace '%s'.", name, ws.name)
}

// getCompute serves
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/computes/{name}.
func (e *Emulator) getCompute(w http.ResponseWriter, _ *http.Request, p params) error {
	ws, err := e.w.workspace(p["rg"], p["ws"])
	if err != nil {
		return err
	}
	c := ws.compute(p["name"])
	if c == nil {
		return computeNotFound(ws, p["name"])
	}
	writeJSON(w, http.StatusOK, e.computeJSON(ws, c))
	return nil
}

var computeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$`)

func badRequest(format string, args ...any) *armError {
	return errorf(http.StatusBadRequest, "BadRequest", format, args...)
}

// putCompute serves
// PUT /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/computes/{name}:
// it creates an AKS compute (a new cluster) or attaches an existing cluster
// (properties.resourceId set), after Azure's own checks. It answers 201 with
// provisioningState Creating and an Azure-AsyncOperation to follow.
func (e *Emulator) putCompute(w http.ResponseWriter, req *http.Request, p params) error {
	ws, err := e.w.workspace(p["rg"], p["ws"])
	if err != nil {
		return err
	}
	name := p["name"]
	var body computePut
	if err := decodeBody(req, &body); err != nil {
		return err
	}
	if !computeName.MatchString(name) {
		return errorf(http.StatusBadRequest, "ValidationError", "Compute name '%s' is invalid: it must be 3 to 24 characters long, start with a letter, hold only letters, digits and hyphens, and end with a letter or a digit.", name)
	}
	if ws.compute(name) != nil {
		return errorf(http.StatusConflict, "Conflict", "Compute name '%s' is not available: a compute with this name already exists in workspace '%s'.", name, ws.name)
	}
	props := body.Properties
	if strings.EqualFold(props.ComputeType, "Kubernetes") {
		return e.putKubernetesCompute(w, req, ws, name, body)
	}
	if !strings.EqualFold(props.ComputeType, "AKS") {
		return badRequest("Compute type '%s' is not supported by this emulator; use 'AKS'.", props.ComputeType)
	}
	loc := strings.ToLower(firstNonEmpty(props.ComputeLocation, body.Location, ws.location))
	if _, ok := findLocation(loc); !ok {
		return errorf(http.StatusBadRequest, "LocationNotAvailableForResourceType", "The provided location '%s' is not available for resource type 'Microsoft.MachineLearningServices/workspaces/computes'.", loc)
	}
	aks := props.Properties
	c := &compute{
		name: name, computeType: "AKS", location: loc, description: props.Description, tags: body.Tags,
		purpose: firstNonEmpty(aks.ClusterPurpose, "FastProd"), lbType: firstNonEmpty(aks.LoadBalancerType, "PublicIp"),
		lbSubnet: aks.LoadBalancerSubnet, ssl: sslConfig{status: "Disabled"},
		state: "Creating", created: e.now(), modified: e.now(),
	}
	if err := checkPurposeAndLB(c); err != nil {
		return err
	}
	if s := aks.SSL; s != nil {
		c.ssl = sslConfig{status: firstNonEmpty(s.Status, "Enabled"), cname: s.Cname, leafDomainLabel: s.LeafDomainLabel, overwrite: s.OverwriteExistingDomain}
		if err := checkSSL(c, s.Cert != "", s.Key != ""); err != nil {
			return err
		}
	}

	var cl *cluster
	duration := e.opts.CreateDuration
	var fail *armError
	if props.ResourceID != "" {
		if cl, err = e.checkAttach(ws, c, props.ResourceID); err != nil {
			return err
		}
		c.attached, c.resourceID, duration = true, props.ResourceID, e.opts.AttachDuration
		if !supportedVersion(cl.location, cl.version) {
			// Azure ML accepts the attach and fails it later, the reason
			// one level down (azure-cli-extensions#515).
			fail = versionFailure(cl.version)
		}
	} else {
		late, err := e.checkCreate(c, aks.AgentCount, aks.AgentVMSize, aks.Networking)
		if err != nil {
			return err
		}
		fail = late
		c.network = aks.Networking
		cl = e.newCluster(ws, c)
		c.resourceID = cl.id()
		if strings.EqualFold(ws.rg, LockedResourceGroup) && fail == nil {
			fail = templateFailure("RequestDisallowedByPolicy", fmt.Sprintf(
				"Resource '%s' was disallowed by policy. Reasons: 'Public IP addresses are not allowed in resource group %s.'. See error details for policy resource IDs.", "kubernetes", ws.rg))
		}
	}
	if f, ok := e.takeFault(req, true); ok {
		fail = faultError(Fault{Status: http.StatusBadRequest, Code: firstNonEmpty(f.Code, "InternalServerError"), Message: firstNonEmpty(f.Message, "The operation failed (injected fault)."), Details: f.Details})
	}

	ws.computes = append(ws.computes, c)
	op := e.startOperation(providerML, ws.location, duration, fail, func(end time.Time) {
		c.modified = end
		if fail != nil {
			c.state, c.errors = "Failed", []*armError{fail}
			return
		}
		c.state = "Succeeded"
		if !c.attached {
			cl.created = end
			e.w.clusters = append(e.w.clusters, cl)
		}
		if c.lbType == "PublicIp" {
			c.frontEndIP = fakeIP(computeID(ws, c.name))
		}
	})
	e.setOperationHeaders(w, req, op, false)
	writeJSON(w, http.StatusCreated, e.computeJSON(ws, c))
	return nil
}

// checkPurposeAndLB checks the purpose and load balancer settings common to
// create and attach.
func checkPurposeAndLB(c *compute) error {
	switch c.purpose {
	case "FastProd", "DenseProd", "DevTest":
	default:
		return badRequest("Cluster purpose '%s' is invalid; use DevTest, FastProd or DenseProd.", c.purpose)
	}
	switch c.lbType {
	case "PublicIp", "InternalLoadBalancer":
	default:
		return badRequest("Load balancer type '%s' is invalid; use PublicIp or InternalLoadBalancer.", c.lbType)
	}
	if c.lbSubnet != "" && c.lbType != "InternalLoadBalancer" {
		return badRequest("A load balancer subnet can only be given with the InternalLoadBalancer load balancer type.")
	}
	return nil
}

func checkSSL(c *compute, cert, key bool) error {
	s := c.ssl
	switch s.status {
	case "Disabled":
		return nil
	case "Enabled", "Auto":
	default:
		return badRequest("SSL status '%s' is invalid; use Enabled, Disabled or Auto.", s.status)
	}
	if s.leafDomainLabel != "" && c.lbType == "InternalLoadBalancer" {
		return badRequest("An internal load balancer cannot use a Microsoft certificate (leafDomainLabel); give your own certificate, key and CNAME.")
	}
	if s.leafDomainLabel == "" && !(cert && key && s.cname != "") {
		return badRequest("SSL needs either a certificate, its key and a CNAME, or a leaf domain label for a Microsoft certificate.")
	}
	if s.overwrite && s.leafDomainLabel == "" {
		return badRequest("overwriteExistingDomain only goes with a leaf domain label.")
	}
	return nil
}

// checkCreate makes Azure's checks of a new cluster's size and network, and
// completes c with the size it will have. A refusal is returned as err; a
// failure Azure ML finds only once the PUT is accepted (the AKS template's
// quota check) as late, for the operation to end with.
func (e *Emulator) checkCreate(c *compute, count *int, size string, net *aksNetwork) (late, err *armError) {
	c.agentCount, c.vmSize = 3, firstNonEmpty(size, "Standard_D3_v2")
	if count != nil {
		c.agentCount = *count
	}
	vm, ok := findVMSize(c.location, c.vmSize)
	if !ok {
		return nil, badRequest("The VM size '%s' is not available in location '%s'.", c.vmSize, c.location)
	}
	c.vmSize = vm.name
	if c.agentCount < 1 {
		return nil, badRequest("agentCount must be at least 1, got %d.", c.agentCount)
	}
	cores := c.agentCount * vm.vCPUs
	if c.purpose == "DevTest" {
		if cores < 2 {
			return nil, badRequest("A DevTest cluster needs at least 2 vCPUs; %d x %s gives %d.", c.agentCount, vm.name, cores)
		}
	} else {
		if c.agentCount < 3 {
			return nil, badRequest("A production cluster (%s) needs at least 3 nodes, got %d.", c.purpose, c.agentCount)
		}
		if cores < 12 {
			return nil, badRequest("A production cluster (%s) needs at least 12 vCPUs; %d x %s gives %d.", c.purpose, c.agentCount, vm.name, cores)
		}
	}
	if msg := e.quotaExceeded(c.location, vm, cores); msg != "" {
		// As Azure ML does: the PUT is accepted and the operation fails
		// with the AKS template's QuotaExceeded.
		late = templateFailure("QuotaExceeded", msg)
	}
	if net != nil {
		given := 0
		for _, v := range []string{net.SubnetID, net.ServiceCidr, net.DNSServiceIP, net.DockerBridgeCidr} {
			if v != "" {
				given++
			}
		}
		switch given {
		case 0:
			return late, nil
		case 4:
		default:
			return nil, badRequest("aksNetworkingConfiguration needs all of subnetId, serviceCidr, dnsServiceIP and dockerBridgeCidr, or none of them.")
		}
		svc, err1 := netip.ParsePrefix(net.ServiceCidr)
		_, err2 := netip.ParsePrefix(net.DockerBridgeCidr)
		dns, err3 := netip.ParseAddr(net.DNSServiceIP)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, badRequest("serviceCidr and dockerBridgeCidr must be CIDRs and dnsServiceIP an IP address.")
		}
		if !svc.Contains(dns) {
			return nil, badRequest("dnsServiceIP %s is not within serviceCidr %s.", net.DNSServiceIP, net.ServiceCidr)
		}
		if o := serviceCidrOverlap(net.SubnetID, net.ServiceCidr); o != nil && late == nil {
			// Azure ML accepts the PUT; the AKS template it deploys is
			// refused by AKS, and the operation ends with AKS's words.
			late = templateFailure(o.code, o.message)
		}
	}
	return late, nil
}

// checkAttach makes Azure's checks of a cluster to attach and returns it.
func (e *Emulator) checkAttach(ws *workspace, c *compute, id string) (*cluster, error) {
	cl := e.w.clusterByID(id)
	if cl == nil {
		return nil, errorf(http.StatusNotFound, "ResourceNotFound", "The AKS cluster '%s' was not found.", id)
	}
	if len(cl.authorizedRanges) > 0 {
		var missing []string
		l, _ := findLocation(ws.location)
		for _, region := range []string{ws.location, l.paired} {
			for _, pfx := range amlPrefixes(region) {
				if !covered(cl.authorizedRanges, pfx) {
					missing = append(missing, pfx)
				}
			}
		}
		if len(missing) > 0 {
			return nil, badRequest("The authorized IP ranges of cluster '%s' must include the Azure Machine Learning ranges of %s and %s; missing: %s.", cl.name, ws.location, l.paired, strings.Join(missing, ", "))
		}
	}
	cores := 0
	for _, p := range cl.pools {
		if vm, ok := findVMSize(cl.location, p.vmSize); ok {
			cores += p.count * vm.vCPUs
		}
	}
	if c.purpose == "DevTest" && cores < 2 {
		return nil, badRequest("A DevTest cluster needs at least 2 vCPUs; cluster '%s' has %d.", cl.name, cores)
	}
	if c.purpose != "DevTest" && cores < 12 {
		return nil, badRequest("A production cluster (%s) needs at least 12 vCPUs; cluster '%s' has %d over its node pools.", c.purpose, cl.name, cores)
	}
	if cl.private && cl.privatePublic {
		return nil, badRequest("Cluster '%s' is a private cluster with a public FQDN, which cannot be attached.", cl.name)
	}
	return cl, nil
}

// covered reports whether prefix lies inside one of the ranges.
func covered(ranges []string, prefix string) bool {
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return false
	}
	for _, r := range ranges {
		if !strings.Contains(r, "/") {
			r += "/32"
		}
		rp, err := netip.ParsePrefix(r)
		if err == nil && rp.Bits() <= p.Bits() && rp.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// newCluster is the cluster a create makes: in the workspace's resource
// group, named after the compute, with one system pool, a Basic load
// balancer and the location's default Kubernetes version.
func (e *Emulator) newCluster(ws *workspace, c *compute) *cluster {
	cl := &cluster{
		sub: ws.sub, rg: ws.rg, name: c.name + clusterSuffix(ws, c.name), location: c.location,
		version: defaultVersion(), lbSKU: "standard", serviceCidr: "10.0.0.0/16", dnsIP: "10.0.0.10",
		pools: []*agentPool{{name: "agentpool", mode: "System", vmSize: c.vmSize, count: c.agentCount, state: "Succeeded"}},
		tags:  map[string]string{"createdBy": "AzureML", "amlWorkspace": ws.name, "amlCompute": c.name},
	}
	if n := c.network; n != nil {
		cl.serviceCidr, cl.dnsIP, cl.subnetID = n.ServiceCidr, n.DNSServiceIP, n.SubnetID
	}
	return cl
}

// deleteCompute serves
// DELETE /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/computes/{name}?underlyingResourceAction=Detach|Delete.
// Detach removes the compute and keeps the cluster; Delete removes both.
func (e *Emulator) deleteCompute(w http.ResponseWriter, req *http.Request, p params) error {
	ws, err := e.w.workspace(p["rg"], p["ws"])
	if err != nil {
		return err
	}
	action := req.URL.Query().Get("underlyingResourceAction")
	if !strings.EqualFold(action, "Detach") && !strings.EqualFold(action, "Delete") {
		return badRequest("The query parameter underlyingResourceAction is required and must be 'Delete' or 'Detach', got '%s'.", action)
	}
	c := ws.compute(p["name"])
	if c == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err := busy("Compute", c.name, c.state); err != nil {
		return err
	}
	c.state, c.modified = "Deleting", e.now()
	deleteCluster := strings.EqualFold(action, "Delete")
	op := e.startOperation(providerML, ws.location, e.opts.DeleteDuration, nil, func(time.Time) {
		ws.removeCompute(c)
		if cl := e.w.clusterByID(c.resourceID); deleteCluster && cl != nil {
			e.w.removeCluster(cl)
		}
	})
	e.setOperationHeaders(w, req, op, true)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// fakeIP is a stable public-looking IP address for a resource.
func fakeIP(seed string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(seed)))
	s := h.Sum32()
	return fmt.Sprintf("20.%d.%d.%d", 100+s%50, (s>>8)%256, 1+(s>>16)%254)
}

// versionFailure is how Azure ML fails an attach of a cluster whose
// Kubernetes version it does not support, once the PUT is accepted:
// BadRequest "The request is invalid" with the reason in details
// (recorded in azure-cli-extensions#515).
func versionFailure(version string) *armError {
	lo, hi := k8sVersions[0].patch, k8sVersions[len(k8sVersions)-1].patch
	return &armError{status: http.StatusBadRequest, code: "BadRequest", message: "The request is invalid",
		details: []*armError{{code: "BadRequestFormat", message: fmt.Sprintf("Specified kubernetes version %s is not supported. Supported versions are between %s - %s ", version, minor(lo), minor(hi))}}}
}

// templateFailure is how Azure ML fails a create whose AKS template
// deployment AKS refused: BadArgument, the AKS code and words quoted in the
// message (recorded in computervision-recipes#499).
func templateFailure(code, message string) *armError {
	return &armError{status: http.StatusBadRequest, code: "BadArgument", message: fmt.Sprintf(
		"InvalidTemplateDeployment: Details: RequestId: 00000000-0000-0000-0000-000000000000\n"+
			"Error code: 'InvalidTemplateDeployment'. Target: ''. Message: 'The template deployment is not valid according to the validation procedure. See inner errors for details.'\n"+
			"    Error code: '%s'. Target: ''. Message: '%s'", code, message)}
}
