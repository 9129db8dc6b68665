package azure_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/armemu/fakeclock"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

// Integration tests: the real client, through the SDK's real pipeline and
// pollers, against the project's ARM emulator over TLS.

var (
	emuEast   = rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "ws-east"}
	emuLocked = rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-locked-rg", Name: "ws-locked"}
)

// emuClusterID is the resource ID of a sample cluster.
func emuClusterID(name string) string {
	return "/subscriptions/" + armemu.SubscriptionID + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/" + name
}

// fastEmulator returns emulator options with short operations and no
// Retry-After, so the SDK pollers use the client's own frequency.
func fastEmulator(d time.Duration) armemu.Options {
	return armemu.Options{CreateDuration: d, AttachDuration: d, UpdateDuration: d, DeleteDuration: d, RetryAfter: -1}
}

// mustServe serves an emulator over TLS for the length of the test, on a
// fake clock (unless opts brings its own) that the tests' waits advance.
func mustServe(tb testing.TB, opts armemu.Options) (*armemu.Emulator, *httptest.Server) {
	tb.Helper()
	var clk *fakeclock.Clock
	if opts.Now == nil {
		clk = fakeclock.New(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
		opts.Now = clk.Now
	}
	emu := armemu.New(opts)
	srv := httptest.NewTLSServer(emu)
	tb.Cleanup(srv.Close)
	if clk != nil {
		clocks.Store(srv.URL, clk)
	}
	return emu, srv
}

// clocks holds the fake clock of each emulator mustServe started, by its
// URL, and of each client of one (mustEmuClient).
var clocks sync.Map // string or *azure.Client → *fakeclock.Clock

// stepLimit bounds how many reads a wait makes: an operation that never
// ends fails the test instead of holding it.
const stepLimit = 10000

// until reads through c until done reports true, advancing the emulator's
// clock by step between two reads. The emulator derives an operation's
// state from its clock on each request, so no read waits for anything.
func until(tb testing.TB, c *azure.Client, step time.Duration, what string, done func() bool) {
	tb.Helper()
	v, ok := clocks.Load(c)
	if !ok {
		tb.Fatal("the client's emulator has no fake clock")
	}
	clk := v.(*fakeclock.Clock)
	for range stepLimit {
		if done() {
			return
		}
		clk.Advance(step)
	}
	tb.Fatalf("%s: not after %d steps of %v of the emulator's clock", what, stepLimit, step)
}

// mustEmuClient returns a client of the emulator with fast retries and
// polling, closed when the test ends (before the server is).
func mustEmuClient(tb testing.TB, srv *httptest.Server, logs *logBuffer) *azure.Client {
	tb.Helper()
	opts := azure.ForEndpoint(srv.URL, srv.Client())
	opts.PollFrequency = 20 * time.Millisecond
	opts.Retry = policy.RetryOptions{RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 2 * time.Second}
	if logs != nil {
		opts.Logf = logs.logf
	}
	c, err := azure.New(azure.StaticCredential{}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if clk, ok := clocks.Load(srv.URL); ok {
		clocks.Store(c, clk)
	}
	return c
}

// opStep is how far the waits advance the emulator's clock between two reads.
const opStep = 10 * time.Millisecond

// waitState reads the compute until its state is want, advancing the
// emulator's clock.
func waitState(tb testing.TB, c *azure.Client, ref rules.WorkspaceRef, name, want string) rules.Compute {
	tb.Helper()
	var got rules.Compute
	until(tb, c, opStep, "compute "+name+" is never "+want, func() bool {
		var err error
		if got, err = c.Compute(context.Background(), ref, name); err != nil {
			tb.Fatalf("Compute(%s): %v", name, err)
		}
		return got.State == want
	})
	return got
}

// checkEmuClean fails the test when a message shows a URL or the emulator's subscription.
func checkEmuClean(tb testing.TB, msg string) {
	tb.Helper()
	checkClean(tb, msg)
	if strings.Contains(msg, armemu.SubscriptionID) || strings.Contains(msg, armemu.TenantID) {
		tb.Errorf("message shows an ID: %q", msg)
	}
}

func TestEmulatorWorkspaces(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	ws, err := c.Workspaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]rules.Workspace{}
	for _, w := range ws {
		byName[w.Name] = w
	}
	for name, loc := range map[string]string{"ws-east": "eastus", "ws-west": "westus", "ws-locked": "eastus"} {
		if got := byName[name]; got.Location != loc || got.Subscription != armemu.SubscriptionID {
			t.Errorf("workspace %s = %+v, want location %s in the sample subscription", name, got, loc)
		}
	}
	got, err := c.Workspace(context.Background(), emuEast)
	if err != nil || got.Location != "eastus" {
		t.Errorf("Workspace(ws-east) = %+v, %v", got, err)
	}
	_, err = c.Workspace(context.Background(), rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "no-rg", Name: "ws-east"})
	re := wantCode(t, err, rules.ErrNotFound, "workspace.name")
	checkEmuClean(t, re.Message)
	before := emu.Requests()
	_, err = c.Workspace(context.Background(), rules.WorkspaceRef{Subscription: armemu.SubscriptionID, Name: "ws-east"})
	wantCode(t, err, rules.ErrInvalid, "workspace.resourceGroup")
	if n := emu.Requests() - before; n != 0 {
		t.Errorf("a workspace without a resource group reached the emulator %d times", n)
	}
}

