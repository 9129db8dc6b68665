package armemu_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly holds the line that the emulator's non-test code
// imports only the standard library: nothing of the project, no SDK.
func TestStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/amlaks/amlaks/proxy/armemu" {
			t.Errorf("armemu depends on %s; only the standard library is allowed", pkg)
		}
	}
}
