package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sourceLines calls fn with each line of the package's non-test sources
// that is not a comment.
func sourceLines(t *testing.T, fn func(file string, n int, line string)) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Skip("the package's sources cannot be read here (a wasm test run has no file system)")
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Skip("the package's sources cannot be read here")
		}
		for i, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "//") {
				fn(f, i+1, line)
			}
		}
	}
}

// TestPathsComeFromRules keeps the page from building API or page paths of
// its own: rules/paths.go builds them, and the proxy routes what it builds
// (proxy's TestRoutesServeRulesPaths).
func TestPathsComeFromRules(t *testing.T) {
	t.Parallel()
	built := regexp.MustCompile(`"/(api|progress|migrate)/`)
	sourceLines(t, func(f string, n int, line string) {
		if built.MatchString(line) {
			t.Errorf("%s:%d builds a path itself; use rules/paths.go: %s", f, n, strings.TrimSpace(line))
		}
	})
}

// TestCodesComeFromRules keeps the page from spelling finding codes: it
// names them through rules (rules.CodeNodeCount, Finding.IsCode), so the
// codes table is the one list.
func TestCodesComeFromRules(t *testing.T) {
	t.Parallel()
	spelt := regexp.MustCompile(`Code:\s*"|Code\s*[!=]=\s*"|IsCode\([^)]*"`)
	sourceLines(t, func(f string, n int, line string) {
		if spelt.MatchString(line) {
			t.Errorf("%s:%d spells a finding code; use rules' names for it: %s", f, n, strings.TrimSpace(line))
		}
	})
}