// TestEmulatorSubscriptionsFromOptions: with Options.Subscriptions set, the
// client searches those and never lists the subscriptions.
func TestEmulatorSubscriptionsFromOptions(t *testing.T) {
	emu := armemu.New(fastEmulator(200 * time.Millisecond))
	var listed atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(strings.TrimSuffix(r.URL.Path, "/"), "/subscriptions") {
			listed.Add(1)
		}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	opts := azure.ForEndpoint(srv.URL, srv.Client())
	opts.Subscriptions = []string{armemu.SubscriptionID}
	c, err := azure.New(azure.StaticCredential{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ws, err := c.Workspaces(context.Background())
	if err != nil || !slices.ContainsFunc(ws, func(w rules.Workspace) bool { return w.Name == "ws-east" }) {
		t.Fatalf("Workspaces = %+v, %v; want ws-east", ws, err)
	}
	if n := listed.Load(); n != 0 {
		t.Errorf("listed the subscriptions %d times although Options.Subscriptions is set", n)
	}
}

// TestEmulatorClusterIDs: a cluster ID is found whatever the case of its
// segments, and what is not a cluster ID is refused before it reaches ARM.
func TestEmulatorClusterIDs(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	got, err := c.Cluster(context.Background(), strings.ToLower(emuClusterID("aks-private")))
	if err != nil || got.Name != "aks-private" || !got.Private {
		t.Errorf("Cluster(lower-case ID) = %+v, %v; want aks-private", got, err)
	}
	_, err = c.Cluster(context.Background(), emuClusterID("aks-nope"))
	checkEmuClean(t, wantCode(t, err, rules.ErrNotFound, "target.resourceId").Message)
	for _, id := range []string{"/subscriptions/" + armemu.SubscriptionID + "/resourceGroups/aks-rg", "aks-healthy"} {
		before := emu.Requests()
		_, err := c.Cluster(context.Background(), id)
		wantCode(t, err, rules.ErrInvalid, "target.resourceId")
		if n := emu.Requests() - before; n != 0 {
			t.Errorf("Cluster(%q) reached the emulator %d times", id, n)
		}
	}
}

// TestEmulatorChecksBeforeSending: a target that is not a cluster ID and a
// workspace that does not exist are refused before any write.
func TestEmulatorChecksBeforeSending(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	bad := rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: "aks-new",
		Target: rules.Target{ResourceID: "/subscriptions/" + armemu.SubscriptionID + "/resourceGroups/aks-rg"}}.Normalized("eastus")
	wantCode(t, c.Provision(context.Background(), bad), rules.ErrInvalid, "target.resourceId")
	missing := rules.Request{Workspace: rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "nope"}, Name: "aks-new"}.Normalized("eastus")
	wantCode(t, c.Provision(context.Background(), missing), rules.ErrNotFound, "workspace.name")
	if n := emu.Writes(); n != 0 {
		t.Errorf("%d writes sent, want none", n)
	}
}

