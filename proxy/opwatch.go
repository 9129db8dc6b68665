package proxy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// One poller per operation: however many pages watch an operation, the proxy
// asks Azure about it from one goroutine, one ARM GET a poll, never sooner
// than Azure's Retry-After, and every page reads what that poller last saw.
// A write the proxy accepts starts its poller, which follows the operation to
// its end (and logs the outcome); a page that asks about an operation nobody
// follows (after a restart, say) starts one, which stops once nobody has
// asked for watchIdle.

// DefaultPollInterval is how often an operation is polled when the Azure
// adapter does not say (Config.PollInterval).
const DefaultPollInterval = 2 * time.Second

const (
	// watchIdle stops a poller no page has asked for in that long.
	watchIdle = time.Minute
	// watchMax bounds how long one operation is followed.
	watchMax = 30 * time.Minute
	// watchLinger keeps a finished operation's state for late readers.
	watchLinger = time.Minute
	// v2TurnTimeout bounds one turn of a v2 operation's steps.
	v2TurnTimeout = 5 * time.Minute
)

// OperationReader is implemented by an Azure adapter that can read a
// compute's state in one ARM request, without reading its cluster
// (proxy/azure does). The operation poller uses it while an operation runs,
// and Azure.Compute once, for the final state.
type OperationReader interface {
	ComputeState(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error)
}

// OperationPacer is implemented by an Azure adapter that knows how long Azure
// asked to wait between polls of the operation on a compute: the Retry-After
// of the write it accepted, else the adapter's own poll frequency.
type OperationPacer interface {
	PollAfter(ref rules.WorkspaceRef, name string) time.Duration
}

// opWatcher holds the pollers, by workspace and compute name.
type opWatcher struct {
	s    *Server
	bg   context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	watches map[string]*opWatch
}

// opWatch is one operation's poller and what it last saw.
type opWatch struct {
	ref   rules.WorkspaceRef
	name  string
	owned bool     // started by a write: followed to its end
	drive *v2Op    // a v2 operation, which the poller drives step by step (v2ops.go)
	lease *v2Lease // the lease its handler took for it; nil: the poller takes it
	ready chan struct{}
	wake  chan struct{} // a reader asks before the first poll

	mu     sync.Mutex
	c      rules.Compute
	err    error
	asked  time.Time
	polls  int
	finish bool
}

func newOpWatcher(s *Server) *opWatcher {
	bg, stop := context.WithCancel(context.Background())
	return &opWatcher{s: s, bg: bg, stop: stop, watches: map[string]*opWatch{}}
}

func watchKey(ref rules.WorkspaceRef, name string) string {
	return strings.ToLower(ref.ID() + "/" + name)
}

// started is called when Azure accepted a write on a compute: a new poller
// follows it to its end, replacing any earlier one.
func (o *opWatcher) started(ref rules.WorkspaceRef, name string) {
	o.s.v2.forget(ref, name)
	o.s.dropStored(ref, name)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.startLocked(ref, name, true, nil)
}

// startedV2 starts the poller that drives a v2 operation, replacing any
// earlier poller of its name.
func (o *opWatcher) startedV2(op *v2Op, lease *v2Lease) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.startLocked(op.ref, op.name, true, op, lease)
}

// ensureV2 starts a driver for a running v2 operation that has none here
// (its poller stopped at watchMax, or another replica drives it): it takes
// the operation's lease once the other driver lets go or dies.
func (o *opWatcher) ensureV2(op *v2Op) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if w, ok := o.watches[op.key()]; ok && w.drive != nil {
		w.mu.Lock()
		cur := w.drive
		w.mu.Unlock()
		if cur == op || cur.running() {
			return
		}
	}
	o.startLocked(op.ref, op.name, true, op)
}

// lease, when set, is the lease of drive its handler took: set before the
// poller starts, so that it never waits for a lease its own handler holds.
func (o *opWatcher) startLocked(ref rules.WorkspaceRef, name string, owned bool, drive *v2Op, lease ...*v2Lease) *opWatch {
	key := watchKey(ref, name)
	if old, ok := o.watches[key]; ok {
		old.mu.Lock()
		old.finish = true // it stops at its next turn
		old.mu.Unlock()
	}
	w := &opWatch{ref: ref, name: name, owned: owned, drive: drive, ready: make(chan struct{}), wake: make(chan struct{}, 1), asked: time.Now()}
	if len(lease) > 0 {
		w.lease = lease[0]
	}
	o.watches[key] = w
	o.wg.Add(1)
	if owned && o.s.cfg.OnOperation != nil {
		o.s.cfg.OnOperation(1)
	}
	go o.run(key, w)
	return w
}

