//go:build !(js && wasm)

package proxy_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// TestFactsCostOfVariedRequests (issue 8, floods): once the page's own
// facts are warm, a facts or validate request that varies what it asks about
// — a region the subscription does not have, a workspace, resource group or
// subscription nobody can see, a cluster that is not there — costs Azure
// nothing: each is looked up in a cached list first. A real region costs
// its three reads (sizes, versions, quotas) once, then nothing. Together
// with the per-address read limit (TestFloodsAreLimitedByAddress), a cheap
// request can never cost many ARM calls.
func TestFactsCostOfVariedRequests(t *testing.T) {
	st := newEconStack(t, slowOps(), proxy.Config{})
	// What the page loads: the location picker's list, and its own facts.
	st.do(t, "GET", "/api/locations?subscription="+armemu.SubscriptionID, nil, 200)
	for _, path := range []string{"/api/facts", "/api/validate"} {
		st.do(t, "POST", path, econCreate("aks-one"), 200)
		st.do(t, "POST", path, econAttach("aks-one", "aks-healthy"), 200)
	}
	type variation struct {
		name string
		req  func(i int) rules.Request
	}
	for _, v := range []variation{
		{"location no region has", func(i int) rules.Request {
			r := econCreate("aks-one")
			r.Location = fmt.Sprintf("nowhere%d", i)
			return r
		}},
		{"workspace", func(i int) rules.Request {
			r := econCreate("aks-one")
			r.Workspace.Name = fmt.Sprintf("ws-nope%d", i)
			return r
		}},
		{"resource group", func(i int) rules.Request {
			r := econCreate("aks-one")
			r.Workspace.ResourceGroup = fmt.Sprintf("rg-nope%d", i)
			return r
		}},
		{"subscription", func(i int) rules.Request {
			r := econCreate("aks-one")
			r.Workspace.Subscription = fmt.Sprintf("22222222-2222-4222-8222-%012d", i)
			return r
		}},
		{"attach target", func(i int) rules.Request { return econAttach("aks-one", fmt.Sprintf("aks-nope%d", i)) }},
		{"attach target's subscription", func(i int) rules.Request {
			r := econAttach("aks-one", "aks-healthy")
			r.Target.ResourceID = strings.Replace(r.Target.ResourceID, r.Workspace.Subscription, fmt.Sprintf("33333333-3333-4333-8333-%012d", i), 1)
			return r
		}},
	} {
		t.Run(v.name, func(t *testing.T) {
			for i := range 10 {
				for _, path := range []string{"/api/facts", "/api/validate"} {
					if got := st.asked(func() { st.do(t, "POST", path, v.req(i), -1) }); len(got) != 0 {
						t.Fatalf("%s %d asked Azure %d times: %q", path, i, len(got), got)
					}
				}
			}
		})
	}
	// A region the subscription has and nobody asked about yet.
	real := econCreate("aks-one")
	real.Location = "westeurope"
	if got := st.asked(func() { st.do(t, "POST", "/api/facts", real, 200) }); len(got) > 3 {
		t.Errorf("a new region asked Azure %d times, want at most 3: %q", len(got), got)
	}
	if got := st.asked(func() { st.do(t, "POST", "/api/validate", real, 200) }); len(got) != 0 {
		t.Errorf("the same region again asked Azure %d times: %q", len(got), got)
	}
	// The rules still say what is wrong, from the lists.
	var b struct{ Findings rules.Findings }
	r := econCreate("aks-one")
	r.Location = "nowhere1"
	mustJSONInto(t, st.do(t, "POST", "/api/validate", r, 200), &b)
	if _, ok := findFinding(b.Findings, "W2"); !ok {
		t.Errorf("a location no region has: %v, want W2", b.Findings.Codes())
	}
	a := econAttach("aks-one", "aks-nope1")
	mustJSONInto(t, st.do(t, "POST", "/api/validate", a, 200), &b)
	if _, ok := findFinding(b.Findings, "T2"); !ok && len(b.Findings.Errors()) == 0 {
		t.Errorf("a cluster that is not there: %v, want an error", b.Findings.Codes())
	}
	w := econCreate("aks-one")
	w.Workspace.Name = "ws-nope1"
	st.do(t, "POST", "/api/validate", w, 404)
}

func findFinding(fs rules.Findings, code string) (rules.Finding, bool) {
	for _, f := range fs {
		if f.Code == code {
			return f, true
		}
	}
	return rules.Finding{}, false
}

func mustJSONInto(tb testing.TB, data []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("%s: %v", data, err)
	}
}
