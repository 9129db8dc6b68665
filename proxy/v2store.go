package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// The v2 operations' records, where every replica reads them. A record is
// everything the progress page, a retry and a cleanup need, and never the
// TLS certificate and key of the extension's protected settings (nor any
// other text that looks secret: rules.Request.Redacted): a replica that
// resumes an operation whose extension still needs them fails that step
// and asks for them through the retry's body (rules.RetryRequest).
//
// Writes are conditional on the version last read, so two replicas never
// overwrite each other; and only the replica holding the operation's lease
// ("v2op:" + key, through the Locker) drives it. A replica that finds a
// running operation nobody drives (its driver was killed: the lease
// expired) takes the lease and goes on from the last recorded step, reading
// Azure first (v2Record.Sending) so nothing is sent twice.

// V2Store keeps the records of the v2 operations. With Config.V2Store nil
// the proxy keeps them in its memory, right for one replica only; with
// several replicas every one must be given the same store
// (proxy/azure/blobsync: one blob a record).
type V2Store interface {
	// Load returns key's record and its version; data is nil when there is none.
	Load(ctx context.Context, key string) (data []byte, version string, err error)
	// Save stores data under key if the stored version is still version
	// ("" when there is no record yet); saved is false, and nothing is
	// stored, when another writer stored first. running is whether the
	// operation is unfinished (Running lists those).
	Save(ctx context.Context, key string, data []byte, version string, running bool) (newVersion string, saved bool, err error)
	// Running returns the keys of the unfinished operations.
	Running(ctx context.Context) ([]string, error)
}

// memoryV2Store is the in-process V2Store.
type memoryV2Store struct {
	mu   sync.Mutex
	recs map[string]memoryV2Record
	n    int
}

type memoryV2Record struct {
	data    []byte
	version string
	running bool
}

// NewMemoryV2Store returns an in-process V2Store (the default).
func NewMemoryV2Store() V2Store { return &memoryV2Store{recs: map[string]memoryV2Record{}} }

func (m *memoryV2Store) Load(_ context.Context, key string) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[key]
	if !ok {
		return nil, "", nil
	}
	return slices.Clone(r.data), r.version, nil
}

func (m *memoryV2Store) Save(_ context.Context, key string, data []byte, version string, running bool) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.recs[key]; r.version != version {
		return "", false, nil
	}
	if len(m.recs) >= maxV2Ops {
		for k, r := range m.recs {
			if !r.running && k != key {
				delete(m.recs, k)
				break
			}
		}
	}
	m.n++
	v := strconv.Itoa(m.n)
	m.recs[key] = memoryV2Record{data: slices.Clone(data), version: v, running: running}
	return v, true, nil
}

