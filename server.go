//go:build !(js && wasm)

package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

const usage = `amlaks creates or attaches AKS inference clusters for Azure ML workspaces.

Usage:
  amlaks serve [flags]             serve the page and the JSON API
  amlaks emulator [flags]          run the built-in ARM emulator on its own, over HTTPS, for
                                   several proxies to share (serve --emulator-url)
  amlaks validate FILE.json        check a request file with the same rules (exit 1 on errors)
  amlaks versions --location LOC   print the Kubernetes versions of a location

Run "amlaks COMMAND -h" for a command's flags.
`

func serverMain() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = runServe(os.Args[2:])
	case "emulator":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = runEmulator(ctx, os.Args[2:], os.Stdout)
		stop()
	case "validate":
		var failed bool
		failed, err = runValidate(os.Args[2:], os.Stdout)
		if err == nil && failed {
			os.Exit(1)
		}
	case "versions":
		err = runVersions(os.Args[2:], os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		err = fmt.Errorf("unknown command %q\n\n%s", os.Args[1], usage)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "amlaks:", err)
		os.Exit(2)
	}
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return d
	}
	return def
}

// backendFlags are the flags that choose and tune the Azure backend.
type backendFlags struct {
	mode         string
	subscription string
	createTime   time.Duration
	attachTime   time.Duration
	updateTime   time.Duration
	emulatorURL  string
	emulatorCA   string
}

func (b *backendFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.mode, "azure", env("AMLAKS_AZURE", "auto"), "auto: real Azure when a credential is available, else the built-in emulator; or emulator, or azure (env AMLAKS_AZURE)")
	fs.StringVar(&b.subscription, "subscription", env("AMLAKS_SUBSCRIPTION", ""), "default subscription ID (env AMLAKS_SUBSCRIPTION)")
	fs.DurationVar(&b.createTime, "emulator-create", envDuration("AMLAKS_EMULATOR_CREATE", 20*time.Second), "how long an emulated create takes (env AMLAKS_EMULATOR_CREATE)")
	fs.DurationVar(&b.attachTime, "emulator-attach", envDuration("AMLAKS_EMULATOR_ATTACH", 10*time.Second), "how long an emulated attach takes (env AMLAKS_EMULATOR_ATTACH)")
	fs.DurationVar(&b.updateTime, "emulator-update", envDuration("AMLAKS_EMULATOR_UPDATE", 5*time.Second), "how long an emulated scale or detach takes (env AMLAKS_EMULATOR_UPDATE)")
	fs.StringVar(&b.emulatorURL, "emulator-url", env("AMLAKS_EMULATOR_URL", ""), "with --azure emulator: the https:// URL of an emulator started by `amlaks emulator`, shared by several proxies, instead of one in this process; the --emulator-* durations are then the emulator's (env AMLAKS_EMULATOR_URL)")
	fs.StringVar(&b.emulatorCA, "emulator-ca", env("AMLAKS_EMULATOR_CA", ""), "with --emulator-url: the PEM certificate file `amlaks emulator --cert-file` wrote, the only root trusted for it (env AMLAKS_EMULATOR_CA)")
}

// open returns the Azure adapter the flags ask for, its backend name, and a
// func that stops what it started.
func (b *backendFlags) open(ctx context.Context, logger *slog.Logger) (*azure.Client, string, func(), error) {
	mode := b.mode
	var cred azcore.TokenCredential
	switch mode {
	case "auto":
		mode = "emulator"
		if c, ok := azure.Available(ctx); ok {
			mode, cred = "azure", c
		}
	case "azure", "emulator":
	default:
		return nil, "", nil, fmt.Errorf("--azure must be auto, emulator or azure, not %q", b.mode)
	}
	if b.emulatorURL != "" {
		if b.mode == "azure" {
			return nil, "", nil, errors.New("--emulator-url needs --azure emulator (or auto), not azure: drop one of the two")
		}
		mode, cred = "emulator", nil
	}
	logf := func(format string, args ...any) { logger.Info(fmt.Sprintf(format, args...)) }
	if mode == "azure" {
		if cred == nil {
			c, err := azure.DefaultCredential()
			if err != nil {
				return nil, "", nil, fmt.Errorf("no Azure credential: %w", err)
			}
			cred = c
		}
		opts := azure.Options{Logf: logf, NoFollow: true} // the proxy polls each operation once
		if b.subscription != "" {
			opts.Subscriptions = []string{b.subscription}
		}
		c, err := azure.New(cred, opts)
		return c, "azure", func() {}, err
	}
	if b.subscription == "" {
		b.subscription = armemu.SubscriptionID
	}
	if b.emulatorURL != "" {
		httpClient, err := remoteEmulatorClient(b.emulatorURL, b.emulatorCA)
		if err != nil {
			return nil, "", nil, err
		}
		opts := azure.ForEndpoint(b.emulatorURL, httpClient)
		opts.Logf = logf
		opts.NoFollow = true
		c, err := azure.New(azure.StaticCredential{}, opts)
		return c, "emulator", func() {}, err
	}
	emu := armemu.New(armemu.Options{
		CreateDuration: b.createTime,
		AttachDuration: b.attachTime,
		UpdateDuration: b.updateTime,
		DeleteDuration: b.updateTime,
	})
	srv := httptest.NewUnstartedServer(emu)
	srv.Config.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelDebug)
	srv.StartTLS()
	opts := azure.ForEndpoint(srv.URL, srv.Client())
	opts.Logf = logf
	opts.NoFollow = true // the proxy polls each operation once
	c, err := azure.New(azure.StaticCredential{}, opts)
	return c, "emulator", srv.Close, err
}

