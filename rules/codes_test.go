package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// emittedCodes returns the finding codes written as literals in the
// package's non-test sources: c.err/warn/info("X", …), Finding{Code: "X"}
// and the code variables of checkVCPUs.
func emittedCodes(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Skip("the package's sources cannot be read here (a wasm test run has no file system)")
	}
	codes := map[string]string{}
	fset := token.NewFileSet()
	isCode := func(s string) bool {
		return len(s) >= 2 && len(s) <= 3 && s[0] >= 'A' && s[0] <= 'Z' && strings.Trim(s[1:], "0123456789") == ""
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Skip("the package's sources cannot be read here")
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var lit *ast.BasicLit
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && slices.Contains([]string{"err", "warn", "info", "add"}, sel.Sel.Name) && len(n.Args) > 0 {
					lit, _ = n.Args[0].(*ast.BasicLit)
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Code" {
					lit, _ = n.Value.(*ast.BasicLit)
				}
			case *ast.AssignStmt:
				// need, code, what := …, "P3", …
				for _, rhs := range n.Rhs {
					if l, ok := rhs.(*ast.BasicLit); ok && l.Kind == token.STRING {
						if s, _ := strconv.Unquote(l.Value); isCode(s) && s[0] == 'P' {
							codes[s] = fset.Position(l.Pos()).String()
						}
					}
				}
			}
			if lit != nil && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && isCode(s) {
					codes[s] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
	}
	return codes
}

// TestRulesTableCoversEveryCode pins the table to the code: every code the
// package emits has a row, and every row is emitted somewhere.
func TestRulesTableCoversEveryCode(t *testing.T) {
	t.Parallel()
	emitted := emittedCodes(t)
	for code, where := range emitted {
		if _, ok := RuleOf(code); !ok {
			t.Errorf("%s emits %s, which has no row in Rules", where, code)
		}
	}
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.Code] {
			t.Errorf("Rules has %s twice", r.Code)
		}
		seen[r.Code] = true
		if _, ok := emitted[r.Code]; !ok {
			t.Errorf("Rules has %s (%s), which nothing emits", r.Code, r.Title)
		}
		if r.Title == "" || r.Refusal == "" {
			t.Errorf("row %s lacks a title or a refusal", r.Code)
		}
	}
}

// shapeCorpus is a set of requests that break rules of every kind.
func shapeCorpus(t *testing.T) []Request {
	m := material(t)
	var out []Request
	add := func(base Request, edit func(*Request)) {
		edit(&base)
		out = append(out, base)
	}
	for _, base := range []Request{validCreate(), validAttach(), k8sCreate(t), k8sAttach(t)} {
		add(base, func(r *Request) {})
		add(base, func(r *Request) { r.Name = "1bad_name-" })
		add(base, func(r *Request) { r.Name = "amlcompute" })
		add(base, func(r *Request) { r.Purpose = "Fast" })
		add(base, func(r *Request) { r.NodeCount = -3 })
		add(base, func(r *Request) { r.NodeCount, r.Purpose = 1, PurposeDevTest })
		add(base, func(r *Request) { r.VMSize = "Standard_Nope" })
		add(base, func(r *Request) { r.Network = Network{VnetName: "v"} })
		add(base, func(r *Request) { r.Network = validNetwork(); r.Network.DNSServiceIP = "10.9.9.9" })
		add(base, func(r *Request) { r.LoadBalancer = LoadBalancer{Type: LoadBalancerPublicIP, Subnet: "s"} })
		add(base, func(r *Request) { r.TLS = TLS{Mode: TLSMicrosoft, LeafDomainLabel: "-bad-"} })
		add(base, func(r *Request) {
			r.TLS = TLS{Mode: TLSCustom, CertPEM: m.cert, KeyPEM: m.otherKey, CNAME: "other.example.com"}
		})
		add(base, func(r *Request) {
			r.TLS = TLS{Mode: TLSCustom, CertPEM: m.expired, KeyPEM: m.key, CNAME: "score.example.com"}
		})
		add(base, func(r *Request) { r.Target = Target{ResourceID: "/subscriptions/x"} })
		add(base, func(r *Request) { r.Target = Target{ResourceID: testClusterID, Name: "aks1"} })
		add(base, func(r *Request) { r.Tags = map[string]string{"a/b": "c"}; r.Description = strings.Repeat("d", 1100) })
		add(base, func(r *Request) { r.Workspace.Subscription = "nope" })
		add(base, func(r *Request) {
			r.Kubernetes = Kubernetes{Namespace: "Bad_NS", RouterServiceType: "x", Identity: IdentityUserAssigned, AuthorizedIPRanges: []string{"x"}}
		})
		add(base, func(r *Request) {
			r.Target.ResourceID = strings.Replace(testClusterID, testSub, "00000000-0000-0000-0000-000000000009", 1)
		})
		add(base, func(r *Request) { r.Kubernetes.SingleRouter, r.NodeCount = false, 1 })
	}
	return out
}

