package proxy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// The Azure ML v2 operations: create (cluster → extension → attach),
// attach (extension → attach), migrate (detach-v1 → legacy-cleanup →
// extension → attach) and cleanup (remove what a failed operation made).
// Each is a list of steps that the operation's one poller (opwatch.go)
// drives: a step sends its write once the rules have passed again with
// facts the proxy read fresh from Azure, then follows Azure until its
// resource has Succeeded or Failed. A failed step stops the operation; the
// person may retry it (the operation goes on from that step) or clean up
// (delete what amlaks made). The operation's request, with the TLS
// certificate and key of the extension's protected settings, stays in the
// proxy's memory only: it is never logged, echoed or written anywhere; the
// rest of the operation is stored after each step (v2store.go), so any
// replica answers its progress and one replica at a time drives it.

var stepTitles = map[rules.StepName]string{
	rules.StepCluster:       "Create the AKS cluster",
	rules.StepExtension:     "Install the Azure ML extension",
	rules.StepAttach:        "Attach as a Kubernetes compute",
	rules.StepDetachV1:      "Detach the v1 AKS compute (the cluster stays)",
	rules.StepLegacyCleanup: "Remove the v1 inference front end (azureml-fe)",
	rules.StepRemoveCompute: "Remove the compute from the workspace",
	rules.StepRemoveExt:     "Remove the Azure ML extension amlaks installed",
	rules.StepRemoveCluster: "Delete the AKS cluster amlaks created",
}

// stepsOf returns the pending steps of an action.
func stepsOf(names ...rules.StepName) []rules.Step {
	out := make([]rules.Step, len(names))
	for i, n := range names {
		out[i] = rules.Step{Name: n, Title: stepTitles[n], State: rules.StepPending, ExpectedSec: rules.StepExpectedSec(n)}
	}
	return out
}

// v2Op is one v2 operation.
type v2Op struct {
	action  rules.Action
	ref     rules.WorkspaceRef
	name    string
	req     rules.Request // normalized, with Target the cluster's ID; holds secrets: never log or encode it
	cluster rules.ClusterRef
	wsLoc   string
	v1Name  string // migrate: the v1 compute

	drive sync.Mutex // one driver at a time (the poller, or a retry)

	mu          sync.Mutex
	steps       []rules.Step
	started     time.Time
	ended       time.Time
	failed      bool
	madeCluster bool
	madeExt     bool
	madeCompute bool
	removing    bool // the attach step is removing a failed compute before it sends again
	waits       int  // polls of the current step that found nothing yet
	left        []string
	secrets     bool           // req had a certificate and key (the store never has them)
	sending     rules.StepName // a write of this step is about to be sent (v2store.go)
	dropped     bool           // no operation: its first write was refused, or a v1 write replaced it

	version string // the store's version this replica last read or wrote
	saved   []byte // the record as last stored
	stored  bool
	loaded  bool // read from the store: another replica's, or one left before a restart
	driving bool // this replica holds the operation's lease and drives it
}

// needsSecrets reports whether op's extension step still needs the TLS
// certificate and key that this replica has not got (the store never has them).
func (op *v2Op) needsSecrets() bool {
	op.mu.Lock()
	defer op.mu.Unlock()
	if !op.secrets || op.req.TLS.KeyPEM != "" {
		return false
	}
	for _, st := range op.steps {
		if st.Name == rules.StepExtension && st.State != rules.StepSucceeded && st.State != rules.StepSkipped {
			return true
		}
	}
	return false
}

// isDriven reports whether this replica drives op now.
func (op *v2Op) isDriven() bool {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.driving
}

// markSending records, before a step sends its write, that it is about to:
// a replica that goes on after this one died reads Azure before sending.
func (s *Server) markSending(ctx context.Context, op *v2Op, step rules.StepName) error {
	op.mu.Lock()
	op.sending = step
	op.mu.Unlock()
	return s.saveV2(ctx, op)
}

// sent clears the sending mark once the step's write is answered.
func (op *v2Op) sent() {
	op.mu.Lock()
	op.sending = ""
	op.mu.Unlock()
}

// wasSending reports whether a step's write may have been sent by a driver
// that died before it recorded the answer.
func (op *v2Op) wasSending(step rules.StepName) bool {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.sending == step
}

// key is the operation's registry and poller key.
func (op *v2Op) key() string { return watchKey(op.ref, op.name) }

// attachRequest is the request the rules check before the extension and
// attach steps: an attach of the operation's cluster.
func (op *v2Op) attachRequest() rules.Request {
	r := op.req
	r.Mode = rules.ModeAttach
	r.Kind = rules.KindKubernetes
	r.Target = rules.Target{ResourceID: op.cluster.ID()}
	r.Location, r.VMSize, r.NodeCount = "", "", 0
	r.Network = rules.Network{}
	r.Kubernetes.Version, r.Kubernetes.AuthorizedIPRanges = "", nil
	return r
}

