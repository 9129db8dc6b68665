//go:build !(js && wasm)

package main

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
		done <- runEmulator(ctx, []string{"--addr", "127.0.0.1:0", "--cert-file", certFile}, pw)
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
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var seen []int
	for range 2 {
		b := backendFlags{mode: "emulator", emulatorURL: url, emulatorCA: certFile}
		az, name, closeBackend, err := b.open(ctx, logger)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if name != "emulator" {
			t.Errorf("backend = %q, want emulator", name)
		}
		ws, err := az.Workspaces(ctx)
		if err != nil {
			t.Fatalf("workspaces through the shared emulator: %v", err)
		}
		seen = append(seen, len(ws))
		az.Close()
		closeBackend()
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
		hc, err := remoteEmulatorClient(url, ca)
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

func TestEmulatorURLFlagsRefuseBadValues(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(certFile, []byte("not pem"), 0o644)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name string
		b    backendFlags
		want string
	}{
		{"plain http", backendFlags{mode: "emulator", emulatorURL: "http://127.0.0.1:1", emulatorCA: certFile}, "--emulator-url"},
		{"with a path", backendFlags{mode: "emulator", emulatorURL: "https://127.0.0.1:1/x", emulatorCA: certFile}, "--emulator-url"},
		{"no ca", backendFlags{mode: "emulator", emulatorURL: "https://127.0.0.1:1"}, "--emulator-ca"},
		{"ca not pem", backendFlags{mode: "emulator", emulatorURL: "https://127.0.0.1:1", emulatorCA: certFile}, "--emulator-ca"},
		{"with azure", backendFlags{mode: "azure", emulatorURL: "https://127.0.0.1:1", emulatorCA: certFile}, "--azure emulator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := tc.b.open(context.Background(), logger)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("open: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}
