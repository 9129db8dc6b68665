package armemu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/proxy/armemu"
)

// recording is a real ARM answer from proxy/azure/testdata/recorded (its
// README names the sources). The files are read, not imported: armemu
// imports nothing of the project.
type recording struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    map[string]any    `json:"body"`
}

func mustRecording(tb testing.TB, name string) recording {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "azure", "testdata", "recorded", name))
	if err != nil {
		tb.Fatal(err)
	}
	var r recording
	if err := json.Unmarshal(raw, &r); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return r
}

// shape is what the conformance compares: the status, which headers are
// there, and the key paths the recording has that the emulator lacks.
type shape struct {
	Status  int
	Headers map[string]bool
	Missing []string
}

func shapeOf(rec recording, status int, headers map[string]string, body map[string]any, maps, omitted []string) (want, got shape) {
	want = shape{Status: rec.Status, Headers: map[string]bool{}}
	got = shape{Status: status, Headers: map[string]bool{}}
	for h := range rec.Headers {
		h = http.CanonicalHeaderKey(h)
		want.Headers[h] = true
		got.Headers[h] = headers[h] != ""
	}
	got.Missing = missingPaths(rec.Body, body, maps, omitted)
	return want, got
}

// TestRecordedConformance sends the emulator the calls of the recordings
// and checks its answers have the same status, the same headers
// (Azure-AsyncOperation, Retry-After), the recording's key paths, and the
// same timing: synchronous, or accepted and then through the operation.
func TestRecordedConformance(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	opts := fastOptions()
	opts.Now = clk.Now
	c := mustClients(t, opts)
	header := func(h map[string][]string) map[string]string {
		out := map[string]string{}
		for k, v := range h {
			if len(v) > 0 {
				out[http.CanonicalHeaderKey(k)] = v[0]
			}
		}
		return out
	}

	t.Run("AKS create is accepted and goes through the operation", func(t *testing.T) {
		rec := mustRecording(t, "aks_create_accepted.json")
		body := `{"location":"eastus","tags":{"scenario_test":""},"properties":{"dnsPrefix":"cliaksdns000004","agentPoolProfiles":[{"name":"np000005","count":1,"vmSize":"Standard_DS2_v2","mode":"System","osType":"Linux"}],"networkProfile":{"networkPlugin":"kubenet","loadBalancerSku":"standard"}}}`
		status, h, got := mustDo(t, c, "PUT", "/subscriptions/"+sub+"/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/cliakstest000003?api-version=2025-10-01", body)
		want, have := shapeOf(rec, status, header(h), got, []string{"tags"}, nil)
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("PUT managedCluster mismatch (-recorded +emulator):\n%s", diff)
		}
		if h.Get("Location") != "" {
			t.Errorf("Location = %q; the recording has none (AKS follows Azure-AsyncOperation only)", h.Get("Location"))
		}
		// The operation status while it runs.
		op := mustRecording(t, "aks_operation_in_progress.json")
		u, err := url.Parse(h.Get("Azure-AsyncOperation"))
		if err != nil {
			t.Fatal(err)
		}
		status, h, got = mustGetJSON(t, c, u.RequestURI())
		want, have = shapeOf(op, status, header(h), got, nil, nil)
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("operation status mismatch (-recorded +emulator):\n%s", diff)
		}
		if got["status"] != "InProgress" {
			t.Errorf("status = %v, want InProgress right after the PUT", got["status"])
		}
	})

	t.Run("attach of an unsupported version fails later with the reason in details", func(t *testing.T) {
		rec := mustRecording(t, "aml_attach_failed_version.json")
		body := `{"location":"eastus","properties":{"computeType":"AKS","resourceId":"` + clusterID("aks-old") + `","properties":{"clusterPurpose":"FastProd"}}}`
		status, _, _ := mustDo(t, c, "PUT", wsPath+"/computes/test-aksct?api-version=2024-04-01", body)
		if status != 201 {
			t.Fatalf("PUT = %d, want 201: Azure ML accepts it and fails it later", status)
		}
		clk.Advance(time.Hour)
		status, h, got := mustGetJSON(t, c, wsPath+"/computes/test-aksct?api-version=2024-04-01")
		want, have := shapeOf(rec, status, header(h), got, nil, nil)
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("failed compute mismatch (-recorded +emulator):\n%s", diff)
		}
	})

	t.Run("create over quota fails later with the code quoted in a BadArgument", func(t *testing.T) {
		rec := mustRecording(t, "aml_create_failed_quota.json")
		body := `{"location":"eastus","properties":{"computeType":"AKS","properties":{"agentCount":5,"agentVmSize":"Standard_NC24ads_A100_v4","clusterPurpose":"FastProd"}}}`
		status, _, _ := mustDo(t, c, "PUT", wsPath+"/computes/imgclass-aks-cpu?api-version=2024-04-01", body)
		if status != 201 {
			t.Fatalf("PUT = %d, want 201", status)
		}
		clk.Advance(time.Hour)
		status, h, got := mustGetJSON(t, c, wsPath+"/computes/imgclass-aks-cpu?api-version=2024-04-01")
		want, have := shapeOf(rec, status, header(h), got, nil, nil)
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("failed compute mismatch (-recorded +emulator):\n%s", diff)
		}
	})

	t.Run("throttled", func(t *testing.T) {
		rec := mustRecording(t, "arm_subscription_throttled.json")
		c.emu.SetThrottle(armemu.Throttle{Burst: 1, Refill: time.Minute})
		defer c.emu.SetThrottle(armemu.Throttle{})
		path := "/subscriptions/" + sub + "/providers/Microsoft.ContainerService/managedClusters?api-version=2025-10-01"
		mustGetJSON(t, c, path)
		status, h, got := mustGetJSON(t, c, path)
		want, have := shapeOf(rec, status, header(h), got, nil, nil)
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("429 mismatch (-recorded +emulator):\n%s", diff)
		}
		if e, _ := got["error"].(map[string]any); e["code"] != "SubscriptionRequestsThrottled" {
			t.Errorf("code = %v", e["code"])
		}
	})
}

