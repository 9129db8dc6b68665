//go:build !(js && wasm)

package proxy_test

// Integration tests: the real proxy, over the real Azure adapter
// (proxy/azure, the official SDK's pipeline, retries and pollers), against
// the ARM emulator served over TLS, wired as `amlaks serve` wires them when
// there is no Azure credential.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	wiring "github.com/amlaks/amlaks/proxy/serve"
	"github.com/amlaks/amlaks/rules"
)

var (
	emuEast   = rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "ws-east"}
	emuLocked = rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: armemu.LockedResourceGroup, Name: "ws-locked"}
)

// emuClusterID is the resource ID of a sample cluster of the emulator.
func emuClusterID(name string) string {
	return "/subscriptions/" + armemu.SubscriptionID + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/" + name
}

// fastOptions are emulator options with short operations and Retry-After
// "0", so nothing waits long.
func fastOptions() armemu.Options {
	return armemu.Options{
		CreateDuration: 300 * time.Millisecond, AttachDuration: 200 * time.Millisecond,
		UpdateDuration: 200 * time.Millisecond, DeleteDuration: 200 * time.Millisecond,
		RetryAfter: -1,
	}
}

// mustEmulator is an emulator for the length of the test; the second value
// is what a proxy is started over (startMain serves it over TLS).
func mustEmulator(tb testing.TB, opts armemu.Options) (*armemu.Emulator, http.Handler) {
	tb.Helper()
	var clock *manualClock
	if opts.Now == nil {
		clock = newClock()
		opts.Now = clock.Now
	}
	emu := armemu.New(opts)
	if clock != nil {
		clocks.Store(http.Handler(emu), clock)
	}
	return emu, emu
}

// apiServer is one amlaks server (wiring.Main), with its own Azure adapter.
type apiServer struct {
	*wiring.Main
	az    *azure.Client
	clock *manualClock // the emulator's (mustEmulator), which also paces the proxy's pollers
}

// close stops the server and its adapter, as a stopped process would.
func (s *apiServer) close() { _ = s.Main.Close() }

// mustProxy starts an amlaks server over the emulator arm (startMain).
// retry, when set, replaces the default retries.
func mustProxy(tb testing.TB, arm http.Handler, retry *azure.RetryOptions) *apiServer {
	tb.Helper()
	m := startMain(tb, arm, mainOptions{
		azure: func(o *azure.Options) {
			o.PollFrequency = 20 * time.Millisecond // the emulator sends Retry-After 0: the proxy polls at this pace
			o.NoFollow = false
			if retry != nil {
				o.Retry = *retry
			}
		},
	})
	return &apiServer{Main: m, az: m.AzureClient, clock: clockOf(arm)}
}

// mustStack is an emulator with fast operations and one proxy in front of it.
func mustStack(tb testing.TB) (*armemu.Emulator, *apiServer) {
	tb.Helper()
	emu, arm := mustEmulator(tb, fastOptions())
	return emu, mustProxy(tb, arm, nil)
}

// call sends a JSON request to the proxy and decodes the answer into out
// (when not nil). It returns the status and the raw body.
func call(tb testing.TB, s *apiServer, method, path string, in, out any) (int, []byte) {
	tb.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode, data
}

// mustAccept sends a write and wants 202 with the operation's URL.
func mustAccept(tb testing.TB, s *apiServer, method, path string, in any) string {
	tb.Helper()
	var a struct{ Operation string }
	st, body := call(tb, s, method, path, in, nil)
	if st != http.StatusAccepted {
		tb.Fatalf("%s %s: status %d, want 202: %s", method, path, st, body)
	}
	if err := json.Unmarshal(body, &a); err != nil || !strings.HasPrefix(a.Operation, "/api/operations/") {
		tb.Fatalf("%s %s: answer %s has no operation", method, path, body)
	}
	return a.Operation
}

// operation reads an operation's state.
func operation(tb testing.TB, s *apiServer, path string) rules.OperationState {
	tb.Helper()
	var st rules.OperationState
	if code, body := call(tb, s, "GET", path, nil, &st); code != http.StatusOK {
		tb.Fatalf("GET %s: status %d: %s", path, code, body)
	}
	return st
}

// waitDone advances the emulator's clock and reads an operation until
// Azure reports it done, and returns the states seen on the way (the last
// one done).
func waitDone(tb testing.TB, s *apiServer, path string) []rules.OperationState {
	tb.Helper()
	var seen []rules.OperationState
	s.clock.drive(tb, opStep, func() bool {
		st := operation(tb, s, path)
		seen = append(seen, st)
		return st.Done
	})
	return seen
}