// computeID is the resource ID of the operation's compute.
func (op *v2Op) computeID() string { return op.ref.ID() + "/computes/" + op.name }

// state is what GET /api/operations answers for the operation.
func (op *v2Op) state(now time.Time) rules.OperationState {
	op.mu.Lock()
	defer op.mu.Unlock()
	st := rules.OperationState{Workspace: op.ref, Name: op.name, Mode: op.req.Mode, Kind: rules.KindKubernetes,
		Action: op.action, Cluster: op.cluster.ID(), Namespace: op.req.Kubernetes.Namespace,
		StartedAt: op.started.UTC().Format(time.RFC3339), State: "Running"}
	if op.action == rules.ActionMigrate {
		st.Mode = rules.ModeAttach
	}
	end := now
	if !op.ended.IsZero() {
		end = op.ended
	}
	st.ElapsedSec = max(int(end.Sub(op.started).Seconds()), 0)
	for _, s := range op.steps {
		s.Errors = append([]string(nil), s.Errors...)
		if s.State == rules.StepRunning {
			if t, err := time.Parse(time.RFC3339, s.StartedAt); err == nil {
				s.ElapsedSec = max(int(now.Sub(t).Seconds()), 0)
			}
		}
		st.ExpectedSec += s.ExpectedSec
		st.Steps = append(st.Steps, s)
		if s.State == rules.StepFailed {
			st.FailedStep = s.Name
			st.Errors = append(st.Errors, s.Errors...)
			if len(s.Errors) == 0 && s.Message != "" {
				st.Errors = append(st.Errors, s.Message)
			}
		}
	}
	switch {
	case op.failed:
		st.State, st.Done = "Failed", true
		st.CanRetry = st.FailedStep != rules.StepCluster || !op.madeCluster
		st.CanCleanup = op.action != rules.ActionCleanup && (op.madeCluster || op.madeExt || op.madeCompute)
		if op.action == rules.ActionCleanup {
			st.CanRetry = true
		}
	case !op.ended.IsZero():
		st.State, st.Done, st.Succeeded = "Succeeded", true, true
	}
	st.Left = append([]string(nil), op.left...)
	if op.failed && op.action != rules.ActionCleanup {
		st.Left = append(st.Left, op.leftAfterFailure()...)
	}
	return st
}

// leftAfterFailure says what a failed operation leaves in Azure; op.mu is held.
func (op *v2Op) leftAfterFailure() []string {
	var out []string
	if op.madeCluster {
		out = append(out, "The AKS cluster "+op.cluster.Name+" that amlaks created stays in resource group "+op.cluster.ResourceGroup+" (and costs money) until you retry or clean up.")
	}
	if op.madeExt {
		out = append(out, "The Azure ML extension amlaks installed on "+op.cluster.Name+" stays until you retry or clean up.")
	}
	if op.madeCompute {
		out = append(out, "The compute "+op.name+" stays in the workspace, Failed, until you retry or clean up.")
	}
	if op.action == rules.ActionMigrate {
		for _, s := range op.steps {
			if s.Name == rules.StepDetachV1 && (s.State == rules.StepSucceeded || s.State == rules.StepSkipped) {
				out = append(out, "The v1 compute "+op.v1Name+" is detached; its cluster "+op.cluster.Name+" keeps running. Retry to finish the migration.")
			}
		}
	}
	return out
}

// v2Ops holds the v2 operations by workspace and compute name, and which
// operation installs the Azure ML extension on which cluster: a cluster may
// be attached several times (other namespaces, other workspaces), but its
// extension is installed once.
type v2Ops struct {
	mu         sync.Mutex
	ops        map[string]*v2Op
	installing map[string]*v2Op // by lower-case cluster ID
}

func newV2Ops() *v2Ops {
	return &v2Ops{ops: map[string]*v2Op{}, installing: map[string]*v2Op{}}
}

// maxV2Ops bounds the finished operations kept for late readers and retries.
const maxV2Ops = 1000

func (v *v2Ops) get(ref rules.WorkspaceRef, name string) *v2Op {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.ops[watchKey(ref, name)]
}

// adopt registers op, another replica's record this replica now drives.
func (v *v2Ops) adopt(op *v2Op) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ops[op.key()] = op
}

