package armemu_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/proxy/armemu"
)

const (
	wsPath = "/subscriptions/" + sub + "/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east"
	mcPath = "/subscriptions/" + sub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy"
)

// TestHTTPAnswers checks status, ARM error code and headers of raw requests:
// api-version checks, case-insensitive routes and not-found answers.
func TestHTTPAnswers(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	tests := []struct {
		name   string
		method string
		path   string
		status int
		code   string
	}{
		{"ok", "GET", wsPath + "?api-version=2024-04-01", 200, ""},
		{"segment names in any case", "GET", strings.ToUpper(wsPath[:len(wsPath)-len("ws-east")]) + "ws-east?api-version=2024-04-01", 200, ""},
		{"resourcegroups lower case", "GET", strings.Replace(mcPath, "resourceGroups", "resourcegroups", 1) + "?api-version=2025-10-01", 200, ""},
		{"missing api-version", "GET", wsPath, 400, "MissingApiVersionParameter"},
		{"ML with the AKS api-version", "GET", wsPath + "?api-version=2025-10-01", 400, "InvalidApiVersionParameter"},
		{"AKS with the ML api-version", "GET", mcPath + "?api-version=2024-04-01", 400, "InvalidApiVersionParameter"},
		{"subscriptions old api-version", "GET", "/subscriptions?api-version=2016-06-01", 400, "InvalidApiVersionParameter"},
		{"skus wrong api-version", "GET", "/subscriptions/" + sub + "/providers/Microsoft.Compute/skus?api-version=2024-07-01", 400, "InvalidApiVersionParameter"},
		{"service tags wrong api-version", "GET", "/subscriptions/" + sub + "/providers/Microsoft.Network/locations/eastus/serviceTags?api-version=2024-05-01", 400, "InvalidApiVersionParameter"},
		{"versions in an unoffered location", "GET", "/subscriptions/" + sub + "/providers/Microsoft.ContainerService/locations/westeurope/kubernetesVersions?api-version=2025-10-01", 400, "LocationNotAvailableForResourceType"},
		{"unknown subscription", "GET", strings.Replace(wsPath, sub, "11111111-0000-4000-8000-000000000000", 1) + "?api-version=2024-04-01", 404, "SubscriptionNotFound"},
		{"unknown resource group", "GET", strings.Replace(wsPath, "ml-rg", "no-rg", 1) + "?api-version=2024-04-01", 404, "ResourceGroupNotFound"},
		{"unknown workspace", "GET", wsPath + "x?api-version=2024-04-01", 404, "ResourceNotFound"},
		{"unknown compute", "GET", wsPath + "/computes/none?api-version=2024-04-01", 404, "UserError"},
		{"unknown agent pool", "GET", mcPath + "/agentPools/none?api-version=2025-10-01", 404, "NotFound"},
		{"unknown route", "GET", "/subscriptions/" + sub + "/providers/Microsoft.Foo/bars?api-version=2024-04-01", 404, "InvalidResourceType"},
		{"method not served", "PATCH", wsPath + "?api-version=2024-04-01", 405, "HttpMethodNotAllowed"},
		{"delete without underlyingResourceAction", "DELETE", wsPath + "/computes/aks-attached?api-version=2024-04-01", 400, "BadRequest"},
		{"delete of a missing compute", "DELETE", wsPath + "/computes/none?api-version=2024-04-01&underlyingResourceAction=Detach", 204, ""},
		{"unknown operation", "GET", "/subscriptions/" + sub + "/providers/Microsoft.MachineLearningServices/locations/eastus/computeOperationsStatus/nope?api-version=2024-04-01", 404, "OperationNotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := mustDo(t, c, tc.method, tc.path, "")
			if status != tc.status {
				t.Errorf("status = %d, want %d (%v)", status, tc.status, body)
			}
			if hdr.Get("x-ms-request-id") == "" {
				t.Error("no x-ms-request-id header")
			}
			if tc.code == "" {
				return
			}
			if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type = %q", hdr.Get("Content-Type"))
			}
			e, _ := body["error"].(map[string]any)
			if e["code"] != tc.code || e["message"] == "" || e["message"] == nil {
				t.Errorf("error body = %v, want code %s and a message", body, tc.code)
			}
		})
	}
}

