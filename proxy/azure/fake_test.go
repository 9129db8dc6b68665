package azure_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"
	computefake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	csfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	mlfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	netfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	subsfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions/fake"

	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

// testSub is the subscription of the fake world; a GUID, so tests can check
// that it never reaches a message.
const testSub = "11111111-2222-4333-8444-555555555555"

// eastWS is the workspace most fake tests use.
var eastWS = rules.WorkspaceRef{Subscription: testSub, ResourceGroup: "ml-rg", Name: "ws-east"}

// world is an in-process Azure made of the SDK's fake servers, loaded from
// the fixtures in testdata/. Tests change its servers' functions to inject
// refusals, and read what was sent from its record.
type world struct {
	ml   mlfake.ServerFactory
	cs   csfake.ServerFactory
	comp computefake.ServerFactory
	net  netfake.ServerFactory
	subs subsfake.ServerFactory

	workspaces []*armmachinelearning.Workspace
	computes   []*armmachinelearning.ComputeResource
	clusters   []*armcontainerservice.ManagedCluster
	skus       []*armcompute.ResourceSKU
	versions   armcontainerservice.KubernetesVersionListResult
	tags       armnetwork.ServiceTagsListResult
	locations  []*armsubscriptions.Location

	mu   sync.Mutex
	sent []sentRequest
}

// sentRequest is one request the client sent, with its body.
type sentRequest struct {
	Method string
	Path   string
	Query  string
	Body   []byte
}

// mustLoad reads testdata/name into v.
func mustLoad(tb testing.TB, name string, v any) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