// opStep is how far the tests advance the emulator's clock at a time while
// they wait for an operation: a third of fastOptions' shortest operation, so
// that a poll may still see it run.
const opStep = 100 * time.Millisecond

// computes lists the AKS computes of ws-east through the proxy.
func computes(tb testing.TB, s *apiServer) []rules.Compute {
	tb.Helper()
	var got struct{ Computes []rules.Compute }
	if code, body := call(tb, s, "GET", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes", nil, &got); code != 200 {
		tb.Fatalf("computes: status %d: %s", code, body)
	}
	return got.Computes
}

// clusters lists the clusters of the sample subscription through the proxy.
func clusters(tb testing.TB, s *apiServer) []rules.Cluster {
	tb.Helper()
	var got struct{ Clusters []rules.Cluster }
	if code, body := call(tb, s, "GET", "/api/clusters?subscription="+armemu.SubscriptionID, nil, &got); code != 200 {
		tb.Fatalf("clusters: status %d: %s", code, body)
	}
	return got.Clusters
}

var (
	guidText = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	urlText  = regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]*://`)
)

// checkPlain fails the test when a message meant for a person is empty or
// shows a URL, a GUID (the subscription, the tenant) or a resource ID.
func checkPlain(tb testing.TB, msg string) {
	tb.Helper()
	if strings.TrimSpace(msg) == "" {
		tb.Error("the message is empty")
	}
	if guidText.MatchString(msg) || urlText.MatchString(msg) || strings.Contains(strings.ToLower(msg), "/subscriptions/") {
		tb.Errorf("message shows a URL, an ID or a GUID: %q", msg)
	}
}

func opURL(ref rules.WorkspaceRef, name string) string {
	return "/api/operations/" + ref.Subscription + "/" + ref.ResourceGroup + "/" + ref.Name + "/" + name
}

// TestIntegrationReads reads the sample world through the proxy: the
// workspaces, a location's versions and sizes, the clusters, the computes
// and the facts of an attach.
func TestIntegrationReads(t *testing.T) {
	_, s := mustStack(t)
	var ws struct{ Workspaces []rules.Workspace }
	call(t, s, "GET", "/api/workspaces", nil, &ws)
	if !slices.Contains(ws.Workspaces, rules.Workspace{WorkspaceRef: emuEast, Location: "eastus"}) {
		t.Errorf("workspaces = %+v, want ws-east in eastus", ws.Workspaces)
	}
	var vs struct{ Versions []rules.KubernetesVersion }
	call(t, s, "GET", "/api/locations/eastus/versions", nil, &vs)
	if def, ok := rules.DefaultVersion(vs.Versions); !ok || def.Version != "1.32.7" {
		t.Errorf("versions = %+v, want 1.32.7 as the default", vs.Versions)
	}
	var locs struct{ Locations []rules.Location }
	call(t, s, "GET", "/api/locations", nil, &locs)
	if !slices.Contains(locs.Locations, rules.Location{Name: "eastus", DisplayName: "East US", Paired: "westus"}) {
		t.Errorf("locations = %+v, want eastus paired with westus", locs.Locations)
	}
	var sizes struct{ VMSizes []rules.VMSize }
	call(t, s, "GET", "/api/locations/eastus/vmsizes", nil, &sizes)
	if d3, ok := rules.FindVMSize(sizes.VMSizes, "Standard_D3_v2"); !ok || d3.VCPUs != 4 {
		t.Errorf("vm sizes = %+v, want Standard_D3_v2 with 4 cores", sizes.VMSizes)
	}
	if !slices.ContainsFunc(clusters(t, s), func(c rules.Cluster) bool { return c.Name == "aks-healthy" && c.VCPUs() == 12 }) {
		t.Error("the clusters lack aks-healthy with 12 vCPUs")
	}
	if !slices.ContainsFunc(computes(t, s), func(c rules.Compute) bool {
		return c.Name == "aks-attached" && c.Attached && c.Nodes == 3 && c.Version == "1.32.7"
	}) {
		t.Errorf("computes = %+v, want aks-attached", computes(t, s))
	}
	// The sample attachment ended 20 days ago, in the second it started.
	if st := operation(t, s, opURL(emuEast, "aks-attached")); !st.Succeeded || st.Mode != rules.ModeAttach || st.ElapsedSec > 60 {
		t.Errorf("operation of aks-attached = %+v, want an attach that took under a minute", st)
	}
	var facts rules.Facts
	attach := rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: "aks-h", Target: rules.Target{ResourceGroup: "aks-rg", Name: "aks-missing-ranges"}}
	if code, body := call(t, s, "POST", "/api/facts", attach, &facts); code != 200 {
		t.Fatalf("facts: %d %s", code, body)
	}
	if facts.WorkspaceLocation != "eastus" || facts.PairedRegion != "westus" || len(facts.AMLRanges) == 0 ||
		facts.Cluster == nil || len(facts.Cluster.AuthorizedIPRanges) == 0 || !slices.Contains(facts.RegionNames, "scoring-prod") {
		t.Errorf("facts = %+v", facts)
	}
}

