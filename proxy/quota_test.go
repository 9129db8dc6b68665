//go:build !(js && wasm)

package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// TestQuotaBeforeSubmit (issue 12): the family's vCPU quota and usage in
// the location come from Azure's compute usages (the real adapter over the
// emulator's usages route) into the facts, and a node count that needs more
// than is left is a Q1 finding on the node count: in validate, and as a
// refusal of the create and of a scale before anything is written.
func TestQuotaBeforeSubmit(t *testing.T) {
	st := newSecStack(t, secOptions{noRate: true})
	fsv2 := func(nodes int) rules.Request {
		r := secCreate("aks-fsv2")
		r.VMSize, r.NodeCount, r.Purpose = "Standard_F8s_v2", nodes, rules.PurposeFastProd
		return r
	}

	// The facts carry the sample's small FSv2 quota in eastus.
	a := st.do(t, "POST", "/api/facts", mustSecJSON(t, fsv2(3)))
	var facts rules.Facts
	if err := json.Unmarshal([]byte(a.body), &facts); a.status != http.StatusOK || err != nil {
		t.Fatalf("facts: %d %s", a.status, a.body)
	}
	size, _ := rules.FindVMSize(facts.VMSizes, "Standard_F8s_v2")
	qs := rules.QuotasFor(facts.Quotas, size)
	if size.Family != "standardFSv2Family" || len(qs) != 2 || qs[0].Limit != 16 || qs[0].Label != "Standard FSv2 Family vCPUs" {
		t.Fatalf("facts: size %+v, its quotas %+v; want the FSv2 family's limit of 16 and the regional total", size, qs)
	}

	q1 := func(body string) (rules.Finding, bool) {
		var b struct{ Findings rules.Findings }
		_ = json.Unmarshal([]byte(body), &b)
		for _, f := range b.Findings {
			if f.Code == "Q1" {
				return f, true
			}
		}
		return rules.Finding{}, false
	}
	// 2 nodes × 8 = 16 fits; 3 × 8 = 24 does not.
	if a := st.do(t, "POST", "/api/validate", mustSecJSON(t, fsv2(2))); a.status != http.StatusOK {
		t.Fatalf("validate: %d %s", a.status, a.body)
	} else if f, ok := q1(a.body); ok {
		t.Errorf("2 nodes of 8 cores in a quota of 16: %+v, want no Q1", f)
	}
	a = st.do(t, "POST", "/api/validate", mustSecJSON(t, fsv2(3)))
	f, ok := q1(a.body)
	if !ok || f.Field != rules.FieldNodeCount || f.Severity != rules.SeverityError ||
		!strings.Contains(f.Message, "Standard FSv2 Family vCPUs in eastus allows 16, 0 are in use, 16 are left; 3 nodes × 8 cores of Standard_F8s_v2 = 24") {
		t.Errorf("3 nodes of 8 cores in a quota of 16: %+v, want Q1 on %s with the arithmetic", f, rules.FieldNodeCount)
	}

	// The create is refused as a lack of quota; nothing is written.
	writes := st.emu.Writes()
	a = st.do(t, "POST", "/api/computes", mustSecJSON(t, fsv2(3)))
	if e := a.apiErr(); a.status != http.StatusConflict || e.Code != "quota" || e.Field != rules.FieldNodeCount {
		t.Errorf("create over the quota: %d %s, want 409 quota on nodeCount", a.status, a.body)
	}
	if got := st.emu.Writes() - writes; got != 0 {
		t.Errorf("create over the quota wrote %d times to Azure", got)
	}

	// A scale needs quota for the nodes it adds: scoring-prod (ws-east2,
	// 3 × Standard_D3_v2, family Dv2 with 100 and 24 in use) may grow by
	// 19 nodes, not by 22.
	path := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east2/computes/scoring-prod/scale"
	writes = st.emu.Writes()
	a = st.do(t, "POST", path, `{"nodeCount":25}`)
	if e := a.apiErr(); a.status != http.StatusConflict || e.Code != "quota" || !strings.Contains(a.body, `"Q1"`) {
		t.Errorf("scale over the quota: %d %s, want 409 with Q1", a.status, a.body)
	}
	if got := st.emu.Writes() - writes; got != 0 {
		t.Errorf("scale over the quota wrote %d times to Azure", got)
	}
	if a := st.do(t, "POST", path, `{"nodeCount":22}`); a.status != http.StatusAccepted {
		t.Errorf("scale within the quota: %d %s", a.status, a.body)
	}
}