func TestEmulatorCatalog(t *testing.T) {
	_, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	ctx := context.Background()

	sizes, err := c.VMSizes(ctx, armemu.SubscriptionID, "eastus")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(sizes, func(s rules.VMSize) bool { return s.Name == "Standard_D3_v2" })
	if i < 0 || sizes[i].VCPUs != 4 {
		t.Errorf("VMSizes has no Standard_D3_v2 with 4 cores: %+v", sizes)
	}
	if !slices.ContainsFunc(sizes, func(s rules.VMSize) bool { return s.GPUs > 0 }) {
		t.Errorf("VMSizes has no GPU size")
	}

	versions, err := c.KubernetesVersions(ctx, armemu.SubscriptionID, "eastus")
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]rules.KubernetesVersion{}
	for _, v := range versions {
		flags[v.Version] = v
	}
	if !flags["1.32.7"].Default || !flags["1.33.2"].Preview || flags["1.31.10"].Version == "" || flags["1.31.10"].Default {
		t.Errorf("KubernetesVersions = %+v, want 1.31.10, 1.32.7 default, 1.33.2 preview", versions)
	}

	ranges, paired, err := c.AMLRanges(ctx, armemu.SubscriptionID, "eastus")
	if err != nil || len(ranges) == 0 || paired != "westus" {
		t.Errorf("AMLRanges = %q, %q, %v; want ranges and the pair westus", ranges, paired, err)
	}

	clusters, err := c.Clusters(ctx, armemu.SubscriptionID)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"aks-healthy", "aks-private", "aks-old", "aks-west"} {
		if !slices.ContainsFunc(clusters, func(cl rules.Cluster) bool { return cl.Name == name }) {
			t.Errorf("Clusters has no %s", name)
		}
	}
	gpu, err := c.Cluster(ctx, emuClusterID("aks-gpu-secondary"))
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.Pool{
		{Name: "nodepool1", System: true, VMSize: "Standard_D4s_v3", Count: 3, VCPUs: 4, MemoryGB: 16},
		{Name: "gpupool", VMSize: "Standard_NC6s_v3", Count: 2, VCPUs: 6, MemoryGB: 112, GPU: true},
	}
	if d := diff(want, gpu.Pools); d != "" {
		t.Errorf("aks-gpu-secondary pools mismatch (-want +got):\n%s", d)
	}
	private, err := c.Cluster(ctx, emuClusterID("aks-private"))
	if err != nil || !private.Private || !private.PrivateFQDNPublic {
		t.Errorf("aks-private = %+v, %v; want private with a public FQDN", private, err)
	}
}

func TestEmulatorCreate(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(time.Second))
	var logs logBuffer
	c := mustEmuClient(t, srv, &logs)
	req := rules.Request{Workspace: emuEast, Name: "aks-new", Description: "new scoring",
		TLS:  rules.TLS{Mode: rules.TLSCustom, CertPEM: testCert, KeyPEM: testKey, CNAME: "scoring.contoso.com"},
		Tags: map[string]string{"team": "ml"}}.Normalized("eastus")
	writes := emu.Writes()
	start := time.Now()
	if err := c.Provision(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("Provision took %v: it must return once the PUT is accepted", d)
	}
	if n := emu.Writes() - writes; n != 1 {
		t.Errorf("Provision made %d writes, want 1", n)
	}
	if got, err := c.Compute(context.Background(), emuEast, "aks-new"); err != nil || got.State != "Creating" {
		t.Errorf("Compute right after Provision = %+v, %v; want Creating", got, err)
	}
	got := waitState(t, c, emuEast, "aks-new", "Succeeded")
	if got.Version != "1.32.7" || got.Nodes != 3 || got.VCPUs != 12 || got.VMSize != "Standard_D3_v2" ||
		got.ClusterID == "" || got.Attached || got.Purpose != rules.PurposeFastProd || got.Description != "new scoring" ||
		got.CreatedOn == "" || len(got.Errors) != 0 {
		t.Errorf("created compute = %+v", got)
	}
	if _, err := c.Cluster(context.Background(), got.ClusterID); err != nil {
		t.Errorf("the created cluster cannot be read: %v", err)
	}
	// The background poller logs the outcome.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "create of compute aks-new in workspace ws-east: succeeded") {
		if time.Now().After(deadline) {
			t.Fatalf("log = %q, want the outcome", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The certificate and its key never reach the log.
	for _, secret := range []string{"CERTDATA", "KEYDATA", "PRIVATE KEY"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log shows %q: %q", secret, logs.String())
		}
	}
}