// TestIntegrationCreate creates a cluster through the proxy and follows the
// operation from Creating to Succeeded.
func TestIntegrationCreate(t *testing.T) {
	emu, s := mustStack(t)
	writes := emu.Writes()
	op := mustAccept(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-new", Description: "scoring"})
	if op != opURL(emuEast, "aks-new") {
		t.Errorf("operation = %q", op)
	}
	if n := emu.Writes() - writes; n != 1 {
		t.Errorf("the create made %d writes, want one PUT", n)
	}
	seen := waitDone(t, s, op)
	if seen[0].State != "Creating" || seen[0].Done || seen[0].Mode != rules.ModeCreate || seen[0].ExpectedSec != 600 {
		t.Errorf("first state = %+v, want Creating, a create of about 600s", seen[0])
	}
	last := seen[len(seen)-1]
	if !last.Succeeded || last.State != "Succeeded" || last.Compute == nil || len(last.Errors) != 0 {
		t.Fatalf("last state = %+v, want Succeeded", last)
	}
	if c := last.Compute; c.Version != "1.32.7" || c.Nodes != 3 || c.VCPUs != 12 || c.VMSize != "Standard_D3_v2" || c.Attached || c.Description != "scoring" {
		t.Errorf("created compute = %+v", c)
	}
	if !slices.ContainsFunc(computes(t, s), func(c rules.Compute) bool { return c.Name == "aks-new" && c.State == "Succeeded" }) {
		t.Error("the inventory lacks aks-new")
	}
	if !slices.ContainsFunc(clusters(t, s), func(c rules.Cluster) bool { return strings.EqualFold(c.ID, last.Compute.ClusterID) }) {
		t.Errorf("no cluster %s in the subscription", last.Compute.ClusterID)
	}
	if n := emu.Writes() - writes; n != 1 {
		t.Errorf("following the create made %d writes in all, want the one PUT", n)
	}
}

// TestIntegrationAttach attaches aks-healthy to ws-east by resource group
// and name, and follows the operation to Succeeded.
func TestIntegrationAttach(t *testing.T) {
	emu, s := mustStack(t)
	id := emuClusterID("aks-healthy")
	op := mustAccept(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: "aks-h",
		Purpose: rules.PurposeDevTest, Target: rules.Target{ResourceGroup: "aks-rg", Name: "aks-healthy"}})
	seen := waitDone(t, s, op)
	if seen[0].Mode != rules.ModeAttach || seen[0].ExpectedSec != 300 {
		t.Errorf("first state = %+v, want an attach of about 300s", seen[0])
	}
	last := seen[len(seen)-1]
	if !last.Succeeded || !last.Compute.Attached || !strings.EqualFold(last.Compute.ClusterID, id) || last.Compute.Purpose != rules.PurposeDevTest {
		t.Fatalf("last state = %+v", last)
	}
	if a := emu.Attachments(id); len(a) != 1 || !strings.HasSuffix(a[0], "/ws-east/aks-h") {
		t.Errorf("attachments of aks-healthy = %q, want ws-east/aks-h only", a)
	}
}

// TestIntegrationScale scales aks-attached to 5 nodes and waits for the
// inventory to report them; a VM size change and too few nodes are refused
// before anything is sent.
func TestIntegrationScale(t *testing.T) {
	emu, s := mustStack(t)
	path := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached/scale"
	writes := emu.Writes()
	for _, tt := range []struct {
		body    map[string]any
		field   string
		finding string
	}{
		{map[string]any{"nodeCount": 5, "vmSize": "Standard_D8s_v3"}, "vmSize", "S1"},
		{map[string]any{"nodeCount": 2}, "nodeCount", "P5"},
	} {
		var e apiError
		if code, body := call(t, s, "POST", path, tt.body, &e); code != 400 || e.Error.Field != tt.field ||
			!slices.Contains(e.Error.Findings.Codes(), tt.finding) {
			t.Errorf("scale %v: %d %s; want 400 with %s on %s", tt.body, code, body, tt.finding, tt.field)
		}
		checkPlain(t, e.Error.Message)
	}
	if n := emu.Writes() - writes; n != 0 {
		t.Fatalf("refused scales made %d writes", n)
	}
	mustAccept(t, s, "POST", path, map[string]any{"nodeCount": 5})
	if n := emu.Writes() - writes; n != 1 {
		t.Errorf("the scale made %d writes, want one agent pool PUT", n)
	}
	s.clock.drive(t, opStep, func() bool {
		i := slices.IndexFunc(computes(t, s), func(c rules.Compute) bool { return c.Name == "aks-attached" })
		if i < 0 {
			t.Fatal("aks-attached is gone")
		}
		if c := computes(t, s)[i]; c.Nodes == 5 {
			if c.VCPUs != 20 || c.VMSize != "Standard_D3_v2" {
				t.Errorf("scaled compute = %+v, want 5 × 4 vCPUs of Standard_D3_v2", c)
			}
			return true
		}
		return false
	})
}

