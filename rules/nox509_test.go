package rules

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPageBuildParsesNoCertificates: the page's build of rules (tag
// nox509) links no certificate parser: crypto/x509 and what it pulls in
// cost app.wasm about 130 KB of brotli, a tenth of go-app's own floor
// (`make bench` prints it). The proxy's build parses them (L4).
func TestPageBuildParsesNoCertificates(t *testing.T) {
	t.Parallel()
	if !CertificatesChecked {
		t.Fatal("this build, without the nox509 tag, must check certificates")
	}
	cmd := exec.Command(goTool(t), "list", "-deps", "-tags", "nox509", ".")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "crypto/x509" || p == "encoding/asn1" || strings.HasPrefix(p, "crypto/rsa") || strings.HasPrefix(p, "crypto/ecdsa") {
			t.Errorf("the page's rules depend on %s", p)
		}
	}
}

// PageTags are the build tags of the page (the Makefile's WASMTAGS).
const PageTags = "nox509,noexports"

// TestPageBuildWritesNoExports: the page's build of rules (tag noexports)
// compiles none of the export writers: the proxy writes the exports (POST
// /api/exports) and they cost app.wasm about 52 KB of brotli (`make size`
// and `make bench` print the sizes). A writer file that loses its
// //go:build !noexports line, or a new one without it, fails here.
func TestPageBuildWritesNoExports(t *testing.T) {
	t.Parallel()
	if !ExportsAvailable {
		t.Fatal("this build, without the noexports tag, must write the exports")
	}
	files := func(tags string) []string {
		cmd := exec.Command(goTool(t), "list", "-tags", tags, "-f", `{{join .GoFiles " "}}`, ".")
		cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags %s: %v\n%s", tags, err, out)
		}
		return strings.Fields(string(out))
	}
	page := strings.Join(files(PageTags), " ")
	writers := 0
	for _, f := range files("nox509") {
		if !strings.HasPrefix(f, "export_") && !strings.HasSuffix(f, "_export.go") || f == "export_none.go" {
			continue
		}
		writers++
		if strings.Contains(" "+page+" ", " "+f+" ") {
			t.Errorf("the page's build of rules compiles %s, an export writer", f)
		}
	}
	if writers < 6 {
		t.Errorf("%d export writer files, want the six (export_cli, _python, _terraform, _armbody, _texts, kubernetes_export)", writers)
	}
	if !strings.Contains(page, "export_none.go") || !strings.Contains(page, "validate.go") {
		t.Errorf("the page's build of rules: %s", page)
	}
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "\nWASMTAGS := "+PageTags+"\n") {
		t.Errorf("the Makefile does not build the page with WASMTAGS := %s", PageTags)
	}
}
