package armemu_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/proxy/armemu"
)

func TestCreatePolledToSucceeded(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	poller, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "new-aks", aksCreate("Standard_D4s_v3", 3, armmachinelearning.ClusterPurposeFastProd), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := poller.PollUntilDone(ctx, pollFast())
	if err != nil {
		t.Fatal(err)
	}
	a := mustAKS(t, res.ComputeResource)
	if deref(a.ProvisioningState) != armmachinelearning.ProvisioningStateSucceeded || deref(a.IsAttachedCompute) {
		t.Fatalf("created compute: state %s attached %v", deref(a.ProvisioningState), deref(a.IsAttachedCompute))
	}
	if deref(a.Properties.AgentCount) != 3 || deref(a.Properties.AgentVMSize) != "Standard_D4s_v3" || len(a.Properties.SystemServices) == 0 {
		t.Errorf("created compute properties = %+v", a.Properties)
	}

	// The new cluster is in the workspace's resource group, named after the
	// compute, with a Basic load balancer and the default version.
	id := deref(a.ResourceID)
	name := id[strings.LastIndex(id, "/")+1:]
	if !strings.HasPrefix(name, "new-aks") || len(name) <= len("new-aks") {
		t.Fatalf("cluster name %q is not the compute's name plus a suffix", name)
	}
	cl, err := c.clusters.Get(ctx, "ml-rg", name, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := cl.Properties
	if deref(p.KubernetesVersion) != "1.32.7" || deref(p.NetworkProfile.LoadBalancerSKU) != armcontainerservice.LoadBalancerSKUStandard ||
		len(p.AgentPoolProfiles) != 1 || deref(p.AgentPoolProfiles[0].Count) != 3 || deref(p.AgentPoolProfiles[0].Mode) != armcontainerservice.AgentPoolModeSystem {
		t.Errorf("new cluster = %+v", p)
	}
	if got := c.emu.Attachments(id); len(got) != 1 || got[0] != sub+"/ml-rg/ws-east/new-aks" {
		t.Errorf("Attachments = %v", got)
	}
}

// TestCreateStatesFollowClock polls by hand with a fake clock: the compute is
// Creating, its operation InProgress, until CreateDuration has passed.
func TestCreateStatesFollowClock(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	c := mustClients(t, armemu.Options{Now: clk.Now, RetryAfter: 7 * time.Second})

	status, hdr, body := mustDo(t, c, "PUT",
		"/subscriptions/"+sub+"/resourcegroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east/computes/clocked?api-version=2024-04-01",
		`{"location":"eastus","properties":{"computeType":"AKS","properties":{"agentCount":3,"agentVmSize":"Standard_D3_v2"}}}`)
	if status != 201 {
		t.Fatalf("PUT = %d %v", status, body)
	}
	if hdr.Get("Retry-After") != "7" {
		t.Errorf("Retry-After = %q, want 7", hdr.Get("Retry-After"))
	}
	async, err := url.Parse(hdr.Get("Azure-AsyncOperation"))
	if err != nil || !async.IsAbs() || async.Scheme != "https" || "https://"+async.Host != c.srv.URL {
		t.Fatalf("Azure-AsyncOperation %q is not on the request's host %s", hdr.Get("Azure-AsyncOperation"), c.srv.URL)
	}
	computePath := "/subscriptions/" + sub + "/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east/computes/clocked?api-version=2024-04-01"

	steps := []struct {
		name         string
		advance      time.Duration
		status, prov string
	}{
		{"just accepted", 0, "InProgress", "Creating"},
		{"halfway", 10 * time.Second, "InProgress", "Creating"},
		{"done", 10 * time.Second, "Succeeded", "Succeeded"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.Advance(st.advance)
			_, h, op := mustGetJSON(t, c, async.RequestURI())
			if op["status"] != st.status {
				t.Errorf("operation status = %v, want %s", op["status"], st.status)
			}
			if (st.status == "InProgress") != (h.Get("Retry-After") != "") {
				t.Errorf("Retry-After %q while %s", h.Get("Retry-After"), st.status)
			}
			if _, ok := op["endTime"]; ok == (st.status == "InProgress") {
				t.Errorf("endTime present=%v while %s", ok, st.status)
			}
			_, _, comp := mustGetJSON(t, c, computePath)
			props := comp["properties"].(map[string]any)
			if props["provisioningState"] != st.prov {
				t.Errorf("provisioningState = %v, want %s", props["provisioningState"], st.prov)
			}
		})
	}
}

