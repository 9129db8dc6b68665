//go:build !(js && wasm)

package proxy_test

// ARM economy: how many requests the proxy sends the ARM emulator (its
// request counter) for facts, validations, writes, page loads and operations
// watched by many pages, through the real adapter over TLS.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	wiring "github.com/amlaks/amlaks/proxy/serve"
	"github.com/amlaks/amlaks/rules"
)

// econStack is the emulator, the adapter wired as `amlaks serve` wires it
// (no background poller in the adapter) and the proxy.
type econStack struct {
	emu *armemu.Emulator
	srv *proxy.Server
	web *wiring.Main

	mu    sync.Mutex
	paths []string // "METHOD path" of every ARM request
}

// ServeHTTP notes the ARM request and passes it to the emulator.
func (st *econStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st.mu.Lock()
	st.paths = append(st.paths, r.Method+" "+strings.ToLower(r.URL.Path))
	st.mu.Unlock()
	st.emu.ServeHTTP(w, r)
}

// asked returns the ARM requests f makes, "METHOD path" each.
func (st *econStack) asked(f func()) []string {
	st.mu.Lock()
	n := len(st.paths)
	st.mu.Unlock()
	f()
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string(nil), st.paths[n:]...)
}

func newEconStack(tb testing.TB, eo armemu.Options, cfg proxy.Config) *econStack {
	tb.Helper()
	st := &econStack{emu: armemu.New(eo)}
	st.start(tb, cfg)
	return st
}

// newClockedEconStack is newEconStack with the emulator and the proxy's
// pollers on a fake clock the test advances.
func newClockedEconStack(tb testing.TB, eo armemu.Options, cfg proxy.Config) (*econStack, *manualClock) {
	tb.Helper()
	clock := newClock()
	eo.Now = clock.Now
	st := &econStack{emu: armemu.New(eo)}
	clocks.Store(http.Handler(st), clock)
	st.start(tb, cfg)
	return st, clock
}

// start runs an amlaks server (startMain) over the stack's emulator, through
// the stack so the ARM requests are noted, with the proxy settings of cfg.
func (st *econStack) start(tb testing.TB, cfg proxy.Config) {
	tb.Helper()
	m := startMain(tb, st, mainOptions{
		azure: func(o *azure.Options) { o.PollFrequency = 20 * time.Millisecond },
		proxy: func(c *proxy.Config) {
			c.Policy, c.Now, c.Timeout, c.PollInterval, c.MinPollInterval = cfg.Policy, cfg.Now, cfg.Timeout, cfg.PollInterval, cfg.MinPollInterval
			c.WritesPerMinute = -1
			c.ReadsPerMinute = -1 // many requests from one address, on purpose
		},
	})
	st.srv, st.web = m.Server, m
}

// do sends one API request and fails the test on an unexpected status.
func (st *econStack) do(tb testing.TB, method, path string, in any, want int) []byte {
	tb.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, st.web.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if want >= 0 && resp.StatusCode != want {
		tb.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, out, want)
	}
	return out
}

// arm counts the ARM requests f makes.
func (st *econStack) arm(f func()) int64 {
	before := st.emu.Requests()
	f()
	return st.emu.Requests() - before
}

func econCreate(name string) rules.Request {
	return rules.Request{Mode: rules.ModeCreate, Workspace: emuEast, Name: name}
}

func econAttach(name, cluster string) rules.Request {
	return rules.Request{Mode: rules.ModeAttach, Workspace: emuEast, Name: name, Target: rules.Target{ResourceID: emuClusterID(cluster)}}
}

func slowOps() armemu.Options {
	return armemu.Options{CreateDuration: time.Hour, AttachDuration: time.Hour, UpdateDuration: time.Hour, DeleteDuration: time.Hour, RetryAfter: -1}
}

// TestFactsWarmCostNothing: once the facts of a request are known, facts
// and validations of it, in either mode, ask Azure nothing.
func TestFactsWarmCostNothing(t *testing.T) {
	st := newEconStack(t, slowOps(), proxy.Config{})
	for _, req := range []rules.Request{econCreate("aks-one"), econAttach("aks-two", "aks-healthy")} {
		cold := st.arm(func() { st.do(t, "POST", "/api/facts", req, 200) })
		if cold == 0 {
			t.Fatalf("%s: a cold facts request asked Azure nothing: the test sees no ARM request", req.Mode)
		}
		// The budget of a cold facts request in the sample world: the
		// workspace, the subscriptions and workspaces lists, one computes list
		// per workspace of the region (3), and two reads of the location
		// (sizes and versions, or versions and service tags, + the cluster).
		if cold > 9 {
			t.Errorf("%s: a cold facts request made %d ARM requests, want at most 9", req.Mode, cold)
		}
		t.Logf("%s: cold facts: %d ARM requests", req.Mode, cold)
		for _, path := range []string{"/api/facts", "/api/validate", "/api/facts"} {
			if n := st.arm(func() { st.do(t, "POST", path, req, 200) }); n != 0 {
				t.Errorf("%s: warm %s made %d ARM requests, want 0", req.Mode, path, n)
			}
		}
	}
	if s := st.srv.CacheStats(); s.Hits == 0 || s.Misses == 0 {
		t.Errorf("cache stats = %+v, want hits and misses", s)
	}
}

