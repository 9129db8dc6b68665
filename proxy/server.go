// Package proxy is the HTTP side of amlaks: the JSON API the page calls, the
// security headers of every answer, and the checks that run again on the
// server before anything is sent to Azure. It talks to Azure through the
// Azure interface, never through the SDK directly.
package proxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// Server serves the JSON API and wraps the page handler with security headers.
type Server struct {
	cfg   Config
	azure Azure
	page  http.Handler

	locker  Locker    // serialises writes per compute name and per cluster (locks.go)
	limiter *limiter  // changes per person a minute
	writes  *limiter  // changes per client address a minute, before identity and audit
	reads   *limiter  // API requests per client address a minute
	audit   *auditLog // one line per change attempt

	facts cachedAzure // Azure's reads through the facts cache (factscache.go)
	ops   *opWatcher  // one poller per operation (opwatch.go)
	v2    *v2Ops      // the v2 operations this replica drives (v2ops.go)
	store V2Store     // every v2 operation's record (v2store.go)
}

// New returns a Server. page serves everything that is not /api/ (the
// go-app handler); it may be nil in tests.
func New(cfg Config, az Azure, page http.Handler) *Server {
	if page == nil {
		page = http.NotFoundHandler()
	}
	s := &Server{cfg: cfg, azure: az, page: page, limiter: cfg.limiter(), writes: cfg.addressLimiter(), reads: cfg.readLimiter(), audit: &auditLog{w: cfg.audit()}}
	s.locker = cfg.Locker
	if s.locker == nil {
		s.locker = &processLocker{}
	}
	if cfg.OnRateLimited != nil {
		s.limiter.refused = func() { cfg.OnRateLimited("person") }
		s.writes.refused = func() { cfg.OnRateLimited("address") }
		s.reads.refused = func() { cfg.OnRateLimited("reads") }
	}
	s.facts = cachedAzure{az: az, c: newFactsCache(cfg.now, cfg.OnFactsLookup)}
	s.ops = newOpWatcher(s)
	s.v2 = newV2Ops()
	s.store = cfg.V2Store
	if s.store == nil {
		s.store = NewMemoryV2Store()
	}
	return s
}

// Handler returns the whole HTTP surface: the route table, cross-origin
// protection for unsafe methods, request IDs, security headers and the
// caller's identity. Every change (create, attach, scale, detach) needs an
// identity in AuthHeader mode, is rate limited per person and is audited.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, rules.Errorf(rules.ErrForbidden, "", "Cross-site requests may not change anything. Use the amlaks page itself."))
	}))
	return s.withObserver(s.withRequestID(s.withSecurityHeaders(s.withHost(cop.Handler(s.withJSONBody(s.withClientLimit(s.withIdentity(s.withTimeout(s.routes())))))))))
}

// routes is the one route table: every API pattern and its handler, a
// not-found answer for any other /api/ path, and the page for the rest. The
// paths the page calls are built by rules/paths.go (TestRoutesServeRulesPaths).
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	route := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			setRoute(r, pattern)
			if err := h(w, r); err != nil {
				s.writeError(w, r, err)
			}
		})
	}
	route("GET /api/config", s.getConfig)
	route("GET /api/workspaces", s.listWorkspaces)
	route("GET /api/locations", s.listLocations)
	route("GET /api/locations/{location}/versions", s.listVersions)
	route("GET /api/locations/{location}/vmsizes", s.listVMSizes)
	route("GET /api/locations/{location}/prices", s.listPrices)
	route("GET /api/clusters", s.listClusters)
	route("POST /api/facts", s.postFacts)
	route("POST /api/validate", s.postValidate)
	route("POST /api/exports", s.postExports)
	route("POST /api/computes", s.change("create", s.postCompute))
	route("GET /api/workspaces/{sub}/{rg}/{ws}/computes", s.listComputes)
	route("POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/scale", s.change("scale", s.postScale))
	route("DELETE /api/workspaces/{sub}/{rg}/{ws}/computes/{name}", s.change("detach", s.deleteCompute))
	route("POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/cleanup", s.change("cleanup", s.postCleanup))
	route("POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/retry", s.change("retry", s.postRetry))
	route("GET /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate", s.getMigration)
	route("POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate", s.change("migrate", s.postMigration))
	route("POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate/plan", s.postMigrationPlan)
	route("GET /api/operations/{sub}/{rg}/{ws}/{name}", s.getOperation)
	route("/api/", func(w http.ResponseWriter, r *http.Request) error {
		return rules.Errorf(rules.ErrNotFound, "", "There is no API at "+r.Method+" "+r.URL.Path+".")
	})
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, "page")
		s.page.ServeHTTP(w, r)
	}))
	return mux
}

