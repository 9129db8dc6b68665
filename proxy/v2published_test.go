//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// heldStore is a V2Store whose first store of a finished record (the
// driver's write of a failed step) waits until the test lets it go: the
// driver's turn stands between a step's end and its store write.
type heldStore struct {
	proxy.V2Store
	once    sync.Once
	holding chan struct{} // closed when that write waits
	release chan struct{} // closed by the test to let it go
}

func (h *heldStore) Save(ctx context.Context, key string, data []byte, version string, running bool) (string, bool, error) {
	if !running {
		h.once.Do(func() {
			close(h.holding)
			<-h.release
		})
	}
	return h.V2Store.Save(ctx, key, data, version, running)
}

// askedLocker is an in-process Locker that tells when anyone asks for an
// operation's lease.
type askedLocker struct {
	mu    sync.Mutex
	keys  map[string]chan struct{}
	asked chan string // every "v2op:" key asked for, in order
}

func (l *askedLocker) Lock(ctx context.Context, keys ...string) (context.Context, func(), error) {
	keys = slices.Sorted(slices.Values(keys))
	var got []chan struct{}
	unlock := func() {
		for _, c := range got {
			<-c
		}
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "v2op:") {
			select {
			case l.asked <- k:
			default:
			}
		}
		l.mu.Lock()
		c, ok := l.keys[k]
		if !ok {
			c = make(chan struct{}, 1)
			l.keys[k] = c
		}
		l.mu.Unlock()
		select {
		case c <- struct{}{}:
			got = append(got, c)
		case <-ctx.Done():
			unlock()
			return nil, nil, ctx.Err()
		}
	}
	return ctx, sync.OnceFunc(unlock), nil
}

// TestV2FailedStepActionableAtOnce: what a reader sees of a v2 operation is
// what the store holds. While the driver's write of a failed extension step
// has not reached the store, the progress does not show the step Failed;
// and a cleanup sent the moment the page shows it Failed (offering cleanup)
// is accepted, not refused as changed "at the same moment".
func TestV2FailedStepActionableAtOnce(t *testing.T) {
	store := &heldStore{V2Store: proxy.NewMemoryV2Store(), holding: make(chan struct{}), release: make(chan struct{})}
	locker := &askedLocker{keys: map[string]chan struct{}{}, asked: make(chan string, 16)}
	st := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{V2Store: store, Locker: locker}, emu: v2Emu})
	var a v2Answers
	st.emu.Inject(armemu.Fault{Method: "PUT", PathContains: "/extensions/azureml", FailOperation: true})
	op := a.accept(t, st, "POST", "/api/computes", v2Create("k8s-at-once"))
	released := false
	defer func() {
		if !released {
			close(store.release)
		}
	}()
	get := func() rules.OperationState {
		ans := a.do(t, st, "GET", op, nil)
		var s rules.OperationState
		if ans.status != http.StatusOK || json.Unmarshal([]byte(ans.body), &s) != nil {
			t.Fatalf("GET %s: %d %s", op, ans.status, ans.body)
		}
		return s
	}
	st.clock.drive(t, opStep, func() bool {
		select {
		case <-store.holding:
			return true
		default:
			return false
		}
	})
	// The driver has ended the step and waits to store it.
	cleanup := v2Path("k8s-at-once", "/cleanup")
	if s := get(); s.State == "Failed" || s.CanCleanup {
		t.Errorf("the failed step is shown before the store holds it: %s, cleanup offered %v", stepStates(s), s.CanCleanup)
		// The page offers cleanup: it is sent at once. Once it waits for
		// the operation's lease, the driver's write goes on.
		for len(locker.asked) > 0 {
			<-locker.asked
		}
		answer := make(chan secAnswer, 1)
		go func() { answer <- st.do(t, "POST", cleanup, "{}") }()
		<-locker.asked
		close(store.release)
		released = true
		if ans := <-answer; ans.status != http.StatusAccepted {
			t.Fatalf("cleanup sent when the page offered it: %d %s", ans.status, ans.body)
		}
	} else {
		close(store.release)
		released = true
		var s rules.OperationState
		st.clock.drive(t, 0, func() bool { s = get(); return s.State == "Failed" })
		if s.FailedStep != rules.StepExtension || !s.CanCleanup {
			t.Fatalf("want the extension step Failed, cleanup offered: %s %+v", stepStates(s), s)
		}
		if ans := st.do(t, "POST", cleanup, "{}"); ans.status != http.StatusAccepted {
			t.Fatalf("cleanup sent the moment it is offered: %d %s", ans.status, ans.body)
		}
	}
	s := a.wait(t, st, op)
	if s.Action != rules.ActionCleanup || !s.Succeeded || stepStates(s) != "remove-cluster=Succeeded" {
		t.Fatalf("cleanup: %s %+v", stepStates(s), s)
	}
}
