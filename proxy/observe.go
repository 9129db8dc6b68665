package proxy

import (
	"context"
	"net/http"
	"time"
)

// routeKey holds the *string the route table writes its pattern into.
const routeKey ctxKey = 130 // apart from the other keys

// withObserver tells Config.OnRequest of every answered request, with the
// route pattern the table matched (or "none" when a check answered before
// routing), the status and the time it took.
func (s *Server) withObserver(next http.Handler) http.Handler {
	if s.cfg.OnRequest == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := "none"
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey, &route)))
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.cfg.OnRequest(route, status, time.Since(start))
	})
}

// setRoute records the pattern that serves r, for withObserver.
func setRoute(r *http.Request, pattern string) {
	if p, ok := r.Context().Value(routeKey).(*string); ok {
		*p = pattern
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on, for handlers that stream.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
