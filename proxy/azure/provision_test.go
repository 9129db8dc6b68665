package azure_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

const (
	testCert = "-----BEGIN CERTIFICATE-----\nCERTDATA\n-----END CERTIFICATE-----\n"
	testKey  = "-----BEGIN PRIVATE KEY-----\nKEYDATA-SECRET\n-----END PRIVATE KEY-----\n"
)

// createRequest is a create with every field set.
func createRequest() rules.Request {
	return rules.Request{
		Mode: rules.ModeCreate, Workspace: eastWS, Name: "aks-new", Purpose: rules.PurposeDevTest,
		Location: "westus", VMSize: "Standard_D4s_v3", NodeCount: 2,
		Network: rules.Network{
			VnetResourceGroup: "net-rg", VnetName: "vnet1", SubnetName: "aks-subnet",
			ServiceCIDR: "10.0.0.0/16", DNSServiceIP: "10.0.0.10", DockerBridgeCIDR: "172.17.0.1/16",
		},
		LoadBalancer: rules.LoadBalancer{Type: rules.LoadBalancerInternal, Subnet: "aks-subnet"},
		TLS:          rules.TLS{Mode: rules.TLSCustom, CertPEM: testCert, KeyPEM: testKey, CNAME: "scoring.contoso.com"},
		Description:  "team scoring",
		Tags:         map[string]string{"team": "ml", "cost-center": "42"},
	}.Normalized("eastus")
}

// attachRequest is an attach of aks-private with a Microsoft certificate.
func attachRequest() rules.Request {
	return rules.Request{
		Mode: rules.ModeAttach, Workspace: eastWS, Name: "aks-new",
		Target: rules.Target{ResourceID: privateClusterID},
		TLS:    rules.TLS{Mode: rules.TLSMicrosoft, LeafDomainLabel: "scoring", OverwriteExistingDomain: true},
		Tags:   map[string]string{"team": "ml"},
	}.Normalized("eastus")
}

// mustJSON reads testdata/name as generic JSON.
func mustJSON(tb testing.TB, name string) any {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return v
}

// Kept on the fake world: the exact request body the SDK sends, compared as JSON with testdata; the emulator only counts writes.
func TestProvisionBody(t *testing.T) {
	tests := []struct {
		name    string
		req     rules.Request
		fixture string
	}{
		{name: "create with every field", req: createRequest(), fixture: "create_body.json"},
		{
			name:    "create with the defaults",
			req:     rules.Request{Workspace: eastWS, Name: "aks-new"}.Normalized("eastus"),
			fixture: "create_defaults_body.json",
		},
		{name: "attach", req: attachRequest(), fixture: "attach_body.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			c := mustClient(t, w, nil)
			if err := c.Provision(context.Background(), tt.req); err != nil {
				t.Fatal(err)
			}
			puts := w.find("PUT", "/workspaces/ws-east/computes/aks-new")
			if len(puts) != 1 {
				t.Fatalf("%d PUTs of the compute, want 1", len(puts))
			}
			var got any
			if err := json.Unmarshal(puts[0].Body, &got); err != nil {
				t.Fatal(err)
			}
			if d := diff(mustJSON(t, tt.fixture), got); d != "" {
				t.Errorf("PUT body mismatch (-want +got):\n%s", d)
			}
		})
	}
}

// Kept on the fake world: the exact agent-pool PUT path and body sent; the emulator only counts writes.
func TestScaleChoosesTheSystemPool(t *testing.T) {
	tests := []struct {
		name    string
		compute string
		wantPUT string
		wantVM  string
	}{
		{name: "system pool second", compute: "aks-attached", wantPUT: "/managedClusters/aks-healthy/agentPools/syspool", wantVM: "Standard_D4s_v3"},
		{name: "single pool", compute: "aks-created", wantPUT: "/managedClusters/aks-created-cluster/agentPools/agentpool", wantVM: "Standard_D3_v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			c := mustClient(t, w, nil)
			if err := c.Scale(context.Background(), eastWS, tt.compute, 5); err != nil {
				t.Fatal(err)
			}
			puts := w.find("PUT", "")
			if len(puts) != 1 || !strings.HasSuffix(puts[0].Path, tt.wantPUT) {
				t.Fatalf("PUTs = %+v, want one to %s", puts, tt.wantPUT)
			}
			var body struct {
				Properties map[string]any `json:"properties"`
			}
			if err := json.Unmarshal(puts[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"count": 5.0, "mode": "System", "vmSize": tt.wantVM}
			if d := diff(want, body.Properties); d != "" {
				t.Errorf("pool PUT body mismatch (-want +got):\n%s", d)
			}
		})
	}
}

