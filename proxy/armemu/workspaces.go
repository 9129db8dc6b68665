package armemu

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

func (ws *workspace) json() map[string]any {
	storage := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%sstorage", ws.sub, ws.rg, strings.ReplaceAll(ws.name, "-", ""))
	return map[string]any{
		"id":       ws.id(),
		"name":     ws.name,
		"type":     providerML + "/workspaces",
		"location": ws.location,
		"kind":     "Default",
		"tags":     map[string]any{},
		"sku":      map[string]any{"name": "Basic", "tier": "Basic"},
		"identity": map[string]any{"type": "SystemAssigned", "principalId": ws.guid, "tenantId": TenantID},
		"systemData": map[string]any{
			"createdAt":     ws.created.Format(time.RFC3339),
			"createdBy":     "platform@contoso.example",
			"createdByType": "User",
		},
		"properties": map[string]any{
			"friendlyName":        ws.name,
			"description":         "Sample workspace of the ARM emulator.",
			"provisioningState":   "Succeeded",
			"workspaceId":         ws.guid,
			"storageAccount":      storage,
			"keyVault":            fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.KeyVault/vaults/%s-kv", ws.sub, ws.rg, ws.name),
			"applicationInsights": fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Insights/components/%s-ai", ws.sub, ws.rg, ws.name),
			"discoveryUrl":        "https://" + ws.location + ".api.azureml.ms/discovery",
			"mlFlowTrackingUri":   "azureml://" + ws.location + ".api.azureml.ms/mlflow/v1.0" + ws.id(),
			"publicNetworkAccess": "Enabled",
			"hbiWorkspace":        false,
			"v1LegacyMode":        false,
			"creationTime":        ws.created.Format(time.RFC3339),
		},
	}
}

// listWorkspaces serves
// GET /subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces and
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces.
func (e *Emulator) listWorkspaces(w http.ResponseWriter, _ *http.Request, p params) error {
	rg, byRG := p["rg"]
	if byRG {
		if _, err := e.w.resourceGroup(rg); err != nil {
			return err
		}
	}
	out := []any{}
	for _, ws := range e.w.workspaces {
		if !byRG || strings.EqualFold(ws.rg, rg) {
			out = append(out, ws.json())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

// getWorkspace serves
// GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}.
func (e *Emulator) getWorkspace(w http.ResponseWriter, _ *http.Request, p params) error {
	ws, err := e.w.workspace(p["rg"], p["ws"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws.json())
	return nil
}
