package azure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/kubernetesconfiguration/armkubernetesconfiguration/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/rules"
)

// The Azure ML v2 path through the official clients: the cluster's v2
// facts, the Azure ML extension (armkubernetesconfiguration), a managed
// cluster create (armcontainerservice) and the Kubernetes compute
// (armmachinelearning). The bodies come from rules, so what is sent is what
// the exports show; the extension's protected settings (the TLS certificate
// and key) are sent to Azure and never logged.

// extensionsClient returns the subscription's extensions client.
func (c *Client) extensionsClient(subscription string) (*armkubernetesconfiguration.ExtensionsClient, error) {
	if subscription == "" {
		return nil, rules.Errorf(rules.ErrInvalid, rules.FieldTargetID, "A subscription ID is required.")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.extensions == nil {
		c.extensions = map[string]*armkubernetesconfiguration.ExtensionsClient{}
	}
	if x, ok := c.extensions[subscription]; ok {
		return x, nil
	}
	x, err := armkubernetesconfiguration.NewExtensionsClient(subscription, c.cred, c.armOpts)
	if err != nil {
		return nil, setupError(err)
	}
	c.extensions[subscription] = x
	return x, nil
}

// clusterV2Facts adds to a mapped cluster what the v2 rules read: its
// identity, local accounts and pod identity (X1–X3).
func clusterV2Facts(out *rules.Cluster, mc *armcontainerservice.ManagedCluster) {
	switch {
	case mc.Identity != nil && mc.Identity.Type != nil && *mc.Identity.Type != armcontainerservice.ResourceIdentityTypeNone:
		out.IdentityType = string(*mc.Identity.Type)
	case mc.Properties != nil && mc.Properties.ServicePrincipalProfile != nil && !strings.EqualFold(deref(mc.Properties.ServicePrincipalProfile.ClientID), "msi"):
		out.IdentityType = "ServicePrincipal"
	}
	if p := mc.Properties; p != nil {
		out.LocalAccountsDisabled = deref(p.DisableLocalAccounts)
		out.PodIdentity = p.PodIdentityProfile != nil && deref(p.PodIdentityProfile.Enabled)
	}
}

// Extensions lists the cluster extensions installed on a cluster.
func (c *Client) Extensions(ctx context.Context, cluster rules.ClusterRef) ([]rules.Extension, error) {
	x, err := c.extensionsClient(cluster.Subscription)
	if err != nil {
		return nil, err
	}
	var out []rules.Extension
	pager := x.NewListPager(cluster.ResourceGroup, "Microsoft.ContainerService", "managedClusters", cluster.Name, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, rules.FieldTargetID)
		}
		for _, e := range page.Value {
			if e != nil {
				out = append(out, extensionOf(e))
			}
		}
	}
	return out, nil
}

// Extension reads one extension of a cluster; one that does not exist is
// a rules.ErrNotFound.
func (c *Client) Extension(ctx context.Context, cluster rules.ClusterRef, name string) (rules.Extension, error) {
	x, err := c.extensionsClient(cluster.Subscription)
	if err != nil {
		return rules.Extension{}, err
	}
	resp, err := x.Get(ctx, cluster.ResourceGroup, "Microsoft.ContainerService", "managedClusters", cluster.Name, name, nil)
	if err != nil {
		return rules.Extension{}, mapError(err, rules.FieldTargetID)
	}
	return extensionOf(&resp.Extension), nil
}

func extensionOf(e *armkubernetesconfiguration.Extension) rules.Extension {
	out := rules.Extension{Name: deref(e.Name)}
	if p := e.Properties; p != nil {
		out.Type = deref(p.ExtensionType)
		out.Version = deref(p.CurrentVersion)
		out.ReleaseTrain = deref(p.ReleaseTrain)
		if p.ProvisioningState != nil {
			out.State = string(*p.ProvisioningState)
		}
		if e := p.ErrorInfo; e != nil && (deref(e.Message) != "" || deref(e.Code) != "") {
			msg := scrub(deref(e.Message))
			if code := deref(e.Code); code != "" {
				msg += " (" + code + ")"
			}
			out.Errors = append(out.Errors, strings.TrimSpace(msg))
		}
		if len(p.ConfigurationSettings) > 0 {
			out.Settings = map[string]string{}
			for k, v := range p.ConfigurationSettings {
				out.Settings[k] = deref(v)
			}
		}
	}
	return out
}