// remoteEmulatorClient is the HTTP client for an emulator of another
// process: HTTPS, trusting only the certificate in caFile.
func remoteEmulatorClient(rawURL, caFile string) (*http.Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("--emulator-url %q must be https://host:port, the URL `amlaks emulator` printed", rawURL)
	}
	if caFile == "" {
		return nil, errors.New("--emulator-url needs --emulator-ca FILE: the certificate `amlaks emulator --cert-file FILE` wrote")
	}
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--emulator-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("--emulator-ca %s holds no PEM certificate; give the file `amlaks emulator --cert-file` wrote", caFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}

// runEmulator serves the ARM emulator on its own until ctx ends. Its first
// line on out is the emulator's URL, for a test or script to read; the
// certificate to trust goes to --cert-file.
func runEmulator(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	addr := fs.String("addr", env("AMLAKS_EMULATOR_ADDR", "127.0.0.1:8443"), "address to listen on, host:port; port 0 picks a free one (env AMLAKS_EMULATOR_ADDR)")
	certFile := fs.String("cert-file", env("AMLAKS_EMULATOR_CERT_FILE", ""), "file the emulator's self-signed certificate (PEM) is written to, for serve --emulator-ca (env AMLAKS_EMULATOR_CERT_FILE)")
	hosts := fs.String("cert-hosts", env("AMLAKS_EMULATOR_CERT_HOSTS", ""), "comma-separated extra DNS names or IPs the certificate is valid for, beside the listen host and loopback (env AMLAKS_EMULATOR_CERT_HOSTS)")
	var backend backendFlags
	backend.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("emulator takes no arguments, got %q", fs.Args())
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	emu := armemu.New(armemu.Options{
		CreateDuration: backend.createTime,
		AttachDuration: backend.attachTime,
		UpdateDuration: backend.updateTime,
		DeleteDuration: backend.updateTime,
	})
	var extra []string
	for _, h := range strings.Split(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			extra = append(extra, h)
		}
	}
	srv, err := armemu.Listen(*addr, emu, extra, slog.NewLogLogger(logger.Handler(), slog.LevelDebug))
	if err != nil {
		return err
	}
	defer srv.Close()
	if *certFile != "" {
		if err := os.WriteFile(*certFile, srv.CertPEM, 0o644); err != nil {
			return fmt.Errorf("--cert-file: %w", err)
		}
	}
	fmt.Fprintln(out, srv.URL)
	logger.Info("ARM emulator is ready", "url", srv.URL, "certFile", *certFile, "subscription", armemu.SubscriptionID)
	select {
	case <-ctx.Done():
		return nil
	case <-waitChan(srv.Wait):
		return srv.Wait()
	}
}

