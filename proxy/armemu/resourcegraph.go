package armemu

import (
	"net/http"
	"regexp"
	"strings"
)

const apiResourceGraph = "2021-06-01-preview" // resourcegraph/armresourcegraph v0.9.0

// The emulator answers the one query shape amlaks sends (proxy/azure's
// computeQuery): AKS and Kubernetes computes in a location or using a
// cluster. It is matched, not parsed: any other query is refused as
// Resource Graph refuses an invalid one.
var (
	graphComputes = regexp.MustCompile(`(?is)^\s*resources\s*\|\s*where\s+type\s*=~\s*'microsoft\.machinelearningservices/workspaces/computes'`)
	graphLocation = regexp.MustCompile(`(?i)\blocation\s*=~\s*'([^']*)'`)
	graphCluster  = regexp.MustCompile(`(?i)tolower\(tostring\(properties\.resourceId\)\)\s*==\s*tolower\('([^']*)'\)`)

	// The workspaces and computes query (proxy/azure's mlQuery): the
	// workspaces and AKS clusters, maybe joined with resourcecontainers to
	// keep the enabled subscriptions' (the emulator's one subscription is
	// enabled: the rows are the same either way), and computes of one
	// workspace (id startswith) or of the AKS and Kubernetes types.
	graphML = regexp.MustCompile(`(?is)^\s*resources\s*\|\s*where\s+type\s+in~\s*\(\s*'microsoft\.machinelearningservices/workspaces'\s*,\s*'microsoft\.machinelearningservices/workspaces/computes'\s*,\s*'microsoft\.containerservice/managedclusters'\s*\)` +
		`.*\|\s*project\s+id,\s*name,\s*type,\s*location,\s*computeType,\s*resourceId\s*$`)
	graphOwn = regexp.MustCompile(`(?i)\bid\s+startswith\s+'([^']*)'`)
)

// queryResources serves POST /providers/Microsoft.ResourceGraph/resources,
// in the shapes of the spec's examples: objectArray (the default) as
// {"totalRecords","count","data":[…],"facets":[],"resultTruncated"}, table as
// data {"columns":[{"name","type"}],"rows":[[…]]}.
func (e *Emulator) queryResources(w http.ResponseWriter, req *http.Request, _ params) error {
	var body struct {
		Query         string   `json:"query"`
		Subscriptions []string `json:"subscriptions"`
		Options       struct {
			ResultFormat string `json:"resultFormat"`
		} `json:"options"`
	}
	if err := decodeBody(req, &body); err != nil {
		return err
	}
	if graphML.MatchString(body.Query) {
		// Asked of other subscriptions only, it finds nothing.
		visible := len(body.Subscriptions) == 0 || containsFold(body.Subscriptions, SubscriptionID)
		e.queryML(w, body.Query, visible, body.Options.ResultFormat)
		return nil
	}
	if len(body.Subscriptions) > 0 && !containsFold(body.Subscriptions, SubscriptionID) {
		body.Subscriptions = nil // no visible workspace in those subscriptions
	}
	loc, cl := graphLocation.FindStringSubmatch(body.Query), graphCluster.FindStringSubmatch(body.Query)
	if !graphComputes.MatchString(body.Query) || loc == nil || cl == nil {
		return &armError{status: http.StatusBadRequest, code: "BadRequest",
			message: "Please provide below info when asking for support: timestamp = 2026-01-01T00:00:00.0000000Z, correlationId = 00000000-0000-0000-0000-000000000000.",
			details: []*armError{{code: "InvalidQuery", message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying."}}}
	}
	type row struct{ id, name, location, computeType, resourceID string }
	var rows []row
	for _, ws := range e.w.workspaces {
		for _, c := range ws.computes {
			if c.computeType != "AKS" && c.computeType != "Kubernetes" {
				continue
			}
			inLoc := loc[1] != "" && strings.EqualFold(ws.location, loc[1])
			onCluster := cl[1] != "" && strings.EqualFold(c.resourceID, cl[1])
			if inLoc || onCluster {
				rows = append(rows, row{computeID(ws, c.name), c.name, ws.location, c.computeType, c.resourceID})
			}
		}
	}
	var data any
	if strings.EqualFold(body.Options.ResultFormat, "table") {
		cols := []any{}
		for _, n := range []string{"id", "name", "location", "computeType", "resourceId"} {
			cols = append(cols, map[string]any{"name": n, "type": "string"})
		}
		rs := []any{}
		for _, r := range rows {
			rs = append(rs, []any{r.id, r.name, r.location, r.computeType, r.resourceID})
		}
		data = map[string]any{"columns": cols, "rows": rs}
	} else {
		objs := []any{}
		for _, r := range rows {
			objs = append(objs, map[string]any{"id": r.id, "name": r.name, "location": r.location, "computeType": r.computeType, "resourceId": r.resourceID})
		}
		data = objs
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"totalRecords": len(rows), "count": len(rows), "data": data, "facets": []any{}, "resultTruncated": "false",
	})
	return nil
}

// queryML answers the workspaces and computes query: the emulator's one
// subscription is enabled, so the join keeps every row.
func (e *Emulator) queryML(w http.ResponseWriter, query string, visible bool, format string) {
	own := ""
	if m := graphOwn.FindStringSubmatch(query); m != nil {
		own = strings.ToLower(m[1])
	}
	cols := []string{"id", "name", "type", "location", "computeType", "resourceId"}
	var rows [][]any
	for _, ws := range e.w.workspaces {
		if !visible {
			break
		}
		rows = append(rows, []any{ws.id(), ws.name, "microsoft.machinelearningservices/workspaces", ws.location, "", ""})
		for _, c := range ws.computes {
			id := computeID(ws, c.name)
			if c.computeType == "AKS" || c.computeType == "Kubernetes" || (own != "" && strings.HasPrefix(strings.ToLower(id), own)) {
				rows = append(rows, []any{id, c.name, "microsoft.machinelearningservices/workspaces/computes", ws.location, c.computeType, c.resourceID})
			}
		}
	}
	for _, c := range e.w.clusters {
		if !visible {
			break
		}
		rows = append(rows, []any{c.id(), c.name, "microsoft.containerservice/managedclusters", c.location, "", ""})
	}
	writeGraph(w, cols, rows, format)
}

// writeGraph writes Resource Graph's answer of rows in the asked format.
func writeGraph(w http.ResponseWriter, cols []string, rows [][]any, format string) {
	var data any
	if strings.EqualFold(format, "table") {
		cs := []any{}
		for _, n := range cols {
			cs = append(cs, map[string]any{"name": n, "type": "string"})
		}
		rs := []any{}
		for _, r := range rows {
			rs = append(rs, r)
		}
		data = map[string]any{"columns": cs, "rows": rs}
	} else {
		objs := []any{}
		for _, r := range rows {
			m := map[string]any{}
			for i, n := range cols {
				m[n] = r[i]
			}
			objs = append(objs, m)
		}
		data = objs
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"totalRecords": len(rows), "count": len(rows), "data": data, "facets": []any{}, "resultTruncated": "false",
	})
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
