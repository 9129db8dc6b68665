package azure

import "testing"

// TestOperationNamesNoValue: the ARM operation label of the metrics keeps
// the method and the resource types and drops every name and ID; any other
// shape is "other", so nothing a request carries becomes a label.
func TestOperationNamesNoValue(t *testing.T) {
	sub := "/subscriptions/00000000-0000-4000-8000-000000000001"
	for _, tc := range []struct{ method, path, want string }{
		{"PUT", sub + "/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east/computes/aks-one", "PUT microsoft.machinelearningservices/workspaces/computes"},
		{"GET", sub + "/providers/Microsoft.MachineLearningServices/locations/eastus/computeOperationsStatus/abc-123", "GET microsoft.machinelearningservices/locations/computeoperationsstatus"},
		{"GET", sub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy/agentPools/nodepool1", "GET microsoft.containerservice/managedclusters/agentpools"},
		{"GET", "/subscriptions", "GET subscriptions"},
		{"GET", sub + "/locations", "GET subscriptions/locations"},
		{"GET", sub + "/providers/Evil.Provider/things/x", "GET other"},
		{"GET", sub + "/providers/Microsoft.Compute/skus<script>/x", "GET other"},
		{"GET", sub + "/providers", "GET other"},
	} {
		if got := Operation(tc.method, tc.path); got != tc.want {
			t.Errorf("Operation(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}
