//go:build !(js && wasm)

// Package serve wires one amlaks server together: the configuration from
// flags and environment (Config), the Azure backend (proxy/azure, against
// Azure or the ARM emulator), the page (the embedded web files or --web), the
// proxy, the operator endpoints (/healthz, /readyz, /metrics) and the
// listener. Main runs it; `amlaks serve`, the proxy's integration tests and
// e2e all start it the same way.
//
// It imports no Azure SDK package: backend opening is proxy/azure's.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/proxy/azure/blobsync"
	"github.com/amlaks/amlaks/rules"
	"github.com/amlaks/amlaks/web"
)

// Main is one running amlaks server. Set Config (and, in tests, the seams
// below), call Run, then Close.
type Main struct {
	// Config is what the flags and environment said (ParseConfig).
	Config Config
	// Logger receives the log; nil is text on standard error.
	Logger *slog.Logger

	// Test seams; zero in production.

	// Emulator, when set, is the handler the in-process emulator serves
	// (over TLS, as Azure is reached) instead of a new armemu.Emulator: a
	// test's emulator, which it inspects or shares between Mains.
	Emulator http.Handler
	// Azure, when set, adjusts the adapter's options (poll frequency,
	// retries) before it is opened.
	Azure func(*azure.Options)
	// Proxy, when set, adjusts the proxy's configuration last.
	Proxy func(*proxy.Config)
	// Page, when set, serves the page instead of the web files.
	Page http.Handler

	// Set by Run.

	// URL is the server's base URL, http://host:port.
	URL string
	// Backend is "azure" or "emulator".
	Backend string
	// Server is the proxy.
	Server *proxy.Server
	// Client is the Azure adapter.
	AzureClient *azure.Client
	// EmulatorServer is the in-process emulator, when one runs.
	EmulatorServer *armemu.Server

	hs      *http.Server
	metrics *metrics
	served  chan error
	closers []func() error // in the order they run
	once    sync.Once
	ready   func(context.Context) error
}

