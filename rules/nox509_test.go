package rules

import (
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