func (m *memoryV2Store) Running(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k, r := range m.recs {
		if r.running {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

// v2Record is a v2Op as stored.
type v2Record struct {
	Key       string             `json:"key"`
	Action    rules.Action       `json:"action"`
	Workspace rules.WorkspaceRef `json:"workspace"`
	Name      string             `json:"name"`
	// Request is the operation's request, Redacted: no certificate, no key.
	Request rules.Request `json:"request"`
	// Secrets says that the request had a certificate and key, not stored:
	// a replica that has not got them asks for them again (retry body).
	Secrets           bool             `json:"secrets,omitempty"`
	Cluster           rules.ClusterRef `json:"cluster"`
	WorkspaceLocation string           `json:"workspaceLocation,omitempty"`
	V1Name            string           `json:"v1Name,omitempty"`
	Steps             []rules.Step     `json:"steps"`
	Started           time.Time        `json:"started"`
	Ended             time.Time        `json:"ended,omitzero"`
	Failed            bool             `json:"failed,omitempty"`
	MadeCluster       bool             `json:"madeCluster,omitempty"`
	MadeExt           bool             `json:"madeExtension,omitempty"`
	MadeCompute       bool             `json:"madeCompute,omitempty"`
	Removing          bool             `json:"removing,omitempty"`
	// Sending names the step whose write was about to be sent when the
	// record was stored: whoever goes on reads Azure before sending it again.
	Sending rules.StepName `json:"sending,omitempty"`
	Left    []string       `json:"left,omitempty"`
	// Dropped marks an operation whose first write Azure refused, or that a
	// v1-style write (scale, detach) replaced: there is no v2 operation.
	Dropped bool `json:"dropped,omitempty"`
}

// record is op as stored; op.mu is not held.
func (op *v2Op) record() v2Record {
	op.mu.Lock()
	defer op.mu.Unlock()
	steps := make([]rules.Step, len(op.steps))
	for i, s := range op.steps {
		s.Errors = slices.Clone(s.Errors)
		steps[i] = s
	}
	return v2Record{Key: op.key(), Action: op.action, Workspace: op.ref, Name: op.name, Request: op.req.Redacted(),
		Secrets: op.secrets, Cluster: op.cluster, WorkspaceLocation: op.wsLoc, V1Name: op.v1Name, Steps: steps,
		Started: op.started, Ended: op.ended, Failed: op.failed, MadeCluster: op.madeCluster, MadeExt: op.madeExt,
		MadeCompute: op.madeCompute, Removing: op.removing, Sending: op.sending, Left: slices.Clone(op.left), Dropped: op.dropped}
}

// opOfRecord is the v2Op of a stored record, as another replica left it.
func opOfRecord(r v2Record, version string) *v2Op {
	return &v2Op{action: r.Action, ref: r.Workspace, name: r.Name, req: r.Request, secrets: r.Secrets, cluster: r.Cluster,
		wsLoc: r.WorkspaceLocation, v1Name: r.V1Name, steps: r.Steps, started: r.Started, ended: r.Ended, failed: r.Failed,
		madeCluster: r.MadeCluster, madeExt: r.MadeExt, madeCompute: r.MadeCompute, removing: r.Removing, sending: r.Sending,
		left: r.Left, dropped: r.Dropped, version: version, stored: true, loaded: true}
}

// stepOf names the step op is at, for the log.
func stepOf(op *v2Op) rules.StepName {
	if i := op.current(); i >= 0 {
		return op.step(i).Name
	}
	return ""
}

// errStale is what a writer gets when another replica stored the
// operation's record first: it stops, and the person looks again.
func errStale(name string) error {
	return rules.Errorf(rules.ErrConflict, rules.FieldName, "Another amlaks replica changed the operation on "+name+" at the same moment; nothing more was sent. Look at its progress again, then retry if it asks you to.")
}

// errStoreDown is the words for a record store that does not answer.
func errStoreDown(err error) error {
	var e *rules.Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return rules.Errorf(rules.ErrUnavailable, "", "amlaks could not read or write its operations' records in the shared storage. Try again in a minute; if it goes on, the operator should check the lock storage (--lock-account).")
}

// saveV2 stores op's record under the version op last read or wrote; it
// stores nothing when the record is as last stored.
func (s *Server) saveV2(ctx context.Context, op *v2Op) error {
	rec := op.record()
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	op.mu.Lock()
	same := op.stored && string(data) == string(op.saved)
	version := op.version
	running := !rec.Dropped && !rec.Failed && rec.Ended.IsZero()
	op.mu.Unlock()
	if same {
		return nil
	}
	v, ok, err := s.store.Save(ctx, rec.Key, data, version, running)
	if err != nil {
		s.cfg.logger().Warn("v2 operation record not stored", "workspace", op.ref.ID(), "name", op.name, "err", err)
		return errStoreDown(err)
	}
	if !ok {
		return errStale(op.name)
	}
	op.mu.Lock()
	op.version, op.saved, op.stored = v, data, true
	op.mu.Unlock()
	return nil
}

// loadStored reads key's record from the store; nil when there is none.
func (s *Server) loadStored(ctx context.Context, key string) (*v2Op, error) {
	data, v, err := s.store.Load(ctx, key)
	if err != nil {
		return nil, errStoreDown(err)
	}
	if data == nil {
		return nil, nil
	}
	var rec v2Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("v2 operation record %s: %w", key, err)
	}
	op := opOfRecord(rec, v)
	op.saved = data
	return op, nil
}

// asStored is op, which this replica drives, as its driver last stored it,
// with the request's secrets of this replica's copy. The driver changes op
// in memory during a turn and stores it after: a reader of op itself could
// see a step's end (a Failed step offering retry and cleanup) before the
// store holds it, and a retry or cleanup it sends at once would be judged,
// and stored, against the record as it was before (a wrong 409 here, "still
// running" on another replica). Readers see only what every replica sees.
func (op *v2Op) asStored() (*v2Op, error) {
	op.mu.Lock()
	data, version, stored, req := op.saved, op.version, op.stored, op.req
	op.mu.Unlock()
	if !stored {
		return op, nil // not stored yet: nobody has been answered about it
	}
	var rec v2Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("v2 operation record %s: %w", op.key(), err)
	}
	cp := opOfRecord(rec, version)
	cp.saved, cp.req, cp.loaded = data, req, false
	return cp, nil
}

// loadV2 returns the v2 operation on a name as the store holds it: the one
// this replica drives as its driver last stored it (asStored), else the
// store's record (another replica's, or one left before a restart), with
// its version; nil when there is none.
func (s *Server) loadV2(ctx context.Context, ref rules.WorkspaceRef, name string) (*v2Op, error) {
	if op := s.v2.get(ref, name); op != nil && op.isDriven() {
		return op.asStored()
	}
	op, err := s.loadStored(ctx, watchKey(ref, name))
	if err != nil || op == nil {
		return nil, err
	}
	op.mu.Lock()
	dropped := op.dropped
	op.mu.Unlock()
	if dropped {
		return nil, nil
	}
	// Keep this replica's own copy when it is the stored one: it has the
	// request's secrets, which the store never holds.
	if local := s.v2.get(ref, name); local != nil {
		local.mu.Lock()
		same := local.version == op.version
		local.mu.Unlock()
		if same {
			return local, nil
		}
	}
	return op, nil
}

// ResumeV2 starts, for every unfinished v2 operation in the store, a
// driver that takes its lease once nobody holds it (at once after a restart
// of the only replica; when the lease of a killed replica expires) and goes
// on from its last recorded step. It returns how many it found.
func (s *Server) ResumeV2(ctx context.Context) (int, error) {
	keys, err := s.store.Running(ctx)
	if err != nil {
		return 0, errStoreDown(err)
	}
	n := 0
	for _, k := range keys {
		op, err := s.loadStored(ctx, k)
		if err != nil {
			return n, err
		}
		if op == nil || !op.running() || op.dropped {
			continue
		}
		s.ops.ensureV2(op)
		n++
	}
	if n > 0 {
		s.cfg.logger().Info("unfinished v2 operations found in the store: resuming them", "count", n)
	}
	return n, nil
}

// dropStored marks the stored record of a name dropped, when a v1-style
// write replaces a finished v2 operation.
func (s *Server) dropStored(ref rules.WorkspaceRef, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.timeout())
	defer cancel()
	op, err := s.loadStored(ctx, watchKey(ref, name))
	if err != nil || op == nil || op.running() {
		return
	}
	op.mu.Lock()
	op.dropped = true
	op.mu.Unlock()
	if err := s.saveV2(ctx, op); err != nil {
		s.cfg.logger().Warn("finished v2 operation not marked replaced", "workspace", ref.ID(), "name", name, "err", err)
	}
}

// v2LeaseKey is the lock key of the driver of the operation under key.
func v2LeaseKey(key string) string { return "v2op:" + strings.ToLower(key) }

// v2Lease is an operation's lease, held by its one driver.
type v2Lease struct {
	held   context.Context // ends when the lease is lost
	unlock func()          // idempotent
}

// leaseV2 takes the lease of the operation under key for a driver of this
// replica: it outlives the request that takes it.
func (s *Server) leaseV2(key string) (*v2Lease, error) {
	held, unlock, err := s.lock(s.ops.bg, v2LeaseKey(key))
	if err != nil {
		return nil, err
	}
	return &v2Lease{held: held, unlock: sync.OnceFunc(unlock)}, nil
}
