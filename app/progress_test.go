package app

import (
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