func TestCounters(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	mustDo(t, c, "GET", wsPath+"?api-version=2024-04-01", "")
	mustDo(t, c, "GET", wsPath, "")
	mustDo(t, c, "PUT", wsPath+"/computes/x?api-version=2024-04-01", `{}`)
	mustDo(t, c, "DELETE", wsPath+"/computes/none?api-version=2024-04-01&underlyingResourceAction=Detach", "")
	if got := c.emu.Requests(); got != 4 {
		t.Errorf("Requests() = %d, want 4", got)
	}
	if got := c.emu.Writes(); got != 2 {
		t.Errorf("Writes() = %d, want 2", got)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := mustContext(t)
	getWS := func(c *clients) error {
		_, err := c.workspaces.Get(ctx, "ml-rg", "ws-east", nil)
		return err
	}
	tests := []struct {
		name      string
		fault     armemu.Fault
		wantErr   string // ARM error code the SDK returns, or "" for success after retries
		requests  int64
		minElapse time.Duration
	}{
		{name: "429 with Retry-After then success", fault: armemu.Fault{Status: 429, RetryAfter: time.Second, PathContains: "/workspaces/ws-east"}, requests: 2, minElapse: time.Second},
		{name: "500 once then success", fault: armemu.Fault{Method: "GET", Status: 500}, requests: 2},
		{name: "503 for good", fault: armemu.Fault{Status: 503, Times: 10}, wantErr: "ServiceUnavailable", requests: 4},
		{name: "503 with own code", fault: armemu.Fault{Status: 503, Times: 10, Code: "ServerBusy", Message: "Try later."}, wantErr: "ServerBusy", requests: 4},
		{name: "dropped connection then success", fault: armemu.Fault{Drop: true, PathContains: "WORKSPACES"}, requests: 2},
		{name: "delay", fault: armemu.Fault{Delay: 150 * time.Millisecond}, requests: 1, minElapse: 150 * time.Millisecond},
		{name: "other method does not match", fault: armemu.Fault{Method: "PUT", Status: 500}, requests: 1},
		{name: "other path does not match", fault: armemu.Fault{PathContains: "/computes/", Status: 500}, requests: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustClients(t, fastOptions())
			c.emu.Inject(tc.fault)
			start := time.Now()
			err := getWS(c)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("err = %v, want success after retries", err)
			}
			if tc.wantErr != "" {
				if re := mustResponseError(t, err); re.ErrorCode != tc.wantErr {
					t.Errorf("error code = %s, want %s", re.ErrorCode, tc.wantErr)
				}
			}
			if got := c.emu.Requests(); got != tc.requests {
				t.Errorf("Requests() = %d, want %d", got, tc.requests)
			}
			if el := time.Since(start); el < tc.minElapse {
				t.Errorf("took %v, want at least %v", el, tc.minElapse)
			}
		})
	}
}