func TestAttach(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	// The id is given with lower-case segment names, as Azure allows.
	id := strings.Replace(clusterID("aks-healthy"), "resourceGroups", "resourcegroups", 1)
	poller, err := c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "attached-one", aksAttach(id, armmachinelearning.ClusterPurposeFastProd), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := poller.PollUntilDone(ctx, pollFast())
	if err != nil {
		t.Fatal(err)
	}
	a := mustAKS(t, res.ComputeResource)
	if !deref(a.IsAttachedCompute) || deref(a.Properties.AgentCount) != 3 || deref(a.Properties.AgentVMSize) != "Standard_D4s_v3" {
		t.Errorf("attached compute = %+v %+v", a, a.Properties)
	}

	// Azure accepts the same cluster again under another name (T4 is the
	// product's rule, not Azure's).
	poller, err = c.computes.BeginCreateOrUpdate(ctx, "ml-rg", "ws-east", "attached-two", aksAttach(clusterID("aks-healthy"), armmachinelearning.ClusterPurposeFastProd), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poller.PollUntilDone(ctx, pollFast()); err != nil {
		t.Fatal(err)
	}
	got := c.emu.Attachments(strings.ToUpper(clusterID("aks-healthy")))
	want := []string{sub + "/ml-rg/ws-east/attached-one", sub + "/ml-rg/ws-east/attached-two"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Attachments = %v, want %v", got, want)
	}
}

func TestScaleAgentPool(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	pool := armcontainerservice.AgentPool{Properties: &armcontainerservice.ManagedClusterAgentPoolProfileProperties{
		Count: ptr(int32(5)), VMSize: ptr("Standard_D3_v2"), Mode: ptr(armcontainerservice.AgentPoolModeSystem),
	}}
	poller, err := c.pools.BeginCreateOrUpdate(ctx, clusterRG, "aks-attached", "nodepool1", pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := poller.PollUntilDone(ctx, pollFast())
	if err != nil {
		t.Fatal(err)
	}
	if deref(res.Properties.Count) != 5 || deref(res.Properties.ProvisioningState) != "Succeeded" {
		t.Errorf("pool after scale: %d %s", deref(res.Properties.Count), deref(res.Properties.ProvisioningState))
	}
	comp, err := c.computes.Get(ctx, "ml-rg", "ws-east", "aks-attached", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := deref(mustAKS(t, comp.ComputeResource).Properties.AgentCount); n != 5 {
		t.Errorf("the linked compute reports %d nodes, want 5", n)
	}
}

func TestDetachKeepsCluster(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)

	poller, err := c.computes.BeginDelete(ctx, "ml-rg", "ws-east", "aks-attached", armmachinelearning.UnderlyingResourceActionDetach, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poller.PollUntilDone(ctx, pollFast()); err != nil {
		t.Fatal(err)
	}
	_, err = c.computes.Get(ctx, "ml-rg", "ws-east", "aks-attached", nil)
	if re := mustResponseError(t, err); re.StatusCode != 404 {
		t.Errorf("detached compute: %d", re.StatusCode)
	}
	if _, err := c.clusters.Get(ctx, clusterRG, "aks-attached", nil); err != nil {
		t.Errorf("the cluster is gone after a detach: %v", err)
	}
	if got := c.emu.Attachments(clusterID("aks-attached")); len(got) != 0 {
		t.Errorf("Attachments after detach = %v", got)
	}
}

func TestDeleteRemovesCluster(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	c := mustClients(t, armemu.Options{Now: clk.Now, RetryAfter: -1})
	ctx := mustContext(t)
	path := "/subscriptions/" + sub + "/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east2/computes/scoring-prod?api-version=2024-04-01"

	status, hdr, _ := mustDo(t, c, "DELETE", path+"&underlyingResourceAction=Delete", "")
	if status != 202 || hdr.Get("Location") == "" || hdr.Get("Azure-AsyncOperation") == "" || hdr.Get("Retry-After") != "0" {
		t.Fatalf("DELETE = %d, headers %v", status, hdr)
	}
	loc, _ := url.Parse(hdr.Get("Location"))
	if s, _, _ := mustGetJSON(t, c, loc.RequestURI()); s != 202 {
		t.Errorf("operation result while running = %d, want 202", s)
	}
	_, _, comp := mustGetJSON(t, c, path)
	if st := comp["properties"].(map[string]any)["provisioningState"]; st != "Deleting" {
		t.Errorf("provisioningState = %v, want Deleting", st)
	}
	clk.Advance(3 * time.Second)
	if s, _, _ := mustGetJSON(t, c, loc.RequestURI()); s != 200 {
		t.Errorf("operation result when done = %d, want 200", s)
	}
	if s, _, _ := mustGetJSON(t, c, path); s != 404 {
		t.Errorf("deleted compute = %d, want 404", s)
	}
	page, err := c.clusters.NewListByResourceGroupPager("ml-rg", nil).NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range page.Value {
		if strings.HasPrefix(deref(cl.Name), "scoring-prod") {
			t.Errorf("cluster %s survived a Delete", deref(cl.Name))
		}
	}
}

// TestLateFailures checks the refusals Azure ML makes only after it has
// accepted the PUT: the operation ends Failed with the reason nested as the
// recordings in proxy/azure/testdata/recorded show, and the compute keeps it
// in provisioningErrors.
func TestLateFailures(t *testing.T) {
	t.Parallel()
	c := mustClients(t, fastOptions())
	ctx := mustContext(t)
	tests := []struct {
		name, rg, ws, compute string
		body                  armmachinelearning.ComputeResource
		want                  armemu.Detail // top code and message part, then the nested code and words
	}{
		{name: "policy in the locked resource group", rg: armemu.LockedResourceGroup, ws: "ws-locked", compute: "locked-aks",
			body: aksCreate("Standard_D3_v2", 3, ""),
			want: armemu.Detail{Code: "BadArgument", Message: "Error code: 'RequestDisallowedByPolicy'"}},
		{name: "over the core quota", rg: "ml-rg", ws: "ws-east", compute: "quota-aks",
			body: aksCreate("Standard_NC24ads_A100_v4", 5, armmachinelearning.ClusterPurposeFastProd),
			want: armemu.Detail{Code: "BadArgument", Message: "Error code: 'QuotaExceeded'"}},
		{name: "attach of an unsupported version", rg: "ml-rg", ws: "ws-east", compute: "old-aks",
			body: aksAttach(clusterID("aks-old"), armmachinelearning.ClusterPurposeFastProd),
			want: armemu.Detail{Code: "BadRequest", Message: "The request is invalid",
				Details: []armemu.Detail{{Code: "BadRequestFormat", Message: "Specified kubernetes version 1.27.9 is not supported."}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			poller, err := c.computes.BeginCreateOrUpdate(ctx, tt.rg, tt.ws, tt.compute, tt.body, nil)
			if err != nil {
				t.Fatalf("refused up front, want accepted and failed later: %v", err)
			}
			_, err = poller.PollUntilDone(ctx, pollFast())
			re := mustResponseError(t, err)
			if re.StatusCode != 200 || re.ErrorCode != tt.want.Code {
				t.Errorf("operation = %d %s, want 200 (the status resource) %s", re.StatusCode, re.ErrorCode, tt.want.Code)
			}
			got, err := c.computes.Get(ctx, tt.rg, tt.ws, tt.compute, nil)
			if err != nil {
				t.Fatal(err)
			}
			a := mustAKS(t, got.ComputeResource)
			if deref(a.ProvisioningState) != armmachinelearning.ProvisioningStateFailed || len(a.ProvisioningErrors) != 1 {
				t.Fatalf("state %s with %d errors, want Failed with 1", deref(a.ProvisioningState), len(a.ProvisioningErrors))
			}
			e := a.ProvisioningErrors[0].Error
			if deref(e.Code) != tt.want.Code || !strings.Contains(deref(e.Message), tt.want.Message) {
				t.Errorf("error = %s %q, want %s containing %q", deref(e.Code), deref(e.Message), tt.want.Code, tt.want.Message)
			}
			if len(e.Details) != len(tt.want.Details) {
				t.Fatalf("%d details, want %d", len(e.Details), len(tt.want.Details))
			}
			for i, d := range tt.want.Details {
				if deref(e.Details[i].Code) != d.Code || !strings.Contains(deref(e.Details[i].Message), d.Message) {
					t.Errorf("detail %d = %s %q, want %s containing %q", i, deref(e.Details[i].Code), deref(e.Details[i].Message), d.Code, d.Message)
				}
			}
		})
	}
}