func TestEmulatorAttach(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	id := emuClusterID("aks-healthy")
	req := rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: "aks-h", Target: rules.Target{ResourceID: id}}.Normalized("eastus")
	if err := c.Provision(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := waitState(t, c, emuEast, "aks-h", "Succeeded")
	if !got.Attached || !strings.EqualFold(got.ClusterID, id) || got.Version != "1.32.7" || got.Nodes != 3 || got.VCPUs != 12 {
		t.Errorf("attached compute = %+v", got)
	}
	if a := emu.Attachments(id); len(a) != 1 || !strings.HasSuffix(a[0], "/ws-east/aks-h") {
		t.Errorf("Attachments = %q, want ws-east/aks-h", a)
	}
}

func TestEmulatorScale(t *testing.T) {
	_, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	if err := c.Scale(context.Background(), emuEast, "aks-attached", 5); err != nil {
		t.Fatal(err)
	}
	until(t, c, opStep, "the compute never has 5 nodes", func() bool {
		got, err := c.Compute(context.Background(), emuEast, "aks-attached")
		if err != nil {
			t.Fatal(err)
		}
		if got.Nodes == 5 && got.VCPUs != 20 {
			t.Errorf("VCPUs = %d, want 5 × 4", got.VCPUs)
		}
		return got.Nodes == 5
	})
}

func TestEmulatorDetachKeepsTheCluster(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	id := emuClusterID("aks-attached")
	if err := c.Detach(context.Background(), emuEast, "aks-attached"); err != nil {
		t.Fatal(err)
	}
	until(t, c, opStep, "the compute is still there", func() bool {
		_, err := c.Compute(context.Background(), emuEast, "aks-attached")
		if err != nil {
			wantCode(t, err, rules.ErrNotFound, "name")
		}
		return err != nil
	})
	if _, err := c.Cluster(context.Background(), id); err != nil {
		t.Errorf("the cluster is gone after a detach: %v", err)
	}
	if a := emu.Attachments(id); len(a) != 0 {
		t.Errorf("Attachments = %q, want none", a)
	}
}