// put registers op, refusing when an operation on the same name still runs.
func (v *v2Ops) put(op *v2Op) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if old, ok := v.ops[op.key()]; ok && old != op && old.running() {
		return rules.Errorf(rules.ErrConflict, rules.FieldName, "An amlaks operation on "+op.name+" is still running: wait for it to finish, then try again.")
	}
	if len(v.ops) >= maxV2Ops {
		for k, o := range v.ops {
			if !o.running() {
				delete(v.ops, k)
				break
			}
		}
	}
	v.ops[op.key()] = op
	return nil
}

// blocking refuses a new operation on a name whose last operation still
// runs, or failed and left something in Azure: that one is retried or
// cleaned up first, so nothing half-done is forgotten.
func (s *Server) blocking(ctx context.Context, ref rules.WorkspaceRef, name string) (version string, err error) {
	old, err := s.loadV2(ctx, ref, name)
	if err != nil {
		return "", err
	}
	if old == nil { // none, or a dropped record: its version, to store over it
		_, v, err := s.store.Load(ctx, watchKey(ref, name))
		if err != nil {
			return "", errStoreDown(err)
		}
		return v, nil
	}
	if old.running() {
		return "", rules.Errorf(rules.ErrConflict, rules.FieldName, "An amlaks operation on "+name+" is still running: wait for it to finish, then try again.")
	}
	old.mu.Lock()
	left := old.failed && old.action != rules.ActionCleanup && (old.madeCluster || old.madeExt || old.madeCompute)
	old.mu.Unlock()
	if left {
		return "", rules.Errorf(rules.ErrConflict, rules.FieldName, "The last operation on "+name+" failed and left what it made in Azure: retry it or clean it up first.")
	}
	old.mu.Lock()
	defer old.mu.Unlock()
	return old.version, nil
}

// drop removes op from the registry (its first write was refused).
func (v *v2Ops) drop(op *v2Op) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ops[op.key()] == op {
		delete(v.ops, op.key())
	}
}

// installer returns the running operation that installs the extension on
// cluster, if any.
func (v *v2Ops) installer(cluster rules.ClusterRef) *v2Op {
	v.mu.Lock()
	other := v.installing[strings.ToLower(cluster.ID())]
	v.mu.Unlock()
	if other != nil && other.running() {
		return other
	}
	return nil
}

// forget drops the v2 operation of a name, when a v1-style write (scale,
// detach) starts on it.
func (v *v2Ops) forget(ref rules.WorkspaceRef, name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if op, ok := v.ops[watchKey(ref, name)]; ok && !op.running() {
		delete(v.ops, watchKey(ref, name))
	}
}

// claimInstall makes op the installer of its cluster's extension; it
// returns the operation that installs it already, if another does.
func (v *v2Ops) claimInstall(op *v2Op) *v2Op {
	v.mu.Lock()
	defer v.mu.Unlock()
	key := strings.ToLower(op.cluster.ID())
	if other, ok := v.installing[key]; ok && other != op && other.running() {
		return other
	}
	v.installing[key] = op
	return nil
}

func (v *v2Ops) releaseInstall(op *v2Op) {
	v.mu.Lock()
	defer v.mu.Unlock()
	key := strings.ToLower(op.cluster.ID())
	if v.installing[key] == op {
		delete(v.installing, key)
	}
}

// running reports whether the operation has neither failed nor ended.
func (op *v2Op) running() bool {
	op.mu.Lock()
	defer op.mu.Unlock()
	return !op.failed && op.ended.IsZero()
}

// current returns the index of the first step not done, or -1.
func (op *v2Op) current() int {
	op.mu.Lock()
	defer op.mu.Unlock()
	for i, s := range op.steps {
		if s.State != rules.StepSucceeded && s.State != rules.StepSkipped {
			return i
		}
	}
	return -1
}

func (op *v2Op) step(i int) rules.Step {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.steps[i]
}

// update changes step i under the lock.
func (op *v2Op) update(i int, f func(s *rules.Step)) {
	op.mu.Lock()
	defer op.mu.Unlock()
	f(&op.steps[i])
}

// outcome is what a step's turn did.
type outcome int

const (
	stepWait outcome = iota // Azure is still at it: ask again at the next poll
	stepNext                // the step is done: go on to the next at once
	stepStop                // the step failed: the operation stops
)

// start marks step i running now, with the resource it works on.
func (s *Server) startStep(op *v2Op, i int, resource string, made bool, msg string) {
	now := s.cfg.now().UTC().Format(time.RFC3339)
	op.update(i, func(st *rules.Step) {
		st.State, st.StartedAt, st.EndedAt, st.Errors = rules.StepRunning, now, "", nil
		st.Resource, st.Made, st.Message = resource, made, msg
	})
	op.mu.Lock()
	op.waits = 0
	op.mu.Unlock()
	s.cfg.logger().Info("v2 step started", "action", op.action, "workspace", op.ref.ID(), "name", op.name, "step", op.step(i).Name)
}

