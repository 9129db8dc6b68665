package armemu_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// example is an Azure REST API spec example from testdata/.
type example struct {
	Parameters map[string]json.RawMessage `json:"parameters"`
	Responses  map[string]struct {
		Body    map[string]any    `json:"body"`
		Headers map[string]string `json:"headers"`
	} `json:"responses"`
}

func mustExample(tb testing.TB, name string) example {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var ex example
	if err := json.Unmarshal(raw, &ex); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return ex
}

// keyPaths lists every key path of a decoded JSON document: "a.b" for
// objects, "a[]" for array elements. Paths in maps hold data keys, not
// field names (tags, patchVersions); their keys become "*".
func keyPaths(v any, prefix string, maps []string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			if slices.Contains(maps, prefix) {
				p = prefix + ".*"
			}
			out = append(out, p)
			out = append(out, keyPaths(x, p, maps)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, keyPaths(x, prefix+"[]", maps)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// missingPaths returns the key paths of want that got lacks, other than the
// deliberate omissions (a path and everything under it).
func missingPaths(want, got map[string]any, maps, omitted []string) []string {
	have := keyPaths(got, "", maps)
	var missing []string
	for _, p := range keyPaths(want, "", maps) {
		if slices.Contains(have, p) || slices.ContainsFunc(omitted, func(o string) bool { return p == o || strings.HasPrefix(p, o+".") || strings.HasPrefix(p, o+"[]") }) {
			continue
		}
		missing = append(missing, p)
	}
	sort.Strings(missing)
	return missing
}

// TestFidelity checks that the emulator's answers carry every key path of
// the spec examples for the same kind of resource.
func TestFidelity(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	// The compute PUT example's own request body, pointed at a sample cluster.
	put := mustExample(t, "ComputeCreateOrUpdate_AKS.json")
	var body map[string]any
	if err := json.Unmarshal(put.Parameters["parameters"], &body); err != nil {
		t.Fatal(err)
	}
	body["properties"].(map[string]any)["resourceId"] = clusterID("aks-healthy")
	raw, _ := json.Marshal(body)
	status, hdr, created := mustDo(t, c, "PUT", wsPath+"/computes/compute123?api-version=2024-04-01", string(raw))
	if status != 201 || hdr.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("PUT of the spec example = %d %v", status, created)
	}
	// Let the attach finish before reading the 200 shape.
	var req armmachinelearning.ComputeResource
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	poller, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "compute124", req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poller.PollUntilDone(ctx, pollFast()); err != nil {
		t.Fatal(err)
	}
	_, _, done := mustGetJSON(t, c, wsPath+"/computes/compute124?api-version=2024-04-01")
	_, _, attached := mustGetJSON(t, c, wsPath+"/computes/aks-attached?api-version=2024-04-01")
	_, _, cluster := mustGetJSON(t, c, mcPath+"?api-version=2025-10-01")
	_, _, pool := mustGetJSON(t, c, mcPath+"/agentPools/nodepool1?api-version=2025-10-01")
	_, _, versions := mustGetJSON(t, c, "/subscriptions/"+sub+"/providers/Microsoft.ContainerService/locations/eastus/kubernetesVersions?api-version=2025-10-01")

	tests := []struct {
		name    string
		fixture string
		status  string
		got     map[string]any
		maps    []string
		omitted []string // deliberate omissions, with the reason
	}{
		{name: "compute PUT 201", fixture: "ComputeCreateOrUpdate_AKS.json", status: "201", got: created},
		{name: "compute PUT 200", fixture: "ComputeCreateOrUpdate_AKS.json", status: "200", got: done},
		{name: "compute GET", fixture: "ComputeGet_AKS.json", status: "200", got: attached},
		{name: "managed cluster GET", fixture: "ManagedClustersGet.json", status: "200", got: cluster, maps: []string{"tags"},
			omitted: []string{
				"properties.diskEncryptionSetID",                            // no customer-managed disk keys in the sample world
				"properties.networkProfile.loadBalancerProfile.outboundIPs", // customer-owned outbound IPs; the sample uses managed ones
				"properties.upgradeSettings",                                // forced-upgrade overrides are out of scope
			}},
		{name: "agent pool GET", fixture: "AgentPoolsGet.json", status: "200", got: pool},
		{name: "Kubernetes versions", fixture: "KubernetesVersions_List.json", status: "200", got: versions, maps: []string{"values[].patchVersions"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := mustExample(t, tc.fixture).Responses[tc.status].Body
			if len(want) == 0 {
				t.Fatalf("%s has no %s body", tc.fixture, tc.status)
			}
			if missing := missingPaths(want, tc.got, tc.maps, tc.omitted); len(missing) > 0 {
				t.Errorf("the emulator lacks key paths of %s:\n  %s", tc.fixture, strings.Join(missing, "\n  "))
			}
		})
	}
}

func TestKeyPaths(t *testing.T) {
	t.Parallel()
	doc := map[string]any{
		"a":    map[string]any{"b": 1.0, "c": []any{map[string]any{"d": "x"}}},
		"tags": map[string]any{"k1": "v", "k2": "v"},
	}
	got := keyPaths(doc, "", []string{"tags"})
	want := []string{"a", "a.b", "a.c", "a.c[].d", "tags", "tags.*"}
	if !slices.Equal(got, want) {
		t.Errorf("keyPaths = %v, want %v", got, want)
	}
	if m := missingPaths(doc, map[string]any{"a": map[string]any{}}, []string{"tags"}, []string{"a.c"}); !slices.Equal(m, []string{"a.b", "tags", "tags.*"}) {
		t.Errorf("missingPaths = %v", m)
	}
}