// newWorld loads the fixtures and wires the fake servers to them.
func newWorld(tb testing.TB) *world {
	tb.Helper()
	w := &world{}
	mustLoad(tb, "workspaces.json", &w.workspaces)
	mustLoad(tb, "computes.json", &w.computes)
	mustLoad(tb, "clusters.json", &w.clusters)
	mustLoad(tb, "skus.json", &w.skus)
	mustLoad(tb, "versions.json", &w.versions)
	mustLoad(tb, "servicetags.json", &w.tags)
	mustLoad(tb, "locations.json", &w.locations)

	w.subs.Server.NewListPager = func(*armsubscriptions.ClientListOptions) (resp azfake.PagerResponder[armsubscriptions.ClientListResponse]) {
		enabled := armsubscriptions.SubscriptionStateEnabled
		disabled := armsubscriptions.SubscriptionStateDisabled
		resp.AddPage(http.StatusOK, armsubscriptions.ClientListResponse{SubscriptionListResult: armsubscriptions.SubscriptionListResult{
			Value: []*armsubscriptions.Subscription{
				{SubscriptionID: ptr(testSub), State: &enabled},
				{SubscriptionID: ptr("99999999-2222-4333-8444-555555555555"), State: &disabled},
			},
		}}, nil)
		return
	}
	w.subs.Server.NewListLocationsPager = func(string, *armsubscriptions.ClientListLocationsOptions) (resp azfake.PagerResponder[armsubscriptions.ClientListLocationsResponse]) {
		resp.AddPage(http.StatusOK, armsubscriptions.ClientListLocationsResponse{LocationListResult: armsubscriptions.LocationListResult{Value: w.locations}}, nil)
		return
	}
	w.ml.WorkspacesServer.NewListBySubscriptionPager = func(*armmachinelearning.WorkspacesClientListBySubscriptionOptions) (resp azfake.PagerResponder[armmachinelearning.WorkspacesClientListBySubscriptionResponse]) {
		resp.AddPage(http.StatusOK, armmachinelearning.WorkspacesClientListBySubscriptionResponse{WorkspaceListResult: armmachinelearning.WorkspaceListResult{Value: w.workspaces}}, nil)
		return
	}
	w.ml.WorkspacesServer.Get = func(_ context.Context, group, name string, _ *armmachinelearning.WorkspacesClientGetOptions) (resp azfake.Responder[armmachinelearning.WorkspacesClientGetResponse], errResp azfake.ErrorResponder) {
		for _, ws := range w.workspaces {
			if strings.EqualFold(*ws.Name, name) && strings.Contains(*ws.ID, "/resourceGroups/"+group+"/") {
				resp.SetResponse(http.StatusOK, armmachinelearning.WorkspacesClientGetResponse{Workspace: *ws}, nil)
				return
			}
		}
		errResp.SetResponseError(http.StatusNotFound, "ResourceNotFound")
		return
	}
	w.ml.ComputeServer.NewListPager = func(string, string, *armmachinelearning.ComputeClientListOptions) (resp azfake.PagerResponder[armmachinelearning.ComputeClientListResponse]) {
		resp.AddPage(http.StatusOK, armmachinelearning.ComputeClientListResponse{PaginatedComputeResourcesList: armmachinelearning.PaginatedComputeResourcesList{Value: w.computes}}, nil)
		return
	}
	w.ml.ComputeServer.Get = func(_ context.Context, _, _, name string, _ *armmachinelearning.ComputeClientGetOptions) (resp azfake.Responder[armmachinelearning.ComputeClientGetResponse], errResp azfake.ErrorResponder) {
		for _, c := range w.computes {
			if strings.EqualFold(*c.Name, name) {
				resp.SetResponse(http.StatusOK, armmachinelearning.ComputeClientGetResponse{ComputeResource: *c}, nil)
				return
			}
		}
		errResp.SetResponseError(http.StatusNotFound, "ResourceNotFound")
		return
	}
	w.ml.ComputeServer.BeginCreateOrUpdate = func(_ context.Context, _, _, _ string, params armmachinelearning.ComputeResource, _ *armmachinelearning.ComputeClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[armmachinelearning.ComputeClientCreateOrUpdateResponse], errResp azfake.ErrorResponder) {
		resp.AddNonTerminalResponse(http.StatusCreated, nil)
		resp.SetTerminalResponse(http.StatusOK, armmachinelearning.ComputeClientCreateOrUpdateResponse{ComputeResource: params}, nil)
		return
	}
	w.cs.ManagedClustersServer.NewListPager = func(*armcontainerservice.ManagedClustersClientListOptions) (resp azfake.PagerResponder[armcontainerservice.ManagedClustersClientListResponse]) {
		resp.AddPage(http.StatusOK, armcontainerservice.ManagedClustersClientListResponse{ManagedClusterListResult: armcontainerservice.ManagedClusterListResult{Value: w.clusters}}, nil)
		return
	}
	w.cs.ManagedClustersServer.Get = func(_ context.Context, _, name string, _ *armcontainerservice.ManagedClustersClientGetOptions) (resp azfake.Responder[armcontainerservice.ManagedClustersClientGetResponse], errResp azfake.ErrorResponder) {
		if mc := w.cluster(name); mc != nil {
			resp.SetResponse(http.StatusOK, armcontainerservice.ManagedClustersClientGetResponse{ManagedCluster: *mc}, nil)
			return
		}
		errResp.SetResponseError(http.StatusNotFound, "ResourceNotFound")
		return
	}
	w.cs.ManagedClustersServer.ListKubernetesVersions = func(context.Context, string, *armcontainerservice.ManagedClustersClientListKubernetesVersionsOptions) (resp azfake.Responder[armcontainerservice.ManagedClustersClientListKubernetesVersionsResponse], errResp azfake.ErrorResponder) {
		resp.SetResponse(http.StatusOK, armcontainerservice.ManagedClustersClientListKubernetesVersionsResponse{KubernetesVersionListResult: w.versions}, nil)
		return
	}
	w.cs.AgentPoolsServer.NewListPager = func(_, cluster string, _ *armcontainerservice.AgentPoolsClientListOptions) (resp azfake.PagerResponder[armcontainerservice.AgentPoolsClientListResponse]) {
		var pools []*armcontainerservice.AgentPool
		if mc := w.cluster(cluster); mc != nil {
			for _, p := range mc.Properties.AgentPoolProfiles {
				pools = append(pools, agentPool(tb, p))
			}
		}
		resp.AddPage(http.StatusOK, armcontainerservice.AgentPoolsClientListResponse{AgentPoolListResult: armcontainerservice.AgentPoolListResult{Value: pools}}, nil)
		return
	}
	w.cs.AgentPoolsServer.BeginCreateOrUpdate = func(_ context.Context, _, _, _ string, params armcontainerservice.AgentPool, _ *armcontainerservice.AgentPoolsClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[armcontainerservice.AgentPoolsClientCreateOrUpdateResponse], errResp azfake.ErrorResponder) {
		resp.AddNonTerminalResponse(http.StatusOK, nil)
		resp.SetTerminalResponse(http.StatusOK, armcontainerservice.AgentPoolsClientCreateOrUpdateResponse{AgentPool: params}, nil)
		return
	}
	w.comp.ResourceSKUsServer.NewListPager = func(*armcompute.ResourceSKUsClientListOptions) (resp azfake.PagerResponder[armcompute.ResourceSKUsClientListResponse]) {
		// Two pages, to check that every page is read.
		resp.AddPage(http.StatusOK, armcompute.ResourceSKUsClientListResponse{ResourceSKUsResult: armcompute.ResourceSKUsResult{Value: w.skus[:2]}}, nil)
		resp.AddPage(http.StatusOK, armcompute.ResourceSKUsClientListResponse{ResourceSKUsResult: armcompute.ResourceSKUsResult{Value: w.skus[2:]}}, nil)
		return
	}
	w.net.ServiceTagsServer.List = func(context.Context, string, *armnetwork.ServiceTagsClientListOptions) (resp azfake.Responder[armnetwork.ServiceTagsClientListResponse], errResp azfake.ErrorResponder) {
		resp.SetResponse(http.StatusOK, armnetwork.ServiceTagsClientListResponse{ServiceTagsListResult: w.tags}, nil)
		return
	}
	return w
}

