//go:build !(js && wasm)

package serve

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
)

// TestEmulatorCommandIsSharedByTwoBackends starts `amlaks emulator` as the
// command runs it, reads its URL from the first line of its output, and opens
// two backends against it with --emulator-url and --emulator-ca: both see the
// one emulated world, and a client that does not trust the written
// certificate is refused.
func TestEmulatorCommandIsSharedByTwoBackends(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	certFile := filepath.Join(t.TempDir(), "emulator.pem")
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runEmulator(ctx, []string{"--addr", "127.0.0.1:0", "--cert-file", certFile}, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the emulator's URL: %v (command: %v)", err, <-done)
	}
	go io.Copy(io.Discard, pr)
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("emulator printed %q, want https://127.0.0.1:PORT", url)
	}
	var seen []int
	for range 2 {
		m := &Main{Config: Config{Azure: "emulator", EmulatorURL: url, EmulatorCA: certFile}, Logger: discard(), metrics: newMetrics()}
		if err := m.openBackend(ctx); err != nil {
			t.Fatalf("open: %v", err)
		}
		if m.Backend != "emulator" || m.EmulatorServer != nil {
			t.Errorf("backend = %q with an emulator of its own %v, want the shared emulator", m.Backend, m.EmulatorServer != nil)
		}
		ws, err := m.AzureClient.Workspaces(ctx)
		if err != nil {
			t.Fatalf("workspaces through the shared emulator: %v", err)
		}
		seen = append(seen, len(ws))
		m.Close()
	}
	if seen[0] == 0 || seen[0] != seen[1] {
		t.Errorf("the two backends saw %v workspaces, want the same non-zero count", seen)
	}

	// Without the certificate the emulator's TLS is not trusted.
	stranger, err := armemu.Listen("127.0.0.1:0", armemu.New(armemu.Options{}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	other := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(other, stranger.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	for ca, wantOK := range map[string]bool{certFile: true, other: false} {
		pemData, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		hc, err := azure.TrustingClient(url, pemData)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Get(url + "/subscriptions?api-version=2022-12-01")
		if err == nil {
			resp.Body.Close()
		}
		if (err == nil) != wantOK {
			t.Errorf("GET trusting %s: err = %v, want success %v", filepath.Base(ca), err, wantOK)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("emulator command: %v", err)
	}
}

// discard is a logger that drops everything.
func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
