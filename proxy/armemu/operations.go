package armemu

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Operation status values of an ARM asynchronous operation.
const (
	statusInProgress = "InProgress"
	statusSucceeded  = "Succeeded"
	statusFailed     = "Failed"
)

// operation is a long-running operation. Its status follows from start,
// duration and the clock; finish applies its effect on the world once, the
// first time a request is served after it ended.
type operation struct {
	id       string
	provider string // "Microsoft.MachineLearningServices" or "Microsoft.ContainerService"
	location string
	start    time.Time
	duration time.Duration
	fail     *armError // the error it ends with, or nil when it succeeds
	finish   func(end time.Time)
	done     bool
	seq      int64
	// statusURL, when set, is the operation's status path (extensions
	// answer under their own resource); otherwise the provider's.
	statusURL string
}

func (op *operation) end() time.Time { return op.start.Add(op.duration) }

func (op *operation) status(now time.Time) string {
	switch {
	case now.Before(op.end()):
		return statusInProgress
	case op.fail != nil:
		return statusFailed
	default:
		return statusSucceeded
	}
}

// startOperation records a new operation; finish runs when it has ended.
func (e *Emulator) startOperation(provider, location string, d time.Duration, fail *armError, finish func(end time.Time)) *operation {
	e.seq++
	op := &operation{
		id:       fmt.Sprintf("%08x-0000-4000-a000-%012x", e.seq, e.seq),
		provider: provider,
		location: strings.ToLower(location),
		start:    e.now(),
		duration: d,
		fail:     fail,
		finish:   finish,
		seq:      e.seq,
	}
	e.ops[op.id] = op
	return op
}

// settle applies, in the order they ended, the effects of every operation
// that has ended by now.
func (e *Emulator) settle(now time.Time) {
	var due []*operation
	for _, op := range e.ops {
		if !op.done && !now.Before(op.end()) {
			due = append(due, op)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].end().Equal(due[j].end()) {
			return due[i].end().Before(due[j].end())
		}
		return due[i].seq < due[j].seq
	})
	for _, op := range due {
		op.done = true
		if op.finish != nil {
			op.finish(op.end())
		}
	}
}

func (e *Emulator) statusPath(op *operation) string {
	if op.statusURL != "" {
		return op.statusURL
	}
	kind := "operations"
	if op.provider == providerML {
		kind = "computeOperationsStatus"
	}
	return fmt.Sprintf("/subscriptions/%s/providers/%s/locations/%s/%s/%s", SubscriptionID, op.provider, op.location, kind, op.id)
}

// setOperationHeaders writes Azure-AsyncOperation (and, with location, the
// Location of the operation result) and Retry-After for a 201 or 202 answer.
func (e *Emulator) setOperationHeaders(w http.ResponseWriter, req *http.Request, op *operation, location bool) {
	q := url.Values{"api-version": {req.URL.Query().Get("api-version")}}.Encode()
	w.Header().Set("Azure-AsyncOperation", baseURL(req)+e.statusPath(op)+"?"+q)
	if location {
		res := strings.Replace(e.statusPath(op), "/computeOperationsStatus/", "/computeOperationResults/", 1)
		w.Header().Set("Location", baseURL(req)+res+"?"+q)
	}
	w.Header().Set("Retry-After", seconds(e.opts.RetryAfter))
}

func (e *Emulator) findOperation(p params, provider string) (*operation, error) {
	op, ok := e.ops[strings.ToLower(p["id"])]
	if !ok || op.provider != provider || !strings.EqualFold(op.location, p["loc"]) {
		return nil, errorf(http.StatusNotFound, "OperationNotFound", "The operation '%s' could not be found.", p["id"])
	}
	return op, nil
}

func providerOf(req *http.Request) string {
	if strings.Contains(strings.ToLower(req.URL.Path), "/microsoft.containerservice/") {
		return providerAKS
	}
	return providerML
}

// operationStatus serves the status resource of an operation:
// GET /subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{loc}/computeOperationsStatus/{id}
// and GET /subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{loc}/operations/{id}.
func (e *Emulator) operationStatus(w http.ResponseWriter, req *http.Request, p params) error {
	op, err := e.findOperation(p, providerOf(req))
	if err != nil {
		return err
	}
	e.writeOperationStatus(w, op)
	return nil
}

// writeOperationStatus writes the status resource of an operation.
func (e *Emulator) writeOperationStatus(w http.ResponseWriter, op *operation) {
	now := e.now()
	st := op.status(now)
	body := map[string]any{
		"id":        e.statusPath(op),
		"name":      op.id,
		"status":    st,
		"startTime": op.start.Format(time.RFC3339Nano),
	}
	if st == statusInProgress {
		w.Header().Set("Retry-After", seconds(e.opts.RetryAfter))
	} else {
		body["endTime"] = op.end().Format(time.RFC3339Nano)
	}
	if st == statusFailed {
		body["error"] = op.fail.detail()
	}
	writeJSON(w, http.StatusOK, body)
}

// operationResult serves the Location of a compute delete:
// GET /subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{loc}/computeOperationResults/{id}.
// It answers 202 while the operation runs, then 200, or the operation's error.
func (e *Emulator) operationResult(w http.ResponseWriter, req *http.Request, p params) error {
	op, err := e.findOperation(p, providerML)
	if err != nil {
		return err
	}
	switch op.status(e.now()) {
	case statusInProgress:
		w.Header().Set("Location", baseURL(req)+req.URL.RequestURI())
		w.Header().Set("Retry-After", seconds(e.opts.RetryAfter))
		w.WriteHeader(http.StatusAccepted)
	case statusFailed:
		return op.fail
	default:
		w.WriteHeader(http.StatusOK)
	}
	return nil
}