// endStep marks step i done with state, Azure's words and a message.
func (s *Server) endStep(op *v2Op, i int, state rules.StepState, msg string, errs []string) outcome {
	now := s.cfg.now()
	// Whatever the step did (or failed halfway through) may have changed the
	// workspace's computes, the cluster or its extensions: the next reader asks Azure.
	s.facts.changed(op.ref, op.cluster.ID())
	op.update(i, func(st *rules.Step) {
		if st.StartedAt == "" {
			st.StartedAt = now.UTC().Format(time.RFC3339)
		}
		st.State, st.EndedAt, st.Message, st.Errors = state, now.UTC().Format(time.RFC3339), msg, errs
		if t, err := time.Parse(time.RFC3339, st.StartedAt); err == nil {
			st.ElapsedSec = max(int(now.Sub(t).Seconds()), 0)
		}
	})
	if state == rules.StepFailed {
		op.mu.Lock()
		op.failed = true
		op.ended = time.Time{}
		op.mu.Unlock()
		s.cfg.logger().Info("v2 step failed", "action", op.action, "workspace", op.ref.ID(), "name", op.name, "step", op.step(i).Name, "errors", len(errs))
		return stepStop
	}
	return stepNext
}

// failStep ends step i Failed with an error of amlaks or Azure.
func (s *Server) failStep(op *v2Op, i int, err error) outcome {
	return s.endStep(op, i, rules.StepFailed, "", []string{errorWords(err)})
}

// errorWords is an error as a person reads it: the rules' or the adapter's
// plain message, never raw SDK text.
func errorWords(err error) string {
	var e *rules.Error
	if errors.As(err, &e) {
		if len(e.Findings) > 1 {
			var parts []string
			for _, f := range e.Findings {
				parts = append(parts, f.Code+": "+f.Message)
			}
			return strings.Join(parts, " ")
		}
		if len(e.Findings) == 1 {
			return e.Findings[0].Code + ": " + e.Findings[0].Message
		}
		return e.Message
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "Azure did not answer in time; retry."
	}
	return "The request to Azure failed; retry."
}

// advance drives op: each step in turn, as far as Azure lets it go now. It
// reports whether the operation is over (Succeeded or Failed).
func (s *Server) advance(ctx context.Context, op *v2Op) bool {
	op.drive.Lock()
	defer op.drive.Unlock()
	for range 8 {
		if !op.running() {
			return true
		}
		i := op.current()
		if i < 0 {
			op.mu.Lock()
			op.ended = s.cfg.now()
			op.mu.Unlock()
			s.v2.releaseInstall(op)
			if err := s.saveV2(ctx, op); err != nil {
				s.cfg.logger().Warn("v2 operation's success not stored", "workspace", op.ref.ID(), "name", op.name, "err", err)
			}
			s.cfg.logger().Info("v2 operation succeeded", "action", op.action, "workspace", op.ref.ID(), "name", op.name)
			return true
		}
		var o outcome
		switch op.step(i).Name {
		case rules.StepCluster:
			o = s.stepCluster(ctx, op, i)
		case rules.StepExtension:
			o = s.stepExtension(ctx, op, i)
		case rules.StepAttach:
			o = s.stepAttach(ctx, op, i)
		case rules.StepDetachV1:
			o = s.stepDetachV1(ctx, op, i)
		case rules.StepLegacyCleanup:
			o = s.stepLegacyCleanup(ctx, op, i)
		case rules.StepRemoveCompute:
			o = s.stepRemoveCompute(ctx, op, i)
		case rules.StepRemoveExt:
			o = s.stepRemoveExtension(ctx, op, i)
		case rules.StepRemoveCluster:
			o = s.stepRemoveCluster(ctx, op, i)
		}
		if err := s.saveV2(ctx, op); err != nil && isConflict(err) {
			// Another replica stored the record: it drives the operation now.
			s.cfg.logger().Warn("v2 operation taken over by another replica; this one stops driving it", "workspace", op.ref.ID(), "name", op.name)
			s.v2.releaseInstall(op)
			return true
		}
		switch o {
		case stepWait:
			return false
		case stepStop:
			s.v2.releaseInstall(op)
			return true
		}
	}
	return false
}

func isConflict(err error) bool {
	var e *rules.Error
	return errors.As(err, &e) && e.Code == rules.ErrConflict
}

// waited counts one more poll that found nothing yet, and reports whether
// that is more than a read of what Azure just accepted may lag.
func (op *v2Op) waited() bool {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.waits++
	return op.waits > 20
}

