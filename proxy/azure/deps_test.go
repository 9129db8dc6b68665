package azure_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports holds the package's place in the layout: its non-test code
// imports rules and nothing else of amlaks (never proxy, which depends on it
// through an interface), and the Azure SDK only through official modules.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case path == "github.com/amlaks/amlaks/rules":
			case strings.HasPrefix(path, "github.com/amlaks/amlaks"):
				t.Errorf("%s imports %s: proxy/azure may import only rules from amlaks", name, path)
			case strings.HasPrefix(path, "github.com/Azure/azure-sdk-for-go/sdk/"):
			case !strings.Contains(strings.Split(path, "/")[0], "."):
				// the standard library
			default:
				t.Errorf("%s imports %s: no dependencies beyond the Azure SDK", name, path)
			}
		}
	}
}
