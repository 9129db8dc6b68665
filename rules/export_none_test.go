//go:build noexports

package rules

import "testing"

// exports, in the page's build, is no export at all: the writers are the
// proxy's (ExportsFor). The tests that look through every export for a
// secret still check the findings, the link and the redacted request here;
// the proxy's build (no tag) checks the exports too.
func exports(testing.TB, Request, string) map[string]string { return nil }

// TestExportsLeftToTheProxy holds the page's build (tag noexports): it
// writes no export, and still knows the tabs of both kinds, which it draws
// before the proxy's answer arrives.
func TestExportsLeftToTheProxy(t *testing.T) {
	t.Parallel()
	if ExportsAvailable {
		t.Fatal("ExportsAvailable is true in the noexports build")
	}
	if n := len(ExportKinds(KindAKS)); n != 4 {
		t.Errorf("%d tabs of an AKS compute, want 4", n)
	}
	if n := len(ExportKinds(KindKubernetes)); n != 5 {
		t.Errorf("%d tabs of a Kubernetes compute, want 5", n)
	}
}