// TestNoBasicLoadBalancer: AKS retired the Basic load balancer on
// 30 September 2025, so a cluster Azure ML creates has the Standard one.
func TestNoBasicLoadBalancer(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	opts := fastOptions()
	opts.Now = clk.Now
	c := mustClients(t, opts)
	body := `{"location":"eastus","properties":{"computeType":"AKS","properties":{"agentCount":3,"agentVmSize":"Standard_D4s_v3","clusterPurpose":"FastProd"}}}`
	if status, _, got := mustDo(t, c, "PUT", wsPath+"/computes/aks-std?api-version=2024-04-01", body); status != 201 {
		t.Fatalf("PUT = %d %v", status, got)
	}
	clk.Advance(time.Hour)
	_, _, comp := mustGetJSON(t, c, wsPath+"/computes/aks-std?api-version=2024-04-01")
	id, _ := comp["properties"].(map[string]any)["resourceId"].(string)
	u, _ := url.Parse(id)
	_, _, cl := mustGetJSON(t, c, u.Path+"?api-version=2025-10-01")
	np, _ := cl["properties"].(map[string]any)["networkProfile"].(map[string]any)
	if np["loadBalancerSku"] != "standard" {
		t.Errorf("created cluster's loadBalancerSku = %v, want standard", np["loadBalancerSku"])
	}
}

// TestRecordedResourceGraph: the emulator's Resource Graph answer has the
// recorded answer's top-level keys and status, in the objectArray format.
func TestRecordedResourceGraph(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	rec := mustRecording(t, "resourcegraph_basic_query.json")
	delete(rec.Body, "data") // the rows' keys are the query's projection
	for _, q := range []string{
		`{"query":"resources\n| where type =~ 'microsoft.machinelearningservices/workspaces/computes'\n| where location =~ 'eastus' or tolower(tostring(properties.resourceId)) == tolower('')\n| project id, name, location"}`,
		// proxy/azure's mlQuery: workspaces and computes in one answer
		`{"query":"resources\n| where type in~ ('microsoft.machinelearningservices/workspaces', 'microsoft.machinelearningservices/workspaces/computes', 'microsoft.containerservice/managedclusters')\n| extend computeType = tostring(properties.computeType), resourceId = tostring(properties.resourceId)\n| where type !~ 'microsoft.machinelearningservices/workspaces/computes' or computeType in~ ('AKS', 'Kubernetes')\n| join kind=inner (resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | where tostring(properties.state) =~ 'Enabled' | project subscriptionId) on subscriptionId\n| project id, name, type, location, computeType, resourceId"}`,
	} {
		status, _, got := mustDo(t, c, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2021-06-01-preview", q)
		want, have := shapeOf(rec, status, nil, got, nil, []string{"data"})
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("Resource Graph answer mismatch (-recorded +emulator):\n%s", diff)
		}
		rows, ok := got["data"].([]any)
		if !ok || len(rows) == 0 {
			t.Errorf("data = %T %v, want an array of rows (objectArray)", got["data"], got["data"])
			continue
		}
		// Resource Graph's type column is lower case, as recorded.
		if r, _ := rows[0].(map[string]any); r["type"] != nil && r["type"] != strings.ToLower(r["type"].(string)) {
			t.Errorf("type = %v, want lower case", r["type"])
		}
	}
	if status, _, _ := mustDo(t, c, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2021-06-01-preview", `{"query":"resources | take 1"}`); status != 400 {
		t.Errorf("an unknown query = %d, want 400 (InvalidQuery)", status)
	}
}
