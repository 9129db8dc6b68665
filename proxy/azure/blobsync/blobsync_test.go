//go:build !(js && wasm)

package blobsync_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"

	"github.com/amlaks/amlaks/proxy/azure/blobsync"
	"github.com/amlaks/amlaks/proxy/azure/blobsync/azuritetest"
	"github.com/amlaks/amlaks/rules"
)

// conn is the connection string of the Azurite every test shares; runErr
// says why there is none.
var (
	conn   string
	runErr error
)

func TestMain(m *testing.M) {
	if os.Getenv("BLOBSYNC_HOLD") != "" {
		os.Exit(m.Run()) // the holder process of TestLockOutlivesKilledHolder
	}
	var stop func()
	conn, stop, runErr = azuritetest.Run()
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

// mustStore is one replica's view of the shared container.
func mustStore(tb testing.TB, containerName string, opt blobsync.Options) *blobsync.Store {
	tb.Helper()
	if runErr != nil {
		azuritetest.Unavailable(tb, runErr)
	}
	s, err := blobsync.NewFromConnectionString(context.Background(), conn, containerName, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestLockExcludesAcrossReplicas: twelve changes of one cluster through
// three stores (three replicas) run one at a time, and all of them run.
func TestLockExcludesAcrossReplicas(t *testing.T) {
	t.Parallel()
	var stores []*blobsync.Store
	for range 3 {
		stores = append(stores, mustStore(t, "exclude", blobsync.Options{Retry: 20 * time.Millisecond}))
	}
	var inside, most, ran atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			_, unlock, err := stores[i%3].Lock(context.Background(), "cluster:/subscriptions/s/aks-1", "name:ws/aks-"+strconv.Itoa(i))
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(30 * time.Millisecond) // long enough for an overlap to show
			inside.Add(-1)
			ran.Add(1)
			unlock()
		})
	}
	wg.Wait()
	if most.Load() != 1 || ran.Load() != 12 {
		t.Fatalf("%d changes ran, at most %d at once; want 12, one at a time", ran.Load(), most.Load())
	}
}

// TestLockBusyIsConflict: while one replica holds a key, another that
// waited its MaxWait gets a conflict in words; once released, it gets it.
func TestLockBusyIsConflict(t *testing.T) {
	t.Parallel()
	a := mustStore(t, "busy", blobsync.Options{})
	b := mustStore(t, "busy", blobsync.Options{MaxWait: 500 * time.Millisecond})
	_, unlock, err := a.Lock(context.Background(), "cluster:c")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = b.Lock(context.Background(), "name:n", "cluster:c")
	var e *rules.Error
	if !errors.As(err, &e) || e.Code != rules.ErrConflict {
		t.Fatalf("second holder: %v, want a conflict", err)
	}
	t.Logf("refused: %s", e.Message)
	// The key b took before it waited on cluster:c was released with it.
	_, unlockN, err := a.Lock(context.Background(), "name:n")
	if err != nil {
		t.Fatalf("name:n still held after the refused Lock: %v", err)
	}
	unlockN()
	unlock()
	_, unlock, err = b.Lock(context.Background(), "cluster:c")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	unlock()
}

