package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"

	"github.com/amlaks/amlaks/rules"
)

// computeQuery is the one Azure Resource Graph query for the computes of
// every workspace the identity can see: the AKS and Kubernetes computes in a
// location (N6) or using a cluster (T4). Resource Graph indexes
// Microsoft.MachineLearningServices/workspaces/computes in its resources
// table; properties.resourceId is the compute's cluster.
const computeQuery = `resources
| where type =~ 'microsoft.machinelearningservices/workspaces/computes'
| where tostring(properties.computeType) in~ ('AKS', 'Kubernetes')
| where location =~ %s or tolower(tostring(properties.resourceId)) == tolower(%s)
| project id, name, location, computeType = tostring(properties.computeType), resourceId = tostring(properties.resourceId)`

// kqlString quotes s as a KQL string literal.
func kqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// SearchComputes finds, with one Resource Graph query over every
// subscription the identity can see (or Options.Subscriptions), the AKS and
// Kubernetes computes in location or whose resourceId is clusterID ("" for
// none). It replaces one compute list per workspace.
func (c *Client) SearchComputes(ctx context.Context, location, clusterID string) ([]rules.ComputeHit, error) {
	if location != "" {
		if err := checkLocation(location); err != nil {
			return nil, err
		}
	}
	if clusterID != "" {
		if _, err := parseClusterID(clusterID, "target.resourceId"); err != nil {
			return nil, err
		}
	}
	rg, err := c.resourceGraph()
	if err != nil {
		return nil, err
	}
	req := armresourcegraph.QueryRequest{
		Query:   to.Ptr(fmt.Sprintf(computeQuery, kqlString(normLocation(location)), kqlString(clusterID))),
		Options: &armresourcegraph.QueryRequestOptions{ResultFormat: to.Ptr(armresourcegraph.ResultFormatObjectArray)},
	}
	for _, s := range c.opts.Subscriptions {
		req.Subscriptions = append(req.Subscriptions, to.Ptr(s))
	}
	var out []rules.ComputeHit
	for {
		resp, err := rg.Resources(ctx, req, nil)
		if err != nil {
			return nil, mapError(err, "")
		}
		hits, err := computeHits(resp.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, hits...)
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			return out, nil
		}
		req.Options.SkipToken = resp.SkipToken
	}
}

// computeHits reads Resource Graph's data of computeQuery.
func computeHits(data any) ([]rules.ComputeHit, error) {
	rows, err := graphRows(data)
	if err != nil {
		return nil, err
	}
	var out []rules.ComputeHit
	for _, m := range rows {
		h := rules.ComputeHit{ID: rowString(m, "id"), Name: rowString(m, "name"), Location: normLocation(rowString(m, "location")),
			Type: rowString(m, "computeType"), ClusterID: rowString(m, "resourceId")}
		if i := strings.Index(strings.ToLower(h.ID), "/computes/"); i > 0 {
			h.Workspace = h.ID[:i]
		}
		out = append(out, h)
	}
	return out, nil
}

// graphRows reads Resource Graph's data in either result format: an
// array of objects, or a table of columns and rows.
func graphRows(data any) ([]map[string]any, error) {
	var rows []map[string]any
	switch d := data.(type) {
	case nil:
		return nil, nil
	case []any:
		for _, r := range d {
			if m, ok := r.(map[string]any); ok {
				rows = append(rows, m)
			}
		}
	case map[string]any: // table: {"columns":[{"name","type"}],"rows":[[…]]}
		var t struct {
			Columns []struct{ Name string } `json:"columns"`
			Rows    [][]any                 `json:"rows"`
		}
		raw, _ := json.Marshal(d)
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, rules.Errorf(rules.ErrUnavailable, "", "Azure Resource Graph answered in a shape the proxy does not know.")
		}
		for _, r := range t.Rows {
			m := map[string]any{}
			for i, col := range t.Columns {
				if i < len(r) {
					m[col.Name] = r[i]
				}
			}
			rows = append(rows, m)
		}
	default:
		return nil, rules.Errorf(rules.ErrUnavailable, "", "Azure Resource Graph answered in a shape the proxy does not know.")
	}
	return rows, nil
}

// resourceGraph returns the tenant-level Resource Graph client.
func (c *Client) resourceGraph() (*armresourcegraph.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.graph == nil {
		g, err := armresourcegraph.NewClient(c.cred, c.armOpts)
		if err != nil {
			return nil, setupError(err)
		}
		c.graph = g
	}
	return c.graph, nil
}