// waitChan runs wait in a goroutine and closes the channel when it returns.
func waitChan(wait func() error) <-chan struct{} {
	c := make(chan struct{})
	go func() { _ = wait(); close(c) }()
	return c
}

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", env("AMLAKS_ADDR", "127.0.0.1:8080"), "address to listen on (env AMLAKS_ADDR)")
	policyFile := fs.String("policy", env("AMLAKS_POLICY", ""), "the platform team's policy file, JSON (env AMLAKS_POLICY)")
	ancestors := fs.String("frame-ancestors", env("AMLAKS_FRAME_ANCESTORS", ""), "space-separated portal origins that may embed the page (env AMLAKS_FRAME_ANCESTORS)")
	webDir := fs.String("web", env("AMLAKS_WEB", "web"), "directory holding app.wasm and the static files (env AMLAKS_WEB)")
	authMode := fs.String("auth", env("AMLAKS_AUTH", "none"), "none (loopback addresses only) or header (identity from an authenticating reverse proxy) (env AMLAKS_AUTH)")
	trustedProxies := fs.String("trusted-proxies", env("AMLAKS_TRUSTED_PROXIES", ""), "comma-separated CIDRs of the reverse proxies whose identity headers are believed, e.g. 10.0.0.0/8,127.0.0.1/32 (env AMLAKS_TRUSTED_PROXIES)")
	auditFile := fs.String("audit", env("AMLAKS_AUDIT", "-"), "file the audit log (one JSON line per change attempt) is appended to; - is standard error (env AMLAKS_AUDIT)")
	rateLimit := fs.Float64("rate-limit", envFloat("AMLAKS_RATE_LIMIT", proxy.DefaultWritesPerMinute), "changes one person may make a minute; 0 turns the limit off (env AMLAKS_RATE_LIMIT)")
	rateBurst := fs.Int("rate-burst", int(envFloat("AMLAKS_RATE_BURST", proxy.DefaultWriteBurst)), "changes one person may make at once (env AMLAKS_RATE_BURST)")
	var backend backendFlags
	backend.register(fs)
	var origin originFlags
	origin.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	origins, err := parseOrigins(*ancestors)
	if err != nil {
		return err
	}
	trusted, err := proxy.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return err
	}
	if err := proxy.CheckListen(proxy.AuthMode(*authMode), *addr, trusted); err != nil {
		return err
	}
	if err := origin.check(proxy.AuthMode(*authMode), *addr); err != nil {
		return err
	}
	audit, closeAudit, err := openAudit(*auditFile)
	if err != nil {
		return err
	}
	defer closeAudit()
	perMinute := *rateLimit
	if perMinute == 0 {
		perMinute = -1 // the proxy's "no limit"
	}
	var policy *rules.Policy
	if *policyFile != "" {
		if policy, err = loadPolicy(*policyFile); err != nil {
			return err
		}
	}
	az, backendName, closeBackend, err := backend.open(ctx, logger)
	if err != nil {
		return err
	}
	defer closeBackend()
	page, err := newPage(*webDir, backendName)
	if err != nil {
		return err
	}
	var prices func(context.Context, string) (rules.PriceList, error)
	if backendName == "azure" {
		prices = (&azure.RetailPrices{}).Prices // the emulator answers from the dated built-in table
	}
	cfg := proxy.Config{
		Prices:              prices,
		Backend:             backendName,
		DefaultSubscription: backend.subscription,
		Policy:              policy,
		FrameAncestors:      origins,
		Logger:              logger,
		AuthMode:            proxy.AuthMode(*authMode),
		TrustedProxies:      trusted,
		Audit:               audit,
		WritesPerMinute:     perMinute,
		WriteBurst:          *rateBurst,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if err := origin.apply(&cfg, ln.Addr().String()); err != nil {
		return err
	}
	srv := proxy.New(cfg, az, page)
	defer srv.Close()
	hs := srv.HTTPServer()
	if backendName == "emulator" {
		logger.Warn("no Azure credential in use: serving against the built-in Azure emulator with a sample world; nothing is created in Azure")
	} else {
		logger.Info("serving against Azure")
	}
	logger.Info("amlaks is ready", "url", "http://"+ln.Addr().String(), "backend", backendName, "auth", *authMode, "audit", *auditFile,
		"publicAddresses", strings.Join(cfg.PublicAddresses, ","), "identityHeader", string(cfg.IdentityHeader))
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shut)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openAudit opens the audit log: "-" or "" is standard error; a file is
// appended to, created readable by its owner only.
func openAudit(path string) (io.Writer, func(), error) {
	if path == "" || path == "-" {
		return os.Stderr, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	return f, func() { _ = f.Close() }, nil
}

func envFloat(key string, def float64) float64 {
	if f, err := strconv.ParseFloat(os.Getenv(key), 64); err == nil {
		return f
	}
	return def
}

// parseOrigins checks the portal origins: scheme://host[:port], nothing more.
func parseOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.Fields(s) {
		if !(strings.HasPrefix(o, "https://") || strings.HasPrefix(o, "http://")) || strings.Count(o, "/") != 2 || strings.ContainsAny(o, " ;,'\"*") {
			return nil, fmt.Errorf("frame ancestor %q must be an origin such as https://portal.example.com", o)
		}
		out = append(out, o)
	}
	return out, nil
}