// stepCluster follows the cluster create; its PUT was sent by the handler
// (or by a retry).
func (s *Server) stepCluster(ctx context.Context, op *v2Op, i int) outcome {
	if op.step(i).State == rules.StepPending {
		if op.wasSending(rules.StepCluster) {
			// A driver that died may have sent the PUT: Azure says.
			if _, err := s.azure.Cluster(ctx, op.cluster.ID()); err == nil {
				op.mu.Lock()
				op.madeCluster, op.sending = true, ""
				op.mu.Unlock()
				s.startStep(op, i, op.cluster.ID(), true, "AKS is creating the cluster.")
				return stepWait
			} else if !isNotFound(err) {
				op.update(i, func(st *rules.Step) { st.Message = "Could not read the cluster just now: " + errorWords(err) })
				return stepWait
			}
		}
		if err := s.checkRules(ctx, op.req); err != nil {
			return s.failStep(op, i, err)
		}
		if err := s.markSending(ctx, op, rules.StepCluster); err != nil {
			return s.failStep(op, i, err)
		}
		if err := s.sendCluster(ctx, op); err != nil {
			op.sent()
			return s.failStep(op, i, err)
		}
		op.sent()
		s.startStep(op, i, op.cluster.ID(), true, "AKS is creating the cluster.")
		return stepWait
	}
	cl, err := s.azure.Cluster(ctx, op.cluster.ID())
	switch {
	case isNotFound(err):
		if op.waited() {
			return s.endStep(op, i, rules.StepFailed, "", []string{"The cluster " + op.cluster.Name + " that Azure accepted is not there any more."})
		}
		return stepWait
	case err != nil:
		op.update(i, func(st *rules.Step) { st.Message = "Could not read the cluster just now: " + errorWords(err) })
		return stepWait
	}
	switch strings.ToLower(cl.State) {
	case "succeeded":
		return s.endStep(op, i, rules.StepSucceeded, "The cluster "+cl.Name+" is ready: Kubernetes "+cl.Version+".", nil)
	case "failed", "canceled":
		words := s.azure.ClusterFailure(op.cluster)
		if len(words) == 0 && !op.waited() {
			return stepWait // the adapter is still reading Azure's words
		}
		if len(words) == 0 {
			words = []string{"AKS reports the cluster " + cl.State + "."}
		}
		return s.endStep(op, i, rules.StepFailed, "", words)
	}
	op.update(i, func(st *rules.Step) { st.Message = "AKS is creating the cluster (" + cl.State + ")." })
	return stepWait
}

// sendCluster sends the cluster's PUT.
func (s *Server) sendCluster(ctx context.Context, op *v2Op) error {
	var ranges []string
	if len(op.req.Kubernetes.AuthorizedIPRanges) > 0 {
		var err error
		if ranges, _, err = s.facts.AMLRanges(ctx, op.ref.Subscription, op.wsLoc); err != nil {
			return err
		}
	}
	err := s.azure.CreateCluster(ctx, op.cluster, rules.ManagedClusterBody(op.req, op.wsLoc, ranges))
	s.facts.changed(op.ref, op.cluster.ID())
	if err != nil {
		return err
	}
	op.mu.Lock()
	op.madeCluster = true
	op.mu.Unlock()
	return nil
}

// checkRules runs every rule again, with facts the proxy reads fresh from
// Azure, before a write: the same check as a v1 write.
func (s *Server) checkRules(ctx context.Context, req rules.Request) error {
	_, err := s.checkedFacts(ctx, req)
	return err
}

// checkedFacts is checkRules that also returns the facts.
func (s *Server) checkedFacts(ctx context.Context, req rules.Request) (rules.Facts, error) {
	facts, err := s.v2Facts(ctx, req)
	if err != nil {
		return facts, err
	}
	if errs := rules.Validate(req, facts).Errors(); len(errs) > 0 {
		return facts, refusal(errs)
	}
	return facts, nil
}

// v2Facts are the facts of req, read fresh from Azure, with the v2 facts
// of its cluster (facts.go).
func (s *Server) v2Facts(ctx context.Context, req rules.Request) (rules.Facts, error) {
	return s.freshFacts(ctx, req)
}

// azureMLExtension returns the cluster's Azure ML extension, if any.
func azureMLExtension(exts []rules.Extension) (rules.Extension, bool) {
	for _, e := range exts {
		if e.AzureML() {
			return e, true
		}
	}
	return rules.Extension{}, false
}

