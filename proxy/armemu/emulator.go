// Package armemu is an in-process emulator of the Azure Resource Manager (ARM)
// endpoints that amlaks calls through the official Azure SDK for Go: Azure
// Machine Learning workspaces and computes, AKS managed clusters, agent pools
// and Kubernetes versions, compute resource SKUs, network service tags and
// subscriptions with their locations.
//
// An Emulator is an http.Handler loaded with a sample world. It speaks ARM's
// URL shapes, api-version checks, error bodies and long-running operations
// (Azure-AsyncOperation, Location and Retry-After headers), and it enforces,
// on its own, the server-side checks Azure makes on an AKS compute create or
// attach. It imports nothing of the project, so when the project's rules and
// Azure's checks drift apart a test notices.
//
// Operations never run in the background: their state is derived from their
// start time, their duration and the clock (Options.Now) each time a request
// is served, so a fake clock makes every test deterministic.
package armemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SubscriptionID is the ID of the sample world's only subscription.
const SubscriptionID = "00000000-0000-4000-8000-000000000001"

// TenantID is the tenant the sample subscription belongs to.
const TenantID = "00000000-0000-4000-8000-0000000000aa"

// Options configure the emulator's operation timings and its clock. A zero
// field takes its default.
type Options struct {
	// CreateDuration is how long a compute create stays Creating; default 20s.
	CreateDuration time.Duration
	// AttachDuration is how long an attach stays Creating; default 10s.
	AttachDuration time.Duration
	// UpdateDuration is how long an agent pool update (a scale) takes; default 5s.
	UpdateDuration time.Duration
	// DeleteDuration is how long a compute detach or delete takes; default 3s.
	DeleteDuration time.Duration
	// ExtensionDuration is how long a cluster extension install takes; default 15s.
	ExtensionDuration time.Duration
	// RetryAfter is the Retry-After header sent on 201 and 202 answers and by
	// operation status resources while they run, in whole seconds rounded up.
	// Zero takes the default, 1s; a negative value writes "0", which makes
	// the SDK's pollers use their own frequency (what fast tests want).
	RetryAfter time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Throttle, when on, answers 429 with Retry-After once a subscription's
	// token bucket is empty; off by default (see also SetThrottle).
	Throttle Throttle
}

// Fault is a failure the emulator injects into matching requests, for tests
// of the caller's retries and error handling.
type Fault struct {
	// Method is the HTTP method the fault matches; empty matches any.
	Method string
	// PathContains is a substring of the URL path the fault matches,
	// compared case-insensitively; empty matches any path.
	PathContains string
	// Status is the HTTP status to answer with, with an ARM error body.
	Status int
	// RetryAfter, when positive, is sent as a Retry-After header in whole seconds.
	RetryAfter time.Duration
	// Drop hijacks the connection and closes it without answering.
	Drop bool
	// Delay holds the request this long before answering (or before the
	// normal answer when neither Status nor Drop is set).
	Delay time.Duration
	// Code and Message make the ARM error body; defaults follow Status.
	Code, Message string
	// Details nest below Code, as Azure ML's later failures do
	// (BadRequest › BadRequestFormat).
	Details []Detail
	// Times is how many matching requests the fault hits; 0 means 1.
	Times int
	// FailOperation makes the next matching PUT of a compute or agent pool
	// accepted as usual, and its operation then ends Failed with Code and
	// Message (the compute's provisioningErrors carry them).
	FailOperation bool
}

// Detail is one nested error of a Fault: {"code","message","details"}.
type Detail struct {
	Code, Message string
	Details       []Detail
}

func detailErrors(ds []Detail) []*armError {
	var out []*armError
	for _, d := range ds {
		out = append(out, &armError{code: d.Code, message: d.Message, details: detailErrors(d.Details)})
	}
	return out
}

// Emulator is an in-process ARM endpoint with a sample world. It is safe for
// concurrent use.
type Emulator struct {
	opts     Options
	requests atomic.Int64
	writes   atomic.Int64

	mu     sync.Mutex
	faults []*Fault
	w      *world
	ops    map[string]*operation
	// commands are AKS run command results, by id (runcommand.go).
	commands map[string]*commandResult
	seq      int64

	buckets map[string]*bucket
}

// New returns an emulator loaded with the sample world.
func New(opts Options) *Emulator {
	if opts.CreateDuration == 0 {
		opts.CreateDuration = 20 * time.Second
	}
	if opts.AttachDuration == 0 {
		opts.AttachDuration = 10 * time.Second
	}
	if opts.UpdateDuration == 0 {
		opts.UpdateDuration = 5 * time.Second
	}
	if opts.DeleteDuration == 0 {
		opts.DeleteDuration = 3 * time.Second
	}
	if opts.ExtensionDuration == 0 {
		opts.ExtensionDuration = 15 * time.Second
	}
	if opts.RetryAfter == 0 {
		opts.RetryAfter = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Emulator{opts: opts, w: sampleWorld(opts.Now().UTC()), ops: map[string]*operation{}, buckets: map[string]*bucket{}}
}

// Requests returns how many ARM requests the emulator has served so far,
// faulted ones included.
func (e *Emulator) Requests() int64 { return e.requests.Load() }

// Writes returns how many PUT, PATCH, POST and DELETE requests the emulator
// has served so far, Resource Graph queries (POSTs that read) aside.
func (e *Emulator) Writes() int64 { return e.writes.Load() }

// Inject adds a fault; faults are tried in the order they were added.
func (e *Emulator) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &f)
}