func loadPolicy(path string) (*rules.Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := rules.ParsePolicy(data)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// runValidate checks a request file offline with the built-in facts and
// prints the findings; failed is true when any is an error.
func runValidate(args []string, out io.Writer) (failed bool, err error) {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	policyFile := fs.String("policy", env("AMLAKS_POLICY", ""), "the platform team's policy file")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if fs.NArg() != 1 {
		return false, errors.New("usage: amlaks validate [--policy FILE] FILE.json")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return false, err
	}
	req, err := rules.DecodeRequest(data)
	if err != nil {
		return false, err
	}
	facts := rules.Facts{Now: time.Now()}
	if *policyFile != "" {
		if facts.Policy, err = loadPolicy(*policyFile); err != nil {
			return false, err
		}
	}
	fsd := rules.Validate(req, facts)
	for _, f := range fsd {
		line := fmt.Sprintf("%-7s %-3s %-28s %s", f.Severity, f.Code, f.Field, f.Message)
		if f.Fix != "" {
			line += " Fix: " + f.Fix
		}
		fmt.Fprintln(out, line)
	}
	if len(fsd) == 0 {
		fmt.Fprintln(out, "no findings")
	}
	return fsd.HasErrors(), nil
}

func runVersions(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("versions", flag.ContinueOnError)
	location := fs.String("location", "", "Azure region, such as eastus")
	fs.StringVar(location, "l", "", "short for --location")
	var backend backendFlags
	backend.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *location == "" {
		return errors.New("usage: amlaks versions --location LOCATION")
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	az, _, closeBackend, err := backend.open(ctx, logger)
	if err != nil {
		return err
	}
	defer closeBackend()
	vs, err := az.KubernetesVersions(ctx, backend.subscription, strings.ToLower(*location))
	if err != nil {
		return err
	}
	fmt.Fprint(out, rules.VersionsTable(vs))
	return nil
}

// fileVersion is a short hash of a file, for go-app's Handler.Version: the
// same build gives the same version, so restarts do not look like releases.
func fileVersion(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "dev"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// ---- issue 8 ("close the origin"): the flags of the origin's protections ----

// originFlags are the public addresses, the sign-in proxy's header family
// and the per-address read limit.
type originFlags struct {
	publicAddress  string
	identityHeader string
	readLimit      float64
	readBurst      int
}

func (o *originFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.publicAddress, "public-address", env("AMLAKS_PUBLIC_ADDRESS", ""), "comma-separated host[:port] people reach amlaks at; requests for any other Host are refused (default: the listen address, and localhost, 127.0.0.1 and [::1] with its port when it is loopback) (env AMLAKS_PUBLIC_ADDRESS)")
	fs.StringVar(&o.identityHeader, "identity-header", env("AMLAKS_IDENTITY_HEADER", ""), "with --auth header, the one header family the sign-in proxy sets: oauth2-proxy (X-Forwarded-Email/User) or app-service (X-MS-CLIENT-PRINCIPAL); any other identity header is refused (env AMLAKS_IDENTITY_HEADER)")
	fs.Float64Var(&o.readLimit, "read-limit", envFloat("AMLAKS_READ_LIMIT", proxy.DefaultReadsPerMinute), "API requests one client address may make a minute, reads included (facts and validate count 5); 0 turns the limit off (env AMLAKS_READ_LIMIT)")
	fs.IntVar(&o.readBurst, "read-burst", int(envFloat("AMLAKS_READ_BURST", proxy.DefaultReadBurst)), "API requests one client address may make at once (env AMLAKS_READ_BURST)")
}

// check refuses, before anything is started, a bad identity header or public address.
func (o *originFlags) check(mode proxy.AuthMode, listen string) error {
	if err := proxy.CheckAuth(mode, proxy.IdentityHeader(o.identityHeader)); err != nil {
		return err
	}
	_, err := proxy.ParsePublicAddresses(o.publicAddress, listen)
	return err
}

// apply sets the proxy's config; listen is the address actually listened on
// (its port, when --addr asked for port 0).
func (o *originFlags) apply(cfg *proxy.Config, listen string) error {
	addrs, err := proxy.ParsePublicAddresses(o.publicAddress, listen)
	if err != nil {
		return err
	}
	cfg.PublicAddresses, cfg.IdentityHeader = addrs, proxy.IdentityHeader(o.identityHeader)
	cfg.ReadsPerMinute, cfg.ReadBurst = o.readLimit, o.readBurst
	if o.readLimit == 0 {
		cfg.ReadsPerMinute = -1 // the proxy's "no limit"
	}
	return nil
}
