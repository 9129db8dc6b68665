//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/azure/blobsync"
	"github.com/amlaks/amlaks/proxy/azure/blobsync/azuritetest"
)

// replicas starts n proxies over one emulator (n replicas of one
// deployment), each with its own client of one Azurite container when
// shared, or with nothing shared (each its in-process lock).
func replicas(t *testing.T, n int, shared bool, cfg proxy.Config) []*secStack {
	t.Helper()
	var conn string
	if shared {
		conn = azuritetest.Start(t)
	}
	var sts []*secStack
	for i := range n {
		c := cfg
		if shared {
			store, err := blobsync.NewFromConnectionString(context.Background(), conn, "amlaks", blobsync.Options{Retry: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			c.Locker, c.SharedLimits = store, store
		}
		o := secOptions{cfg: c, noRate: cfg.WritesPerMinute == 0}
		if i > 0 {
			o.reuse = sts[0]
		}
		sts = append(sts, newSecStack(t, o))
	}
	return sts
}

// raceAttaches sends n attaches of one cluster, under n names, spread over
// the replicas, all at once, and counts the answers.
func raceAttaches(t *testing.T, sts []*secStack, n int) (accepted, conflicts int, others []string) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			a := sts[i%len(sts)].do(t, "POST", "/api/computes", mustSecJSON(t, secAttach("aks-race-"+string(rune('a'+i)), "aks-healthy")))
			mu.Lock()
			defer mu.Unlock()
			switch a.status {
			case http.StatusAccepted:
				accepted++
			case http.StatusConflict:
				conflicts++
			default:
				others = append(others, a.body)
			}
		})
	}
	close(start)
	wg.Wait()
	return accepted, conflicts, others
}

// TestReplicasAttachOneClusterOnce: twenty attaches of one cluster raced
// over three replicas that share their lock in Azure Blob Storage (Azurite):
// exactly one is accepted, the others are told it is attached already, and
// the emulated Azure holds one attachment.
func TestReplicasAttachOneClusterOnce(t *testing.T) {
	sts := replicas(t, 3, true, proxy.Config{})
	accepted, conflicts, others := raceAttaches(t, sts, 20)
	attached := len(sts[0].emu.Attachments(secClusterID("aks-healthy")))
	t.Logf("race figures: 20 attaches of one cluster over 3 replicas sharing a blob lease: %d accepted, %d conflicts, %d other answers, cluster attached %d time(s)", accepted, conflicts, len(others), attached)
	if accepted != 1 || conflicts != 19 || attached != 1 {
		t.Fatalf("%d accepted, %d conflicts, attached %d times, others %v; want 1, 19, 1", accepted, conflicts, attached, others)
	}
}

// TestReplicasWithoutSharedLock is the figure the shared lock is for: the
// same race over three replicas that lock each in its own process. It
// asserts nothing (how often they collide is up to the scheduler); it shows
// in the log what a deployment without --lock-account risks.
func TestReplicasWithoutSharedLock(t *testing.T) {
	sts := replicas(t, 3, false, proxy.Config{})
	accepted, conflicts, others := raceAttaches(t, sts, 20)
	t.Logf("race figures: 20 attaches of one cluster over 3 replicas with in-process locks only: %d accepted, %d conflicts, %d other answers, cluster attached %d time(s)",
		accepted, conflicts, len(others), len(sts[0].emu.Attachments(secClusterID("aks-healthy"))))
}

// TestReplicasShareTheRateLimit: one person's changes are counted once over
// all replicas: with a burst of 2, the third change is refused whichever
// replica it reaches.
func TestReplicasShareTheRateLimit(t *testing.T) {
	sts := replicas(t, 2, true, proxy.Config{WritesPerMinute: 1, WriteBurst: 2})
	for i, st := range []*secStack{sts[0], sts[1]} {
		if a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secAttach("aks-rate-"+string(rune('a'+i)), "aks-healthy"))); a.status == http.StatusTooManyRequests {
			t.Fatalf("change %d refused within the burst: %s", i+1, a.body)
		}
	}
	a := sts[1].do(t, "POST", "/api/computes", mustSecJSON(t, secAttach("aks-rate-c", "aks-healthy")))
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.apiErr().Message, "too many changes") {
		t.Fatalf("third change on the other replica: %d %s, want 429", a.status, a.body)
	}
}

// heldLost is a Locker whose lock is lost at once: its held context ends.
type heldLost struct{}

func (heldLost) Lock(ctx context.Context, keys ...string) (context.Context, func(), error) {
	held, cancel := context.WithCancel(ctx)
	cancel()
	return held, func() {}, nil
}

// TestLostLockStopsTheChange: a change whose shared lock is lost (the
// Locker's held context ends) sends nothing more to Azure.
func TestLostLockStopsTheChange(t *testing.T) {
	st := newSecStack(t, secOptions{cfg: proxy.Config{Locker: heldLost{}}, noRate: true})
	a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secAttach("aks-lost", "aks-healthy")))
	if a.status == http.StatusAccepted {
		t.Fatalf("attach accepted after its lock was lost: %s", a.body)
	}
	if got := st.emu.Attachments(secClusterID("aks-healthy")); len(got) != 0 {
		t.Fatalf("attached %v after the lock was lost", got)
	}
}

// lockFails is a Locker whose storage cannot be reached.
type lockFails struct{}

func (lockFails) Lock(ctx context.Context, keys ...string) (context.Context, func(), error) {
	return nil, nil, errors.New("dial tcp: connection refused")
}

// TestLockStorageDownIsUnavailable: when the shared lock cannot be taken
// for want of its storage, nothing is sent and the person is told so in
// words (the status table's unavailable), not with the storage's error.
func TestLockStorageDownIsUnavailable(t *testing.T) {
	st := newSecStack(t, secOptions{cfg: proxy.Config{Locker: lockFails{}}, noRate: true})
	a := st.do(t, "POST", "/api/computes", mustSecJSON(t, secAttach("aks-down", "aks-healthy")))
	if a.status < 500 || a.apiErr().Code != "unavailable" || strings.Contains(a.body, "dial tcp") {
		t.Fatalf("%d %s, want unavailable in plain words", a.status, a.body)
	}
	if got := st.emu.Attachments(secClusterID("aks-down")); len(got) != 0 {
		t.Fatalf("attached %v without the lock", got)
	}
}
