//go:build !(js && wasm)

package e2e

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBinaryServesThePageFromAnyDirectory runs the built binary from an
// empty temporary directory, without --web: the page, app.wasm (the same
// bytes as web/app.wasm at build time) and the style sheet come from the
// files embedded in the binary (issue 14), and /healthz and /readyz answer.
func TestBinaryServesThePageFromAnyDirectory(t *testing.T) {
	want, err := os.ReadFile(webDir + "/app.wasm")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binPath, "serve", "--addr", addr, "--azure", "emulator", "--audit", "-")
	cmd.Dir = t.TempDir() // no web/ here
	cmd.Env = append(os.Environ(), "AMLAKS_WEB=")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("amlaks did not start: %v", err)
		}
	}
	fetch := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	if resp, body := fetch("/"); resp.StatusCode != 200 || !strings.Contains(string(body), "amlaks") {
		t.Errorf("GET /: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, body := fetch("/app.wasm", "Accept-Encoding", "identity")
	if resp.StatusCode != 200 || !bytes.Equal(body, want) {
		t.Errorf("GET /app.wasm: %d, %d bytes, want the %d bytes of web/app.wasm", resp.StatusCode, len(body), len(want))
	}
	if resp, body := fetch("/web/amlaks.css"); resp.StatusCode != 200 || len(body) == 0 {
		t.Errorf("GET /web/amlaks.css: %d", resp.StatusCode)
	}
	if resp, _ := fetch("/web/app.wasm.README"); resp.StatusCode != 404 {
		t.Errorf("GET /web/app.wasm.README: %d, want 404 (only the page's files are served)", resp.StatusCode)
	}
	if resp, body := fetch("/readyz"); resp.StatusCode != 200 {
		t.Errorf("GET /readyz: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(logs.String(), "built without web/app.wasm") {
		t.Errorf("the binary says it has no app.wasm:\n%s", logs.String())
	}
}