// Kept on the fake world: an autoscaling pool and a Failed compute with no cluster, which the emulator world never has.
func TestScaleRefusals(t *testing.T) {
	w := newWorld(t)
	w.cluster("aks-created-cluster").Properties.AgentPoolProfiles[0].EnableAutoScaling = ptr(true)
	c := mustClient(t, w, nil)
	tests := []struct {
		name    string
		compute string
		nodes   int
		code    rules.ErrorCode
		field   string
	}{
		{name: "no nodes", compute: "aks-attached", nodes: 0, code: rules.ErrInvalid, field: "nodeCount"},
		{name: "no cluster yet", compute: "aks-failed", nodes: 3, code: rules.ErrUnsupported, field: "name"},
		{name: "autoscaling", compute: "aks-created", nodes: 3, code: rules.ErrUnsupported, field: "nodeCount"},
		{name: "no such compute", compute: "nope", nodes: 3, code: rules.ErrNotFound, field: "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, c.Scale(context.Background(), eastWS, tt.compute, tt.nodes), tt.code, tt.field)
		})
	}
	if n := len(w.find("PUT", "")); n != 0 {
		t.Errorf("%d PUTs sent, want none", n)
	}
}

// TestDetachAndDelete checks the underlying-resource action each sends:
// Detach keeps the cluster (O3), Delete removes what Azure ML made.
//
// Kept on the fake world: the exact underlyingResourceAction query the SDK sends; TestEmulatorDetachKeepsTheCluster proves the outcome of a detach only.
func TestDetachAndDelete(t *testing.T) {
	tests := []struct {
		name string
		call func(*azure.Client, string) error
		want armmachinelearning.UnderlyingResourceAction
	}{
		{"detach keeps the cluster", func(c *azure.Client, n string) error { return c.Detach(context.Background(), eastWS, n) }, armmachinelearning.UnderlyingResourceActionDetach},
		{"delete removes what Azure made", func(c *azure.Client, n string) error { return c.Delete(context.Background(), eastWS, n) }, armmachinelearning.UnderlyingResourceActionDelete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			var action armmachinelearning.UnderlyingResourceAction
			w.ml.ComputeServer.BeginDelete = func(_ context.Context, _, _, name string, a armmachinelearning.UnderlyingResourceAction, _ *armmachinelearning.ComputeClientBeginDeleteOptions) (resp azfake.PollerResponder[armmachinelearning.ComputeClientDeleteResponse], errResp azfake.ErrorResponder) {
				if name != "aks-attached" {
					errResp.SetResponseError(http.StatusNotFound, "ResourceNotFound")
					return
				}
				action = a
				resp.SetTerminalResponse(http.StatusOK, armmachinelearning.ComputeClientDeleteResponse{}, nil)
				return
			}
			c := mustClient(t, w, nil)
			if err := tt.call(c, "aks-attached"); err != nil {
				t.Fatal(err)
			}
			if action != tt.want {
				t.Errorf("underlyingResourceAction = %q, want %q", action, tt.want)
			}
			dels := w.find("DELETE", "")
			if len(dels) != 1 || !strings.Contains(dels[0].Query, "underlyingResourceAction="+string(tt.want)) {
				t.Errorf("DELETEs = %+v, want one with underlyingResourceAction=%s", dels, tt.want)
			}
			wantCode(t, tt.call(c, "nope"), rules.ErrNotFound, "name")
		})
	}
}
