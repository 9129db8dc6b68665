//go:build !(js && wasm)

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure/blobsync/azuritetest"
)

// emulatorProcess runs `amlaks emulator` on a free port and returns its URL
// and the certificate file it wrote.
func emulatorProcess(t *testing.T) (url, certFile string) {
	t.Helper()
	certFile = filepath.Join(t.TempDir(), "emulator.pem")
	cmd := exec.Command(binPath, "emulator", "--addr", "127.0.0.1:0", "--cert-file", certFile, "--emulator-attach", "2s")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("amlaks emulator printed no URL: %v", err)
	}
	go io.Copy(io.Discard, out)
	return strings.TrimSpace(line), certFile
}

// startReplicas starts n `amlaks serve` sharing one emulator and one lock
// container in Azurite.
func startReplicas(t *testing.T, n int, emuURL, certFile, azurite string) []*server {
	t.Helper()
	var rs []*server
	for range n {
		rs = append(rs, startServer(t, "--emulator-url", emuURL, "--emulator-ca", certFile,
			"--lock-connection-string", azurite, "--rate-limit", "0"))
	}
	return rs
}

// attach sends one attach of aks-healthy under name and returns the status
// and the error code, if any.
func attach(t *testing.T, s *server, name string) (int, string, string) {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	st := s.api(t, "POST", "/api/computes", map[string]any{"mode": "attach",
		"workspace": map[string]string{"subscription": apiSub, "resourceGroup": "ml-rg", "name": "ws-east"}, "name": name,
		"target": map[string]string{"resourceGroup": "aks-rg", "name": "aks-healthy"}}, &e)
	return st, e.Error.Code, e.Error.Message
}

// attachedTo lists, through a replica, the computes of ws-east attached to aks-healthy.
func attachedTo(t *testing.T, s *server) []string {
	var inv struct {
		Computes []struct {
			Name      string `json:"name"`
			ClusterID string `json:"clusterId"`
		} `json:"computes"`
	}
	if st := s.api(t, "GET", "/api/workspaces/"+apiSub+"/ml-rg/ws-east/computes", nil, &inv); st != 200 {
		t.Fatalf("inventory: status %d", st)
	}
	var names []string
	for _, c := range inv.Computes {
		if strings.HasSuffix(strings.ToLower(c.ClusterID), "/managedclusters/aks-healthy") {
			names = append(names, c.Name)
		}
	}
	return names
}

// TestReplicasRaceOneAttach: one `amlaks emulator`, Azurite, three `amlaks
// serve` sharing both; twenty attaches of one cluster, under twenty names,
// spread over the replicas at once: exactly one is accepted, the others are
// refused with a conflict that says the cluster is attached, and the
// emulated workspace holds one attachment.
func TestReplicasRaceOneAttach(t *testing.T) {
	azurite := azuritetest.Start(t)
	emuURL, cert := emulatorProcess(t)
	rs := startReplicas(t, 3, emuURL, cert, azurite)

	const n = 20
	type answer struct {
		status        int
		code, message string
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	began := time.Now()
	for i := range n {
		wg.Go(func() {
			<-start
			st, code, msg := attach(t, rs[i%len(rs)], fmt.Sprintf("aks-race-%02d", i))
			answers[i] = answer{st, code, msg}
		})
	}
	close(start)
	wg.Wait()
	took := time.Since(began)

	accepted, conflicts := 0, 0
	for i, a := range answers {
		switch {
		case a.status == http.StatusAccepted:
			accepted++
		case a.status == http.StatusConflict && a.code == "conflict" && strings.Contains(a.message, "already attached"):
			conflicts++
		default:
			t.Errorf("attach %d (replica %d): %d %s %q", i, i%len(rs), a.status, a.code, a.message)
		}
	}
	attached := attachedTo(t, rs[1])
	fmt.Printf("race figures: %d attaches of one cluster over %d replicas (one amlaks emulator, one Azurite lock container): %d accepted, %d conflicts, %d attachment(s) in the workspace, %.1f s for all answers\n",
		n, len(rs), accepted, conflicts, len(attached), took.Seconds())
	if accepted != 1 || conflicts != n-1 || len(attached) != 1 {
		t.Fatalf("%d accepted, %d conflicts, attached as %v: want exactly one", accepted, conflicts, attached)
	}
}

// TestReplicasKilledHolder: a replica is killed (SIGKILL) while it holds the
// cluster's lock, in the middle of its PUT to Azure. Another replica's
// attach of the same cluster, sent meanwhile, waits for the lease to expire
// and then goes on; in the end the cluster is attached exactly once.
//
// The emulator runs in the test (the same armemu `amlaks emulator` serves)
// so that the test can hold the killed replica's PUT at a known point: that
// is the only way to know, without a clock, that the replica holds the lock.
func TestReplicasKilledHolder(t *testing.T) {
	azurite := azuritetest.Start(t)
	emu := armemu.New(armemu.Options{AttachDuration: 2 * time.Second})
	arrived := make(chan struct{})
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(strings.ToLower(r.URL.Path), "/computes/aks-killed") {
			once.Do(func() { close(arrived) })
			<-r.Context().Done() // held until its sender dies: its attach never reaches Azure
			return
		}
		emu.ServeHTTP(w, r)
	})
	srv, err := armemu.Listen("127.0.0.1:0", h, nil, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cert := filepath.Join(t.TempDir(), "emulator.pem")
	if err := os.WriteFile(cert, srv.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	rs := startReplicas(t, 2, srv.URL, cert, azurite)
	holder, other := rs[0], rs[1]

	go func() { // never answered: its replica dies
		body, _ := json.Marshal(map[string]any{"mode": "attach",
			"workspace": map[string]string{"subscription": apiSub, "resourceGroup": "ml-rg", "name": "ws-east"}, "name": "aks-killed",
			"target": map[string]string{"resourceGroup": "aks-rg", "name": "aks-healthy"}})
		resp, err := http.Post(holder.URL+"/api/computes", "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the holder's PUT never reached the emulator")
	}
	type answer struct {
		status        int
		code, message string
	}
	got := make(chan answer, 1)
	sent := time.Now()
	go func() {
		st, code, msg := attach(t, other, "aks-survivor")
		got <- answer{st, code, msg}
	}()
	// Whether the other attach reached its replica yet or not, the lease
	// outlives the holder: the other waits until it expires.
	if err := holder.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	a := <-got
	fmt.Printf("race figures: replica killed holding the lock; the other replica's attach, sent %.1f s before the kill, was answered %d %s %.1f s after it (lease 15 s)\n",
		killed.Sub(sent).Seconds(), a.status, a.code, time.Since(killed).Seconds())
	if a.status != http.StatusAccepted {
		t.Fatalf("the surviving replica's attach: %d %s %q, want it to go on once the lease expired", a.status, a.code, a.message)
	}
	_, last := follow(t, other, "/api/operations/"+apiSub+"/ml-rg/ws-east/aks-survivor")
	if !last.Succeeded {
		t.Fatalf("the surviving attach ended as %+v", last)
	}
	attached := attachedTo(t, other)
	if len(attached) != 1 || attached[0] != "aks-survivor" {
		t.Fatalf("attached as %v: want aks-survivor alone (the killed replica's attach never reached Azure)", attached)
	}
}