// withTimeout bounds every API request's wait on Azure (Config.Timeout).
func (s *Server) withTimeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.timeout())
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// HTTPServer returns the http.Server to serve Handler with: timeouts at every
// stage, so a slow or stalled client cannot hold a connection, and a cap on
// header size.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.logger().Handler(), slog.LevelWarn),
	}
}

type ctxKey int

const requestIDKey ctxKey = iota

func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// withSecurityHeaders sets the CSP (the wasm needs 'wasm-unsafe-eval'; nothing
// else is loaded from elsewhere), framing from the configured portal origins
// only, nosniff and a strict referrer policy.
func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	ancestors := "'none'"
	if len(s.cfg.FrameAncestors) > 0 {
		ancestors = strings.Join(s.cfg.FrameAncestors, " ")
	}
	csp := "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
		"frame-ancestors " + ancestors
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		if len(s.cfg.FrameAncestors) == 0 {
			h.Set("X-Frame-Options", "DENY")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// errNotJSON refuses an unsafe request that is not JSON.
var errNotJSON = rules.Errorf(rules.ErrInvalid, "", "Send the request as a JSON body with Content-Type: application/json; amlaks changes nothing for a form or a plain-text request.")

// isJSON reports whether the request says its body is JSON.
func isJSON(h http.Header) bool {
	vs := h.Values("Content-Type")
	if len(vs) != 1 {
		return false
	}
	mt, _, err := mime.ParseMediaType(vs[0])
	return err == nil && mt == "application/json"
}

// withJSONBody refuses, before anything runs, an API request with an unsafe
// method (POST, PUT, PATCH) that is not JSON: an HTML form (even one on the
// page itself, which form-action 'self' allows) can only send form or plain
// text bodies, so it can never change anything. A DELETE, which no form can
// send and a cross-site fetch only after a preflight amlaks never answers,
// may come without a body, but not with another type.
func (s *Server) withJSONBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
			case http.MethodDelete:
				if (r.ContentLength != 0 || r.Header.Get("Content-Type") != "") && !isJSON(r.Header) {
					s.writeError(w, r, errNotJSON)
					return
				}
			default:
				if !isJSON(r.Header) {
					s.writeError(w, r, errNotJSON)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// decode reads one strict JSON value into v: unknown fields, trailing data,
// wrong types and oversize bodies are errors naming the problem.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	if !isJSON(r.Header) {
		return errNotJSON
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.maxBody()))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return rules.Errorf(rules.ErrTooLarge, "", fmt.Sprintf("The request is larger than %d bytes.", s.cfg.maxBody()))
		}
		return rules.Errorf(rules.ErrInvalid, "", "The request body could not be read.")
	}
	if u, ok := v.(json.Unmarshaler); ok {
		// A value that reads itself strictly (rules.Request does) is given
		// the body once it is known to be one JSON value and nothing after,
		// without a decoder copying and scanning it first; anything else
		// takes the decoder's path below, for its words on what is wrong.
		if trimmed := bytes.TrimSpace(body); json.Valid(trimmed) && len(trimmed) > 0 && trimmed[0] == '{' {
			if err := u.UnmarshalJSON(trimmed); err != nil {
				return decodeError(err)
			}
			return nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return rules.Errorf(rules.ErrInvalid, "", "The request has data after its JSON value.")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return rules.Errorf(rules.ErrInvalid, "", fmt.Sprintf("The request is not valid JSON (at byte %d).", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		return rules.Errorf(rules.ErrInvalid, field, fmt.Sprintf("%s must be %s, not a JSON %s.", orBody(field), rules.TypeWord(typ.Type), typ.Value))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return rules.Errorf(rules.ErrInvalid, "", "The request body is empty or cut short.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return rules.Errorf(rules.ErrInvalid, name, fmt.Sprintf("The request has a field %q that amlaks does not know.", name))
	}
	return rules.Errorf(rules.ErrInvalid, "", "The request could not be read as JSON.")
}

func orBody(field string) string {
	if field == "" {
		return "The request"
	}
	return field
}

// keyedMutex is a set of mutexes by key.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// lock takes the mutexes of every key, in a fixed order, and returns the unlock.
func (k *keyedMutex) lock(keys ...string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	var ms []*sync.Mutex
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	for _, key := range keys {
		m, ok := k.locks[key]
		if !ok {
			m = &sync.Mutex{}
			k.locks[key] = m
		}
		ms = append(ms, m)
	}
	k.mu.Unlock()
	for _, m := range ms {
		m.Lock()
	}
	return func() {
		for i := len(ms) - 1; i >= 0; i-- {
			ms[i].Unlock()
		}
	}
}
