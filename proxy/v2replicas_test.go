//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure/blobsync"
	"github.com/amlaks/amlaks/proxy/azure/blobsync/azuritetest"
	"github.com/amlaks/amlaks/rules"
)

// The v2 operations with several replicas: two proxies over one emulator,
// sharing one Azurite container for their locks and the operations'
// records. Any replica answers a progress poll and takes a retry; a
// replica killed halfway through an operation leaves it to another, which
// goes on once the lease has expired and sends nothing twice.

// armPuts counts the PUTs the proxies send to the emulator, by path.
type armPuts struct {
	h    http.Handler
	mu   sync.Mutex
	puts map[string]int
}

func (a *armPuts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		a.mu.Lock()
		a.puts[strings.ToLower(r.URL.Path)]++
		a.mu.Unlock()
	}
	a.h.ServeHTTP(w, r)
}

// count is how many PUTs went to a path ending in suffix.
func (a *armPuts) count(suffix string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for p, c := range a.puts {
		if strings.HasSuffix(p, strings.ToLower(suffix)) {
			n += c
		}
	}
	return n
}

// v2Replicas starts n proxies over one emulator and one Azurite container;
// wrap, when set, wraps replica i's Locker. It returns the stacks, the PUT
// counter and a client of the container, to read the records as stored.
func v2Replicas(t *testing.T, n int, emu armemu.Options, wrap func(i int, l proxy.Locker) proxy.Locker) ([]*secStack, *armPuts, *blobsync.Store) {
	t.Helper()
	conn := azuritetest.Start(t)
	open := func() *blobsync.Store {
		s, err := blobsync.NewFromConnectionString(context.Background(), conn, "amlaks", blobsync.Options{Retry: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if emu.CreateDuration == 0 {
		emu.CreateDuration = 300 * time.Millisecond
	}
	emu.AttachDuration, emu.UpdateDuration, emu.DeleteDuration, emu.ExtensionDuration = 200*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond, 300*time.Millisecond
	emu.RetryAfter = -1
	clock := newClock()
	emu.Now = clock.Now
	e := armemu.New(emu)
	puts := &armPuts{h: e, puts: map[string]int{}}
	clocks.Store(http.Handler(puts), clock) // the replicas' pollers and the emulator on one clock
	base := &secStack{emu: e, arm: puts}
	var sts []*secStack
	for i := range n {
		store := open()
		var l proxy.Locker = store
		if wrap != nil {
			l = wrap(i, store)
		}
		cfg := proxy.Config{Locker: l, SharedLimits: store, V2Store: store}
		sts = append(sts, newSecStack(t, secOptions{cfg: cfg, noRate: true, reuse: base}))
	}
	return sts, puts, open()
}

// waitV2 polls an operation on st until it is done, for up to limit.
func waitV2(t *testing.T, st *secStack, op string, limit time.Duration) rules.OperationState {
	t.Helper()
	var s rules.OperationState
	st.clock.driveWithin(t, limit, opStep, func() bool {
		ans := st.do(t, "GET", op, "")
		s = rules.OperationState{}
		if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &s) != nil {
			t.Fatalf("GET %s: status %d: %s", op, ans.status, ans.body)
		}
		return s.Done
	})
	return s
}

// opKey is the store's key of a compute's v2 operation.
func opKey(name string) string { return strings.ToLower(secWS.ID() + "/" + name) }

// noSecretStored fails t when the stored record of name holds the
// certificate or key, as text or as base64.
func noSecretStored(t *testing.T, store *blobsync.Store, name string, secrets ...string) {
	t.Helper()
	data, _, err := store.Load(context.Background(), opKey(name))
	if err != nil || data == nil {
		t.Fatalf("no stored record of %s: %v", name, err)
	}
	if !strings.Contains(string(data), name) {
		t.Fatalf("the stored record does not name %s: %s", name, data)
	}
	for _, s := range secrets {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), strings.Split(strings.TrimSpace(s), "\n")[1]} {
			if strings.Contains(string(data), form) {
				t.Fatalf("the stored record of %s holds a secret of the extension's protected settings", name)
			}
		}
	}
}

