package azure

import (
	"context"
	"errors"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/rules"
)

// Provision sends a create or an attach, a PUT of an AKS compute, and returns
// once Azure has accepted it; the operation goes on in Azure and is followed
// with Compute. req must be normalized and checked; an attach must have a
// full target resource ID. A compute of that name that exists already is
// refused before anything is sent (rule O4), since the PUT would overwrite it.
// The outcome is logged in the background; the certificate and key never are.
func (c *Client) Provision(ctx context.Context, req rules.Request) error {
	if err := checkRef(req.Workspace); err != nil {
		return err
	}
	if req.Name == "" {
		return rules.Errorf(rules.ErrInvalid, "name", "A compute name is required.")
	}
	if req.Mode == rules.ModeAttach {
		if _, err := parseClusterID(req.Target.ResourceID, "target.resourceId"); err != nil {
			return err
		}
	}
	sc, err := c.forSubscription(req.Workspace.Subscription)
	if err != nil {
		return err
	}
	location := c.workspaceLocation(req.Workspace) // a workspace never moves: asked once
	if location == "" {
		ws, err := sc.workspaces.Get(ctx, req.Workspace.ResourceGroup, req.Workspace.Name, nil)
		if err != nil {
			return mapError(err, "workspace.name")
		}
		location = deref(ws.Location)
	}
	switch _, err := sc.computes.Get(ctx, req.Workspace.ResourceGroup, req.Workspace.Name, req.Name, nil); {
	case err == nil:
		return &rules.Error{Code: rules.ErrConflict, Field: "name",
			Message: fmt.Sprintf("The workspace already has a compute named %s: pick another name, or detach it first.", req.Name)}
	case !isNotFound(err):
		return mapError(err, "name")
	}
	body, err := computeBody(req, location)
	if err != nil {
		return err
	}
	pctx, captured := c.captureRetryAfter(ctx, req.Workspace, req.Name)
	poller, err := sc.computes.BeginCreateOrUpdate(pctx, req.Workspace.ResourceGroup, req.Workspace.Name, req.Name, body, nil)
	if err != nil {
		return mapError(err, provisionField(req))
	}
	captured()
	followPoller(c, fmt.Sprintf("%s of compute %s in workspace %s", req.Mode, req.Name, req.Workspace.Name), poller)
	return nil
}

// provisionField is the field an Azure refusal of a provision belongs to.
func provisionField(req rules.Request) string {
	if req.Mode == rules.ModeAttach {
		return "target.resourceId"
	}
	return ""
}

// isNotFound reports whether err is Azure saying the resource does not exist.
func isNotFound(err error) bool {
	var re *rules.Error
	return errors.As(mapError(err, ""), &re) && re.Code == rules.ErrNotFound
}

// computeBody builds the PUT body of a create or an attach. workspaceLocation
// is the compute resource's location, as the Azure ML SDK v1 sends it; a
// created cluster goes to req.Location (computeLocation). Tags go on the
// compute resource.
func computeBody(req rules.Request, workspaceLocation string) (armmachinelearning.ComputeResource, error) {
	props := &armmachinelearning.AKSSchemaProperties{
		ClusterPurpose:   to.Ptr(armmachinelearning.ClusterPurpose(req.Purpose)),
		LoadBalancerType: to.Ptr(armmachinelearning.LoadBalancerType(req.LoadBalancer.Type)),
		SSLConfiguration: sslConfiguration(req.TLS),
	}
	if req.Purpose == "" {
		props.ClusterPurpose = to.Ptr(armmachinelearning.ClusterPurposeFastProd)
	}
	if req.LoadBalancer.Type == "" {
		props.LoadBalancerType = to.Ptr(armmachinelearning.LoadBalancerTypePublicIP)
	}
	if req.LoadBalancer.Subnet != "" {
		props.LoadBalancerSubnet = to.Ptr(req.LoadBalancer.Subnet)
	}
	aks := &armmachinelearning.AKS{
		ComputeType: to.Ptr(armmachinelearning.ComputeTypeAKS),
		Properties:  props,
	}
	if req.Description != "" {
		aks.Description = to.Ptr(req.Description)
	}
	switch req.Mode {
	case rules.ModeAttach:
		aks.ResourceID = to.Ptr(req.Target.ResourceID)
	case rules.ModeCreate, "":
		if req.NodeCount <= 0 || req.VMSize == "" || req.Location == "" {
			return armmachinelearning.ComputeResource{}, rules.Errorf(rules.ErrInternal, "",
				"The create request was not normalized: location, VM size and node count are required.")
		}
		props.AgentCount = to.Ptr(int32(req.NodeCount))
		props.AgentVMSize = to.Ptr(req.VMSize)
		aks.ComputeLocation = to.Ptr(req.Location)
		if n := req.Network; !n.IsZero() {
			props.AksNetworkingConfiguration = &armmachinelearning.AksNetworkingConfiguration{
				SubnetID: to.Ptr("/subscriptions/" + req.Workspace.Subscription +
					"/resourceGroups/" + n.VnetResourceGroup +
					"/providers/Microsoft.Network/virtualNetworks/" + n.VnetName +
					"/subnets/" + n.SubnetName),
				ServiceCidr:      to.Ptr(n.ServiceCIDR),
				DNSServiceIP:     to.Ptr(n.DNSServiceIP),
				DockerBridgeCidr: to.Ptr(n.DockerBridgeCIDR),
			}
		}
	default:
		return armmachinelearning.ComputeResource{}, rules.Errorf(rules.ErrInvalid, "mode", "The mode must be create or attach.")
	}
	body := armmachinelearning.ComputeResource{Properties: aks}
	if workspaceLocation != "" {
		body.Location = to.Ptr(workspaceLocation)
	}
	if len(req.Tags) > 0 {
		body.Tags = make(map[string]*string, len(req.Tags))
		for k, v := range req.Tags {
			body.Tags[k] = to.Ptr(v)
		}
	}
	return body, nil
}

// sslConfiguration maps the TLS choice of rule L1.
func sslConfiguration(t rules.TLS) *armmachinelearning.SSLConfiguration {
	switch t.Mode {
	case rules.TLSCustom:
		return &armmachinelearning.SSLConfiguration{
			Status: to.Ptr(armmachinelearning.SSLConfigStatusEnabled),
			Cert:   to.Ptr(t.CertPEM),
			Key:    to.Ptr(t.KeyPEM),
			Cname:  to.Ptr(t.CNAME),
		}
	case rules.TLSMicrosoft:
		return &armmachinelearning.SSLConfiguration{
			Status:                  to.Ptr(armmachinelearning.SSLConfigStatusEnabled),
			LeafDomainLabel:         to.Ptr(t.LeafDomainLabel),
			OverwriteExistingDomain: to.Ptr(t.OverwriteExistingDomain),
		}
	default:
		return &armmachinelearning.SSLConfiguration{Status: to.Ptr(armmachinelearning.SSLConfigStatusDisabled)}
	}
}