// InstallExtension sends the PUT that installs the Azure ML extension on a
// cluster and returns once Azure has accepted it; the install goes on in
// Azure (10 to 15 minutes) and is followed with Extension.
func (c *Client) InstallExtension(ctx context.Context, cluster rules.ClusterRef, cfg rules.ExtensionConfig) error {
	x, err := c.extensionsClient(cluster.Subscription)
	if err != nil {
		return err
	}
	body := rules.ExtensionBody(cfg, true)
	ext := armkubernetesconfiguration.Extension{
		Identity: &armkubernetesconfiguration.Identity{Type: to.Ptr(body.Identity.Type)},
		Properties: &armkubernetesconfiguration.ExtensionProperties{
			ExtensionType:           to.Ptr(body.Properties.ExtensionType),
			AutoUpgradeMinorVersion: to.Ptr(body.Properties.AutoUpgradeMinorVersion),
			ReleaseTrain:            to.Ptr(body.Properties.ReleaseTrain),
			Scope: &armkubernetesconfiguration.Scope{Cluster: &armkubernetesconfiguration.ScopeCluster{
				ReleaseNamespace: to.Ptr(body.Properties.Scope.Cluster.ReleaseNamespace),
			}},
			ConfigurationSettings:          ptrMap(body.Properties.ConfigurationSettings),
			ConfigurationProtectedSettings: ptrMap(body.Properties.ConfigurationProtectedSettings),
		},
	}
	poller, err := x.BeginCreate(ctx, cluster.ResourceGroup, "Microsoft.ContainerService", "managedClusters", cluster.Name, rules.ExtensionName, ext, nil)
	if err != nil {
		return mapError(err, rules.FieldTargetID)
	}
	followPoller(c, "install of the Azure ML extension on "+cluster.Name, poller)
	return nil
}

func ptrMap(m map[string]string) map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = to.Ptr(v)
	}
	return out
}

// CreateCluster sends the PUT that creates the AKS cluster of a Kubernetes
// create (a managed identity, local accounts on, a Standard load balancer)
// and returns once Azure has accepted it.
func (c *Client) CreateCluster(ctx context.Context, cluster rules.ClusterRef, body rules.ARMManagedCluster) error {
	sc, err := c.forSubscription(cluster.Subscription)
	if err != nil {
		return err
	}
	switch _, err := sc.clusters.Get(ctx, cluster.ResourceGroup, cluster.Name, nil); {
	case err == nil:
		return &rules.Error{Code: rules.ErrConflict, Field: rules.FieldName,
			Message: fmt.Sprintf("An AKS cluster named %s exists already in %s: attach it instead, or pick another name.", cluster.Name, cluster.ResourceGroup)}
	case !isNotFound(err):
		return mapError(err, rules.FieldName)
	}
	p := body.Properties
	mc := armcontainerservice.ManagedCluster{
		Location: to.Ptr(body.Location),
		Tags:     ptrMap(body.Tags),
		Identity: &armcontainerservice.ManagedClusterIdentity{Type: to.Ptr(armcontainerservice.ResourceIdentityType(body.Identity.Type))},
		Properties: &armcontainerservice.ManagedClusterProperties{
			DNSPrefix:            to.Ptr(p.DNSPrefix),
			DisableLocalAccounts: to.Ptr(p.DisableLocalAccounts),
			NetworkProfile: &armcontainerservice.NetworkProfile{
				LoadBalancerSKU: to.Ptr(armcontainerservice.LoadBalancerSKU(p.NetworkProfile.LoadBalancerSKU)),
			},
		},
	}
	if p.KubernetesVersion != "" {
		mc.Properties.KubernetesVersion = to.Ptr(p.KubernetesVersion)
	}
	if n := p.NetworkProfile; n.ServiceCIDR != "" {
		mc.Properties.NetworkProfile.NetworkPlugin = to.Ptr(armcontainerservice.NetworkPluginAzure)
		mc.Properties.NetworkProfile.ServiceCidr = to.Ptr(n.ServiceCIDR)
		mc.Properties.NetworkProfile.DNSServiceIP = to.Ptr(n.DNSServiceIP)
	}
	if a := p.APIServerAccessProfile; a != nil {
		mc.Properties.APIServerAccessProfile = &armcontainerservice.ManagedClusterAPIServerAccessProfile{AuthorizedIPRanges: to.SliceOfPtrs(a.AuthorizedIPRanges...)}
	}
	for _, ap := range p.AgentPoolProfiles {
		prof := &armcontainerservice.ManagedClusterAgentPoolProfile{
			Name:   to.Ptr(ap.Name),
			Mode:   to.Ptr(armcontainerservice.AgentPoolMode(ap.Mode)),
			VMSize: to.Ptr(ap.VMSize),
			Count:  to.Ptr(int32(min(ap.Count, rules.MaxPoolNodes))),
			OSType: to.Ptr(armcontainerservice.OSType(ap.OSType)),
		}
		if ap.VnetSubnetID != "" {
			prof.VnetSubnetID = to.Ptr(ap.VnetSubnetID)
		}
		mc.Properties.AgentPoolProfiles = append(mc.Properties.AgentPoolProfiles, prof)
	}
	poller, err := sc.clusters.BeginCreateOrUpdate(ctx, cluster.ResourceGroup, cluster.Name, mc, nil)
	if err != nil {
		return mapError(err, rules.FieldVMSize)
	}
	c.forgetClusterFailure(cluster)
	c.followClusterCreate(cluster, poller)
	return nil
}

