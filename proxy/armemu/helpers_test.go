package armemu_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/armemu/fakeclock"
)

const (
	sub       = armemu.SubscriptionID
	clusterRG = "aks-rg"
)

func clusterID(name string) string {
	return "/subscriptions/" + sub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/" + name
}

// newFakeClock is a clock tests move by hand.
func newFakeClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
}

// staticCredential is a TokenCredential that always returns the same token.
type staticCredential struct{}

func (staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "emulated-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// clients are the official SDK clients pointed at one emulator.
type clients struct {
	emu         *armemu.Emulator
	srv         *httptest.Server
	subs        *armsubscriptions.Client
	workspaces  *armmachinelearning.WorkspacesClient
	computes    *armmachinelearning.ComputeClient
	clusters    *armcontainerservice.ManagedClustersClient
	pools       *armcontainerservice.AgentPoolsClient
	skus        *armcompute.ResourceSKUsClient
	serviceTags *armnetwork.ServiceTagsClient
	co          *arm.ClientOptions
}

// options are the client options that reach the emulator, for more clients.
func (c *clients) options() *arm.ClientOptions { return c.co }

// fastOptions are emulator timings for tests that poll with the real clock.
func fastOptions() armemu.Options {
	return armemu.Options{
		CreateDuration:    40 * time.Millisecond,
		AttachDuration:    30 * time.Millisecond,
		UpdateDuration:    20 * time.Millisecond,
		DeleteDuration:    20 * time.Millisecond,
		ExtensionDuration: 30 * time.Millisecond,
		RetryAfter:        -1,
	}
}

// mustClients starts a TLS server over a new emulator and builds the SDK
// clients against it.
func mustClients(tb testing.TB, opts armemu.Options) *clients {
	tb.Helper()
	emu := armemu.New(opts)
	srv := httptest.NewTLSServer(emu)
	tb.Cleanup(srv.Close)
	co := &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: srv.URL, Audience: "https://management.azure.com"},
		}},
		Transport: srv.Client(),
		// A Retry-After longer than MaxRetryDelay stops the SDK retrying.
		Retry: policy.RetryOptions{RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Second},
	}}
	cred := staticCredential{}
	c := &clients{emu: emu, srv: srv, co: co}
	var err error
	must := func(e error) {
		if e != nil && err == nil {
			err = e
		}
	}
	var e error
	c.subs, e = armsubscriptions.NewClient(cred, co)
	must(e)
	c.workspaces, e = armmachinelearning.NewWorkspacesClient(sub, cred, co)
	must(e)
	c.computes, e = armmachinelearning.NewComputeClient(sub, cred, co)
	must(e)
	c.clusters, e = armcontainerservice.NewManagedClustersClient(sub, cred, co)
	must(e)
	c.pools, e = armcontainerservice.NewAgentPoolsClient(sub, cred, co)
	must(e)
	c.skus, e = armcompute.NewResourceSKUsClient(sub, cred, co)
	must(e)
	c.serviceTags, e = armnetwork.NewServiceTagsClient(sub, cred, co)
	must(e)
	if err != nil {
		tb.Fatalf("building SDK clients: %v", err)
	}
	return c
}

func pollFast() *runtime.PollUntilDoneOptions {
	return &runtime.PollUntilDoneOptions{Frequency: 10 * time.Millisecond}
}

func mustContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// mustResponseError returns err as an *azcore.ResponseError.
func mustResponseError(tb testing.TB, err error) *azcore.ResponseError {
	tb.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		tb.Fatalf("error %v is not an *azcore.ResponseError", err)
	}
	return re
}

// mustGetJSON does a raw GET of path (with its query) against the emulator
// and decodes the JSON answer.
func mustGetJSON(tb testing.TB, c *clients, path string) (int, http.Header, map[string]any) {
	tb.Helper()
	return mustDo(tb, c, http.MethodGet, path, "")
}

func mustDo(tb testing.TB, c *clients, method, path, body string) (int, http.Header, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			tb.Fatalf("%s %s: body is not JSON: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func ptr[T any](v T) *T { return &v }

// aksCreate is a valid create request body for the SDK.
func aksCreate(size string, count int32, purpose armmachinelearning.ClusterPurpose) armmachinelearning.ComputeResource {
	return armmachinelearning.ComputeResource{
		Location: ptr("eastus"),
		Properties: &armmachinelearning.AKS{
			ComputeType: ptr(armmachinelearning.ComputeTypeAKS),
			Description: ptr("created by a test"),
			Properties: &armmachinelearning.AKSSchemaProperties{
				AgentCount:     ptr(count),
				AgentVMSize:    ptr(size),
				ClusterPurpose: ptr(purpose),
			},
		},
	}
}

// aksAttach is an attach request body for the SDK.
func aksAttach(id string, purpose armmachinelearning.ClusterPurpose) armmachinelearning.ComputeResource {
	return armmachinelearning.ComputeResource{
		Location: ptr("eastus"),
		Properties: &armmachinelearning.AKS{
			ComputeType: ptr(armmachinelearning.ComputeTypeAKS),
			ResourceID:  ptr(id),
			Properties:  &armmachinelearning.AKSSchemaProperties{ClusterPurpose: ptr(purpose)},
		},
	}
}

// mustAKS returns the AKS properties of a compute.
func mustAKS(tb testing.TB, r armmachinelearning.ComputeResource) *armmachinelearning.AKS {
	tb.Helper()
	a, ok := r.Properties.(*armmachinelearning.AKS)
	if !ok {
		tb.Fatalf("compute %v has properties %T, want *AKS", deref(r.Name), r.Properties)
	}
	return a
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
