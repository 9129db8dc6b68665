package azure_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
)

// TestOpenEmulatorReadyAndObserved opens the emulator backend as serve
// does (Choose, Open with a TrustingClient of the emulator's own
// certificate): Ready gets a token and an ARM answer, every try is observed
// by its operation, and Ready says so in words once the emulator is gone.
func TestOpenEmulatorReadyAndObserved(t *testing.T) {
	srv, err := armemu.Listen("127.0.0.1:0", armemu.New(fastEmulator(time.Second)), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	b, err := azure.Choose(context.Background(), azure.BackendEmulator)
	if err != nil || b.Name != azure.BackendEmulator {
		t.Fatalf("Choose(emulator) = %+v, %v", b, err)
	}
	hc, err := azure.TrustingClient(srv.URL, srv.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	var observed atomic.Int64
	var ops []string
	c, err := azure.Open(b, azure.OpenOptions{EmulatorURL: srv.URL, EmulatorClient: hc, Options: azure.Options{
		Retry: azure.RetryOptions{MaxRetries: 1, RetryDelay: time.Millisecond},
		Observe: func(op string, status int, _ time.Duration) {
			if observed.Add(1) == 1 {
				ops = append(ops, op)
			}
			if status != http.StatusOK {
				t.Errorf("%s answered %d", op, status)
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Ready(context.Background()); err != nil {
		t.Fatalf("Ready against the emulator: %v", err)
	}
	if observed.Load() == 0 || ops[0] != "GET subscriptions" {
		t.Errorf("observed %d requests, first %v; want GET subscriptions", observed.Load(), ops)
	}

	// A new client (Ready remembers success), the emulator gone.
	srv.Close()
	c2, err := azure.Open(b, azure.OpenOptions{EmulatorURL: srv.URL, EmulatorClient: hc, Options: azure.Options{Retry: azure.RetryOptions{MaxRetries: 1, RetryDelay: time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	err = c2.Ready(context.Background())
	if err == nil || !strings.Contains(err.Error(), "does not answer") || strings.Contains(err.Error(), srv.URL) {
		t.Errorf("Ready with the emulator gone: %v, want words without the URL", err)
	}
}

func TestChooseAndOpenRefuseBadInput(t *testing.T) {
	if _, err := azure.Choose(context.Background(), "cloud"); err == nil || !strings.Contains(err.Error(), "auto, emulator or azure") {
		t.Errorf("Choose(cloud): %v", err)
	}
	b, _ := azure.Choose(context.Background(), azure.BackendEmulator)
	if _, err := azure.Open(b, azure.OpenOptions{}); err == nil {
		t.Error("Open of the emulator without its URL")
	}
	if _, err := azure.TrustingClient("http://127.0.0.1:1", nil); err == nil || !strings.Contains(err.Error(), "https://") {
		t.Errorf("TrustingClient(http): %v", err)
	}
	if _, err := azure.TrustingClient("https://127.0.0.1:1", []byte("not pem")); err == nil || !strings.Contains(err.Error(), "PEM") {
		t.Errorf("TrustingClient(not pem): %v", err)
	}
}
