package rules

import (
	"strings"
	"testing"
)

// quotaFacts are the facts of eastus where Standard_D3_v2 (4 cores, family
// standardDv2Family) has family quota 16 with 4 in use, and the region 100.
func quotaFacts(familyLimit, familyUsed int64) Facts {
	f := baseFacts()
	f.VMSizes = []VMSize{{Name: "Standard_D3_v2", VCPUs: 4, MemoryGB: 14, Family: "standardDv2Family"}}
	f.Quotas = []Quota{
		{Name: "standardDv2Family", Label: "Standard Dv2 Family vCPUs", Limit: familyLimit, Used: familyUsed},
		{Name: RegionalQuotaName, Label: "Total Regional vCPUs", Limit: 100, Used: 10},
	}
	return f
}

// TestQ1FamilyAndRegionalQuota (issue 12): nodes × vCPUs over what is left
// of the family's or the region's quota is an error on the node count,
// with the arithmetic and how many nodes fit; unknown quotas check nothing.
func TestQ1FamilyAndRegionalQuota(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		nodes  int
		facts  Facts
		want   bool
		inText string
	}{
		{"fits exactly", 3, quotaFacts(16, 4), false, ""},
		{"over the family", 4, quotaFacts(16, 4), true, "Standard Dv2 Family vCPUs in eastus allows 16, 4 are in use, 12 are left; 4 nodes × 4 cores of Standard_D3_v2 = 16"},
		{"none left", 3, quotaFacts(16, 16), true, "No node of Standard_D3_v2 fits"},
		{"over the region", 25, quotaFacts(1000, 0), true, "Total Regional vCPUs in eastus allows 100, 10 are in use, 90 are left"},
		{"quotas unknown", 200, func() Facts { f := quotaFacts(0, 0); f.Quotas = nil; return f }(), false, ""},
		{"family unknown", 4, func() Facts { f := quotaFacts(16, 16); f.VMSizes[0].Family = ""; return f }(), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validCreate()
			req.NodeCount = tt.nodes
			fs := Validate(req, tt.facts)
			assertWellFormed(t, fs)
			f, got := findCode(fs, "Q1")
			if got != tt.want {
				t.Fatalf("Q1 found = %v, want %v:\n%s", got, tt.want, dumpFindings(fs))
			}
			if !got {
				return
			}
			if f.Field != FieldNodeCount || f.Severity != SeverityError {
				t.Errorf("Q1 on %s as %s, want an error on %s", f.Field, f.Severity, FieldNodeCount)
			}
			if !strings.Contains(f.Message+" "+f.Fix, tt.inText) {
				t.Errorf("Q1 says %q / %q, want it to contain %q", f.Message, f.Fix, tt.inText)
			}
		})
	}
	// The fix names the node count that fits.
	req := validCreate()
	req.NodeCount = 4
	if f, _ := findCode(Validate(req, quotaFacts(16, 4)), "Q1"); !strings.Contains(f.Fix, "at most 3 nodes") {
		t.Errorf("Q1 fix %q, want it to say at most 3 nodes", f.Fix)
	}
	// The proxy refuses it as a lack of quota.
	if e := Refusal(Validate(req, quotaFacts(16, 4))); e == nil || e.Code != ErrQuota {
		t.Errorf("refusal %v, want %s", e, ErrQuota)
	}
}

// TestQ1Scale: a scale needs quota for the nodes it adds only.
func TestQ1Scale(t *testing.T) {
	t.Parallel()
	facts := quotaFacts(16, 12) // 4 left: one more node of 4 cores
	current := Compute{Name: "aks-prod", Type: "AKS", Purpose: PurposeFastProd, VMSize: "Standard_D3_v2", Nodes: 3, Location: "eastus"}
	for _, tt := range []struct {
		nodes int
		want  bool
	}{{2 + 1, false}, {4, false}, {5, true}} {
		fs := CheckScale(ScaleRequest{Name: "aks-prod", NodeCount: tt.nodes}, current, facts)
		if _, got := findCode(fs, "Q1"); got != tt.want {
			t.Errorf("scale 3 → %d: Q1 = %v, want %v:\n%s", tt.nodes, got, tt.want, dumpFindings(fs))
		}
	}
}
