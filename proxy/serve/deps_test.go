//go:build !(js && wasm)

package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The dependency rules of the module, in one place, in the style of
// pkgsite's internal/tests/deps: `go list -deps -json` of every package,
// and of the browser build, checked against what each may import.

const module = "github.com/amlaks/amlaks"

// listed is the part of `go list -json` the rules read.
type listed struct {
	ImportPath   string
	Standard     bool
	Module       *struct{ Path string }
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// goList runs `go list -deps -json` with extra environment and arguments
// from the module's root and returns every package by import path.
func goList(t *testing.T, env []string, args ...string) map[string]listed {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	cmd := exec.Command(gobin, append([]string{"list", "-deps", "-json"}, args...)...)
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the test")
		}
	}
}

func ours(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

// within reports whether path is pkg or one of its subpackages.
func within(path, pkg string) bool { return path == pkg || strings.HasPrefix(path, pkg+"/") }

func isSDK(path string) bool {
	return strings.HasPrefix(path, "github.com/Azure/azure-sdk-for-go/") || strings.HasPrefix(path, "github.com/AzureAD/")
}

// sdkInTests are the packages whose tests may import the Azure SDK beside
// those of proxy/azure and its subpackages: the emulator's fidelity tests drive it with the real
// SDK clients (so the emulator is held to what the SDK sends).
var sdkInTests = map[string]bool{module + "/proxy/armemu": true}

// importedOnlyBy are third-party modules that one package of amlaks and its
// subpackages (and their tests) alone may import.
var importedOnlyBy = []struct{ prefix, pkg string }{
	{"github.com/Azure/azure-sdk-for-go/", module + "/proxy/azure"},
	{"github.com/prometheus/", module + "/proxy/serve"},
	{"github.com/chromedp/", module + "/e2e"},
}

// TestDependencyRules holds the layout of STYLE.md: rules imports the
// standard library only; only proxy/azure (and its subpackages, such as a
// storage lock) imports the Azure SDK, and only proxy/serve Prometheus;
// proxy/armemu imports nothing of the project; app never reaches the proxy.
func TestDependencyRules(t *testing.T) {
	pkgs := goList(t, nil, "./...")
	checkDependencyRules(t, pkgs, "")
}

func checkDependencyRules(t *testing.T, pkgs map[string]listed, only string) {
	seen := 0
	for path, p := range pkgs {
		if !ours(path) || (only != "" && path != only) {
			continue
		}
		seen++
		for _, imp := range p.Imports {
			for _, r := range importedOnlyBy {
				if strings.HasPrefix(imp, r.prefix) && !within(path, r.pkg) {
					t.Errorf("%s imports %s: only %s may import %s...", path, imp, r.pkg, r.prefix)
				}
			}
		}
		for _, imp := range append(append([]string(nil), p.TestImports...), p.XTestImports...) {
			if isSDK(imp) && !sdkInTests[path] && !within(path, module+"/proxy/azure") {
				t.Errorf("the tests of %s import %s: only proxy/azure's tests (and the emulator's fidelity tests) may", path, imp)
			}
		}
		if within(path, module+"/proxy/azure") {
			for _, d := range p.Deps {
				if ours(d) && d != module+"/rules" && !within(d, module+"/proxy/azure") {
					t.Errorf("%s depends on %s: the Azure side may import rules only of amlaks (and itself)", path, d)
				}
			}
		}
		switch path {
		case module + "/rules":
			for _, d := range p.Deps {
				if !pkgs[d].Standard {
					t.Errorf("rules depends on %s: rules is the domain, standard library only", d)
				}
			}
		case module + "/proxy/armemu":
			for _, d := range p.Deps {
				if !pkgs[d].Standard {
					t.Errorf("proxy/armemu depends on %s: the emulator imports nothing of the project and no module, so drift between amlaks and Azure shows", d)
				}
			}
		case module + "/app":
			for _, d := range p.Deps {
				if strings.HasPrefix(d, module+"/proxy") || d == module+"/web" {
					t.Errorf("app depends on %s: the page talks to the proxy over HTTP only", d)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("go list found no package of amlaks")
	}
}

// wasmForbidden are the packages the browser build must not hold: server
// code (the proxy, the wiring, the embedded web files, the Azure SDK,
// Prometheus) and the standard library's server-side helpers.
func wasmForbidden(path string) bool {
	switch {
	case strings.HasPrefix(path, module+"/proxy"), path == module+"/web",
		isSDK(path), strings.HasPrefix(path, "github.com/prometheus/"),
		path == "net/http/httptest", path == "net/http/httputil", path == "net/http/pprof", path == "os/exec":
		return true
	}
	return false
}

// TestWasmBuildHoldsNoServerCode: GOOS=js GOARCH=wasm -tags nox509,noexports, the
// build of web/app.wasm, holds none of wasmForbidden.
func TestWasmBuildHoldsNoServerCode(t *testing.T) {
	pkgs := goList(t, []string{"GOOS=js", "GOARCH=wasm"}, "-tags", "nox509,noexports", ".")
	main, ok := pkgs[module]
	if !ok {
		t.Fatal("go list did not list the main package")
	}
	for _, d := range main.Deps {
		if wasmForbidden(d) {
			t.Errorf("the wasm build holds %s: server code must stay behind //go:build !(js && wasm)", d)
		}
	}
	if !strings.Contains(strings.Join(main.Deps, " "), module+"/app") {
		t.Error("the wasm build holds no app: the test would see nothing")
	}
}
