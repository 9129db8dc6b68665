//go:build !(js && wasm)

package proxy_test

// Benchmarks of the API against a reference measured in the same run: a
// bare net/http server that decodes the same JSON request (the most any Go
// server can do with it), and the ARM requests the proxy sends the emulator
// for the scenarios of issue 13. `make bench` runs them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// benchRequest is a full create request: every field a person fills.
func benchRequest() rules.Request {
	return rules.Request{
		Mode: rules.ModeCreate, Workspace: emuEast, Name: "aks-bench", Purpose: rules.PurposeFastProd,
		Location: "eastus", VMSize: "Standard_D3_v2", NodeCount: 3, Description: "scoring for the bench",
		Network: rules.Network{VnetResourceGroup: "net-rg", VnetName: "vnet", SubnetName: "aks",
			ServiceCIDR: "10.0.0.0/16", DNSServiceIP: "10.0.0.10", DockerBridgeCIDR: "172.17.0.1/16"},
		LoadBalancer: rules.LoadBalancer{Type: rules.LoadBalancerPublicIP},
		TLS:          rules.TLS{Mode: rules.TLSMicrosoft, LeafDomainLabel: "scoring"},
		Tags:         map[string]string{"team": "ml", "cost-center": "42"},
	}
}

// bareServer is the reference: net/http decoding the same JSON strictly,
// as the proxy does, and answering an empty list of findings.
func bareServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		var req rules.Request
		if err := dec.Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"findings":[]}`))
	}))
}

// loadResult is one load run: requests a second and latency percentiles.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
}

// runLoad posts body to url b.N times from parallel clients and reports
// requests a second and the latency percentiles.
func runLoad(b *testing.B, url string, body []byte) loadResult {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("%s: status %d", url, resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return loadResult{}
	}
	r := loadResult{rps: float64(len(lat)) / elapsed.Seconds(), p50: lat[len(lat)/2], p99: lat[len(lat)*99/100]}
	b.ReportMetric(r.rps, "req/s")
	b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
	return r
}

// BenchmarkAPI measures POST /api/validate and /api/facts with warm facts,
// beside the bare net/http server decoding the same request, in one run,
// and prints the ratios (goal: >= 0.3x the bare server, p99 < 5 ms).
func BenchmarkAPI(b *testing.B) {
	body, err := json.Marshal(benchRequest())
	if err != nil {
		b.Fatal(err)
	}
	bare := bareServer()
	defer bare.Close()
	st := newEconStack(b, slowOps(), proxy.Config{})
	st.do(b, "POST", "/api/validate", benchRequest(), http.StatusOK) // warm the facts
	armBefore := st.emu.Requests()
	results := map[string]loadResult{}
	for _, c := range []struct{ name, url string }{
		{"bare-net-http", bare.URL},
		{"validate", st.web.URL + "/api/validate"},
		{"facts", st.web.URL + "/api/facts"},
	} {
		b.Run(c.name, func(b *testing.B) { results[c.name] = runLoad(b, c.url, body) })
	}
	ref := results["bare-net-http"]
	if ref.rps == 0 {
		return
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "\n%-34s %10s %10s %10s %8s\n", "API, warm facts (same run)", "req/s", "p50 ms", "p99 ms", "ratio")
	for _, name := range []string{"bare-net-http", "validate", "facts"} {
		r := results[name]
		fmt.Fprintf(&out, "%-34s %10.0f %10.2f %10.2f %7.2fx\n", name, r.rps, ms(r.p50), ms(r.p99), r.rps/ref.rps)
	}
	fmt.Fprintf(&out, "ARM requests during the load: %d (computes are kept 10 s, the rest for hours)\n", st.emu.Requests()-armBefore)
	fmt.Fprint(os.Stdout, out.String())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkARMRequests counts the ARM requests of issue 13's scenarios,
// each on its own emulator, all at once (about 35 s of wall time), and
// prints them with their goals. Run it once: -benchtime=1x.
func BenchmarkARMRequests(b *testing.B) {
	for range b.N {
		armScenarios(b)
	}
}

type armCount struct {
	name string
	n    int64
	goal string
}

func armScenarios(b *testing.B) {
	q := "?subscription=" + armemu.SubscriptionID
	pageLoad := func(st *econStack) {
		st.do(b, "GET", "/api/config", nil, 200)
		st.do(b, "GET", "/api/workspaces", nil, 200)
		st.do(b, "GET", "/api/clusters"+q, nil, 200)
		st.do(b, "GET", "/api/locations"+q, nil, 200)
		st.do(b, "POST", "/api/facts", econCreate("aks-page"), 200)
	}
	// endToEnd is a person's whole create or attach: the page loads, the
	// form is validated, submitted, and the progress page polls every 2 s.
	endToEnd := func(st *econStack, req rules.Request) int64 {
		return st.arm(func() {
			pageLoad(st)
			st.do(b, "POST", "/api/validate", req, 200)
			var a rules.Accepted
			_ = json.Unmarshal(st.do(b, "POST", "/api/computes", req, http.StatusAccepted), &a)
			watchFor(b, st, a.Operation, 1, time.Minute, true)
		})
	}
	tabs := func(n int) int64 {
		st := newEconStack(b, armemu.Options{CreateDuration: 5 * time.Minute, RetryAfter: time.Second}, proxy.Config{})
		var a rules.Accepted
		_ = json.Unmarshal(st.do(b, "POST", "/api/computes", econCreate("aks-tabs"), http.StatusAccepted), &a)
		return st.arm(func() { watchFor(b, st, a.Operation, n, 30*time.Second, false) })
	}

	var mu sync.Mutex
	var counts []armCount
	add := func(name string, n int64, goal string) {
		mu.Lock()
		counts = append(counts, armCount{name, n, goal})
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		st := newEconStack(b, slowOps(), proxy.Config{})
		add("cold /api/facts (create)", st.arm(func() { st.do(b, "POST", "/api/facts", econCreate("aks-one"), 200) }), "<= 4")
		add("warm /api/facts (create)", st.arm(func() { st.do(b, "POST", "/api/facts", econCreate("aks-one"), 200) }), "0")
		add("warm /api/validate (create)", st.arm(func() { st.do(b, "POST", "/api/validate", benchRequest(), 200) }), "0")
		att := econAttach("aks-two", "aks-healthy")
		add("cold /api/facts (attach)", st.arm(func() { st.do(b, "POST", "/api/facts", att, 200) }), "<= 4")
		add("warm /api/facts (attach)", st.arm(func() { st.do(b, "POST", "/api/facts", att, 200) }), "0")
		add("POST /api/computes create, warm facts", st.arm(func() { st.do(b, "POST", "/api/computes", econCreate("aks-new"), http.StatusAccepted) }), "<= 4")
		add("POST /api/computes attach, warm facts", st.arm(func() { st.do(b, "POST", "/api/computes", att, http.StatusAccepted) }), "<= 4")
		add("page load, cold (after the writes)", st.arm(func() { pageLoad(st) }), "-")
		add("page load, warm", st.arm(func() { pageLoad(st) }), "<= 3")
	})
	wg.Go(func() {
		st := newEconStack(b, armemu.Options{CreateDuration: 20 * time.Second, RetryAfter: time.Second}, proxy.Config{})
		add("one create end to end (20 s, Retry-After 1 s)", endToEnd(st, econCreate("aks-e2e")), "was 55")
	})
	wg.Go(func() {
		st := newEconStack(b, armemu.Options{AttachDuration: 10 * time.Second, RetryAfter: time.Second}, proxy.Config{})
		add("one attach end to end (10 s, Retry-After 1 s)", endToEnd(st, econAttach("aks-e2a", "aks-healthy")), "was 39")
	})
	for _, n := range []int{1, 10, 50} {
		wg.Go(func() {
			add(fmt.Sprintf("one operation watched 30 s by %2d tabs", n), tabs(n), "same for any number; was 60 / 332 (1 / 10)")
		})
	}
	wg.Wait()
	slices.SortFunc(counts, func(a, c armCount) int { return strings.Compare(a.name, c.name) })
	var out bytes.Buffer
	fmt.Fprintf(&out, "\n%-48s %6s   %s\n", "ARM requests (emulator counter)", "count", "goal")
	for _, c := range counts {
		fmt.Fprintf(&out, "%-48s %6d   %s\n", c.name, c.n, c.goal)
		b.ReportMetric(float64(c.n), "arm:"+sanitizeUnit(c.name))
	}
	fmt.Fprint(os.Stdout, out.String())
}

func sanitizeUnit(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '/' || c == ',' || c == '(' || c == ')' {
			c = '_'
		}
		out = append(out, c)
	}
	return string(out)
}

// watchFor has n tabs poll an operation every 2 s, as the progress page
// does, for d or, with untilDone, until it is done.
func watchFor(tb testing.TB, st *econStack, op string, n int, d time.Duration, untilDone bool) {
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for i := range n {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 2 * time.Second / time.Duration(n)) // tabs opened at different moments
			for time.Now().Before(end) {
				var s rules.OperationState
				if json.Unmarshal(st.do(tb, "GET", op, nil, 200), &s) == nil && s.Done && untilDone {
					return
				}
				time.Sleep(2 * time.Second)
			}
		})
	}
	wg.Wait()
}