// TestFactsFetchedOnceForConcurrentAskers: thirty cold facts requests at
// once cost what one does.
func TestFactsFetchedOnceForConcurrentAskers(t *testing.T) {
	one := newEconStack(t, slowOps(), proxy.Config{})
	want := one.arm(func() { one.do(t, "POST", "/api/facts", econCreate("aks-one"), 200) })

	many := newEconStack(t, slowOps(), proxy.Config{})
	got := many.arm(func() {
		var wg sync.WaitGroup
		for range 30 {
			wg.Go(func() { many.do(t, "POST", "/api/facts", econCreate("aks-one"), 200) })
		}
		wg.Wait()
	})
	if got != want {
		t.Errorf("30 concurrent cold facts requests made %d ARM requests, one makes %d", got, want)
	}
}

// TestFactsTimeToLive: computes are read again after seconds, versions
// after an hour, the workspace's location after hours.
func TestFactsTimeToLive(t *testing.T) {
	clock := newClock()
	st := newEconStack(t, slowOps(), proxy.Config{Now: clock.Now})
	req := econCreate("aks-one")
	count := func(paths []string, part string) int {
		n := 0
		for _, p := range paths {
			if strings.Contains(p+"?", part) {
				n++
			}
		}
		return n
	}
	const computes, versions, workspace = "/computes", "/kubernetesversions", "/workspaces/ws-east?"
	cold := st.asked(func() { st.do(t, "POST", "/api/facts", req, 200) })
	// One computes list (the workspace's own): the other workspaces' computes
	// come from one Resource Graph query, not a list of workspaces and one
	// list each. The workspace's location comes from the list of workspaces
	// (which the page reads anyway), so the workspace itself is not read.
	if count(cold, computes) != 1 || count(cold, versions) != 1 || count(cold, workspace) != 0 || count(cold, "/microsoft.resourcegraph/") != 1 {
		t.Fatalf("cold facts asked %q", cold)
	}
	for _, step := range []struct {
		after                     time.Duration
		computes, versions, ws, n int
	}{
		{after: 0},
		{after: 11 * time.Second, computes: 1, n: 1},
		// + the Resource Graph query, the quotas (five minutes), and the
		// subscriptions and workspaces lists (five minutes) that a request's
		// workspace is looked up in before it is read
		{after: time.Hour, computes: 1, versions: 1, n: 6},
		// the workspace's location comes with the list of workspaces, never
		// from a read of its own
		{after: 7 * time.Hour, computes: 1, versions: 1, n: 6},
	} {
		clock.Advance(step.after)
		got := st.asked(func() { st.do(t, "POST", "/api/facts", req, 200) })
		if count(got, computes) != step.computes || count(got, versions) != step.versions ||
			count(got, workspace) != step.ws || len(got) != step.n {
			t.Errorf("%v later: asked %q; want %d computes lists, %d versions, %d workspace reads, %d in all",
				step.after, got, step.computes, step.versions, step.ws, step.n)
		}
	}
}

// TestWriteRereadsWhatItDependsOn: the cache says the cluster is attached
// nowhere, but another proxy has just attached it; the attach is refused
// (T4) from a fresh read, and nothing is written.
func TestWriteRereadsWhatItDependsOn(t *testing.T) {
	st := newEconStack(t, slowOps(), proxy.Config{})
	req := econAttach("aks-second", "aks-healthy")
	st.do(t, "POST", "/api/validate", req, 200) // warms computes and cluster

	// Another replica attaches the cluster behind this proxy's back.
	second := newSecondProxy(t, st)
	second.do(t, "POST", "/api/computes", econAttach("aks-first", "aks-healthy"), http.StatusAccepted)

	writes := st.emu.Writes()
	body := st.do(t, "POST", "/api/computes", req, http.StatusConflict)
	if !strings.Contains(string(body), `"T4"`) {
		t.Errorf("answer %s, want T4", body)
	}
	if n := st.emu.Writes() - writes; n != 0 {
		t.Errorf("%d writes sent, want none", n)
	}
}

// newSecondProxy is another proxy, with its own adapter and cache, on the
// same emulator.
func newSecondProxy(tb testing.TB, st *econStack) *econStack {
	tb.Helper()
	second := &econStack{emu: st.emu}
	if clock := clockOf(st); clock != nil {
		clocks.Store(http.Handler(second), clock)
	}
	second.start(tb, proxy.Config{})
	return second
}