// followClusterCreate follows a cluster create in the background as
// followPoller does, and keeps Azure's words when it fails, for
// ClusterFailure: a managed cluster's GET says only "Failed".
func (c *Client) followClusterCreate(cluster rules.ClusterRef, poller *runtime.Poller[armcontainerservice.ManagedClustersClientCreateOrUpdateResponse]) {
	followPollerThen(c, "create of AKS cluster "+cluster.Name, poller, func(mapped error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.clusterFailures == nil {
			c.clusterFailures = map[string][]string{}
		}
		c.clusterFailures[strings.ToLower(cluster.ID())] = []string{mapped.Error()}
	})
}

func (c *Client) forgetClusterFailure(cluster rules.ClusterRef) {
	c.mu.Lock()
	delete(c.clusterFailures, strings.ToLower(cluster.ID()))
	c.mu.Unlock()
}

// ClusterFailure returns Azure's words on how the last create of the
// cluster through this client failed; nil when it did not, or is not known.
func (c *Client) ClusterFailure(cluster rules.ClusterRef) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.clusterFailures[strings.ToLower(cluster.ID())]...)
}

// DeleteCluster sends the DELETE of an AKS cluster and returns once Azure
// has accepted it. The proxy asks it only to clean up a cluster it created.
func (c *Client) DeleteCluster(ctx context.Context, cluster rules.ClusterRef) error {
	sc, err := c.forSubscription(cluster.Subscription)
	if err != nil {
		return err
	}
	poller, err := sc.clusters.BeginDelete(ctx, cluster.ResourceGroup, cluster.Name, nil)
	if err != nil {
		return mapError(err, rules.FieldName)
	}
	followPoller(c, "delete of AKS cluster "+cluster.Name, poller)
	return nil
}

// DeleteExtension sends the DELETE of a cluster extension and returns once
// Azure has accepted it.
func (c *Client) DeleteExtension(ctx context.Context, cluster rules.ClusterRef, name string) error {
	x, err := c.extensionsClient(cluster.Subscription)
	if err != nil {
		return err
	}
	poller, err := x.BeginDelete(ctx, cluster.ResourceGroup, "Microsoft.ContainerService", "managedClusters", cluster.Name, name, nil)
	if err != nil {
		return mapError(err, rules.FieldTargetID)
	}
	followPoller(c, "delete of extension "+name+" on "+cluster.Name, poller)
	return nil
}

// RemoveLegacyFrontend runs rules.LegacyFrontendCommand on the cluster through
// AKS's run command (Microsoft.ContainerService managedClusters/runCommand,
// what `az aks command invoke` uses; it reaches private clusters too) and
// waits for it. It returns what the command printed.
func (c *Client) RemoveLegacyFrontend(ctx context.Context, cluster rules.ClusterRef) (string, error) {
	sc, err := c.forSubscription(cluster.Subscription)
	if err != nil {
		return "", err
	}
	poller, err := sc.clusters.BeginRunCommand(ctx, cluster.ResourceGroup, cluster.Name, armcontainerservice.RunCommandRequest{Command: to.Ptr(rules.LegacyFrontendCommand)}, nil)
	if err != nil {
		return "", mapError(err, rules.FieldTargetID)
	}
	resp, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.opts.PollFrequency})
	if err != nil {
		return "", mapError(err, rules.FieldTargetID)
	}
	p := resp.Properties
	if p == nil {
		return "", nil
	}
	logs := scrub(deref(p.Logs))
	if code := deref(p.ExitCode); code != 0 {
		return logs, &rules.Error{Code: rules.ErrUnavailable, Field: rules.FieldTargetID,
			Message: fmt.Sprintf("Removing the v1 azureml-fe from %s ended with exit code %d: %s", cluster.Name, code, firstLine(logs))}
	}
	return logs, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// AttachKubernetes sends the PUT that attaches a cluster whose Azure ML