// TestV2ReplicasShareOperations: a create started on A (HTTPS, with the
// certificate and key) fails at the extension; B answers its progress from
// the store; a retry on B without the key is refused on the key's field
// (B never had it), with the key it is driven on and A answers Succeeded.
// The cluster is sent once, and no record as stored holds the key.
func TestV2ReplicasShareOperations(t *testing.T) {
	sts, puts, store := v2Replicas(t, 2, armemu.Options{}, nil)
	a, b := sts[0], sts[1]
	a.emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/extensions/azureml", FailOperation: true, Code: "ExtensionOperationFailed", Message: "Helm install timed out."})
	cert, key := secPEMs(t, "scoring.example.com")
	req := v2Create("k8s-shared")
	req.TLS = rules.TLS{Mode: rules.TLSCustom, CertPEM: cert, KeyPEM: key, CNAME: "scoring.example.com"}
	req.Kubernetes = rules.Kubernetes{}
	var ans v2Answers
	op := ans.accept(t, a, "POST", "/api/computes", req)

	s := waitV2(t, b, op, 30*time.Second)
	if got, want := stepStates(s), "cluster=Succeeded extension=Failed attach=Pending"; got != want || !s.CanRetry {
		t.Fatalf("on B: steps %q, want %q (%+v)", got, want, s)
	}
	noSecretStored(t, store, "k8s-shared", cert, key)

	r := b.do(t, "POST", v2Path("k8s-shared", "/retry"), "{}")
	if r.status != http.StatusBadRequest || r.apiErr().Field != rules.FieldTLSKey {
		t.Fatalf("a retry on B without the key: %d %s, want 400 on %s", r.status, r.body, rules.FieldTLSKey)
	}
	ans.accept(t, b, "POST", v2Path("k8s-shared", "/retry"), rules.RetryRequest{Request: &req})
	s = waitV2(t, a, op, 30*time.Second)
	if got, want := stepStates(s), "cluster=Succeeded extension=Succeeded attach=Succeeded"; got != want || !s.Succeeded {
		t.Fatalf("on A after B's retry: steps %q, want %q: %+v\nA: %s\nB: %s", got, want, s, grepLog(a.logs.String(), "v2"), grepLog(b.logs.String(), "v2"))
	}
	noSecretStored(t, store, "k8s-shared", cert, key)
	if n := puts.count("/managedClusters/k8s-shared"); n != 1 {
		t.Errorf("%d cluster PUTs, want 1", n)
	}
	if n := puts.count("/computes/k8s-shared"); n != 1 {
		t.Errorf("%d compute PUTs, want 1", n)
	}
	for _, body := range ans.bodies {
		if strings.Contains(body, strings.Split(strings.TrimSpace(key), "\n")[1]) {
			t.Fatal("an answer echoes the key")
		}
	}
}

// killable is a replica's Locker that can be killed: its leases stop being
// renewed and are never released, as when the process is killed; the
// driver holding one is told the lease is lost. Later locks wait forever.
type killable struct {
	proxy.Locker
	mu      sync.Mutex
	dead    bool
	cancels []context.CancelFunc
}

func (k *killable) Lock(ctx context.Context, keys ...string) (context.Context, func(), error) {
	k.mu.Lock()
	dead := k.dead
	k.mu.Unlock()
	if dead {
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	c, cancel := context.WithCancel(ctx)
	held, unlock, err := k.Locker.Lock(c, keys...)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	k.mu.Lock()
	k.cancels = append(k.cancels, cancel)
	k.mu.Unlock()
	return held, func() {
		k.mu.Lock()
		dead := k.dead
		k.mu.Unlock()
		if !dead {
			unlock()
		}
	}, nil
}

func (k *killable) kill() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.dead = true
	for _, c := range k.cancels {
		c() // the renewals stop: the leases expire on their own
	}
}

