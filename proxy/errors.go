package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/amlaks/amlaks/rules"
)

// statusOf maps each kind of error to its one HTTP status.
var statusOf = map[rules.ErrorCode]int{
	rules.ErrInvalid:      http.StatusBadRequest,
	rules.ErrUnauthorized: http.StatusUnauthorized,
	rules.ErrForbidden:    http.StatusForbidden,
	rules.ErrPolicy:       http.StatusForbidden,
	rules.ErrNotFound:     http.StatusNotFound,
	rules.ErrConflict:     http.StatusConflict,
	rules.ErrQuota:        http.StatusConflict,
	rules.ErrTooLarge:     http.StatusRequestEntityTooLarge,
	rules.ErrUnsupported:  http.StatusUnprocessableEntity,
	rules.ErrTooMany:      http.StatusTooManyRequests,
	rules.ErrUnavailable:  http.StatusBadGateway,
	rules.ErrInternal:     http.StatusInternalServerError,
}

// writeError is the one place an error becomes an HTTP answer. Anything that
// is not a *rules.Error is logged and shown as an internal error, so raw
// text from a dependency never reaches a person.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *rules.Error
	var limited *tooMany
	if errors.As(err, &limited) {
		w.Header().Set("Retry-After", strconv.Itoa(max(limited.retryAfter, 1)))
	}
	switch {
	case errors.As(err, &e):
	case errors.Is(err, context.DeadlineExceeded):
		e = rules.Errorf(rules.ErrUnavailable, "", "Azure did not answer in time. Nothing was changed by this request; try again.")
	default:
		s.cfg.logger().Error("internal error", "err", err, "requestId", requestID(r))
		e = rules.Errorf(rules.ErrInternal, "", "Something went wrong in amlaks. Nothing was sent to Azure; try again, and tell the platform team the request ID if it persists.")
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "5")
	}
	var body rules.ErrorBody
	body.Error.Error = e
	body.Error.RequestID = requestID(r)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
