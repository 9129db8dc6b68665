//go:build !(js && wasm)

package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// otherSubscription is a subscription no test policy allows.
const otherSubscription = "11111111-1111-4111-8111-111111111111"

// scopePolicy allows the sample subscription, resource group ml-rg and the
// workspaces ws-east and ws-east2: ws-west, the clusters in aks-rg (the
// attach targets, and the cluster ws-east's aks-attached runs on) and every
// other subscription are outside it.
func scopePolicy() *rules.Policy {
	return &rules.Policy{
		Subscriptions:  []string{armemu.SubscriptionID},
		ResourceGroups: []string{"ml-rg"},
		Workspaces:     []string{"ws-east", "ws-east2"},
	}
}

// TestPolicyScopeOfReadsAndClusters (issue 8, G1): what the policy forbids is
// refused through the API — the attach target's subscription and resource
// group, the cluster a scale writes to, and reads of forbidden workspaces and
// subscriptions (computes, operations, clusters, locations, VM sizes) —
// before Azure is asked anything, or, for a scale, before anything is written.
func TestPolicyScopeOfReadsAndClusters(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{Policy: scopePolicy()}})
	targetRG := secAttach("att-rg", "aks-healthy") // aks-rg is not allowed
	targetSub := secAttach("att-sub", "aks-healthy")
	targetSub.Target.ResourceID = strings.Replace(targetSub.Target.ResourceID, armemu.SubscriptionID, otherSubscription, 1)
	targetByName := secAttach("att-name", "")
	targetByName.Target = rules.Target{ResourceGroup: "aks-rg", Name: "aks-healthy"}

	wsWest := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-west"
	tests := []struct {
		name, method, path, body, field string
		reads                           bool // Azure may be read (the compute a scale names), never written
	}{
		{"attach target resource group", "POST", "/api/computes", mustSecJSON(t, targetRG), rules.FieldTargetID, false},
		{"attach target subscription", "POST", "/api/computes", mustSecJSON(t, targetSub), rules.FieldTargetID, false},
		{"attach target by group and name", "POST", "/api/computes", mustSecJSON(t, targetByName), rules.FieldTargetRG, false},
		{"scale of a cluster elsewhere", "POST", "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached/scale", `{"nodeCount":4}`, rules.FieldName, true},
		{"computes of a forbidden workspace", "GET", wsWest + "/computes", "", rules.FieldWorkspace, false},
		{"operation in a forbidden workspace", "GET", "/api/operations/" + armemu.SubscriptionID + "/ml-rg/ws-west/shared-name", "", rules.FieldWorkspace, false},
		{"clusters of a forbidden subscription", "GET", "/api/clusters?subscription=" + otherSubscription, "", rules.FieldSubscription, false},
		{"locations of a forbidden subscription", "GET", "/api/locations?subscription=" + otherSubscription, "", rules.FieldSubscription, false},
		{"vm sizes of a forbidden subscription", "GET", "/api/locations/eastus/vmsizes?subscription=" + otherSubscription, "", rules.FieldSubscription, false},
		{"versions of a forbidden subscription", "GET", "/api/locations/eastus/versions?subscription=" + otherSubscription, "", rules.FieldSubscription, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads, writes := st.emu.Requests(), st.emu.Writes()
			a := st.do(t, tt.method, tt.path, tt.body)
			var b struct {
				Error struct {
					Code     string
					Findings rules.Findings
				} `json:"error"`
			}
			_ = json.Unmarshal([]byte(a.body), &b)
			g1 := false
			for _, f := range b.Error.Findings {
				g1 = g1 || (f.Code == "G1" && f.Field == tt.field)
			}
			if a.status != http.StatusForbidden || b.Error.Code != "forbidden" || !g1 {
				t.Errorf("got %d %s, want 403 with G1 on %s", a.status, a.body, tt.field)
			}
			if got := st.emu.Writes() - writes; got != 0 {
				t.Errorf("the refusal wrote %d times to Azure", got)
			}
			if got := st.emu.Requests() - reads; !tt.reads && got != 0 {
				t.Errorf("the refusal made %d Azure calls, want 0", got)
			}
		})
	}

	// Facts and findings of a forbidden workspace read nothing from Azure:
	// the rules say G1, and no compute of it reaches the page.
	west := secCreate("aks-any")
	west.Workspace.Name = "ws-west"
	for _, path := range []string{"/api/facts", "/api/validate"} {
		before := st.emu.Requests()
		a := st.do(t, "POST", path, mustSecJSON(t, west))
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, a.status, a.body)
		}
		if got := st.emu.Requests() - before; got != 0 {
			t.Errorf("%s of a forbidden workspace made %d Azure calls, want 0", path, got)
		}
		if path == "/api/validate" && !strings.Contains(a.body, `"G1"`) {
			t.Errorf("validate of a forbidden workspace: %s, want G1", a.body)
		}
		if path == "/api/facts" && (strings.Contains(a.body, "shared-name") || strings.Contains(a.body, `"computes":[`)) {
			t.Errorf("facts of a forbidden workspace carry its computes: %s", a.body)
		}
	}
	// An attach's facts do not read a forbidden target.
	a := st.do(t, "POST", "/api/facts", mustSecJSON(t, targetRG))
	var facts rules.Facts
	if err := json.Unmarshal([]byte(a.body), &facts); a.status != http.StatusOK || err != nil {
		t.Fatalf("facts of an attach: %d %s", a.status, a.body)
	}
	if facts.Cluster != nil || facts.ClusterMissing {
		t.Errorf("facts of an attach to a forbidden cluster read it: %+v", facts.Cluster)
	}
	// The cluster list of an allowed subscription leaves out the clusters
	// in resource groups the policy does not allow.
	a = st.do(t, "GET", "/api/clusters?subscription="+url.QueryEscape(armemu.SubscriptionID), "")
	var list struct{ Clusters []rules.Cluster }
	if err := json.Unmarshal([]byte(a.body), &list); a.status != http.StatusOK || err != nil {
		t.Fatalf("clusters: %d %s", a.status, a.body)
	}
	if len(list.Clusters) == 0 {
		t.Fatal("clusters: none listed; the sample has clusters in ml-rg")
	}
	for _, c := range list.Clusters {
		if !strings.EqualFold(c.ResourceGroup, "ml-rg") {
			t.Errorf("clusters lists %s, in a resource group the policy does not allow", c.ID)
		}
	}
	// What the policy allows still works, so the refusals were the policy.
	if a := st.do(t, "GET", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east/computes", ""); a.status != http.StatusOK {
		t.Errorf("computes of an allowed workspace: %d %s", a.status, a.body)
	}
	if a := st.do(t, "POST", "/api/workspaces/"+armemu.SubscriptionID+"/ml-rg/ws-east2/computes/scoring-prod/scale", `{"nodeCount":4}`); a.status != http.StatusAccepted {
		t.Errorf("scale of a cluster in an allowed group: %d %s", a.status, a.body)
	}
}

// TestPolicyScopeOfRegionNames (G1 and N6): the compute names of another
// workspace in the region reach the facts only when the policy allows that
// workspace; a forbidden one is not read.
func TestPolicyScopeOfRegionNames(t *testing.T) {
	for _, tt := range []struct {
		name   string
		policy *rules.Policy
		want   bool
	}{
		{"no policy", nil, true},
		{"ws-east2 allowed", &rules.Policy{Workspaces: []string{"ws-east", "ws-east2"}}, true},
		{"ws-east2 forbidden", &rules.Policy{Workspaces: []string{"ws-east"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{Policy: tt.policy}})
			a := st.do(t, "POST", "/api/facts", mustSecJSON(t, secCreate("aks-n6")))
			var facts rules.Facts
			if err := json.Unmarshal([]byte(a.body), &facts); a.status != http.StatusOK || err != nil {
				t.Fatalf("facts: %d %s", a.status, a.body)
			}
			if got := slices.Contains(facts.RegionNames, "scoring-prod"); got != tt.want {
				t.Errorf("region names %v: scoring-prod (ws-east2's) listed = %v, want %v", facts.RegionNames, got, tt.want)
			}
		})
	}
}