// TestWriteForgetsWhatItChanged: right after a create is accepted, a
// validation of the same name sees it (N5), though the computes were cached.
func TestWriteForgetsWhatItChanged(t *testing.T) {
	st := newEconStack(t, slowOps(), proxy.Config{})
	req := econCreate("aks-fresh")
	if b := st.do(t, "POST", "/api/validate", req, 200); strings.Contains(string(b), `"N5"`) {
		t.Fatalf("N5 before the create: %s", b)
	}
	st.do(t, "POST", "/api/computes", req, http.StatusAccepted)
	if b := st.do(t, "POST", "/api/validate", req, 200); !strings.Contains(string(b), `"N5"`) {
		t.Errorf("validate after the create: %s, want N5", b)
	}
}

// TestWritesAndPageLoadARMBudget: with warm facts a create costs at most 4
// ARM requests, an attach too, and a page load (config, workspaces,
// clusters, locations, facts) at most 3.
func TestWritesAndPageLoadARMBudget(t *testing.T) {
	st := newEconStack(t, slowOps(), proxy.Config{})
	q := "?subscription=" + armemu.SubscriptionID
	pageLoad := func() {
		st.do(t, "GET", "/api/config", nil, 200)
		st.do(t, "GET", "/api/workspaces", nil, 200)
		st.do(t, "GET", "/api/clusters"+q, nil, 200)
		st.do(t, "GET", "/api/locations"+q, nil, 200)
		st.do(t, "POST", "/api/facts", econCreate("aks-one"), 200)
	}
	pageLoad()
	if n := st.arm(pageLoad); n > 3 {
		t.Errorf("a warm page load made %d ARM requests, want at most 3", n)
	}
	var earlier []string
	for _, req := range []rules.Request{econCreate("aks-budget"), econAttach("aks-budget2", "aks-healthy")} {
		st.do(t, "POST", "/api/validate", req, 200)
		var paths []string
		for _, p := range st.asked(func() { st.do(t, "POST", "/api/computes", req, http.StatusAccepted) }) {
			// The proxy's one poller of an earlier write may poll meanwhile;
			// TestOneOperationOnePoller budgets those polls.
			if !slices.ContainsFunc(earlier, func(name string) bool { return strings.HasSuffix(p, "/computes/"+name) }) {
				paths = append(paths, p)
			}
		}
		earlier = append(earlier, strings.ToLower(req.Name))
		n := len(paths)
		if n > 4 {
			t.Errorf("%s with warm facts made %d ARM requests, want at most 4: %q", req.Mode, n, paths)
		}
		t.Logf("%s with warm facts: %d ARM requests", req.Mode, n)
	}
}

// watch has n pages read an operation at once every 100 ms of the clock
// (which runs the emulator and the proxy's poller) until each has seen it
// done, and returns the ARM requests made meanwhile.
func watch(tb testing.TB, st *econStack, clock *manualClock, op string, n int) int64 {
	tb.Helper()
	done := make([]bool, n)
	return st.arm(func() {
		clock.drive(tb, 100*time.Millisecond, func() bool {
			var wg sync.WaitGroup
			for i := range n {
				if done[i] {
					continue
				}
				wg.Go(func() {
					var s rules.OperationState
					done[i] = json.Unmarshal(st.do(tb, "GET", op, nil, 200), &s) == nil && s.Done
				})
			}
			wg.Wait()
			return !slices.Contains(done, false)
		})
	})
}

// TestOneOperationOnePoller: fifty pages watching an operation cost Azure
// what one does, one ARM GET a poll, at Azure's Retry-After.
func TestOneOperationOnePoller(t *testing.T) {
	eo := armemu.Options{CreateDuration: 2500 * time.Millisecond, RetryAfter: time.Second}
	var counts []int64
	for _, watchers := range []int{1, 50} {
		// The proxy's own pace, 10 s, is not Azure's: a poller that ignored
		// Retry-After would poll twice (at once, then at 10 s).
		st, clock := newClockedEconStack(t, eo, proxy.Config{PollInterval: 10 * time.Second})
		st.do(t, "POST", "/api/validate", econCreate("aks-watched"), 200)
		var a rules.Accepted
		if err := json.Unmarshal(st.do(t, "POST", "/api/computes", econCreate("aks-watched"), http.StatusAccepted), &a); err != nil {
			t.Fatal(err)
		}
		n := watch(t, st, clock, a.Operation, watchers)
		polls := st.srv.Polls(emuEast, "aks-watched")
		t.Logf("%d watchers: %d ARM requests, %d polls", watchers, n, polls)
		// Retry-After 1 s over 2.5 s of the clock: 3 or 4 polls (the first
		// when a page asks, then each second; 3 when a poll ends after the
		// clock has moved on), not one per page's read every 100 ms; one GET
		// each, and the final read adds the cluster's.
		if polls < 3 || polls > 4 {
			t.Errorf("%d watchers: %d polls in 2.5 s with Retry-After 1 s, want 3 or 4", watchers, polls)
		}
		if n > int64(polls)+3 {
			t.Errorf("%d watchers: %d ARM requests for %d polls: more than one GET a poll", watchers, n, polls)
		}
		counts = append(counts, n)
	}
	if d := counts[1] - counts[0]; d < -1 || d > 1 {
		t.Errorf("1 watcher cost %d ARM requests, 50 cost %d: want the same", counts[0], counts[1])
	}
}
