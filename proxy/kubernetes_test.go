//go:build !(js && wasm)

package proxy_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// The Azure ML v2 path through the HTTP API, against the emulator: the
// steps of create, attach and migrate, a failed step's retry and cleanup,
// refusals before any write, and the extension's protected settings kept
// out of every answer, log line and audit line.

// v2Stack is a secStack whose extension installs are quick.
func v2Stack(t *testing.T) *secStack {
	t.Helper()
	return newSecStack(t, secOptions{noRate: true, emu: armemu.Options{
		CreateDuration: 300 * time.Millisecond, AttachDuration: 200 * time.Millisecond, UpdateDuration: 200 * time.Millisecond,
		DeleteDuration: 200 * time.Millisecond, ExtensionDuration: 300 * time.Millisecond,
	}})
}

// v2Answers keeps every answer body of a test, to search them for secrets.
type v2Answers struct{ bodies []string }

func (a *v2Answers) do(t *testing.T, st *secStack, method, path string, body any) secAnswer {
	t.Helper()
	in := ""
	if body != nil {
		in = mustSecJSON(t, body)
	}
	ans := st.do(t, method, path, in)
	a.bodies = append(a.bodies, ans.body)
	return ans
}

// accept sends a write and wants 202; it returns the operation's URL.
func (a *v2Answers) accept(t *testing.T, st *secStack, method, path string, body any) string {
	t.Helper()
	ans := a.do(t, st, method, path, body)
	if ans.status == http.StatusConflict && strings.Contains(ans.body, "at the same moment") && st.clock != nil {
		// The driver shows a step's end a moment before it has stored it,
		// so a retry or cleanup sent at once may find the record changing
		// and be told to look again and retry: it does, once the driver's
		// turn is over (the clock stands meanwhile).
		st.clock.drive(t, 0, func() bool {
			ans = a.do(t, st, method, path, body)
			return ans.status != http.StatusConflict || !strings.Contains(ans.body, "at the same moment")
		})
	}
	var acc rules.Accepted
	if ans.status != http.StatusAccepted || json.Unmarshal([]byte(ans.body), &acc) != nil || acc.Operation == "" {
		t.Fatalf("%s %s: status %d, want 202: %s", method, path, ans.status, ans.body)
	}
	return acc.Operation
}

// wait polls a v2 operation until it is done and returns its last state.
func (a *v2Answers) wait(t *testing.T, st *secStack, op string) rules.OperationState {
	t.Helper()
	var s rules.OperationState
	st.clock.drive(t, opStep, func() bool {
		ans := a.do(t, st, "GET", op, nil)
		s = rules.OperationState{}
		if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &s) != nil {
			t.Fatalf("GET %s: status %d: %s", op, ans.status, ans.body)
		}
		return s.Done
	})
	return s
}

func stepStates(s rules.OperationState) string {
	var parts []string
	for _, st := range s.Steps {
		parts = append(parts, string(st.Name)+"="+string(st.State))
	}
	return strings.Join(parts, " ")
}

func v2Path(name, tail string) string {
	return "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/" + name + tail
}

func v2Create(name string) rules.Request {
	return rules.Request{Mode: rules.ModeCreate, Kind: rules.KindKubernetes, Workspace: secWS, Name: name,
		Purpose: rules.PurposeFastProd, VMSize: "Standard_DS3_v2", NodeCount: 3,
		TLS: rules.TLS{Mode: rules.TLSDisabled}, Kubernetes: rules.Kubernetes{AllowInsecure: true}}
}

func v2Attach(name, cluster string) rules.Request {
	return rules.Request{Mode: rules.ModeAttach, Kind: rules.KindKubernetes, Workspace: secWS, Name: name,
		Purpose: rules.PurposeFastProd, Target: rules.Target{ResourceID: secClusterID(cluster)},
		TLS: rules.TLS{Mode: rules.TLSDisabled}, Kubernetes: rules.Kubernetes{AllowInsecure: true, Namespace: "team-a"}}
}