func TestEmulatorRefusals(t *testing.T) {
	create := func(name string, mutate func(*rules.Request)) rules.Request {
		r := rules.Request{Workspace: emuEast, Name: name}
		if mutate != nil {
			mutate(&r)
		}
		return r.Normalized("eastus")
	}
	attach := func(name, cluster string) rules.Request {
		return rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: name,
			Target: rules.Target{ResourceID: emuClusterID(cluster)}}.Normalized("eastus")
	}
	tests := []struct {
		name  string
		fault *armemu.Fault
		req   rules.Request
		code  rules.ErrorCode
		field string
		words string
	}{
		{name: "name taken", req: create("aks-attached", nil), code: rules.ErrConflict, field: "name"},
		{name: "too small for production", req: create("aks-small1", func(r *rules.Request) { r.NodeCount = 1 }),
			code: rules.ErrInvalid, words: "needs at least 3 nodes"},
		{name: "unknown size", req: create("aks-size", func(r *rules.Request) { r.VMSize = "Standard_Nope" }),
			code: rules.ErrInvalid, words: "Standard_Nope"},
		{name: "missing ranges", req: attach("aks-m", "aks-missing-ranges"), code: rules.ErrInvalid, field: "target.resourceId", words: "authorized IP ranges"},
		{name: "private with public FQDN", req: attach("aks-p", "aks-private"), code: rules.ErrInvalid, field: "target.resourceId", words: "public FQDN"},
		{name: "no such cluster", req: attach("aks-x", "aks-nope"), code: rules.ErrNotFound, field: "target.resourceId"},
		{name: "role missing", req: create("aks-role", nil), code: rules.ErrForbidden, words: "AzureML Compute Operator",
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusForbidden, Code: "AuthorizationFailed",
				Message: "The client '" + armemu.TenantID + "' does not have authorization over scope '/subscriptions/" + armemu.SubscriptionID + "'. See https://aka.ms/rbac."}},
		{name: "policy", req: create("aks-pol", nil), code: rules.ErrPolicy, words: "userDefinedRouting",
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusForbidden, Code: "RequestDisallowedByPolicy"}},
		{name: "throttled past the retries", req: create("aks-429", nil), code: rules.ErrTooMany,
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusTooManyRequests, Times: 10}},
		{name: "down past the retries", req: create("aks-503", nil), code: rules.ErrUnavailable,
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusServiceUnavailable, Times: 10}},
		{name: "connection dropped past the retries", req: create("aks-drop", nil), code: rules.ErrUnavailable,
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Drop: true, Times: 10}},
		{name: "role on the workspace", req: create("aks-role2", nil), code: rules.ErrForbidden, words: "on the workspace ws-east",
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusForbidden, Code: "AuthorizationFailed"}},
		{name: "linked role", req: attach("aks-l", "aks-healthy"), code: rules.ErrForbidden, field: "target.resourceId",
			words: "Owner or Contributor on the cluster's resource group, and the Azure Kubernetes Service Cluster Admin Role",
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusForbidden, Code: "LinkedAuthorizationFailed"}},
		{name: "quota", req: create("aks-q", nil), code: rules.ErrQuota, words: "fewer nodes",
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusConflict, Code: "QuotaExceeded"}},
		{name: "conflict on the cluster", req: attach("aks-c", "aks-healthy"), code: rules.ErrConflict, field: "target.resourceId",
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusConflict, Code: "Conflict"}},
		{name: "bad request", req: create("aks-bad", nil), code: rules.ErrInvalid,
			fault: &armemu.Fault{Method: "PUT", PathContains: "/computes/", Status: http.StatusBadRequest, Code: "BadArgument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, srv := mustServe(t, fastEmulator(200*time.Millisecond))
			if tt.fault != nil {
				emu.Inject(*tt.fault)
			}
			c := mustEmuClient(t, srv, nil)
			re := wantCode(t, c.Provision(context.Background(), tt.req), tt.code, tt.field)
			checkEmuClean(t, re.Message)
			if !strings.Contains(re.Message, tt.words) {
				t.Errorf("message = %q, want it to say %q", re.Message, tt.words)
			}
			if tt.fault != nil && tt.fault.Code != "" && re.ARMCode != tt.fault.Code {
				t.Errorf("ARMCode = %q, want %q", re.ARMCode, tt.fault.Code)
			}
			if tt.name == "name taken" && emu.Writes() != 0 {
				t.Errorf("%d writes sent for an existing name, want none", emu.Writes())
			}
		})
	}
}