// extension has Succeeded as a Kubernetes compute of the workspace.
func (c *Client) AttachKubernetes(ctx context.Context, req rules.Request) error {
	if err := checkRef(req.Workspace); err != nil {
		return err
	}
	sc, err := c.forSubscription(req.Workspace.Subscription)
	if err != nil {
		return err
	}
	ws, err := sc.workspaces.Get(ctx, req.Workspace.ResourceGroup, req.Workspace.Name, nil)
	if err != nil {
		return mapError(err, rules.FieldWorkspace)
	}
	body := rules.KubernetesComputeBody(req, normLocation(deref(ws.Location)))
	identity := &armmachinelearning.ManagedServiceIdentity{Type: to.Ptr(armmachinelearning.ManagedServiceIdentityType(body.Identity.Type))}
	if len(body.Identity.UserAssignedIdentities) > 0 {
		identity.UserAssignedIdentities = map[string]*armmachinelearning.UserAssignedIdentity{}
		for id := range body.Identity.UserAssignedIdentities {
			identity.UserAssignedIdentities[id] = &armmachinelearning.UserAssignedIdentity{}
		}
	}
	res := armmachinelearning.ComputeResource{
		Location: to.Ptr(body.Location),
		Tags:     ptrMap(body.Tags),
		Identity: identity,
		Properties: &armmachinelearning.Kubernetes{
			ComputeType: to.Ptr(armmachinelearning.ComputeTypeKubernetes),
			Description: nonEmpty(body.Properties.Description),
			ResourceID:  to.Ptr(body.Properties.ResourceID),
			Properties: &armmachinelearning.KubernetesProperties{
				Namespace:                     to.Ptr(body.Properties.Properties.Namespace),
				ExtensionInstanceReleaseTrain: nonEmpty(body.Properties.Properties.ExtensionInstanceReleaseTrain),
			},
		},
	}
	poller, err := sc.computes.BeginCreateOrUpdate(ctx, req.Workspace.ResourceGroup, req.Workspace.Name, req.Name, res, nil)
	if err != nil {
		return mapError(err, rules.FieldTargetID)
	}
	followPoller(c, "attach of Kubernetes compute "+req.Name, poller)
	return nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// providersAPIVersion is the Microsoft.Resources API version of a provider
// read (GET /subscriptions/{id}/providers/{namespace}).
const providersAPIVersion = "2021-04-01"

// ExtensionRegions lists the regions where the subscription is offered
// cluster extensions (Microsoft.KubernetesConfiguration/extensions), as
// region names ("eastus"), for X10. It reads the resource provider through
// azcore's ARM pipeline: amlaks has no armresources client.
func (c *Client) ExtensionRegions(ctx context.Context, subscription string) ([]string, error) {
	if _, err := c.forSubscription(subscription); err != nil {
		return nil, err
	}
	client, err := arm.NewClient("amlaks/providers", "v1.0.0", c.cred, c.armOpts)
	if err != nil {
		return nil, setupError(err)
	}
	req, err := runtime.NewRequest(ctx, http.MethodGet, runtime.JoinPaths(client.Endpoint(), "/subscriptions/"+url.PathEscape(subscription)+"/providers/Microsoft.KubernetesConfiguration"))
	if err != nil {
		return nil, setupError(err)
	}
	q := req.Raw().URL.Query()
	q.Set("api-version", providersAPIVersion)
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	resp, err := client.Pipeline().Do(req)
	if err != nil {
		return nil, mapError(err, "")
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return nil, mapError(runtime.NewResponseError(resp), "")
	}
	var body struct {
		ResourceTypes []struct {
			ResourceType string   `json:"resourceType"`
			Locations    []string `json:"locations"`
		} `json:"resourceTypes"`
	}
	if err := runtime.UnmarshalAsJSON(resp, &body); err != nil {
		return nil, rules.Errorf(rules.ErrUnavailable, "", "Azure's list of the regions of cluster extensions could not be read.")
	}
	out := []string{}
	for _, rt := range body.ResourceTypes {
		if !strings.EqualFold(rt.ResourceType, "extensions") {
			continue
		}
		for _, l := range rt.Locations {
			out = append(out, strings.ToLower(strings.ReplaceAll(l, " ", "")))
		}
	}
	return out, nil
}
