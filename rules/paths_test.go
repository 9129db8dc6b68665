package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPagePathsRoundTrip(t *testing.T) {
	t.Parallel()
	ref := WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "rg (ml) / team", Name: "ws%1"}
	type page struct {
		Ref  WorkspaceRef
		Name string
		OK   bool
	}
	tests := []struct {
		name  string
		parse func(string) (WorkspaceRef, string, bool)
		path  string
		want  page
	}{
		{"progress", ParseProgressPage, ProgressPage(ref, "aks-1"), page{ref, "aks-1", true}},
		{"migrate", ParseMigratePage, MigratePage(ref, "aks-1"), page{ref, "aks-1", true}},
		{"progress is not migrate", ParseMigratePage, ProgressPage(ref, "aks-1"), page{}},
		{"too few segments", ParseProgressPage, "/progress/s/rg/ws", page{}},
		{"too many segments", ParseProgressPage, "/progress/s/rg/ws/n/x", page{}},
		{"an empty segment", ParseProgressPage, "/progress/s//ws/n", page{}},
		{"a bad escape", ParseProgressPage, "/progress/s/rg/ws/%zz", page{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got page
			got.Ref, got.Name, got.OK = tt.parse(tt.path)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parse(%q) mismatch (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

func TestAcceptedForNamesOperationAndPage(t *testing.T) {
	t.Parallel()
	ref := WorkspaceRef{Subscription: "sub", ResourceGroup: "rg", Name: "ws"}
	want := Accepted{Operation: "/api/operations/sub/rg/ws/aks%2F1", Page: "/progress/sub/rg/ws/aks%2F1"}
	if diff := cmp.Diff(want, AcceptedFor(ref, "aks/1")); diff != "" {
		t.Errorf("AcceptedFor mismatch (-want +got):\n%s", diff)
	}
}