// Run opens everything the Config asks for and starts serving; it returns
// once the server accepts connections, or with the first error (after
// closing what it had opened). Close stops it.
func (m *Main) Run(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			_ = m.Close()
		}
	}()
	c := m.Config
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	log := m.Logger
	m.metrics = newMetrics()

	var policy *rules.Policy
	if c.Policy != "" {
		if policy, err = loadPolicy(c.Policy); err != nil {
			return err
		}
	}
	audit, closeAudit, err := openAudit(c.Audit)
	if err != nil {
		return err
	}
	m.closers = append(m.closers, closeAudit)

	if err := m.openBackend(ctx); err != nil {
		return err
	}

	page := m.Page
	if page == nil {
		webFS, where := web.FS(), "built into the binary"
		if c.Web != "" {
			webFS, where = os.DirFS(c.Web), c.Web
		}
		page, err = newPage(webFS, m.Backend)
		switch {
		case errors.Is(err, errNoWasm) && c.Web != "":
			return fmt.Errorf("--web %s has no app.wasm: run `make wasm`, or drop --web to serve the files built into the binary", c.Web)
		case errors.Is(err, errNoWasm):
			log.Error("this binary was built without web/app.wasm, so the page cannot start in a browser (the API works): build it with `make build`, which builds the wasm first, or serve a directory with --web DIR")
		case err != nil:
			return err
		}
		log.Info("serving the page", "files", where)
	}

	perMinute, readsPerMinute := c.RateLimit, c.ReadLimit
	if perMinute == 0 {
		perMinute = -1 // the proxy's "no limit"
	}
	if readsPerMinute == 0 {
		readsPerMinute = -1
	}
	var prices func(context.Context, string) (rules.PriceList, error)
	if m.Backend == azure.BackendAzure {
		prices = (&azure.RetailPrices{}).Prices // the emulator answers from the dated built-in table
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	m.closers = append(m.closers, func() error { _ = ln.Close(); return nil })
	public, err := proxy.ParsePublicAddresses(c.PublicAddress, ln.Addr().String())
	if err != nil {
		return err
	}
	subscription := c.Subscription
	if subscription == "" && m.Backend == azure.BackendEmulator {
		subscription = armemu.SubscriptionID
	}
	pc := proxy.Config{
		Prices:              prices,
		Backend:             m.Backend,
		DefaultSubscription: subscription,
		Policy:              policy,
		FrameAncestors:      c.FrameAncestors,
		Logger:              log,
		AuthMode:            c.Auth,
		TrustedProxies:      c.TrustedProxies,
		Audit:               audit,
		WritesPerMinute:     perMinute,
		WriteBurst:          c.RateBurst,
		PublicAddresses:     public,
		IdentityHeader:      c.IdentityHeader,
		ReadsPerMinute:      readsPerMinute,
		ReadBurst:           c.ReadBurst,
		OnFactsLookup:       m.metrics.factsLookup,
		OnRequest:           m.metrics.request,
		OnRateLimited:       m.metrics.limited,
		OnOperation:         m.metrics.operation,
	}
	lock := c.Lock
	lock.Logger = log
	store, err := blobsync.Open(ctx, lock)
	if err != nil {
		return err
	}
	if store != nil {
		pc.Locker, pc.SharedLimits, pc.V2Store = store, store, store
		backendReady := m.ready
		m.ready = func(ctx context.Context) error {
			if err := store.Ready(ctx); err != nil {
				return err
			}
			if backendReady == nil {
				return errors.New("no backend")
			}
			return backendReady(ctx)
		}
		log.Info("write locks, the per-person change limit and the v2 operations' records are shared with every replica, in blob storage", "container", store.URL())
	} else {
		log.Info("write locks, the per-person change limit and the v2 operations' records are kept in this process: run one replica, or give every replica the same --lock-account")
	}
	if m.Proxy != nil {
		m.Proxy(&pc)
	}
	m.Server = proxy.New(pc, m.AzureClient, page)
	m.closers = append(m.closers, m.Server.Close)
	// A v2 operation another replica left unfinished (killed, restarted)
	// is driven on once its lease has expired.
	if _, err := m.Server.ResumeV2(ctx); err != nil {
		log.Warn("unfinished v2 operations not resumed; a progress poll resumes each one", "err", err)
	}
	m.hs = m.Server.HTTPServer()
	m.hs.Handler = m.opsMux(m.hs.Handler)
	m.URL = "http://" + ln.Addr().String()
	m.served = make(chan error, 1)
	go func() { m.served <- m.hs.Serve(ln) }()

	if m.Backend == azure.BackendEmulator {
		log.Warn("no Azure credential in use: serving against the Azure emulator with a sample world; nothing is created in Azure", "emulator", m.emulatorURL())
	} else {
		log.Info("serving against Azure")
	}
	log.Info("amlaks is ready", "url", m.URL, "backend", m.Backend, "auth", string(c.Auth), "audit", c.Audit,
		"publicAddresses", strings.Join(pc.PublicAddresses, ","), "identityHeader", string(pc.IdentityHeader))
	return nil
}

// openBackend chooses and opens the Azure adapter; for the emulator it
// starts one in this process unless Config.EmulatorURL names a shared one.
func (m *Main) openBackend(ctx context.Context) error {
	c := m.Config
	mode := c.Azure
	if c.EmulatorURL != "" || m.Emulator != nil {
		mode = azure.BackendEmulator
	}
	b, err := azure.Choose(ctx, mode)
	if err != nil {
		return err
	}
	m.Backend = b.Name
	opts := azure.OpenOptions{Options: azure.Options{
		Logf:     func(format string, args ...any) { m.Logger.Info(fmt.Sprintf(format, args...)) },
		NoFollow: true, // the proxy polls each operation once
		Observe:  m.metrics.arm,
	}}
	if b.Name == azure.BackendAzure && c.Subscription != "" {
		opts.Subscriptions = []string{c.Subscription}
	}
	if b.Name == azure.BackendEmulator {
		if c.EmulatorURL != "" {
			certPEM, err := os.ReadFile(c.EmulatorCA)
			if err != nil {
				return fmt.Errorf("--emulator-ca: %w", err)
			}
			if opts.EmulatorClient, err = azure.TrustingClient(c.EmulatorURL, certPEM); err != nil {
				return err
			}
			opts.EmulatorURL = c.EmulatorURL
			m.ready = func(ctx context.Context) error { return probe(ctx, opts.EmulatorClient, c.EmulatorURL) }
		} else {
			h := m.Emulator
			if h == nil {
				h = armemu.New(armemu.Options{
					CreateDuration: c.EmulatorCreate,
					AttachDuration: c.EmulatorAttach,
					UpdateDuration: c.EmulatorUpdate,
					DeleteDuration: c.EmulatorUpdate,

					ExtensionDuration: c.EmulatorExtension,
				})
			}
			srv, err := armemu.Listen("127.0.0.1:0", h, nil, slog.NewLogLogger(m.Logger.Handler(), slog.LevelDebug))
			if err != nil {
				return err
			}
			m.EmulatorServer = srv
			opts.EmulatorURL, opts.EmulatorClient = srv.URL, srv.Client()
			m.ready = func(ctx context.Context) error { return probe(ctx, opts.EmulatorClient, srv.URL) }
		}
	}
	if m.Azure != nil {
		m.Azure(&opts.Options)
	}
	az, err := azure.Open(b, opts)
	if err != nil {
		return err
	}
	m.AzureClient = az
	if b.Name == azure.BackendAzure {
		m.ready = az.Ready
	}
	// Closed after the proxy (closers run in reverse), the emulator last.
	m.closers = append(m.closers, func() error {
		if m.EmulatorServer != nil {
			return m.EmulatorServer.Close()
		}
		return nil
	}, az.Close)
	return nil
}