// TestIntegrationDetach detaches aks-attached: the compute goes, the
// cluster stays (O3).
func TestIntegrationDetach(t *testing.T) {
	emu, s := mustStack(t)
	id := emuClusterID("aks-attached")
	op := mustAccept(t, s, "DELETE", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes/aks-attached", nil)
	s.clock.drive(t, opStep, func() bool {
		var e apiError
		code, _ := call(t, s, "GET", op, nil, &e)
		if code == http.StatusNotFound {
			if e.Error.Code != rules.ErrNotFound {
				t.Errorf("gone compute: %+v", e.Error)
			}
			return true
		}
		if code != 200 {
			t.Fatalf("operation after a detach: status %d", code)
		}
		return false
	})
	if slices.ContainsFunc(computes(t, s), func(c rules.Compute) bool { return c.Name == "aks-attached" }) {
		t.Error("aks-attached is still in the inventory")
	}
	if !slices.ContainsFunc(clusters(t, s), func(c rules.Cluster) bool { return c.Name == "aks-attached" }) {
		t.Error("the cluster aks-attached is gone after a detach")
	}
	if a := emu.Attachments(id); len(a) != 0 {
		t.Errorf("attachments = %q, want none", a)
	}
	// A second detach of what is gone is a 404, and sends nothing.
	writes := emu.Writes()
	var e apiError
	if code, _ := call(t, s, "DELETE", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes/aks-attached", nil, &e); code != 404 {
		t.Errorf("second detach: status %d, want 404", code)
	}
	if emu.Writes() != writes {
		t.Error("the second detach was sent to Azure")
	}
}

// TestIntegrationRefusedBeforeSending checks the requests the proxy must
// refuse itself: a clear 4xx naming the field, and nothing written to Azure.
func TestIntegrationRefusedBeforeSending(t *testing.T) {
	create := func(name string, mutate func(*rules.Request)) rules.Request {
		r := rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: name}
		if mutate != nil {
			mutate(&r)
		}
		return r
	}
	attach := func(name, cluster string) rules.Request {
		return rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: name, Target: rules.Target{ResourceID: emuClusterID(cluster)}}
	}
	tests := []struct {
		name    string
		req     rules.Request
		status  int
		field   string
		finding string
		exists  bool // the compute exists before and after
	}{
		{name: "existing name", req: create("aks-attached", nil), status: 409, field: "name", finding: "N5", exists: true},
		{name: "name of a training cluster", req: create("cpu-cluster", nil), status: 409, field: "name", finding: "N5", exists: true},
		{name: "cluster attached already", req: attach("aks-again", "aks-attached"), status: 409, field: "target.resourceId", finding: "T4"},
		{name: "production below 12 vCPUs", req: create("aks-small", func(r *rules.Request) { r.VMSize = "Standard_D2s_v3" }),
			status: 400, field: "nodeCount", finding: "P2"},
		{name: "unsupported version", req: attach("aks-o", "aks-old"), status: 400, field: "target.resourceId", finding: "K2"},
		{name: "authorized ranges miss AML's", req: attach("aks-m", "aks-missing-ranges"), status: 400, field: "target.resourceId", finding: "A1"},
		{name: "Microsoft certificate behind an internal load balancer", status: 400, field: "tls.mode", finding: "L3",
			req: create("aks-tls", func(r *rules.Request) {
				r.LoadBalancer = rules.LoadBalancer{Type: rules.LoadBalancerInternal}
				r.TLS = rules.TLS{Mode: rules.TLSMicrosoft, LeafDomainLabel: "scoring"}
			})},
		{name: "half a virtual network", status: 400, field: "network.subnetName", finding: "V1",
			req: create("aks-net", func(r *rules.Request) {
				r.Network = rules.Network{VnetResourceGroup: "net-rg", VnetName: "vnet"}
			})},
		{name: "no such cluster", req: attach("aks-x", "aks-nope"), status: 400, field: "target.resourceId", finding: "T2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, s := mustStack(t)
			writes := emu.Writes()
			var e apiError
			code, body := call(t, s, "POST", "/api/computes", tt.req, &e)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, body)
			}
			if !slices.Contains(e.Error.Findings.Codes(), tt.finding) {
				t.Errorf("findings %v lack %s", e.Error.Findings.Codes(), tt.finding)
			}
			if f := e.Error.Findings.For(tt.field); len(f) == 0 && e.Error.Field != tt.field {
				t.Errorf("field = %q and findings %+v; want %s named", e.Error.Field, e.Error.Findings, tt.field)
			}
			if tt.finding != "T2" { // T2 names the missing cluster's ID
				checkPlain(t, e.Error.Message)
			}
			if n := emu.Writes() - writes; n != 0 {
				t.Errorf("%d writes reached Azure", n)
			}
			code, _ = call(t, s, "GET", opURL(emuEast, tt.req.Name), nil, nil)
			if want := map[bool]int{true: 200, false: 404}[tt.exists]; code != want {
				t.Errorf("GET the operation: %d, want %d", code, want)
			}
		})
	}
}

