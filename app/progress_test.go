package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/rules"
)

func TestProgressTarget(t *testing.T) {
	t.Parallel()
	ref := rules.WorkspaceRef{Subscription: "sub", ResourceGroup: "rg (ml)", Name: "ws"}
	page := rules.ProgressPage(ref, "aks-1")
	// An operation path the page could not have built itself: the page must
	// follow what the proxy answered, not re-derive it.
	handed := rules.Accepted{Operation: "/api/operations/sub/rg%20%28ml%29/ws/aks-1?since=1", Page: page}
	type target struct {
		Ref      rules.WorkspaceRef
		Name, Op string
	}
	tests := []struct {
		name   string
		path   string
		handed rules.Accepted
		want   target
	}{
		{"the page of the write just sent", page, handed, target{ref, "aks-1", handed.Operation}},
		{"a pasted link", page, rules.Accepted{}, target{ref, "aks-1", rules.OperationPath(ref, "aks-1")}},
		{"another compute's page", rules.ProgressPage(ref, "aks-2"), handed, target{ref, "aks-2", rules.OperationPath(ref, "aks-2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got target
			got.Ref, got.Name, got.Op = progressTarget(tt.path, tt.handed)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("progressTarget(%q) mismatch (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

// TestPathsComeFromRules keeps the page from building API or page paths of
// its own: rules/paths.go builds them, and the proxy routes what it builds
// (proxy's TestRoutesServeRulesPaths).
func TestPathsComeFromRules(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	built := regexp.MustCompile(`"/(api|progress|migrate)/`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if built.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") && !strings.Contains(line, "app.RouteWithRegexp") {
				t.Errorf("%s:%d builds a path itself; use rules/paths.go: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