// TestHelperHold is the holder process of TestLockOutlivesKilledHolder: it
// takes the lock, says so, and waits to be killed.
func TestHelperHold(t *testing.T) {
	c := os.Getenv("BLOBSYNC_HOLD")
	if c == "" {
		t.Skip("only as the holder process of TestLockOutlivesKilledHolder")
	}
	s, err := blobsync.NewFromConnectionString(context.Background(), c, "killed", blobsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Lock(context.Background(), "cluster:k"); err != nil {
		t.Fatal(err)
	}
	fmt.Println("held")
	select {}
}

// TestLockOutlivesKilledHolder: a replica killed (SIGKILL) while it holds a
// lock cannot release it; the lease keeps others out until it expires, and
// then they go on.
func TestLockOutlivesKilledHolder(t *testing.T) {
	t.Parallel()
	b := mustStore(t, "killed", blobsync.Options{MaxWait: 500 * time.Millisecond})
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHold$", "-test.v")
	cmd.Env = append(os.Environ(), "BLOBSYNC_HOLD="+conn)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "held" {
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed := time.Now()
	if _, _, err := b.Lock(context.Background(), "cluster:k"); err == nil {
		t.Fatal("the lock was free right after its holder was killed: the lease did not outlive it")
	}
	c := mustStore(t, "killed", blobsync.Options{})
	_, unlock, err := c.Lock(context.Background(), "cluster:k")
	if err != nil {
		t.Fatalf("after the killed holder's lease expired: %v", err)
	}
	unlock()
	t.Logf("taken %.1f s after the holder was killed (lease %s)", time.Since(killed).Seconds(), blobsync.DefaultLease)
}

// TestLockRenewedWhileHeld: a change that runs longer than one lease keeps
// its lock, because the lease is renewed.
func TestLockRenewedWhileHeld(t *testing.T) {
	t.Parallel()
	a := mustStore(t, "renewed", blobsync.Options{})
	b := mustStore(t, "renewed", blobsync.Options{MaxWait: time.Second})
	held, unlock, err := a.Lock(context.Background(), "cluster:r")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	time.Sleep(blobsync.DefaultLease + 2*time.Second)
	if _, _, err := b.Lock(context.Background(), "cluster:r"); err == nil {
		t.Fatal("another replica took the lock after one lease: it was not renewed")
	}
	if held.Err() != nil {
		t.Fatalf("held ended: %v", context.Cause(held))
	}
}

// TestLockLostEndsHeld: when the lease is taken away (broken), the holder's
// context ends, so it stops instead of going on unprotected.
func TestLockLostEndsHeld(t *testing.T) {
	t.Parallel()
	a := mustStore(t, "lost", blobsync.Options{})
	held, unlock, err := a.Lock(context.Background(), "cluster:l")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	c, err := container.NewClientFromConnectionString(conn, "lost", nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs := c.NewListBlobsFlatPager(nil)
	page, err := blobs.NextPage(context.Background())
	if err != nil || len(page.Segment.BlobItems) != 1 {
		t.Fatalf("want one lock blob: %v", err)
	}
	l, err := lease.NewBlobClient(c.NewBlockBlobClient(*page.Segment.BlobItems[0].Name), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.BreakLease(context.Background(), &lease.BlobBreakOptions{BreakPeriod: new(int32(0))}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held.Done():
		t.Logf("held ended: %v", context.Cause(held))
	case <-time.After(2 * blobsync.DefaultLease):
		t.Fatal("the lease was broken but the holder's context did not end")
	}
}

// TestUpdateCountsEveryWriter: thirty increments of one record from three
// replicas at once are all counted (the ETag condition loses none).
func TestUpdateCountsEveryWriter(t *testing.T) {
	t.Parallel()
	var stores []*blobsync.Store
	for range 3 {
		stores = append(stores, mustStore(t, "update", blobsync.Options{}))
	}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			err := stores[i%3].Update(context.Background(), "rate:user:ada@example.com", func(old map[string]string) (map[string]string, error) {
				n, _ := strconv.Atoi(old["n"])
				return map[string]string{"n": strconv.Itoa(n + 1)}, nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var got string
	err := stores[0].Update(context.Background(), "rate:user:ada@example.com", func(old map[string]string) (map[string]string, error) {
		got = old["n"]
		return nil, errors.New("read only")
	})
	if err == nil || got != "30" {
		t.Fatalf("count %q (%v), want 30", got, err)
	}
}

func TestCheckLease(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    time.Duration
		ok   bool
	}{
		{"default", 0, true}, {"min", 15 * time.Second, true}, {"max", time.Minute, true},
		{"short", 5 * time.Second, false}, {"long", 2 * time.Minute, false}, {"fraction", 15500 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := blobsync.CheckLease(tc.d); (err == nil) != tc.ok {
				t.Fatalf("CheckLease(%s) = %v", tc.d, err)
			}
		})
	}
}

func TestSettingsCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    blobsync.Settings
		want string // in the error; empty: none
	}{
		{"none", blobsync.Settings{}, ""},
		{"account", blobsync.Settings{Account: "https://locks.blob.core.windows.net", Container: "amlaks"}, ""},
		{"http account", blobsync.Settings{Account: "http://locks.blob.core.windows.net"}, "--lock-account"},
		{"both", blobsync.Settings{Account: "https://a.blob.core.windows.net", ConnectionString: "x"}, "keep one"},
		{"container", blobsync.Settings{Container: "Amlaks_Locks"}, "--lock-container"},
		{"lease", blobsync.Settings{Options: blobsync.Options{Lease: 5 * time.Second}}, "--lock-lease"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Check()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Check() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReady(t *testing.T) {
	if err := mustStore(t, "ready", blobsync.Options{}).Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	gone, stop, err := azuritetest.Run()
	if err != nil {
		t.Fatal(err)
	}
	s, err := blobsync.NewFromConnectionString(context.Background(), gone, "ready", blobsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop() // the storage goes away
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err == nil {
		t.Fatal("Ready with the storage gone")
	}
}