// TestV2ReplicaKilledMidCreate: A accepts a create and is killed while AKS
// creates the cluster; B, asked for the progress, waits for A's lease to
// expire, goes on from the recorded step and finishes: one cluster PUT, one
// extension PUT, one compute PUT in all.
func TestV2ReplicaKilledMidCreate(t *testing.T) {
	var ka *killable
	sts, puts, _ := v2Replicas(t, 2, armemu.Options{CreateDuration: 3 * time.Second}, func(i int, l proxy.Locker) proxy.Locker {
		if i == 0 {
			ka = &killable{Locker: l}
			return ka
		}
		return l
	})
	a, b := sts[0], sts[1]
	var ans v2Answers
	op := ans.accept(t, a, "POST", "/api/computes", v2Create("k8s-killed"))
	// A's driver holds the lease and has made a turn (the clock stands: it
	// is the first turn's end that is waited for, not time).
	a.clock.drive(t, 0, func() bool { return a.web.Server.Polls(secWS, "k8s-killed") > 0 })
	ka.kill()

	var s rules.OperationState
	if r := b.do(t, "GET", op, ""); r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &s) != nil || s.Done || s.Steps[0].State != rules.StepRunning {
		t.Fatalf("on B right after A was killed: %d %s, want the cluster step running", r.status, r.body)
	}
	s = waitV2(t, b, op, 90*time.Second)
	if got, want := stepStates(s), "cluster=Succeeded extension=Succeeded attach=Succeeded"; got != want || !s.Succeeded {
		t.Fatalf("on B: steps %q, want %q", got, want)
	}
	for suffix, want := range map[string]int{"/managedClusters/k8s-killed": 1, "/extensions/azureml": 1, "/computes/k8s-killed": 1} {
		if n := puts.count(suffix); n != want {
			t.Errorf("%d PUTs of %s, want %d", n, suffix, want)
		}
	}
	if !strings.Contains(b.logs.String(), "v2 operation resumed from its stored record") {
		t.Error("B's log does not say it resumed the operation")
	}
}

// TestV2ResumeReadsAzureFirst: a record left by a driver that died after it
// marked a step's write as being sent, before it stored Azure's answer, is
// resumed by another replica (on start, ResumeV2) without sending the write
// again: Azure has the resource, and the step follows it.
func TestV2ResumeReadsAzureFirst(t *testing.T) {
	sts, puts, store := v2Replicas(t, 2, armemu.Options{}, nil)
	a, b := sts[0], sts[1]
	var ans v2Answers
	op := ans.accept(t, a, "POST", "/api/computes", v2Create("k8s-resume"))
	if s := waitV2(t, a, op, 30*time.Second); !s.Succeeded {
		t.Fatalf("create: %+v", s)
	}
	ctx := context.Background()
	for i, step := range []rules.StepName{rules.StepAttach, rules.StepCluster} {
		data, v, err := store.Load(ctx, opKey("k8s-resume"))
		if err != nil {
			t.Fatal(err)
		}
		var rec map[string]any
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(err)
		}
		// As the record was just before the write of step went out.
		steps := rec["steps"].([]any)
		idx := map[rules.StepName]int{rules.StepCluster: 0, rules.StepAttach: 2}[step]
		steps[idx] = map[string]any{"name": string(step), "title": "t", "state": string(rules.StepPending), "elapsedSec": 0, "expectedSec": 60}
		delete(rec, "ended")
		rec["sending"] = string(step)
		delete(rec, map[rules.StepName]string{rules.StepCluster: "madeCluster", rules.StepAttach: "madeCompute"}[step])
		data, _ = json.Marshal(rec)
		if _, ok, err := store.Save(ctx, opKey("k8s-resume"), data, v, true); err != nil || !ok {
			t.Fatalf("tamper: %v %v", ok, err)
		}
		n, err := b.web.Server.ResumeV2(ctx)
		if err != nil || n != 1 {
			t.Fatalf("round %d: ResumeV2 found %d, %v; want 1", i, n, err)
		}
		s := waitV2(t, b, op, 30*time.Second)
		if !s.Succeeded {
			t.Fatalf("round %d (%s): resumed operation: %s %+v", i, step, stepStates(s), s)
		}
	}
	if n := puts.count("/managedClusters/k8s-resume"); n != 1 {
		t.Errorf("%d cluster PUTs, want 1", n)
	}
	if n := puts.count("/computes/k8s-resume"); n != 1 {
		t.Errorf("%d compute PUTs, want 1", n)
	}
}

// grepLog keeps the log lines that contain word.
func grepLog(log, word string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
