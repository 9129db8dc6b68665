package rules

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goTool returns the go command, or skips the test when it is not on PATH.
func goTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	return p
}

// TestRulesDependsOnStandardLibraryOnly holds the line of STYLE.md: the
// domain package imports nothing outside the standard library.
func TestRulesDependsOnStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(goTool(t), "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		if path == "github.com/amlaks/amlaks/rules" {
			continue
		}
		first, _, _ := strings.Cut(path, "/")
		if std != "true" || strings.Contains(first, ".") {
			t.Errorf("rules depends on %s, which is not in the standard library", path)
		}
	}
}

// TestWasmBuildHasNoServerCode checks that the browser build of the main
// package pulls in neither the proxy, nor the Azure SDK, nor net/http.
func TestWasmBuildHasNoServerCode(t *testing.T) {
	t.Parallel()
	gobin := goTool(t)
	gomod, err := exec.Command(gobin, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if root == "." || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == "/dev/null" {
		t.Fatal("not inside the module")
	}
	cmd := exec.Command(gobin, "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports ","}}`, ".")
	cmd.Dir = root
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "no Go files in "+root) {
			t.Skipf("the main package has no Go files yet (main.go is being written): %s", strings.TrimSpace(string(out)))
		}
		t.Fatalf("GOOS=js GOARCH=wasm go list -deps . (in %s): %v\n%s", root, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if main, _, _ := strings.Cut(lines[len(lines)-1], " "); main != "github.com/amlaks/amlaks" {
		t.Fatalf("go list -deps . in %s listed %q last, want the main package github.com/amlaks/amlaks", root, main)
	}
	for _, line := range lines {
		path, imports, _ := strings.Cut(line, " ")
		switch {
		case path == "github.com/amlaks/amlaks/proxy" || strings.HasPrefix(path, "github.com/amlaks/amlaks/proxy/"):
			t.Errorf("the wasm build imports %s", path)
		case strings.HasPrefix(path, "github.com/Azure/"):
			t.Errorf("the wasm build imports the Azure SDK: %s", path)
		}
		// go-app's own package imports net/http in every build (app.Handler),
		// so net/http is in the wasm binary whatever amlaks does. What amlaks
		// controls is that none of its own packages import it: the browser
		// talks to the proxy with fetch, not net/http.
		if path == "github.com/amlaks/amlaks" || strings.HasPrefix(path, "github.com/amlaks/amlaks/") {
			for _, imp := range strings.Split(imports, ",") {
				if imp == "net/http" || strings.HasPrefix(imp, "net/http/") {
					t.Errorf("%s imports %s in the wasm build", path, imp)
				}
			}
		}
	}
}
