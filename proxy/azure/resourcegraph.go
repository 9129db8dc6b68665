package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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

// computeHits reads Resource Graph's data in either result format: an
// array of objects, or a table of columns and rows.
func computeHits(data any) ([]rules.ComputeHit, error) {
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
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	var out []rules.ComputeHit
	for _, m := range rows {
		h := rules.ComputeHit{ID: str(m, "id"), Name: str(m, "name"), Location: normLocation(str(m, "location")),
			Type: str(m, "computeType"), ClusterID: str(m, "resourceId")}
		if i := strings.Index(strings.ToLower(h.ID), "/computes/"); i > 0 {
			h.Workspace = h.ID[:i]
		}
		out = append(out, h)
	}
	return out, nil
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