// TestIntegrationRefusedByAzure checks the refusals only Azure makes: the
// one PUT is sent, and its refusal comes back as a clear 4xx in plain words.
func TestIntegrationRefusedByAzure(t *testing.T) {
	tests := []struct {
		name   string
		req    rules.Request
		status int
		code   rules.ErrorCode
		field  string
		words  string
		writes int64 // PUTs Azure sees: 1 when only Azure refuses, 0 when the rules refuse first
	}{
		// Q1 (issue 12): the rules refuse, from Azure's usages, what Azure's
		// quota check would, before anything is sent.
		{name: "quota", status: 409, code: rules.ErrQuota, field: "nodeCount", words: "Not enough quota", writes: 0,
			req: rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-big", NodeCount: 30}},
		// A3 is an error (issue 12): the rules refuse what Azure would, before anything is sent.
		{name: "private cluster with a public FQDN", status: 400, code: rules.ErrInvalid, field: "target.resourceId", words: "public FQDN", writes: 0,
			req: rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: "aks-p", Target: rules.Target{ResourceID: emuClusterID("aks-private")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, s := mustStack(t)
			writes := emu.Writes()
			var e apiError
			code, body := call(t, s, "POST", "/api/computes", tt.req, &e)
			if code != tt.status || e.Error.Code != tt.code || e.Error.Field != tt.field {
				t.Fatalf("got %d %+v, want %d %s on %q: %s", code, e.Error, tt.status, tt.code, tt.field, body)
			}
			if !strings.Contains(e.Error.Message, tt.words) {
				t.Errorf("message = %q, want it to say %q", e.Error.Message, tt.words)
			}
			checkPlain(t, e.Error.Message)
			if n := emu.Writes() - writes; n != tt.writes {
				t.Errorf("%d writes, want %d", n, tt.writes)
			}
			if code, _ := call(t, s, "GET", opURL(emuEast, tt.req.Name), nil, nil); code != 404 {
				t.Errorf("the refused compute exists: %d", code)
			}
		})
	}
}

// TestIntegrationLocationNotOffered asks for a cluster in a region where
// Azure offers no VM size and no AKS: the create is refused on the location
// field (W2) before anything is sent, and the region's versions are a 422
// about the location, not about a version.
func TestIntegrationLocationNotOffered(t *testing.T) {
	emu, s := mustStack(t)
	writes := emu.Writes()
	var e apiError
	code, body := call(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-ne", Location: "northeurope"}, &e)
	if code != http.StatusBadRequest || e.Error.Field != "location" || !slices.Contains(e.Error.Findings.Codes(), "W2") {
		t.Errorf("create: got %d %s, want 400 with W2 on location", code, body)
	}
	if emu.Writes() != writes {
		t.Error("the create was sent")
	}

	e = apiError{}
	code, body = call(t, s, "GET", "/api/locations/northeurope/versions", nil, &e)
	if code != http.StatusUnprocessableEntity || e.Error.Code != rules.ErrUnsupported || e.Error.Field != "location" {
		t.Fatalf("versions: got %d %s, want 422 unsupported on location", code, body)
	}
	if !strings.Contains(e.Error.Message, "location") || !strings.Contains(e.Error.Message, "northeurope") ||
		strings.Contains(e.Error.Message, "requested version") {
		t.Errorf("message = %q, want it about the location", e.Error.Message)
	}
	checkPlain(t, e.Error.Message)
}

// TestIntegrationQuotaFailure creates a cluster over the core quota: Azure ML
// accepts the PUT and fails the operation with BadArgument quoting the AKS
// template's QuotaExceeded (as recorded in computervision-recipes#499); the
// state says it is quota, in plain words, with the deepest code.
//
// amlaks itself refuses such a create (Q1) when it can read the usages; here
// it cannot (the identity may not read them), so only Azure's check holds.
func TestIntegrationQuotaFailure(t *testing.T) {
	emu, s := mustStack(t)
	emu.Inject(armemu.Fault{Method: "GET", PathContains: "/usages", Status: http.StatusForbidden, Code: "AuthorizationFailed", Times: 1000})
	op := mustAccept(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-big", NodeCount: 30})
	seen := waitDone(t, s, op)
	last := seen[len(seen)-1]
	if last.State != "Failed" || len(last.Errors) != 1 {
		t.Fatalf("last state = %+v, want Failed with one error", last)
	}
	for _, want := range []string{"quota increase", "(QuotaExceeded)"} {
		if !strings.Contains(last.Errors[0], want) {
			t.Errorf("error %q does not say %q", last.Errors[0], want)
		}
	}
	checkPlain(t, last.Errors[0])
}

// TestIntegrationPolicyFailure creates a cluster in ws-locked, whose
// resource group's Azure Policy denies public IPs: Azure accepts the PUT and
// the operation fails; its state explains why in plain words (V5).
func TestIntegrationPolicyFailure(t *testing.T) {
	_, s := mustStack(t)
	op := mustAccept(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeCreate, Workspace: emuLocked, Name: "aks-locked"})
	seen := waitDone(t, s, op)
	last := seen[len(seen)-1]
	if last.State != "Failed" || last.Succeeded || len(last.Errors) != 1 {
		t.Fatalf("last state = %+v, want Failed with one error", last)
	}
	msg := last.Errors[0]
	for _, want := range []string{"Azure Policy", "public IP", "userDefinedRouting", "(RequestDisallowedByPolicy)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	checkPlain(t, msg)
	if last.Compute == nil || !slices.Equal(last.Compute.Errors, last.Errors) {
		t.Errorf("the compute's errors differ from the operation's: %+v", last.Compute)
	}

	// Nothing half-done stays: the cleanup deletes the failed compute, and the
	// same name can be used again.
	mustAccept(t, s, "POST", "/api/workspaces/"+emuLocked.Subscription+"/"+emuLocked.ResourceGroup+"/"+emuLocked.Name+"/computes/aks-locked/cleanup", struct{}{})
	s.clock.drive(t, opStep, func() bool {
		resp, err := http.Get(s.URL + op)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusNotFound // the failed compute is gone
	})
}

// TestIntegrationRestart starts a create with one proxy and throws it away;
// a new proxy, with a new adapter, follows the same operation from Azure
// alone: Creating, then Succeeded.
func TestIntegrationRestart(t *testing.T) {
	emu, arm := mustEmulator(t, fastOptions())
	clock := clockOf(arm)

	first := mustProxy(t, arm, nil)
	op := mustAccept(t, first, "POST", "/api/computes", rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-restart"})
	first.close() // the proxy stops; the operation goes on in Azure

	second := mustProxy(t, arm, nil)
	if st := operation(t, second, op); st.State != "Creating" || st.Done {
		t.Fatalf("state after the restart = %+v, want Creating", st)
	}
	clock.Advance(time.Minute)
	seen := waitDone(t, second, op) // the proxy's poller sees it at its next poll
	st := seen[len(seen)-1]
	if st.State != "Succeeded" || !st.Succeeded || st.Compute == nil || st.Compute.Nodes != 3 {
		t.Fatalf("state = %+v, want Succeeded with 3 nodes", st)
	}
	if n := len(emu.Attachments(st.Compute.ClusterID)); n != 1 {
		t.Errorf("the cluster has %d computes, want 1", n)
	}
}

// TestIntegrationThrottledPut has Azure answer the compute PUT once with
// 429 and Retry-After 1: the adapter waits and sends it again, and exactly
// one compute (and one cluster) comes of it.
func TestIntegrationThrottledPut(t *testing.T) {
	emu, s := mustStack(t)
	emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/computes/aks-429", Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1})
	writes := emu.Writes()
	start := time.Now()
	op := mustAccept(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-429"})
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("the create took %v: Retry-After 1 was not honored", d)
	}
	if n := emu.Writes() - writes; n != 2 {
		t.Errorf("%d writes, want the throttled PUT and its retry", n)
	}
	last := waitDone(t, s, op)
	if st := last[len(last)-1]; !st.Succeeded {
		t.Fatalf("state = %+v", st)
	}
	var named []string
	for _, c := range computes(t, s) {
		if strings.HasPrefix(c.Name, "aks-429") {
			named = append(named, c.Name)
		}
	}
	if !slices.Equal(named, []string{"aks-429"}) {
		t.Errorf("computes named aks-429: %q, want exactly one", named)
	}
	var made []string
	for _, c := range clusters(t, s) {
		if strings.HasPrefix(c.Name, "aks-429") {
			made = append(made, c.Name)
		}
	}
	if len(made) != 1 {
		t.Errorf("clusters made: %q, want one", made)
	}
}

// TestIntegrationAzureDown has Azure answer the computes list with 503 more
// times than the adapter retries: the proxy answers 502 in plain words,
// and answers again once Azure is back.
func TestIntegrationAzureDown(t *testing.T) {
	emu, arm := mustEmulator(t, fastOptions())
	s := mustProxy(t, arm, &azure.RetryOptions{RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 20 * time.Millisecond})
	emu.Inject(armemu.Fault{Method: "GET", PathContains: "/workspaces/ws-east/computes", Status: http.StatusServiceUnavailable,
		Times: azure.DefaultMaxRetries + 1})
	var e apiError
	code, body := call(t, s, "GET", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes", nil, &e)
	if code != http.StatusBadGateway || e.Error.Code != rules.ErrUnavailable {
		t.Fatalf("got %d %s, want 502 unavailable", code, body)
	}
	if !strings.Contains(e.Error.Message, "try again") || !strings.Contains(e.Error.Message, "503") {
		t.Errorf("message = %q", e.Error.Message)
	}
	checkPlain(t, e.Error.Message)
	if len(computes(t, s)) == 0 {
		t.Error("no computes once Azure is back")
	}
}

// TestIntegrationFailedOperation has Azure accept a create and then fail
// it: the operation ends Failed with Azure's error in plain words, without
// the resource IDs and links Azure's message held.
func TestIntegrationFailedOperation(t *testing.T) {
	emu, s := mustStack(t)
	emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/computes/aks-fail", FailOperation: true, Code: "NodePoolProvisioningFailed",
		Message: "Provisioning of node pool agentpool failed in /subscriptions/" + armemu.SubscriptionID +
			"/resourceGroups/ml-rg: allocation failed. See https://aka.ms/aks-allocation for details."})
	op := mustAccept(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-fail"})
	seen := waitDone(t, s, op)
	last := seen[len(seen)-1]
	if last.State != "Failed" || last.Succeeded || len(last.Errors) != 1 {
		t.Fatalf("state = %+v, want Failed with Azure's error", last)
	}
	msg := last.Errors[0]
	for _, want := range []string{"allocation failed", "(NodePoolProvisioningFailed)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	checkPlain(t, msg)
}

// TestIntegrationSubnetOverlap: a create in a subnet whose range the
// service CIDR overlaps is refused with V2 on the service CIDR, the subnet's
// prefix read from Azure (SubnetsClient.Get); nothing is sent. A service
// CIDR outside the subnet passes V2.
// TestIntegrationSubnetMissing: a subnet the emulator's world does not have
// is V6 on the subnet's field, answered 200 by facts and validate (not a 404
// of the whole request), and a create is refused before any write.
func TestIntegrationSubnetMissing(t *testing.T) {
	emu, s := mustStack(t)
	req := rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-nosub", Network: rules.Network{
		VnetResourceGroup: "net-rg", VnetName: "vnet", SubnetName: "no-such-subnet",
		ServiceCIDR: "10.0.0.0/16", DNSServiceIP: "10.0.0.10", DockerBridgeCIDR: "172.17.0.1/16"}}
	var fs struct {
		Findings rules.Findings `json:"findings"`
	}
	if code, body := call(t, s, "POST", "/api/validate", req, &fs); code != 200 {
		t.Fatalf("validate = %d %s", code, body)
	}
	var v6 bool
	for _, f := range fs.Findings {
		v6 = v6 || (f.Code == "V6" && f.Field == rules.FieldSubnetName)
	}
	if !v6 {
		t.Errorf("findings = %+v, want V6 on %s", fs.Findings, rules.FieldSubnetName)
	}
	writes := emu.Writes()
	var e apiError
	if code, body := call(t, s, "POST", "/api/computes", req, &e); code != 400 {
		t.Errorf("create = %d %s, want 400", code, body)
	}
	if n := emu.Writes() - writes; n != 0 {
		t.Errorf("%d writes sent for a refused request", n)
	}
}

func TestIntegrationSubnetOverlap(t *testing.T) {
	emu, s := mustStack(t)
	req := func(name, svc, dns string) rules.Request {
		return rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: name, Network: rules.Network{
			VnetResourceGroup: "net-rg", VnetName: "vnet", SubnetName: "aks",
			ServiceCIDR: svc, DNSServiceIP: dns, DockerBridgeCIDR: "172.17.0.1/16"}}
	}
	writes := emu.Writes()
	var e apiError
	code, body := call(t, s, "POST", "/api/computes", req("aks-overlap", "10.240.0.0/16", "10.240.0.10"), &e)
	if code != 400 || e.Error.Code != rules.ErrInvalid {
		t.Fatalf("got %d %s, want 400 invalid", code, body)
	}
	var v2 *rules.Finding
	for i, f := range e.Error.Findings {
		if f.Code == "V2" && f.Field == "network.serviceCidr" {
			v2 = &e.Error.Findings[i]
		}
	}
	if v2 == nil || !strings.Contains(v2.Message, "10.240.0.0/16") {
		t.Errorf("findings = %+v, want V2 on network.serviceCidr naming the subnet's range", e.Error.Findings)
	}
	if n := emu.Writes() - writes; n != 0 {
		t.Errorf("%d writes sent for a refused request", n)
	}

	var fs struct {
		Findings rules.Findings `json:"findings"`
	}
	if code, body := call(t, s, "POST", "/api/validate", req("aks-apart", "10.0.0.0/16", "10.0.0.10"), &fs); code != 200 {
		t.Fatalf("validate = %d %s", code, body)
	}
	for _, f := range fs.Findings {
		if f.Code == "V2" {
			t.Errorf("V2 on a service CIDR outside the subnet: %+v", f)
		}
	}
}

// TestIntegrationT4AcrossWorkspaces: a cluster attached as an AKS compute in
// ws-east is refused (409, T4) when attached to ws-east2, found by one Azure
// Resource Graph query over every workspace, and nothing is written.
func TestIntegrationT4AcrossWorkspaces(t *testing.T) {
	emu, s := mustStack(t)
	east2 := rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: "ml-rg", Name: "ws-east2"}
	writes := emu.Writes()
	var e apiError
	code, body := call(t, s, "POST", "/api/computes", rules.Request{Mode: rules.ModeAttach, Workspace: east2, Name: "aks-again",
		Target: rules.Target{ResourceID: emuClusterID("aks-attached")}}, &e)
	if code != http.StatusConflict || e.Error.Code != rules.ErrConflict || !strings.Contains(body2s(body), `"T4"`) {
		t.Fatalf("got %d %s, want 409 with T4", code, body)
	}
	if !strings.Contains(e.Error.Message, "ws-east") {
		t.Errorf("message %q does not name the other workspace", e.Error.Message)
	}
	if n := emu.Writes() - writes; n != 0 {
		t.Errorf("%d writes sent", n)
	}
}

func body2s(b []byte) string { return string(b) }

// TestIntegrationThrottledWords: when ARM's throttling asks for longer than
// the retry policy waits, the proxy answers 429 and says how long to wait.
func TestIntegrationThrottledWords(t *testing.T) {
	emu, s := mustStack(t)
	emu.SetThrottle(armemu.Throttle{Burst: 1, Refill: 10 * time.Minute})
	req := rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-busy"}
	var e apiError
	code, body := call(t, s, "POST", "/api/facts", req, &e)
	if code != http.StatusTooManyRequests || e.Error.Code != rules.ErrTooMany {
		t.Fatalf("got %d %s, want 429 too_many", code, body)
	}
	if want := "Azure is throttling the proxy's requests, retry after 600 s."; e.Error.Message != want {
		t.Errorf("message = %q, want %q", e.Error.Message, want)
	}
}

// TestIntegrationServiceCidrOverAnotherSubnet: V2 compares the service CIDR
// with the chosen subnet's range only, but AKS refuses one that overlaps any
// subnet of the virtual network (here net-rg/vnet/scoring, 10.241.0.0/24).
// The emulator refuses it as AKS does, independent of the rules: the create
// is accepted by Azure ML, and the operation fails with AKS's code and both
// ranges in plain words.
func TestIntegrationServiceCidrOverAnotherSubnet(t *testing.T) {
	_, s := mustStack(t)
	req := rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-svc-scoring", Network: rules.Network{
		VnetResourceGroup: "net-rg", VnetName: "vnet", SubnetName: "aks",
		ServiceCIDR: "10.241.0.0/16", DNSServiceIP: "10.241.0.10", DockerBridgeCIDR: "172.17.0.1/16"}}
	op := mustAccept(t, s, "POST", "/api/computes", req)
	seen := waitDone(t, s, op)
	last := seen[len(seen)-1]
	if last.State != "Failed" || len(last.Errors) == 0 {
		t.Fatalf("state = %+v, want Failed with AKS's refusal", last)
	}
	msg := strings.Join(last.Errors, " ")
	for _, want := range []string{"ServiceCidrOverlapExistingSubnetsCidr", "10.241.0.0/16", "10.241.0.0/24"} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors %q do not say %q", msg, want)
		}
	}
	checkPlain(t, msg)
}