func (m *Main) emulatorURL() string {
	if m.EmulatorServer != nil {
		return m.EmulatorServer.URL
	}
	return m.Config.EmulatorURL
}

// probe asks an emulator for its subscriptions: ready when it answers 200.
func probe(ctx context.Context, hc *http.Client, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/subscriptions?api-version=2022-12-01", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+azure.StaticToken)
	resp, err := hc.Do(req)
	if err != nil {
		return errors.New("the ARM emulator does not answer")
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the ARM emulator answers %d", resp.StatusCode)
	}
	return nil
}

// opsMux serves the operator endpoints ahead of the proxy: they answer any
// Host (probes and scrapers use the pod's address), never the page's. Every
// other path goes to the proxy untouched (no path cleaning or redirect
// before its own checks).
func (m *Main) opsMux(next http.Handler) http.Handler {
	healthz := opsHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	}))
	ops := map[string]http.Handler{
		"/healthz": healthz,
		"/readyz":  opsHeaders(http.HandlerFunc(m.readyz)),
		"/metrics": m.metrics.handler(),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := ops[r.URL.Path]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// readyzTimeout bounds one readiness check.
const readyzTimeout = 5 * time.Second

// readyz answers 200 when the backend answers (a token and an ARM request
// for Azure, a request for the emulator), else 503 with the reason.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	ctx, cancel := context.WithTimeout(r.Context(), readyzTimeout)
	defer cancel()
	if m.ready == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "not ready: no backend\n")
		return
	}
	if err := m.ready(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: %s: %v\n", m.Backend, err)
		return
	}
	fmt.Fprintf(w, "ready: %s\n", m.Backend)
}

// Client returns an HTTP client for the server (tests).
func (m *Main) Client() *http.Client { return &http.Client{} }

// Wait blocks until the server stops serving and returns why (nil after Close).
func (m *Main) Wait() error {
	if m.served == nil {
		return nil
	}
	err := <-m.served
	m.served <- err
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops serving (letting requests in progress finish for up to five
// seconds), then the proxy's pollers, the Azure adapter, the in-process
// emulator and the audit log. It may be called more than once.
func (m *Main) Close() error {
	var errs []error
	m.once.Do(func() {
		if m.hs != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := m.hs.Shutdown(ctx); err != nil {
				errs = append(errs, err)
				_ = m.hs.Close()
			}
			cancel()
		}
		for i := len(m.closers) - 1; i >= 0; i-- {
			if err := m.closers[i](); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(errs...)
}

// openAudit opens the audit log: "-" or "" is standard error; a file is
// appended to, created readable by its owner only.
func openAudit(path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return os.Stderr, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--audit: %w", err)
	}
	return f, f.Close, nil
}

func loadPolicy(path string) (*rules.Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--policy: %w", err)
	}
	p, err := rules.ParsePolicy(data)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}