// stepExtension checks the cluster's Azure ML extension: Succeeded, it is
// used as it is; absent, amlaks installs it; installed by this operation
// and Failed (a retry), amlaks installs it again; otherwise the step fails
// with the rules' finding (X10).
func (s *Server) stepExtension(ctx context.Context, op *v2Op, i int) outcome {
	if op.step(i).State == rules.StepPending {
		if other := s.v2.claimInstall(op); other != nil {
			op.update(i, func(st *rules.Step) {
				st.Message = "Waiting for amlaks's operation on " + other.name + ", which installs the extension on this cluster."
			})
			return stepWait
		}
		ar := op.attachRequest()
		facts, err := s.checkedFacts(ctx, ar)
		if err != nil {
			return s.failStep(op, i, err)
		}
		if facts.Cluster == nil {
			return s.endStep(op, i, rules.StepFailed, "", []string{"The cluster " + op.cluster.Name + " was not found."})
		}
		ext, ok := azureMLExtension(facts.Cluster.Extensions)
		op.mu.Lock()
		ours := op.madeExt
		op.mu.Unlock()
		if ok && !ours && op.wasSending(rules.StepExtension) && strings.EqualFold(ext.Name, rules.ExtensionName) {
			// A driver that died sent the install: follow it, do not send it again.
			op.mu.Lock()
			op.madeExt, op.sending = true, ""
			op.mu.Unlock()
			s.startStep(op, i, op.cluster.ID()+"/providers/Microsoft.KubernetesConfiguration/extensions/"+rules.ExtensionName, true, "Azure is installing the Azure ML extension.")
			return stepWait
		}
		switch {
		case ok && strings.EqualFold(ext.State, "Succeeded"):
			s.v2.releaseInstall(op)
			s.startStep(op, i, op.cluster.ID()+"/providers/Microsoft.KubernetesConfiguration/extensions/"+ext.Name, false, "")
			return s.endStep(op, i, rules.StepSkipped, "The Azure ML extension "+ext.Name+" (version "+orUnknown(ext.Version)+") is installed already; amlaks uses it as it is.", nil)
		case ok && !ours:
			return s.endStep(op, i, rules.StepFailed, "", []string{extensionWords(ext)})
		}
		nodes := 0
		for _, p := range facts.Cluster.Pools {
			nodes += p.Count
		}
		if op.needsSecrets() {
			s.v2.releaseInstall(op)
			return s.endStep(op, i, rules.StepFailed, "", []string{"amlaks does not keep the TLS certificate and key (this replica did not start the operation, or amlaks restarted): retry with the request, its certificate and key included."})
		}
		cfg := rules.ExtensionSettings(op.req, op.cluster, facts.Cluster.Location, nodes)
		if err := s.markSending(ctx, op, rules.StepExtension); err != nil {
			return s.failStep(op, i, err)
		}
		err = s.azure.InstallExtension(ctx, op.cluster, cfg)
		op.sent()
		s.facts.changed(op.ref, op.cluster.ID())
		if err != nil {
			return s.failStep(op, i, err)
		}
		op.mu.Lock()
		op.madeExt = true
		op.mu.Unlock()
		s.startStep(op, i, op.cluster.ID()+"/providers/Microsoft.KubernetesConfiguration/extensions/"+rules.ExtensionName, true, "Azure is installing the Azure ML extension.")
		return stepWait
	}
	ext, err := s.azure.Extension(ctx, op.cluster, rules.ExtensionName)
	switch {
	case isNotFound(err):
		if op.waited() {
			return s.endStep(op, i, rules.StepFailed, "", []string{"The extension that Azure accepted is not on the cluster any more."})
		}
		return stepWait
	case err != nil:
		op.update(i, func(st *rules.Step) { st.Message = "Could not read the extension just now: " + errorWords(err) })
		return stepWait
	}
	switch strings.ToLower(ext.State) {
	case "succeeded":
		s.v2.releaseInstall(op)
		return s.endStep(op, i, rules.StepSucceeded, "The Azure ML extension (version "+orUnknown(ext.Version)+") is installed.", nil)
	case "failed", "canceled":
		words := ext.Errors
		if len(words) == 0 {
			words = []string{"Azure reports the extension " + ext.State + "."}
		}
		return s.endStep(op, i, rules.StepFailed, "", words)
	}
	op.update(i, func(st *rules.Step) { st.Message = "Azure is installing the Azure ML extension (" + ext.State + ")." })
	return stepWait
}

