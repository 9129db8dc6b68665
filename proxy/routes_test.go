package proxy

import (
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/rules"
)

// TestRoutesServeRulesPaths routes every path rules/paths.go builds, with
// sample values (some needing escapes), through the one route table: each
// must reach its own pattern, not the /api/ not-found answer nor the page.
func TestRoutesServeRulesPaths(t *testing.T) {
	t.Parallel()
	mux := New(Config{}, nil, nil).routes()
	ref := rules.WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "rg (ml) team", Name: "ws-1"}
	const name = "aks-1"
	tests := []struct {
		method, path, want string
	}{
		{"GET", rules.PathConfig, "GET /api/config"},
		{"GET", rules.PathWorkspaces, "GET /api/workspaces"},
		{"GET", rules.PathLocations, "GET /api/locations"},
		{"GET", rules.LocationPath("west europe", "versions"), "GET /api/locations/{location}/versions"},
		{"GET", rules.LocationPath("westeurope", "vmsizes"), "GET /api/locations/{location}/vmsizes"},
		{"GET", rules.LocationPath("westeurope", "prices"), "GET /api/locations/{location}/prices"},
		{"GET", rules.PathClusters, "GET /api/clusters"},
		{"POST", rules.PathFacts, "POST /api/facts"},
		{"POST", rules.PathValidate, "POST /api/validate"},
		{"POST", rules.PathExports, "POST /api/exports"},
		{"POST", rules.PathComputes, "POST /api/computes"},
		{"GET", rules.ComputesPath(ref), "GET /api/workspaces/{sub}/{rg}/{ws}/computes"},
		{"POST", rules.ScalePath(ref, name), "POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/scale"},
		{"DELETE", rules.ComputePath(ref, name), "DELETE /api/workspaces/{sub}/{rg}/{ws}/computes/{name}"},
		{"POST", rules.CleanupPath(ref, name), "POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/cleanup"},
		{"POST", rules.RetryPath(ref, name), "POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/retry"},
		{"GET", rules.MigratePath(ref, name), "GET /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate"},
		{"POST", rules.MigratePath(ref, name), "POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate"},
		{"POST", rules.MigratePlanPath(ref, name), "POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate/plan"},
		{"GET", rules.OperationPath(ref, name), "GET /api/operations/{sub}/{rg}/{ws}/{name}"},
		{"GET", rules.AcceptedFor(ref, name).Operation, "GET /api/operations/{sub}/{rg}/{ws}/{name}"},
		// The pages are the page handler's (go-app routes them in app/layout.go).
		{"GET", rules.ProgressPage(ref, name), "/"},
		{"GET", rules.MigratePage(ref, name), "/"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "http://amlaks.test"+tt.path, nil)
		_, got := mux.Handler(r)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %s routed to the wrong pattern (-want +got):\n%s", tt.method, tt.path, diff)
		}
	}
}