// cluster finds a managed cluster of the world by name.
func (w *world) cluster(name string) *armcontainerservice.ManagedCluster {
	for _, mc := range w.clusters {
		if strings.EqualFold(*mc.Name, name) {
			return mc
		}
	}
	return nil
}

// agentPool turns a cluster's pool profile into the agent pool resource.
func agentPool(tb testing.TB, p *armcontainerservice.ManagedClusterAgentPoolProfile) *armcontainerservice.AgentPool {
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	var props armcontainerservice.ManagedClusterAgentPoolProfileProperties
	if err := json.Unmarshal(b, &props); err != nil {
		tb.Fatal(err)
	}
	return &armcontainerservice.AgentPool{Name: p.Name, Properties: &props}
}

// requests returns what the client sent so far.
func (w *world) requests() []sentRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sentRequest(nil), w.sent...)
}

// find returns the requests with the given method whose path contains part.
func (w *world) find(method, part string) []sentRequest {
	var out []sentRequest
	for _, r := range w.requests() {
		if r.Method == method && strings.Contains(strings.ToLower(r.Path), strings.ToLower(part)) {
			out = append(out, r)
		}
	}
	return out
}

// transport routes each request to the fake server of its resource provider,
// recording it on the way.
func (w *world) transport() policy.Transporter {
	ml := mlfake.NewServerFactoryTransport(&w.ml)
	cs := csfake.NewServerFactoryTransport(&w.cs)
	comp := computefake.NewServerFactoryTransport(&w.comp)
	net := netfake.NewServerFactoryTransport(&w.net)
	subs := subsfake.NewServerFactoryTransport(&w.subs)
	return transportFunc(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		w.mu.Lock()
		w.sent = append(w.sent, sentRequest{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Body: body})
		w.mu.Unlock()
		path := strings.ToLower(req.URL.Path)
		switch {
		case strings.Contains(path, "/providers/microsoft.machinelearningservices/"):
			return ml.Do(req)
		case strings.Contains(path, "/providers/microsoft.containerservice/"):
			return cs.Do(req)
		case strings.Contains(path, "/providers/microsoft.compute/"):
			return comp.Do(req)
		case strings.Contains(path, "/providers/microsoft.network/"):
			return net.Do(req)
		default:
			return subs.Do(req)
		}
	})
}

// transportFunc adapts a function to policy.Transporter.
type transportFunc func(*http.Request) (*http.Response, error)

// Do implements policy.Transporter.
func (f transportFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }

// logBuffer collects the client's log lines; safe for concurrent use.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

// logf is an Options.Logf.
func (l *logBuffer) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// String returns every line logged so far.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// mustClient returns a Client over the world's fake servers, with fast
// retries and polling, closed when the test ends.
func mustClient(tb testing.TB, w *world, logs *logBuffer) *azure.Client {
	tb.Helper()
	opts := azure.Options{
		Transport:     w.transport(),
		Retry:         policy.RetryOptions{RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond},
		PollFrequency: 5 * time.Millisecond,
	}
	if logs != nil {
		opts.Logf = logs.logf
	}
	c, err := azure.New(&azfake.TokenCredential{}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		azure.WaitFollowers(c)
		c.Close()
	})
	return c
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