// Attachments returns "subscription/resourceGroup/workspace/compute" for every
// compute whose resourceId is clusterID, compared case-insensitively.
func (e *Emulator) Attachments(clusterID string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.settle(e.now())
	var out []string
	for _, ws := range e.w.workspaces {
		for _, c := range ws.computes {
			if c.resourceID != "" && strings.EqualFold(c.resourceID, clusterID) {
				out = append(out, ws.sub+"/"+ws.rg+"/"+ws.name+"/"+c.name)
			}
		}
	}
	return out
}

func (e *Emulator) now() time.Time { return e.opts.Now().UTC() }

// ServeHTTP answers one ARM request.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := e.requests.Add(1)
	switch r.Method {
	case http.MethodPut, http.MethodPatch, http.MethodPost, http.MethodDelete:
		if !strings.EqualFold(r.URL.Path, "/providers/Microsoft.ResourceGraph/resources") { // a query is a read
			e.writes.Add(1)
		}
	}
	reqID := fmt.Sprintf("00000000-0000-4000-9000-%012x", n)
	w.Header().Set("x-ms-request-id", reqID)
	w.Header().Set("x-ms-correlation-request-id", reqID)

	if f, ok := e.takeFault(r, false); ok {
		if f.Delay > 0 {
			// Read the body first: net/http cancels r.Context() when the
			// client goes away only once the body has been read, so a
			// client that gave up (a try timeout) would otherwise hold this
			// handler for the whole delay.
			if body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20)); err == nil {
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Drop {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if f.Status != 0 {
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", seconds(f.RetryAfter))
			}
			writeError(w, faultError(f))
			return
		}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if sub, wait, ok := e.throttled(r, e.now()); ok {
		w.Header().Set("Retry-After", seconds(wait))
		writeError(w, throttleError(sub, r, wait))
		return
	}
	e.settle(e.now())
	if err := e.route(w, r); err != nil {
		writeError(w, err)
	}
}

// takeFault finds the first live fault matching r and uses it up once. With
// failOp it looks only at FailOperation faults, otherwise only at the others.
func (e *Emulator) takeFault(r *http.Request, failOp bool) (Fault, bool) {
	if !failOp {
		e.mu.Lock()
		defer e.mu.Unlock()
	}
	path := strings.ToLower(r.URL.Path)
	for i, f := range e.faults {
		if f.FailOperation != failOp || f.Times <= 0 {
			continue
		}
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if !strings.Contains(path, strings.ToLower(f.PathContains)) {
			continue
		}
		f.Times--
		if f.Times == 0 {
			e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
		}
		return *f, true
	}
	return Fault{}, false
}

func faultError(f Fault) *armError {
	code, msg := f.Code, f.Message
	if code == "" {
		switch f.Status {
		case http.StatusTooManyRequests:
			code = "TooManyRequests"
		case http.StatusServiceUnavailable:
			code = "ServiceUnavailable"
		case http.StatusInternalServerError:
			code = "InternalServerError"
		default:
			code = strings.ReplaceAll(http.StatusText(f.Status), " ", "")
		}
	}
	if msg == "" {
		msg = "The request failed: " + strings.ToLower(http.StatusText(f.Status)) + " (injected fault)."
	}
	return &armError{status: f.Status, code: code, message: msg, details: detailErrors(f.Details)}
}

func seconds(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

// armError is an ARM error answer: an HTTP status and the body
// {"error":{"code","message"}}.
type armError struct {
	status        int
	code, message string
	target        string // the request's field, when ARM names one
	details       []*armError
}

func (e *armError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *armError {
	return &armError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func (e *armError) body() map[string]any {
	return map[string]any{"error": e.detail()}
}

// detail is the error's {"code","message","details"} object; details only
// when it has some, as ARM writes it.
func (e *armError) detail() map[string]any {
	d := map[string]any{"code": e.code, "message": e.message}
	if e.target != "" {
		d["target"] = e.target
	}
	if len(e.details) > 0 {
		var ds []any
		for _, x := range e.details {
			ds = append(ds, x.detail())
		}
		d["details"] = ds
	}
	return d
}

// writeError is the one place an error becomes an ARM error answer.
func writeError(w http.ResponseWriter, err error) {
	ae, ok := err.(*armError)
	if !ok {
		ae = errorf(http.StatusInternalServerError, "InternalServerError", "The server had an internal error.")
	}
	writeJSON(w, ae.status, ae.body())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: %v.", err)
	}
	return nil
}