// state returns what the operation's poller last saw, starting a poller when
// none runs; it waits for the first poll of a new one.
func (o *opWatcher) state(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error) {
	o.mu.Lock()
	w, ok := o.watches[watchKey(ref, name)]
	if !ok {
		w = o.startLocked(ref, name, false, nil)
	}
	o.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	select {
	case <-w.ready:
	case <-ctx.Done():
		return rules.Compute{}, ctx.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.asked = time.Now()
	return w.c, w.err
}

// interval is how long the poller waits before its next ARM GET.
func (o *opWatcher) interval(w *opWatch) time.Duration {
	d := o.s.cfg.PollInterval
	if d <= 0 {
		d = DefaultPollInterval
	}
	if p, ok := o.s.azure.(OperationPacer); ok {
		if after := p.PollAfter(w.ref, w.name); after > 0 {
			d = after // Azure's pace, even when slower or faster than ours
		}
	}
	return max(d, o.s.cfg.MinPollInterval)
}

// poll reads the compute: one ARM GET while it runs.
func (o *opWatcher) poll(ctx context.Context, w *opWatch) (rules.Compute, error) {
	if r, ok := o.s.azure.(OperationReader); ok {
		return r.ComputeState(ctx, w.ref, w.name)
	}
	return o.s.azure.Compute(ctx, w.ref, w.name)
}

// run is the poller of one operation.
func (o *opWatcher) run(key string, w *opWatch) {
	defer o.wg.Done()
	defer o.drop(key, w)
	inFlight := w.owned && o.s.cfg.OnOperation != nil
	landed := func() { // the operation is no longer in flight
		if inFlight {
			inFlight = false
			o.s.cfg.OnOperation(-1)
		}
	}
	defer landed()
	if w.drive != nil {
		o.runV2(w)
		return
	}
	deadline := time.Now().Add(watchMax)
	if w.owned {
		// Azure has just accepted the write and said when to ask again:
		// the first poll waits for that, or for the first page that asks.
		select {
		case <-o.s.cfg.pollTimer(o.interval(w)):
		case <-w.wake:
		case <-o.bg.Done():
			return
		}
	}
	for first := true; ; first = false {
		ctx, cancel := context.WithTimeout(o.bg, o.s.cfg.timeout())
		c, err := o.poll(ctx, w)
		// Done when Azure says so, or when the compute is gone (a detach);
		// any other error is shown and the next poll tries again.
		done := (err == nil && terminal(c.State)) || isNotFound(err)
		if _, brief := o.s.azure.(OperationReader); brief && done && err == nil {
			// The final state, once, with the cluster's version and cores.
			if full, ferr := o.s.azure.Compute(ctx, w.ref, w.name); ferr == nil {
				c = full
			}
		}
		cancel()
		if o.bg.Err() != nil {
			return
		}
		w.mu.Lock()
		w.c, w.err = c, err
		w.polls++
		idle := !w.owned && time.Since(w.asked) > watchIdle
		finish := w.finish
		w.mu.Unlock()
		if first {
			close(w.ready)
		}
		if done {
			o.outcome(w, c, err)
			landed()
			o.linger(w)
			return
		}
		if idle || finish || time.Now().After(deadline) {
			return
		}
		select {
		case <-o.s.cfg.pollTimer(o.interval(w)):
		case <-o.bg.Done():
			return
		}
	}
}

// runV2 drives a v2 operation: one turn of its steps a poll, at the
// adapter's pace, until the operation is over.
//
// Only the holder of the operation's lease (v2LeaseKey, through the
// Locker) drives it: the driver waits for the lease while another replica
// holds it, stops when that one has finished it, and, once it has the
// lease, goes on from the record the store holds (another replica may have
// driven it meanwhile, or died halfway through a step).
func (o *opWatcher) runV2(w *opWatch) {
	held, unlock, op := o.leaseV2(w)
	if held == nil {
		return
	}
	o.s.v2.adopt(op)
	defer unlock()
	op.mu.Lock()
	op.driving = true
	op.mu.Unlock()
	defer func() {
		op.mu.Lock()
		op.driving = false
		op.mu.Unlock()
	}()
	deadline := time.Now().Add(2 * watchMax) // a create is three operations
	for first := true; ; first = false {
		// A turn may wait for an AKS run command (the legacy cleanup),
		// which takes longer than one ARM request.
		ctx, cancel := context.WithTimeout(held, max(o.s.cfg.timeout(), v2TurnTimeout))
		done := o.s.advance(ctx, op)
		cancel()
		if o.bg.Err() != nil || held.Err() != nil {
			return // stopping, or the lease is lost: someone else may drive it now
		}
		w.mu.Lock()
		w.polls++
		finish := w.finish
		w.mu.Unlock()
		if first {
			close(w.ready)
		}
		if done {
			// A retry, here or on another replica, drives it next; until
			// then the store's record is the one to read.
			op.mu.Lock()
			op.driving = false
			op.mu.Unlock()
			unlock()
			o.linger(w)
			return
		}
		if finish || time.Now().After(deadline) {
			return
		}
		select {
		case <-o.s.cfg.pollTimer(o.interval(w)):
		case <-o.bg.Done():
			return
		}
	}
}

// leaseV2 takes the lease of w's operation, waiting while another driver
// holds it, and returns the operation as stored, this replica's own copy
// when it is the stored one (it has the request's secrets). held is nil
// when there is nothing to drive: the operation is finished or gone, or
// the proxy stops.
func (o *opWatcher) leaseV2(w *opWatch) (held context.Context, unlock func(), op *v2Op) {
	w.mu.Lock()
	op, given := w.drive, w.lease
	w.mu.Unlock()
	if given != nil {
		// Taken before the record was stored: the record is op's.
		return given.held, given.unlock, op
	}
	key := v2LeaseKey(op.key())
	for {
		h, u, err := o.s.locker.Lock(o.bg, key)
		if err == nil {
			held, unlock = h, sync.OnceFunc(u)
			break
		}
		if o.bg.Err() != nil {
			return nil, nil, nil
		}
		// Another replica drives it: stop once it has finished it.
		ctx, cancel := context.WithTimeout(o.bg, o.s.cfg.timeout())
		cur, lerr := o.s.loadStored(ctx, op.key())
		cancel()
		w.mu.Lock()
		finish := w.finish
		w.mu.Unlock()
		if finish || (lerr == nil && (cur == nil || !cur.running() || cur.dropped)) {
			return nil, nil, nil
		}
		select {
		case <-o.s.cfg.pollTimer(o.interval(w)):
		case <-o.bg.Done():
			return nil, nil, nil
		}
	}
	ctx, cancel := context.WithTimeout(held, o.s.cfg.timeout())
	cur, err := o.s.loadStored(ctx, op.key())
	cancel()
	if err != nil || cur == nil || cur.dropped || !cur.running() {
		if err != nil {
			o.s.cfg.logger().Warn("v2 operation's record not read; not driving it now", "workspace", op.ref.ID(), "name", op.name, "err", err)
		}
		unlock()
		return nil, nil, nil
	}
	op.mu.Lock()
	same, loaded := op.version == cur.version, op.loaded
	op.mu.Unlock()
	if !same || loaded {
		o.s.cfg.logger().Info("v2 operation resumed from its stored record", "action", cur.action, "workspace", cur.ref.ID(), "name", cur.name, "step", stepOf(cur))
	}
	if !same {
		op = cur
		w.mu.Lock()
		w.drive = op
		w.mu.Unlock()
	}
	return held, unlock, op
}

func isNotFound(err error) bool {
	var e *rules.Error
	return errors.As(err, &e) && e.Code == rules.ErrNotFound
}

// terminal reports whether a provisioning state is final.
func terminal(state string) bool {
	switch strings.ToLower(state) {
	case "succeeded", "failed", "canceled":
		return true
	}
	return false
}

// outcome logs how an operation the proxy started ended.
func (o *opWatcher) outcome(w *opWatch, c rules.Compute, err error) {
	if !w.owned {
		return
	}
	log := o.s.cfg.logger()
	switch {
	case isNotFound(err):
		log.Info("operation finished: the compute is gone", "workspace", w.ref.ID(), "name", w.name)
	default:
		log.Info("operation finished", "workspace", w.ref.ID(), "name", w.name, "state", c.State, "errors", len(c.Errors))
	}
}

// linger keeps a finished operation's state for late readers, then drops it.
func (o *opWatcher) linger(w *opWatch) {
	select {
	case <-time.After(watchLinger):
	case <-o.bg.Done():
	}
}

// drop forgets a poller that stopped, unless another replaced it.
func (o *opWatcher) drop(key string, w *opWatch) {
	select {
	case <-w.ready:
	default:
		// Stopped before its first poll: readers get an error in words.
		w.mu.Lock()
		if w.err == nil {
			w.err = rules.Errorf(rules.ErrUnavailable, "", "The proxy is stopping; ask again in a moment.")
		}
		w.mu.Unlock()
		close(w.ready)
	}
	o.mu.Lock()
	if o.watches[key] == w {
		delete(o.watches, key)
	}
	o.mu.Unlock()
}

// close stops every poller and waits for them.
func (o *opWatcher) close() {
	o.stop()
	o.wg.Wait()
}

// Close stops the proxy's operation pollers. The operations go on in Azure.
func (s *Server) Close() error {
	s.ops.close()
	return nil
}

// Polls returns how many ARM reads the poller of an operation has made so
// far, for tests and benchmarks; 0 when none runs.
func (s *Server) Polls(ref rules.WorkspaceRef, name string) int {
	s.ops.mu.Lock()
	w, ok := s.ops.watches[watchKey(ref, name)]
	s.ops.mu.Unlock()
	if !ok {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.polls
}