// TestShapeFindingsNeedNoFacts holds the promise of NeedsNothing, on which
// the proxy refuses requests before asking Azure: every such error found
// without facts is found again with any facts, so a refusal before Azure is
// never one that facts would have lifted.
func TestShapeFindingsNeedNoFacts(t *testing.T) {
	t.Parallel()
	factSets := map[string]Facts{
		"attach facts": k8sFacts(),
		"sizes known": {WorkspaceLocation: "westeurope", VMSizes: Catalog, Now: testNow,
			Versions: []KubernetesVersion{{Version: "1.32.7", Default: true}}, SubnetPrefix: "10.0.0.0/8"},
		"policy": {Now: testNow, Policy: testPolicy()},
		"other sizes": {WorkspaceLocation: "eastus", Now: testNow, VMSizes: []VMSize{
			{Name: "Standard_D3_v2", VCPUs: 16, MemoryGB: 64}, {Name: "Standard_DS3_v2", VCPUs: 16, MemoryGB: 64},
			{Name: "Standard_Nope", VCPUs: 8, MemoryGB: 32}, {Name: "Standard_D2_v2", VCPUs: 8, MemoryGB: 32}}},
	}
	for i, req := range shapeCorpus(t) {
		shape := Validate(req, Facts{Now: testNow}).Shape()
		for name, facts := range factSets {
			with := findingKeys(Validate(req, facts))
			for _, f := range shape {
				key := f.Code + " " + f.Field + " " + string(f.Severity)
				if !slices.Contains(with, key) {
					t.Errorf("request %d (%s %s): %s is found without facts but not with %s, so it needs facts:\n%s", i, req.Kind, req.Mode, key, name, dumpFindings(shape))
				}
			}
		}
	}
}

func TestRefusal(t *testing.T) {
	t.Parallel()
	f := func(code string) Finding {
		return Finding{Code: code, Field: "f" + code, Severity: SeverityError, Message: code + " broke."}
	}
	warn := Finding{Code: "P4", Severity: SeverityWarning, Message: "dev"}
	tests := []struct {
		name      string
		in        Findings
		code      ErrorCode
		field     string
		msgPrefix string
	}{
		{"invalid", Findings{f("N1"), warn}, ErrInvalid, "fN1", "N1 broke."},
		{"conflict wins", Findings{f("N1"), f("G2"), f("T4")}, ErrConflict, "fT4", "T4 broke. (and 2 more problems)"},
		{"policy over invalid", Findings{f("P5"), f("G4")}, ErrForbidden, "fG4", "G4 broke. (and 1 more problem)"},
		{"old version is invalid", Findings{f("K2")}, ErrInvalid, "fK2", "K2 broke."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Refusal(tt.in)
			if e == nil || e.Code != tt.code || e.Field != tt.field || e.Message != tt.msgPrefix {
				t.Errorf("Refusal = %+v, want %s on %s: %q", e, tt.code, tt.field, tt.msgPrefix)
			}
			if len(e.Findings) != len(tt.in.Errors()) {
				t.Errorf("Refusal keeps %d findings, want the %d errors", len(e.Findings), len(tt.in.Errors()))
			}
		})
	}
	if Refusal(Findings{warn}) != nil {
		t.Error("a warning alone is a refusal")
	}
}

// TestCodeNamesAreInTheTable: every code the page names through rules has a
// row of the table, with the field the page raises it on.
func TestCodeNamesAreInTheTable(t *testing.T) {
	t.Parallel()
	for code, title := range map[string]string{CodePurpose: "cluster purpose", CodeNodeCount: "node count", CodeTags: "tags", CodeNodeSelector: "router service type and node selector"} {
		r, ok := RuleOf(code)
		if !ok {
			t.Errorf("code %q has no row in Rules", code)
			continue
		}
		if diff := cmp.Diff(title, r.Title); diff != "" {
			t.Errorf("code %q is another rule (-want +got):\n%s", code, diff)
		}
	}
}