// mlQuery is the one Resource Graph query of SearchML: the workspaces and
// AKS clusters, and computes, those of one workspace of every type (the
// first %s, empty when none is asked) and the AKS and Kubernetes ones of
// every workspace. The second %s is enabledOnly, or empty when the
// subscriptions are Options.Subscriptions (read whatever their state, as
// the workspaces lists read them).
const mlQuery = `resources
| where type in~ ('microsoft.machinelearningservices/workspaces', 'microsoft.machinelearningservices/workspaces/computes', 'microsoft.containerservice/managedclusters')
| extend computeType = tostring(properties.computeType), resourceId = tostring(properties.resourceId)
| where type !~ 'microsoft.machinelearningservices/workspaces/computes' or computeType in~ ('AKS', 'Kubernetes')%s%s
| project id, name, type, location, computeType, resourceId`

// enabledOnly keeps the rows of the enabled subscriptions, as the
// subscriptions list does (resourcecontainers holds the subscriptions and
// their state).
const enabledOnly = `
| join kind=inner (resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | where tostring(properties.state) =~ 'Enabled' | project subscriptionId) on subscriptionId`

const (
	typeWorkspace = "microsoft.machinelearningservices/workspaces"
	typeCompute   = "microsoft.machinelearningservices/workspaces/computes"
	typeCluster   = "microsoft.containerservice/managedclusters"
)

// SearchML asks Resource Graph once, over every subscription the identity
// can see (or Options.Subscriptions), for the Azure ML workspaces, the
// computes of the workspace ws (none when ws is zero), the AKS and
// Kubernetes computes of every workspace and the AKS clusters' IDs. Resource Graph lags Azure by
// seconds: what a write depends on is read from Azure ML itself.
func (c *Client) SearchML(ctx context.Context, ws rules.WorkspaceRef) (rules.MLResources, error) {
	own := ""
	if ws != (rules.WorkspaceRef{}) {
		if err := checkRef(ws); err != nil {
			return rules.MLResources{}, err
		}
		own = " or id startswith " + kqlString(ws.ID()+"/computes/")
	}
	enabled := enabledOnly
	if len(c.opts.Subscriptions) > 0 {
		enabled = ""
	}
	rg, err := c.resourceGraph()
	if err != nil {
		return rules.MLResources{}, err
	}
	req := armresourcegraph.QueryRequest{
		Query:   to.Ptr(fmt.Sprintf(mlQuery, own, enabled)),
		Options: &armresourcegraph.QueryRequestOptions{ResultFormat: to.Ptr(armresourcegraph.ResultFormatObjectArray)},
	}
	for _, s := range c.opts.Subscriptions {
		req.Subscriptions = append(req.Subscriptions, to.Ptr(s))
	}
	out := rules.MLResources{}
	if own != "" {
		out.Computes = []rules.Compute{}
	}
	prefix := strings.ToLower(ws.ID() + "/computes/")
	for {
		resp, err := rg.Resources(ctx, req, nil)
		if err != nil {
			return rules.MLResources{}, mapError(err, "")
		}
		rows, err := graphRows(resp.Data)
		if err != nil {
			return rules.MLResources{}, err
		}
		for _, m := range rows {
			id := rowString(m, "id")
			switch strings.ToLower(rowString(m, "type")) {
			case typeWorkspace:
				rid, err := arm.ParseResourceID(id)
				if err != nil {
					continue
				}
				w := rules.Workspace{WorkspaceRef: rules.WorkspaceRef{Subscription: rid.SubscriptionID, ResourceGroup: rid.ResourceGroupName, Name: rid.Name},
					Location: normLocation(rowString(m, "location"))}
				c.keepWorkspaceLocation(w)
				out.Workspaces = append(out.Workspaces, w)
			case typeCluster:
				out.Clusters = append(out.Clusters, id)
			case typeCompute:
				name, kind, cluster := rowString(m, "name"), rowString(m, "computeType"), rowString(m, "resourceId")
				if own != "" && strings.HasPrefix(strings.ToLower(id), prefix) {
					out.Computes = append(out.Computes, rules.Compute{Name: name, Type: kind, ClusterID: cluster,
						Location: normLocation(rowString(m, "location"))})
				}
				if strings.EqualFold(kind, "AKS") || strings.EqualFold(kind, "Kubernetes") {
					h := rules.ComputeHit{ID: id, Name: name, Location: normLocation(rowString(m, "location")), Type: kind, ClusterID: cluster}
					if i := strings.Index(strings.ToLower(id), "/computes/"); i > 0 {
						h.Workspace = id[:i]
					}
					out.Hits = append(out.Hits, h)
				}
			}
		}
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			return out, nil
		}
		req.Options.SkipToken = resp.SkipToken
	}
}

func rowString(m map[string]any, k string) string { s, _ := m[k].(string); return s }