// v2Computes lists ws-east's inference computes through the proxy.
func v2Computes(t *testing.T, st *secStack) map[string]rules.Compute {
	t.Helper()
	ans := st.do(t, "GET", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes", "")
	var got struct{ Computes []rules.Compute }
	if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &got) != nil {
		t.Fatalf("computes: %d %s", ans.status, ans.body)
	}
	out := map[string]rules.Compute{}
	for _, c := range got.Computes {
		out[c.Name] = c
	}
	return out
}

// v2Cluster reads a cluster through the emulator's ARM API, by the proxy's
// cluster list; ok is false when it is gone.
func v2Cluster(t *testing.T, st *secStack, name string) (rules.Cluster, bool) {
	t.Helper()
	ans := st.do(t, "GET", "/api/clusters?subscription="+armemu.SubscriptionID, "")
	var got struct{ Clusters []rules.Cluster }
	if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &got) != nil {
		t.Fatalf("clusters: %d %s", ans.status, ans.body)
	}
	for _, c := range got.Clusters {
		if c.Name == name {
			return c, true
		}
	}
	return rules.Cluster{}, false
}

// TestV2CreateThreeSteps creates a cluster, installs the extension with
// HTTPS (the certificate and key as protected settings) and attaches it:
// three steps, each Succeeded with its times and resource; the inventory
// lists the Kubernetes compute with its extension's state; and neither the
// PEMs nor their base64 appear in any answer, log line or audit line.
func TestV2CreateThreeSteps(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	cert, key := secPEMs(t, "scoring.example.com")
	req := v2Create("k8s-new")
	req.TLS = rules.TLS{Mode: rules.TLSCustom, CertPEM: cert, KeyPEM: key, CNAME: "scoring.example.com"}
	req.Kubernetes = rules.Kubernetes{}
	a.do(t, st, "POST", "/api/validate", req)
	op := a.accept(t, st, "POST", "/api/computes", req)
	s := a.wait(t, st, op)
	if !s.Succeeded || s.Kind != rules.KindKubernetes || s.Action != rules.ActionCreate {
		t.Fatalf("operation: %+v", s)
	}
	if got, want := stepStates(s), "cluster=Succeeded extension=Succeeded attach=Succeeded"; got != want {
		t.Fatalf("steps %q, want %q", got, want)
	}
	for _, step := range s.Steps {
		if step.StartedAt == "" || step.EndedAt == "" || step.Resource == "" || !step.Made || step.Message == "" || step.Title == "" {
			t.Errorf("step %s lacks its times, resource or words: %+v", step.Name, step)
		}
	}
	if !strings.HasSuffix(s.Steps[0].Resource, "/managedClusters/k8s-new") || !strings.HasSuffix(s.Steps[2].Resource, "/computes/k8s-new") {
		t.Errorf("resources: %q, %q", s.Steps[0].Resource, s.Steps[2].Resource)
	}
	cl, ok := v2Cluster(t, st, "k8s-new")
	if !ok || cl.IdentityType != "SystemAssigned" || cl.LocalAccountsDisabled || cl.LoadBalancerSKU != "standard" {
		t.Errorf("created cluster: %+v (found %v)", cl, ok)
	}
	c := v2Computes(t, st)["k8s-new"]
	if c.Type != "Kubernetes" || c.Namespace != "default" || c.ExtensionState != "Succeeded" || c.Nodes != 3 {
		t.Errorf("inventory: %+v", c)
	}
	// The emulator accepted HTTPS only because the protected settings came.
	marks := secSecretMarks(cert, key)
	for _, p := range []string{cert, key} {
		b := base64.StdEncoding.EncodeToString([]byte(p))
		marks = append(marks, b[:40], b[len(b)-40:])
	}
	everything := strings.Join(a.bodies, "\n") + st.logs.String() + st.audit.String()
	for _, m := range marks {
		if strings.Contains(everything, m) {
			t.Errorf("a secret (%q) left the request", m)
		}
	}
	if !strings.Contains(st.logs.String(), "v2 step started") || !strings.Contains(st.audit.String(), `"action":"create"`) {
		t.Error("the log or the audit has no line of the operation: the secret check above searched nothing")
	}
}