// TestEmulatorLateRefusals provisions what Azure ML accepts and fails later
// (the recorded shapes of testdata/recorded): Provision succeeds, and once the
// operation has ended the compute reads Failed with the nested reason in
// plain words and its deepest code.
func TestEmulatorLateRefusals(t *testing.T) {
	normalized := func(r rules.Request) rules.Request { return r.Normalized("eastus") }
	tests := []struct {
		name  string
		req   rules.Request
		words string
	}{
		{name: "quota quoted in a BadArgument", req: normalized(rules.Request{Workspace: emuEast, Name: "aks-big", NodeCount: 30}),
			words: azure.QuotaWords + " (QuotaExceeded)"},
		{name: "policy quoted in a BadArgument", req: normalized(rules.Request{Workspace: emuLocked, Name: "aks-pol"}),
			words: "An Azure Policy refused this request."},
		{name: "version in details", req: normalized(rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: "aks-o",
			Target: rules.Target{ResourceID: emuClusterID("aks-old")}}),
			words: "Azure does not support the requested version: Specified kubernetes version 1.27.9 is not supported. Supported versions are between 1.31 - 1.33 (BadRequestFormat)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
			opts := fastEmulator(time.Minute)
			opts.Now = clk.Now
			_, srv := mustServe(t, opts)
			c := mustEmuClient(t, srv, nil)
			if err := c.Provision(context.Background(), tt.req); err != nil {
				t.Fatalf("Provision = %v, want accepted (Azure fails it later)", err)
			}
			clk.Advance(time.Hour)
			got, err := c.Compute(context.Background(), tt.req.Workspace, tt.req.Name)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != "Failed" || len(got.Errors) != 1 || !strings.Contains(got.Errors[0], tt.words) {
				t.Errorf("compute = %s %q, want Failed with %q", got.State, got.Errors, tt.words)
			}
		})
	}
}

func TestEmulatorRetries(t *testing.T) {
	tests := []struct {
		name  string
		fault armemu.Fault
	}{
		{name: "429 with Retry-After", fault: armemu.Fault{Method: "GET", PathContains: "/computes/aks-attached", Status: 429, RetryAfter: time.Second}},
		{name: "500", fault: armemu.Fault{Method: "GET", PathContains: "/computes/aks-attached", Status: 500, Times: 2}},
		{name: "503", fault: armemu.Fault{Method: "GET", PathContains: "/computes/aks-attached", Status: 503, Times: 3}},
		{name: "dropped", fault: armemu.Fault{Method: "GET", PathContains: "/computes/aks-attached", Drop: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, srv := mustServe(t, fastEmulator(200*time.Millisecond))
			emu.Inject(tt.fault)
			c := mustEmuClient(t, srv, nil)
			got, err := c.Compute(context.Background(), emuEast, "aks-attached")
			if err != nil || got.State != "Succeeded" {
				t.Errorf("Compute = %+v, %v; want it read after the retries", got, err)
			}
		})
	}
}

func TestEmulatorFailedOperation(t *testing.T) {
	_, srv := mustServe(t, fastEmulator(200*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	// The locked resource group's policy denies public IPs: the PUT is
	// accepted and the operation fails.
	if err := c.Provision(context.Background(), rules.Request{Workspace: emuLocked, Name: "aks-locked"}.Normalized("eastus")); err != nil {
		t.Fatal(err)
	}
	got := waitState(t, c, emuLocked, "aks-locked", "Failed")
	if len(got.Errors) != 1 || !strings.Contains(got.Errors[0], "userDefinedRouting") || !strings.Contains(got.Errors[0], "(RequestDisallowedByPolicy)") {
		t.Errorf("errors = %q, want the policy explanation", got.Errors)
	}
	for _, e := range got.Errors {
		checkEmuClean(t, e)
	}
}

func TestEmulatorRestart(t *testing.T) {
	_, srv := mustServe(t, fastEmulator(300*time.Millisecond))
	first := mustEmuClient(t, srv, nil)
	if err := first.Provision(context.Background(), rules.Request{Workspace: emuEast, Name: "aks-restart"}.Normalized("eastus")); err != nil {
		t.Fatal(err)
	}
	first.Close() // the proxy stops; the operation goes on in Azure
	second := mustEmuClient(t, srv, nil)
	got := waitState(t, second, emuEast, "aks-restart", "Succeeded")
	if got.Version == "" || got.Nodes != 3 {
		t.Errorf("compute read by a new client = %+v", got)
	}
}