// extensionWords is X10's words for an extension amlaks did not install
// and cannot use as it is, from rules.
func extensionWords(e rules.Extension) string {
	f := rules.ExtensionNotReady(e, "")
	return f.Code + ": " + f.Message + " " + f.Fix
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// stepAttach attaches the cluster as a Kubernetes compute. On a retry, a
// compute of that name that this operation made and that Failed is removed
// first.
func (s *Server) stepAttach(ctx context.Context, op *v2Op, i int) outcome {
	if op.step(i).State == rules.StepPending {
		c, err := s.azure.Compute(ctx, op.ref, op.name)
		op.mu.Lock()
		ours, removing := op.madeCompute, op.removing
		op.mu.Unlock()
		switch {
		case err == nil && !ours && op.wasSending(rules.StepAttach) && strings.EqualFold(c.ClusterID, op.cluster.ID()):
			// A driver that died sent the attach: follow it, do not send it again.
			op.mu.Lock()
			op.madeCompute, op.sending = true, ""
			op.mu.Unlock()
			s.startStep(op, i, op.computeID(), true, "Azure ML is attaching the cluster in namespace "+op.req.Kubernetes.Namespace+".")
			return stepWait
		case err == nil && removing:
			return stepWait
		case err == nil && ours && strings.EqualFold(c.State, "Failed"):
			// Detach, never Delete: the compute is attached, and its
			// cluster stays whatever happens to the compute.
			if derr := s.azure.Detach(ctx, op.ref, op.name); derr != nil {
				return s.failStep(op, i, derr)
			}
			op.mu.Lock()
			op.removing = true
			op.mu.Unlock()
			op.update(i, func(st *rules.Step) { st.Message = "Removing the failed compute before attaching again." })
			return stepWait
		case err != nil && !isNotFound(err):
			op.update(i, func(st *rules.Step) { st.Message = "Could not read the compute just now: " + errorWords(err) })
			return stepWait
		}
		op.mu.Lock()
		op.removing = false
		op.mu.Unlock()
		ar := op.attachRequest()
		facts, err := s.checkedFacts(ctx, ar)
		if err != nil {
			return s.failStep(op, i, err)
		}
		norm := ar.Normalized(facts.WorkspaceLocation)
		if err := s.markSending(ctx, op, rules.StepAttach); err != nil {
			return s.failStep(op, i, err)
		}
		err = s.azure.AttachKubernetes(ctx, norm)
		op.sent()
		s.facts.changed(op.ref, op.cluster.ID())
		if err != nil {
			return s.failStep(op, i, err)
		}
		op.mu.Lock()
		op.madeCompute = true
		op.mu.Unlock()
		s.startStep(op, i, op.computeID(), true, "Azure ML is attaching the cluster in namespace "+op.req.Kubernetes.Namespace+".")
		return stepWait
	}
	c, err := s.computeState(ctx, op.ref, op.name)
	switch {
	case isNotFound(err):
		if op.waited() {
			return s.endStep(op, i, rules.StepFailed, "", []string{"The compute that Azure accepted is not in the workspace any more."})
		}
		return stepWait
	case err != nil:
		op.update(i, func(st *rules.Step) { st.Message = "Could not read the compute just now: " + errorWords(err) })
		return stepWait
	}
	switch strings.ToLower(c.State) {
	case "succeeded":
		return s.endStep(op, i, rules.StepSucceeded, "The cluster is attached as Kubernetes compute "+op.name+" in namespace "+op.req.Kubernetes.Namespace+".", nil)
	case "failed", "canceled":
		words := c.Errors
		if len(words) == 0 {
			words = []string{"Azure ML reports the compute " + c.State + "."}
		}
		return s.endStep(op, i, rules.StepFailed, "", words)
	}
	op.update(i, func(st *rules.Step) { st.Message = "Azure ML is attaching the cluster (" + c.State + ")." })
	return stepWait
}

// computeState reads a compute in one ARM request when the adapter can.
func (s *Server) computeState(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error) {
	if r, ok := s.azure.(OperationReader); ok {
		return r.ComputeState(ctx, ref, name)
	}
	return s.azure.Compute(ctx, ref, name)
}

// stepDetachV1 detaches the v1 AKS compute of a migration; the cluster stays.
func (s *Server) stepDetachV1(ctx context.Context, op *v2Op, i int) outcome {
	c, err := s.computeState(ctx, op.ref, op.v1Name)
	if op.step(i).State == rules.StepPending {
		switch {
		case isNotFound(err):
			s.startStep(op, i, op.ref.ID()+"/computes/"+op.v1Name, false, "")
			return s.endStep(op, i, rules.StepSkipped, "The v1 compute "+op.v1Name+" is detached already.", nil)
		case err != nil:
			return s.failStep(op, i, err)
		case !strings.EqualFold(c.Type, "AKS"):
			return s.endStep(op, i, rules.StepFailed, "", []string{op.v1Name + " is a compute of type " + c.Type + ", not a v1 AKS compute."})
		}
		if err := s.azure.Detach(ctx, op.ref, op.v1Name); err != nil {
			return s.failStep(op, i, err)
		}
		s.facts.changed(op.ref, op.cluster.ID())
		s.startStep(op, i, op.ref.ID()+"/computes/"+op.v1Name, false, "Azure ML is detaching the v1 compute; the cluster keeps running.")
		return stepWait
	}
	switch {
	case isNotFound(err):
		return s.endStep(op, i, rules.StepSucceeded, "The v1 compute "+op.v1Name+" is detached; the cluster "+op.cluster.Name+" is kept.", nil)
	case err == nil && strings.EqualFold(c.State, "Failed"):
		return s.endStep(op, i, rules.StepFailed, "", append([]string{"Azure ML could not detach " + op.v1Name + "."}, c.Errors...))
	}
	return stepWait
}

// stepLegacyCleanup removes the v1 azureml-fe from the cluster through an
// AKS run command, and waits for it. When that fails, the step says what to
// run by hand; a retry checks again.
func (s *Server) stepLegacyCleanup(ctx context.Context, op *v2Op, i int) outcome {
	s.startStep(op, i, op.cluster.ID(), false, "Running kubectl on the cluster through AKS's run command.")
	out, err := s.azure.RemoveLegacyFrontend(ctx, op.cluster)
	if err != nil {
		manual := rules.LegacyFrontendManual(op.cluster)
		op.update(i, func(st *rules.Step) { st.Manual = manual })
		return s.endStep(op, i, rules.StepFailed, "Run the command below (or its kubectl part with the cluster's credentials), then retry.", []string{errorWords(err)})
	}
	msg := "The v1 inference front end (azureml-fe) is removed from " + op.cluster.Name + "."
	if strings.TrimSpace(out) == "" {
		msg = "No v1 inference front end (azureml-fe) was left on " + op.cluster.Name + "."
	}
	return s.endStep(op, i, rules.StepSucceeded, msg, nil)
}

// stepRemoveCompute deletes the failed compute of the operation cleaned up.
func (s *Server) stepRemoveCompute(ctx context.Context, op *v2Op, i int) outcome {
	_, err := s.computeState(ctx, op.ref, op.name)
	if op.step(i).State == rules.StepPending {
		if isNotFound(err) {
			s.startStep(op, i, op.computeID(), false, "")
			return s.endStep(op, i, rules.StepSkipped, "There is no compute "+op.name+" to remove.", nil)
		}
		if err != nil {
			return s.failStep(op, i, err)
		}
		if err := s.azure.Detach(ctx, op.ref, op.name); err != nil {
			return s.failStep(op, i, err)
		}
		s.startStep(op, i, op.computeID(), false, "Azure ML is removing the compute.")
		return stepWait
	}
	if isNotFound(err) {
		return s.endStep(op, i, rules.StepSucceeded, "The compute "+op.name+" is removed.", nil)
	}
	return stepWait
}

// stepRemoveExtension deletes the extension amlaks installed.
func (s *Server) stepRemoveExtension(ctx context.Context, op *v2Op, i int) outcome {
	_, err := s.azure.Extension(ctx, op.cluster, rules.ExtensionName)
	if op.step(i).State == rules.StepPending {
		if isNotFound(err) {
			s.startStep(op, i, op.cluster.ID(), false, "")
			return s.endStep(op, i, rules.StepSkipped, "The extension is not on the cluster.", nil)
		}
		if err != nil {
			return s.failStep(op, i, err)
		}
		if err := s.azure.DeleteExtension(ctx, op.cluster, rules.ExtensionName); err != nil {
			return s.failStep(op, i, err)
		}
		s.startStep(op, i, op.cluster.ID()+"/providers/Microsoft.KubernetesConfiguration/extensions/"+rules.ExtensionName, false, "Azure is removing the extension.")
		return stepWait
	}
	if isNotFound(err) {
		return s.endStep(op, i, rules.StepSucceeded, "The Azure ML extension is removed from "+op.cluster.Name+".", nil)
	}
	return stepWait
}

// stepRemoveCluster deletes the cluster amlaks created.
func (s *Server) stepRemoveCluster(ctx context.Context, op *v2Op, i int) outcome {
	_, err := s.azure.Cluster(ctx, op.cluster.ID())
	if op.step(i).State == rules.StepPending {
		if isNotFound(err) {
			s.startStep(op, i, op.cluster.ID(), false, "")
			return s.endStep(op, i, rules.StepSkipped, "The cluster "+op.cluster.Name+" is gone already.", nil)
		}
		if err != nil {
			return s.failStep(op, i, err)
		}
		if err := s.azure.DeleteCluster(ctx, op.cluster); err != nil {
			return s.failStep(op, i, err)
		}
		s.facts.changed(op.ref, op.cluster.ID())
		s.startStep(op, i, op.cluster.ID(), false, "AKS is deleting the cluster.")
		return stepWait
	}
	if isNotFound(err) {
		return s.endStep(op, i, rules.StepSucceeded, "The AKS cluster "+op.cluster.Name+" is deleted.", nil)
	}
	return stepWait
}