// TestV2CreateWithGPUPool creates a Kubernetes compute whose cluster has a
// GPU pool: the emulator's cluster has two pools, the system pool and the
// GPU pool of mode User with its size and count, the facts mark it GPU,
// and the extension installs the NVIDIA device plugin. A GPU pool with the
// plugin off is refused before any write.
func TestV2CreateWithGPUPool(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	off := v2Create("k8s-gpu-off")
	off.Kubernetes.GPUPool = rules.GPUPool{VMSize: "Standard_NC6s_v3", Count: 2}
	if ans := a.do(t, st, "POST", "/api/computes", off); ans.status != http.StatusBadRequest || !strings.Contains(ans.body, rules.FieldNvidiaDevicePlugin) {
		t.Fatalf("a GPU pool without the device plugin: %d %s", ans.status, ans.body)
	}
	if _, ok := v2Cluster(t, st, "k8s-gpu-off"); ok {
		t.Fatal("the refused create made a cluster")
	}
	req := v2Create("k8s-gpu")
	req.Kubernetes.GPUPool = rules.GPUPool{VMSize: "Standard_NC6s_v3", Count: 2}
	req.Kubernetes.NvidiaDevicePlugin = true
	s := a.wait(t, st, a.accept(t, st, "POST", "/api/computes", req))
	if got, want := stepStates(s), "cluster=Succeeded extension=Succeeded attach=Succeeded"; !s.Succeeded || got != want {
		t.Fatalf("steps %q, want %q: %+v", got, want, s)
	}
	cl, ok := v2Cluster(t, st, "k8s-gpu")
	if !ok {
		t.Fatal("no cluster k8s-gpu")
	}
	var pools []string
	for _, p := range cl.Pools {
		pools = append(pools, fmt.Sprintf("%s system=%v %s×%d gpu=%v", p.Name, p.System, p.VMSize, p.Count, p.GPU))
	}
	if want := []string{"system system=true Standard_DS3_v2×3 gpu=false", "gpu system=false Standard_NC6s_v3×2 gpu=true"}; !slices.Equal(pools, want) {
		t.Errorf("pools = %q, want %q", pools, want)
	}
	// The extension as the emulator keeps it.
	rec := httptest.NewRecorder()
	get := httptest.NewRequest("GET", s.Steps[0].Resource+"/providers/Microsoft.KubernetesConfiguration/extensions/azureml?api-version="+rules.ExtensionAPIVersion, nil)
	get.Header.Set("Authorization", "Bearer test")
	st.arm.ServeHTTP(rec, get)
	var ext struct {
		Properties struct {
			ConfigurationSettings map[string]string `json:"configurationSettings"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ext); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("extension: %d %s", rec.Code, rec.Body)
	}
	if v := ext.Properties.ConfigurationSettings["installNvidiaDevicePlugin"]; !strings.EqualFold(v, "true") {
		t.Errorf("the extension's installNvidiaDevicePlugin = %q, want True: %s", v, rec.Body)
	}
}

// TestV2AttachInstallsExtension attaches a cluster without the extension:
// amlaks installs it, then attaches in the namespace asked; a cluster whose
// extension has Succeeded keeps it (the step is Skipped); and one cluster
// may be attached twice, in two namespaces.
func TestV2AttachInstallsExtension(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	s := a.wait(t, st, a.accept(t, st, "POST", "/api/computes", v2Attach("k8s-healthy", "aks-healthy")))
	if got, want := stepStates(s), "extension=Succeeded attach=Succeeded"; got != want || !s.Succeeded {
		t.Fatalf("steps %q, want %q: %+v", got, want, s)
	}
	if !s.Steps[0].Made || !strings.Contains(s.Steps[0].Resource, "/extensions/azureml") {
		t.Errorf("extension step: %+v", s.Steps[0])
	}
	second := v2Attach("k8s-healthy-b", "aks-healthy")
	second.Kubernetes.Namespace = "team-b"
	s = a.wait(t, st, a.accept(t, st, "POST", "/api/computes", second))
	if got, want := stepStates(s), "extension=Skipped attach=Succeeded"; got != want {
		t.Fatalf("second attach: steps %q, want %q", got, want)
	}
	cs := v2Computes(t, st)
	if cs["k8s-healthy"].Namespace != "team-a" || cs["k8s-healthy-b"].Namespace != "team-b" || cs["k8s-healthy-b"].ExtensionState != "Succeeded" {
		t.Errorf("inventory: %+v / %+v", cs["k8s-healthy"], cs["k8s-healthy-b"])
	}
	s = a.wait(t, st, a.accept(t, st, "POST", "/api/computes", v2Attach("k8s-ready", "aks-v2-ready")))
	if got := stepStates(s); got != "extension=Skipped attach=Succeeded" || s.Steps[0].Made {
		t.Fatalf("ready cluster: steps %q, %+v", got, s.Steps[0])
	}
}

// TestV2RefusedBeforeAnyWrite: a service-principal cluster (X1), local
// accounts disabled (X2) and a cluster still carrying a v1 compute (X14)
// are refused on the target field before anything is sent to Azure.
func TestV2RefusedBeforeAnyWrite(t *testing.T) {
	st := v2Stack(t)
	for _, tc := range []struct{ cluster, code string }{{"aks-sp", "X1"}, {"aks-no-local", "X2"}, {"aks-attached", "X14"}} {
		before := st.emu.Writes()
		ans := st.do(t, "POST", "/api/computes", mustSecJSON(t, v2Attach("k8s-x", tc.cluster)))
		var body struct {
			Error struct {
				Field    string
				Findings rules.Findings
			}
		}
		_ = json.Unmarshal([]byte(ans.body), &body)
		if ans.status != http.StatusBadRequest || body.Error.Field != rules.FieldTargetID || !strings.Contains(strings.Join(body.Error.Findings.Codes(), " "), tc.code) {
			t.Errorf("%s: status %d, want 400 with %s on %s: %s", tc.cluster, ans.status, tc.code, rules.FieldTargetID, ans.body)
		}
		if w := st.emu.Writes() - before; w != 0 {
			t.Errorf("%s: %d writes reached Azure", tc.cluster, w)
		}
	}
}

// TestV2ExtensionFailsThenRetry: the extension's operation fails in Azure
// (an injected fault): step 2 Failed with Azure's words, the cluster kept and
// said so, retry and cleanup offered; a retry installs it and the create
// goes on to Succeeded.
func TestV2ExtensionFailsThenRetry(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	st.emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/extensions/azureml", FailOperation: true, Code: "ExtensionOperationFailed", Message: "Helm install timed out."})
	op := a.accept(t, st, "POST", "/api/computes", v2Create("k8s-retry"))
	s := a.wait(t, st, op)
	if got, want := stepStates(s), "cluster=Succeeded extension=Failed attach=Pending"; got != want || s.Succeeded {
		t.Fatalf("steps %q, want %q", got, want)
	}
	if s.FailedStep != rules.StepExtension || !s.CanRetry || !s.CanCleanup || !strings.Contains(strings.Join(s.Steps[1].Errors, " "), "Helm install timed out") {
		t.Errorf("failed operation: %+v", s)
	}
	if !strings.Contains(strings.Join(s.Left, " "), "k8s-retry") {
		t.Errorf("the operation does not say the cluster stays: %q", s.Left)
	}
	if _, ok := v2Cluster(t, st, "k8s-retry"); !ok {
		t.Fatal("the cluster is gone after a failed extension")
	}
	// A new create on the name would forget what the failed one left.
	if ans := st.do(t, "POST", "/api/computes", mustSecJSON(t, v2Create("k8s-retry"))); ans.status != http.StatusConflict || !strings.Contains(ans.body, "retry it or clean it up") {
		t.Errorf("a new create over a failed one: %d %s", ans.status, ans.body)
	}
	a.accept(t, st, "POST", v2Path("k8s-retry", "/retry"), struct{}{})
	s = a.wait(t, st, op)
	if got, want := stepStates(s), "cluster=Succeeded extension=Succeeded attach=Succeeded"; got != want || !s.Succeeded {
		t.Fatalf("after retry: steps %q, want %q", got, want)
	}
	if ans := st.do(t, "POST", v2Path("k8s-retry", "/retry"), "{}"); ans.status != http.StatusConflict {
		t.Errorf("retry of a succeeded operation: %d %s", ans.status, ans.body)
	}
}

// TestV2ExtensionFailsThenCleanup: after a create's extension failed,
// cleanup deletes the cluster amlaks created, as steps of its own.
func TestV2ExtensionFailsThenCleanup(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	st.emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/extensions/azureml", FailOperation: true})
	op := a.accept(t, st, "POST", "/api/computes", v2Create("k8s-gone"))
	if s := a.wait(t, st, op); s.FailedStep != rules.StepExtension {
		t.Fatalf("want the extension step Failed: %+v", s)
	}
	a.accept(t, st, "POST", v2Path("k8s-gone", "/cleanup"), struct{}{})
	s := a.wait(t, st, op)
	if s.Action != rules.ActionCleanup || !s.Succeeded || stepStates(s) != "remove-cluster=Succeeded" {
		t.Fatalf("cleanup: %s %+v", stepStates(s), s)
	}
	if _, ok := v2Cluster(t, st, "k8s-gone"); ok {
		t.Error("the cluster amlaks created is still there after cleanup")
	}
}

// TestV2ExtensionRegionFails: on a cluster in a region without cluster
// extensions the extension fails asynchronously, as Azure does, with
// Azure's words on the region; cleanup removes the extension amlaks
// installed and keeps the cluster, which amlaks did not make.
func TestV2ExtensionRegionFails(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	op := a.accept(t, st, "POST", "/api/computes", v2Attach("k8s-central", "aks-central"))
	s := a.wait(t, st, op)
	if s.FailedStep != rules.StepExtension || !strings.Contains(strings.Join(s.Errors, " "), "centralus") {
		t.Fatalf("want the extension step Failed with Azure's words on the region: %+v", s)
	}
	if e, has := extOf(t, st, "aks-central"); !has || e.State != "Failed" {
		t.Fatalf("before cleanup the extension is %+v (found %v), want Failed", e, has)
	}
	// Another attach of the cluster finds an extension it cannot use, which
	// amlaks did not install for it: refused with X10, nothing sent.
	before := st.emu.Writes()
	ans := st.do(t, "POST", "/api/computes", mustSecJSON(t, v2Attach("k8s-central-2", "aks-central")))
	if ans.status != http.StatusConflict || !strings.Contains(ans.body, `"X10"`) || st.emu.Writes() != before {
		t.Errorf("attach beside a Failed extension: %d %s", ans.status, ans.body)
	}
	a.accept(t, st, "POST", v2Path("k8s-central", "/cleanup"), struct{}{})
	s = a.wait(t, st, op)
	if !s.Succeeded || stepStates(s) != "remove-extension=Succeeded" || !strings.Contains(strings.Join(s.Left, " "), "aks-central stays") {
		t.Fatalf("cleanup: %s %+v", stepStates(s), s)
	}
	if cl, ok := v2Cluster(t, st, "aks-central"); !ok {
		t.Error("cleanup deleted a cluster amlaks did not make")
	} else if _, has := extOf(t, st, "aks-central"); has {
		t.Errorf("the extension is still on %s", cl.Name)
	}
}

// extOf reads a cluster's Azure ML extension through the inventory of a
// compute-less cluster: the proxy's facts of an attach.
func extOf(t *testing.T, st *secStack, cluster string) (rules.Extension, bool) {
	t.Helper()
	ans := st.do(t, "POST", "/api/facts", mustSecJSON(t, v2Attach("k8s-probe", cluster)))
	var f rules.Facts
	if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &f) != nil || f.Cluster == nil {
		t.Fatalf("facts: %d %s", ans.status, ans.body)
	}
	for _, e := range f.Cluster.Extensions {
		if e.AzureML() {
			return e, true
		}
	}
	return rules.Extension{}, false
}

// TestV2Migration migrates the v1 compute aks-attached: the plan lists four
// pending steps; the migration detaches v1 (the cluster stays), removes
// azureml-fe (without which the emulator's extension install fails, as
// Helm does on a cluster that still has it), installs the extension and
// attaches under the same name as a Kubernetes compute.
func TestV2Migration(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	ans := a.do(t, st, "GET", v2Path("aks-attached", "/migrate"), nil)
	var plan rules.MigrationPlan
	if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &plan) != nil {
		t.Fatalf("plan: %d %s", ans.status, ans.body)
	}
	if len(plan.Steps) != 4 || plan.Steps[1].Name != rules.StepLegacyCleanup || plan.Steps[1].Manual == "" {
		t.Fatalf("plan: %+v", plan)
	}
	// With the defaults, the one choice left is HTTPS or HTTP (X4); the
	// v1 attachment itself (X14, T4) is no finding: the migration removes it.
	if got := strings.Join(plan.Findings.Errors().Codes(), " "); got != "X4" {
		t.Errorf("plan's error findings: %q, want X4 only", got)
	}
	settings := rules.MigrateRequest{Kubernetes: rules.Kubernetes{AllowInsecure: true}}
	ans = a.do(t, st, "POST", v2Path("aks-attached", "/migrate/plan"), settings)
	if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &plan) != nil || plan.Findings.HasErrors() {
		t.Fatalf("plan with HTTP allowed: %d %s", ans.status, ans.body)
	}
	op := a.accept(t, st, "POST", v2Path("aks-attached", "/migrate"), settings)
	s := a.wait(t, st, op)
	if got, want := stepStates(s), "detach-v1=Succeeded legacy-cleanup=Succeeded extension=Succeeded attach=Succeeded"; got != want || !s.Succeeded {
		t.Fatalf("steps %q, want %q: %+v", got, want, s)
	}
	if !strings.Contains(s.Steps[1].Message, "removed") {
		t.Errorf("legacy cleanup says: %q", s.Steps[1].Message)
	}
	c := v2Computes(t, st)["aks-attached"]
	if c.Type != "Kubernetes" || c.ExtensionState != "Succeeded" {
		t.Errorf("after migration: %+v", c)
	}
	if _, ok := v2Cluster(t, st, "aks-attached"); !ok {
		t.Error("the migration lost the cluster")
	}
	if ans := st.do(t, "GET", v2Path("aks-attached", "/migrate"), ""); ans.status == http.StatusOK {
		t.Errorf("a Kubernetes compute has a migration plan: %s", ans.body)
	}
}

// TestV2DetachAndScaleKubernetes: a Kubernetes compute scales through its
// cluster's system pool, and its detach removes the compute only: the
// cluster and the extension stay.
func TestV2DetachAndScaleKubernetes(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	a.wait(t, st, a.accept(t, st, "POST", "/api/computes", v2Attach("k8s-ready", "aks-v2-ready")))
	a.accept(t, st, "POST", v2Path("k8s-ready", "/scale"), map[string]int{"nodeCount": 4})
	st.clock.drive(t, opStep, func() bool { // the scale reaches the cluster
		cl, _ := v2Cluster(t, st, "aks-v2-ready")
		return len(cl.Pools) > 0 && cl.Pools[0].Count == 4
	})
	st.clock.drive(t, opStep, func() bool { return v2Computes(t, st)["k8s-ready"].State == "Succeeded" })
	a.accept(t, st, "DELETE", v2Path("k8s-ready", ""), nil)
	st.clock.drive(t, opStep, func() bool { // the detach finishes
		_, ok := v2Computes(t, st)["k8s-ready"]
		return !ok
	})
	cl, ok := v2Cluster(t, st, "aks-v2-ready")
	if !ok {
		t.Fatal("detach deleted the cluster")
	}
	s := a.wait(t, st, a.accept(t, st, "POST", "/api/computes", v2Attach("k8s-again", "aks-v2-ready")))
	if stepStates(s) != "extension=Skipped attach=Succeeded" {
		t.Errorf("after detach the extension is gone: %s (cluster %+v)", stepStates(s), cl)
	}
}

// TestV2Guardrails: the platform's policy (G1–G6) refuses v2 creates,
// attaches and migrations as it refuses v1 ones, with 403 and the rule's
// code, before anything is sent to Azure.
func TestV2Guardrails(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{Policy: &rules.Policy{VMSizes: []string{"Standard_D4s_v3"}, ResourceGroups: []string{"ml-rg"}}}})
	scoped := newSecStack(t, secOptions{noRate: true, reuse: st, cfg: proxy.Config{Policy: &rules.Policy{ResourceGroups: []string{"other-rg"}}}})
	for _, tc := range []struct {
		name   string
		st     *secStack
		method string
		path   string
		body   any
		code   string
	}{
		{"create with a size the policy does not allow", st, "POST", "/api/computes", v2Create("k8s-big"), "G2"},
		{"attach outside the allowed resource groups", scoped, "POST", "/api/computes", v2Attach("k8s-out", "aks-healthy"), "G1"},
		{"migration outside the allowed resource groups", scoped, "POST", v2Path("aks-attached", "/migrate"), rules.MigrateRequest{Kubernetes: rules.Kubernetes{AllowInsecure: true}}, "G1"},
	} {
		before := tc.st.emu.Writes()
		ans := tc.st.do(t, tc.method, tc.path, mustSecJSON(t, tc.body))
		var body struct {
			Error struct{ Findings rules.Findings }
		}
		_ = json.Unmarshal([]byte(ans.body), &body)
		if ans.status != http.StatusForbidden || !slices.Contains(body.Error.Findings.Codes(), tc.code) {
			t.Errorf("%s: status %d, want 403 with %s: %s", tc.name, ans.status, tc.code, ans.body)
		}
		if w := tc.st.emu.Writes() - before; w != 0 {
			t.Errorf("%s: %d writes reached Azure", tc.name, w)
		}
	}
}

// TestV2ClusterFailsByPolicy: Azure Policy refuses the cluster's public IP
// asynchronously, as it does in the locked resource group: step 1 Failed
// with Azure's words (which only the create's operation carries; the
// cluster itself says "Failed"), no retry (the cluster exists, Failed) but
// cleanup, which deletes it.
func TestV2ClusterFailsByPolicy(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	req := v2Create("k8s-locked")
	req.Workspace = rules.WorkspaceRef{Subscription: armemu.SubscriptionID, ResourceGroup: armemu.LockedResourceGroup, Name: "ws-locked"}
	op := a.accept(t, st, "POST", "/api/computes", req)
	// Azure's words come from the adapter's follower of the create (an SDK
	// poller, paced on the wall clock at its PollFrequency), which the fake
	// clock does not drive: once the create has failed in the emulator, the
	// clock stands until the follower has them, as the driver's grace of
	// polls gives it time to in production.
	st.clock.Advance(time.Second)
	cluster := rules.ClusterRef{Subscription: armemu.SubscriptionID, ResourceGroup: armemu.LockedResourceGroup, Name: "k8s-locked"}
	st.clock.drive(t, 0, func() bool { return len(st.az.ClusterFailure(cluster)) > 0 })
	s := a.wait(t, st, op)
	if got := stepStates(s); got != "cluster=Failed extension=Pending attach=Pending" {
		t.Fatalf("steps %q: %+v", got, s)
	}
	if !strings.Contains(strings.Join(s.Steps[0].Errors, " "), "policy") || s.CanRetry || !s.CanCleanup {
		t.Errorf("failed cluster step: %+v (retry %v, cleanup %v)", s.Steps[0], s.CanRetry, s.CanCleanup)
	}
	path := "/api/workspaces/" + armemu.SubscriptionID + "/" + armemu.LockedResourceGroup + "/ws-locked/computes/k8s-locked"
	if ans := st.do(t, "POST", path+"/retry", "{}"); ans.status != http.StatusConflict {
		t.Errorf("retry of a failed cluster create: %d %s", ans.status, ans.body)
	}
	a.accept(t, st, "POST", path+"/cleanup", struct{}{})
	if s = a.wait(t, st, op); !s.Succeeded || stepStates(s) != "remove-cluster=Succeeded" {
		t.Fatalf("cleanup: %s %+v", stepStates(s), s)
	}
	if _, ok := v2Cluster(t, st, "k8s-locked"); ok {
		t.Error("the failed cluster is still there after cleanup")
	}
}

// TestV2CreateOutsideExtensionRegions: a Kubernetes create in a region where
// Azure offers no cluster extensions (the provider's own list) is refused
// with X10 on the location before the cluster is made.
func TestV2CreateOutsideExtensionRegions(t *testing.T) {
	st := v2Stack(t)
	req := v2Create("k8s-central")
	req.Location = "centralus"
	before := st.emu.Writes()
	ans := st.do(t, "POST", "/api/computes", mustSecJSON(t, req))
	var body struct {
		Error struct{ Findings rules.Findings }
	}
	_ = json.Unmarshal([]byte(ans.body), &body)
	if ans.status != http.StatusBadRequest || !slices.Contains(body.Error.Findings.Codes(), "X10") || st.emu.Writes() != before {
		t.Errorf("create in centralus: %d %s", ans.status, ans.body)
	}
	ans = st.do(t, "POST", "/api/facts", mustSecJSON(t, v2Create("k8s-east")))
	var f rules.Facts
	if json.Unmarshal([]byte(ans.body), &f) != nil || !slices.Contains(f.ExtensionRegions, "eastus") || slices.Contains(f.ExtensionRegions, "centralus") {
		t.Errorf("facts' extension regions: %q (%s)", f.ExtensionRegions, ans.body)
	}
}

// TestV2AttachFailsThenRetry: Azure ML fails the attach asynchronously; a
// retry detaches the failed compute and attaches again, and the extension,
// Succeeded already, is not touched.
func TestV2AttachFailsThenRetry(t *testing.T) {
	st := v2Stack(t)
	var a v2Answers
	st.emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/computes/k8s-att", FailOperation: true, Code: "InternalServerError", Message: "The attach timed out."})
	op := a.accept(t, st, "POST", "/api/computes", v2Attach("k8s-att", "aks-v2-ready"))
	s := a.wait(t, st, op)
	if got := stepStates(s); got != "extension=Skipped attach=Failed" || !strings.Contains(strings.Join(s.Errors, " "), "timed out") {
		t.Fatalf("steps %q: %+v", got, s)
	}
	if !s.CanCleanup || !strings.Contains(strings.Join(s.Left, " "), "k8s-att stays") {
		t.Errorf("failed attach: cleanup %v, left %q", s.CanCleanup, s.Left)
	}
	a.accept(t, st, "POST", v2Path("k8s-att", "/retry"), struct{}{})
	if s = a.wait(t, st, op); stepStates(s) != "extension=Skipped attach=Succeeded" {
		t.Fatalf("after retry: %s %+v", stepStates(s), s)
	}
	if c := v2Computes(t, st)["k8s-att"]; c.State != "Succeeded" || c.Type != "Kubernetes" {
		t.Errorf("compute after retry: %+v", c)
	}
}