func TestFailOperation(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)
	c.emu.Inject(armemu.Fault{FailOperation: true, Method: "PUT", PathContains: "/computes/", Code: "InternalServerError", Message: "Node provisioning failed."})

	poller, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "doomed", aksCreate("Standard_D3_v2", 3, ""), nil)
	if err != nil {
		t.Fatalf("a FailOperation fault refused the PUT: %v", err)
	}
	_, err = poller.PollUntilDone(ctx, pollFast())
	if re := mustResponseError(t, err); re.ErrorCode != "InternalServerError" {
		t.Errorf("operation error = %s", re.ErrorCode)
	}
	got, err := c.computes.Get(ctx, "ml-rg", "ws-east", "doomed", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAKS(t, got.ComputeResource)
	if deref(a.ProvisioningState) != armmachinelearning.ProvisioningStateFailed || len(a.ProvisioningErrors) != 1 ||
		deref(a.ProvisioningErrors[0].Error.Message) != "Node provisioning failed." {
		t.Errorf("compute = %+v", a)
	}

	// The fault was used up: the next create succeeds.
	poller, err = c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "fine", aksCreate("Standard_D3_v2", 3, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poller.PollUntilDone(ctx, pollFast()); err != nil {
		t.Errorf("second create: %v", err)
	}

	c.emu.Inject(armemu.Fault{FailOperation: true, PathContains: "/agentPools/"})
	pp, err := c.pools.BeginCreateOrUpdate(ctx, clusterRG, "aks-healthy", "nodepool1", armcontainerservice.AgentPool{
		Properties: &armcontainerservice.ManagedClusterAgentPoolProfileProperties{Count: ptr(int32(4))}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pp.PollUntilDone(ctx, pollFast()); err == nil {
		t.Error("agent pool operation succeeded despite a FailOperation fault")
	}
}

// TestSecretsNeverEchoed sends a certificate and key and checks no answer
// carries them back.
func TestSecretsNeverEchoed(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)
	body := aksCreate("Standard_D3_v2", 3, "")
	body.Properties.(*armmachinelearning.AKS).Properties.SSLConfiguration = &armmachinelearning.SSLConfiguration{
		Status: ptr(armmachinelearning.SSLConfigStatusEnabled),
		Cert:   ptr("-----BEGIN CERTIFICATE-----SECRETCERT-----END CERTIFICATE-----"),
		Key:    ptr("-----BEGIN PRIVATE KEY-----SECRETKEY-----END PRIVATE KEY-----"),
		Cname:  ptr("scoring.contoso.example"),
	}
	poller, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "tls-aks", body, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := poller.PollUntilDone(ctx, pollFast())
	if err != nil {
		t.Fatal(err)
	}
	ssl := mustAKS(t, res.ComputeResource).Properties.SSLConfiguration
	if ssl == nil || ssl.Cert != nil || ssl.Key != nil || deref(ssl.Cname) != "scoring.contoso.example" {
		t.Errorf("sslConfiguration = %+v", ssl)
	}
	for _, path := range []string{wsPath + "/computes/tls-aks?api-version=2024-04-01", wsPath + "/computes?api-version=2024-04-01"} {
		_, _, got := mustGetJSON(t, c, path)
		if s := strings.Join(flatten(got), " "); strings.Contains(s, "SECRET") {
			t.Errorf("%s echoes a secret", path)
		}
	}
}

// flatten lists every string value in a decoded JSON document.
func flatten(v any) []string {
	switch v := v.(type) {
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, flatten(x)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, flatten(x)...)
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}

// TestSlowFaultNoticesTheClientLeaving holds a PUT with a body for an hour:
// when the client gives up, the handler must return at once, not at the end
// of the delay (the emulator reads the body before it waits, so net/http can
// see the connection close).
func TestSlowFaultNoticesTheClientLeaving(t *testing.T) {
	t.Parallel()
	emu := armemu.New(fastOptions())
	emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/computes/", Delay: time.Hour})
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		emu.ServeHTTP(w, r)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	body := strings.NewReader(`{"properties":{"computeType":"AKS"}}`)
	req, err := http.NewRequestWithContext(ctx, "PUT", srv.URL+"/subscriptions/"+sub+"/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east/computes/slow?api-version=2024-04-01", body)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for emu.Requests() == 0 {
		runtime.Gosched()
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the held request was answered")
	}
	select {
	case <-done:
		srv.Close()
	case <-time.After(30 * time.Second): // a bound, not a measure: the fixed handler returns at once
		// The server is left open: closing it would wait out the hour.
		t.Fatal("the handler still holds the request after the client left")
	}
}
