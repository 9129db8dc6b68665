//go:build !(js && wasm)

package serve

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/proxy/azure/blobsync"
)

// Config is how `amlaks serve` runs, from its flags and the AMLAKS_*
// environment variables (a flag wins over its variable). ParseConfig fills
// it strictly: a value that does not parse is an error naming the flag, the
// variable and the fix, never a silent default.
type Config struct {
	// Addr is the address to listen on, host:port.
	Addr string
	// Policy is the platform team's policy file (JSON); empty allows anything.
	Policy string
	// FrameAncestors are the portal origins (scheme://host[:port]) that may
	// embed the page.
	FrameAncestors []string
	// Web is a directory holding app.wasm and the static files, for
	// development; empty serves the files embedded in the binary.
	Web string
	// Auth is how the proxy learns who is asking.
	Auth proxy.AuthMode
	// TrustedProxies are the reverse proxies whose identity headers are believed.
	TrustedProxies []netip.Prefix
	// Audit is the audit log's file; "-" is standard error.
	Audit string
	// RateLimit is how many changes one person may make a minute; 0 is no limit.
	RateLimit float64
	// RateBurst is how many changes one person may make at once.
	RateBurst int
	// PublicAddress is the comma-separated host[:port] people reach amlaks
	// at; empty takes the defaults of the listen address.
	PublicAddress string
	// IdentityHeader is the header family of the sign-in proxy (Auth header).
	IdentityHeader proxy.IdentityHeader
	// ReadLimit is how many API requests one address may make a minute; 0 is no limit.
	ReadLimit float64
	// ReadBurst is how many API requests one address may make at once.
	ReadBurst int
	// Azure is the backend mode: auto, azure or emulator.
	Azure string
	// Subscription is the default subscription ID.
	Subscription string
	// EmulatorCreate, EmulatorAttach, EmulatorUpdate and EmulatorExtension
	// are how long the in-process emulator's operations take.
	EmulatorCreate, EmulatorAttach, EmulatorUpdate, EmulatorExtension time.Duration
	// EmulatorURL is an emulator of another process (`amlaks emulator`),
	// shared by several proxies; empty runs one in this process.
	EmulatorURL string
	// EmulatorCA is the PEM certificate file that emulator wrote.
	EmulatorCA string
	// Lock is the blob container every replica shares its write locks and
	// the per-person change limit in (proxy/azure/blobsync); naming none
	// keeps both in this process, right for one replica only.
	Lock blobsync.Settings
}

// option is one flag and its environment variable. set parses and checks a
// value; its error says what the value must be.
type option struct {
	name, env, def, usage string
	set                   func(c *Config, v string) error
}

// options are the flags of `amlaks serve`, in the order -h prints them.
var options = []option{
	{"addr", "AMLAKS_ADDR", "127.0.0.1:8080", "address to listen on, host:port", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return errors.New("must be host:port, such as 127.0.0.1:8080 or :8080")
		}
		c.Addr = v
		return nil
	}},
	{"policy", "AMLAKS_POLICY", "", "the platform team's policy file, JSON", setString(func(c *Config) *string { return &c.Policy })},
	{"frame-ancestors", "AMLAKS_FRAME_ANCESTORS", "", "space-separated portal origins that may embed the page, such as https://portal.example.com", func(c *Config, v string) error {
		o, err := parseOrigins(v)
		c.FrameAncestors = o
		return err
	}},
	{"web", "AMLAKS_WEB", "", "directory holding app.wasm and the static files, for development; empty serves the files built into the binary", setString(func(c *Config) *string { return &c.Web })},
	{"auth", "AMLAKS_AUTH", "none", "none (loopback addresses only) or header (identity from an authenticating reverse proxy)", func(c *Config, v string) error {
		switch proxy.AuthMode(v) {
		case proxy.AuthNone, proxy.AuthHeader:
			c.Auth = proxy.AuthMode(v)
			return nil
		}
		return errors.New("must be none or header")
	}},
	{"trusted-proxies", "AMLAKS_TRUSTED_PROXIES", "", "comma-separated CIDRs of the reverse proxies whose identity headers are believed, e.g. 10.0.0.0/8,127.0.0.1/32", func(c *Config, v string) error {
		p, err := proxy.ParseTrustedProxies(v)
		c.TrustedProxies = p
		return err
	}},
	{"audit", "AMLAKS_AUDIT", "-", "file the audit log (one JSON line per change attempt) is appended to; - is standard error", func(c *Config, v string) error {
		if v == "" {
			return errors.New("must be a file name, or - for standard error")
		}
		c.Audit = v
		return nil
	}},
	{"rate-limit", "AMLAKS_RATE_LIMIT", fmt.Sprint(proxy.DefaultWritesPerMinute), "changes one person may make a minute; 0 turns the limit off", setRate(func(c *Config) *float64 { return &c.RateLimit })},
	{"rate-burst", "AMLAKS_RATE_BURST", fmt.Sprint(proxy.DefaultWriteBurst), "changes one person may make at once", setCount(func(c *Config) *int { return &c.RateBurst })},
	{"public-address", "AMLAKS_PUBLIC_ADDRESS", "", "comma-separated host[:port] people reach amlaks at; requests for any other Host are refused (default: the listen address, and localhost, 127.0.0.1 and [::1] with its port when it is loopback)", func(c *Config, v string) error {
		// Checked against the listen address in check, once both are known.
		c.PublicAddress = v
		return nil
	}},
	{"identity-header", "AMLAKS_IDENTITY_HEADER", "", "with --auth header, the one header family the sign-in proxy sets: oauth2-proxy (X-Forwarded-Email/User) or app-service (X-MS-CLIENT-PRINCIPAL)", func(c *Config, v string) error {
		switch proxy.IdentityHeader(v) {
		case "", proxy.IdentityOAuth2Proxy, proxy.IdentityAppService:
			c.IdentityHeader = proxy.IdentityHeader(v)
			return nil
		}
		return errors.New("must be oauth2-proxy or app-service")
	}},
	{"read-limit", "AMLAKS_READ_LIMIT", fmt.Sprint(proxy.DefaultReadsPerMinute), "API requests one client address may make a minute, reads included (facts and validate count 5); 0 turns the limit off", setRate(func(c *Config) *float64 { return &c.ReadLimit })},
	{"read-burst", "AMLAKS_READ_BURST", fmt.Sprint(proxy.DefaultReadBurst), "API requests one client address may make at once", setCount(func(c *Config) *int { return &c.ReadBurst })},
	{"azure", "AMLAKS_AZURE", azure.BackendAuto, "auto: real Azure when a credential is available, else the built-in emulator; or emulator, or azure", func(c *Config, v string) error {
		switch v {
		case azure.BackendAuto, azure.BackendAzure, azure.BackendEmulator:
			c.Azure = v
			return nil
		}
		return errors.New("must be auto, emulator or azure")
	}},
	{"subscription", "AMLAKS_SUBSCRIPTION", "", "default subscription ID", func(c *Config, v string) error {
		if v != "" && !isGUID(v) {
			return errors.New("must be a subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000")
		}
		c.Subscription = v
		return nil
	}},
	{"emulator-create", "AMLAKS_EMULATOR_CREATE", "20s", "how long an emulated create takes", setDuration(func(c *Config) *time.Duration { return &c.EmulatorCreate })},
	{"emulator-attach", "AMLAKS_EMULATOR_ATTACH", "10s", "how long an emulated attach takes", setDuration(func(c *Config) *time.Duration { return &c.EmulatorAttach })},
	{"emulator-update", "AMLAKS_EMULATOR_UPDATE", "5s", "how long an emulated scale or detach takes", setDuration(func(c *Config) *time.Duration { return &c.EmulatorUpdate })},
	{"emulator-extension", "AMLAKS_EMULATOR_EXTENSION", "15s", "how long an emulated Azure ML extension install takes", setDuration(func(c *Config) *time.Duration { return &c.EmulatorExtension })},
	{"emulator-url", "AMLAKS_EMULATOR_URL", "", "the https:// URL of an emulator started by 'amlaks emulator', shared by several proxies, instead of one in this process", func(c *Config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
				return errors.New("must be https://host:port, the URL `amlaks emulator` printed")
			}
		}
		c.EmulatorURL = strings.TrimRight(v, "/")
		return nil
	}},
	{"lock-account", "AMLAKS_LOCK_ACCOUNT", "", "the blob endpoint (https://ACCOUNT.blob.core.windows.net) of the storage account whose container every replica shares its write locks and per-person change limit in, reached with DefaultAzureCredential (workload identity in a pod); empty keeps them in this process, for one replica only", setString(func(c *Config) *string { return &c.Lock.Account })},
	{"lock-container", "AMLAKS_LOCK_CONTAINER", blobsync.DefaultContainer, "the blob container of the shared locks (created when missing)", setString(func(c *Config) *string { return &c.Lock.Container })},
	{"lock-connection-string", "AMLAKS_LOCK_CONNECTION_STRING", "", "instead of --lock-account: a storage connection string, such as Azurite's, for development; prefer the variable, since a flag shows in the process list", setString(func(c *Config) *string { return &c.Lock.ConnectionString })},
	{"lock-lease", "AMLAKS_LOCK_LEASE", blobsync.DefaultLease.String(), "how long a shared lock outlives a replica that stopped renewing it (killed, cut off): 15s to 60s", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || blobsync.CheckLease(d) != nil || d == 0 {
			return errors.New("must be 15s to 60s in whole seconds, such as 15s (Azure Storage's lease lengths)")
		}
		c.Lock.Lease = d
		return nil
	}},
	{"emulator-ca", "AMLAKS_EMULATOR_CA", "", "with --emulator-url: the PEM certificate FILE that 'amlaks emulator --cert-file' wrote, the only root trusted for it", setString(func(c *Config) *string { return &c.EmulatorCA })},
}

func setString(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func setRate(field func(*Config) *float64) func(*Config, string) error {
	return func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return errors.New("must be a number of 0 or more a minute, such as 10 (0 turns the limit off)")
		}
		*field(c) = f
		return nil
	}
}

func setCount(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("must be a whole number of 1 or more, such as 5")
		}
		*field(c) = n
		return nil
	}
}

func setDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("must be a positive duration, such as 20s or 1m30s")
		}
		*field(c) = d
		return nil
	}
}

// isGUID reports whether s has the shape of a GUID.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// ParseConfig reads the configuration of `amlaks serve` from args (the
// flags) and getenv (the AMLAKS_* variables; os.Getenv in production).
// Every bad value is an error naming the flag or variable and what it must
// be; -h returns flag.ErrHelp after printing the flags to usage.
func ParseConfig(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	var c Config
	if err := parseOptions("serve", options, &c, args, getenv, usage); err != nil {
		return Config{}, err
	}
	if err := c.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// parseOptions sets c from table, the flags of the command cmd: each
// option's default, then its environment variable (getenv), then the flags
// in args. Every bad value is an error naming the flag or variable and what
// it must be; -h prints the flags to usage and returns flag.ErrHelp.
func parseOptions(cmd string, table []option, c *Config, args []string, getenv func(string) string, usage io.Writer) error {
	for _, o := range table {
		if err := o.set(c, o.def); err != nil {
			panic(fmt.Sprintf("%s: the default of --%s does not parse: %v", cmd, o.name, err))
		}
	}
	for _, o := range table {
		if v := getenv(o.env); v != "" {
			if err := o.set(c, v); err != nil {
				return fmt.Errorf("%s=%q (the variable of --%s) %v", o.env, v, o.name, err)
			}
		}
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, o := range table {
		fs.Func(o.name, fmt.Sprintf("%s (env %s, default %q)", o.usage, o.env, o.def), func(v string) error {
			if err := o.set(c, v); err != nil {
				return fmt.Errorf("%v", err)
			}
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usage)
			fmt.Fprintf(usage, "Usage: amlaks %s [flags]\n", cmd)
			fs.PrintDefaults()
			return err
		}
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes flags only, not %q; run amlaks %s -h for them", cmd, fs.Args(), cmd)
	}
	return nil
}

// optionsNamed returns the options of serve's table with these names, for
// a command that shares them.
func optionsNamed(names ...string) []option {
	var out []option
	for _, n := range names {
		i := slices.IndexFunc(options, func(o option) bool { return o.name == n })
		if i < 0 {
			panic("serve: no option --" + n)
		}
		out = append(out, options[i])
	}
	return out
}

// flagError turns the flag package's "invalid value "x" for flag -name: why"
// into "--name "x" why".
func flagError(err error) error {
	msg := err.Error()
	var val, name, why string
	if n, _ := fmt.Sscanf(msg, "invalid value %q for flag -%s", &val, &name); n == 2 {
		name = strings.TrimSuffix(name, ":")
		if i := strings.Index(msg, ": "); i >= 0 {
			why = msg[i+2:]
		}
		return fmt.Errorf("--%s %q %s", name, val, why)
	}
	return fmt.Errorf("%v; run amlaks serve -h for the flags", err)
}

// check refuses settings that do not go together, before anything starts.
func (c Config) check() error {
	if err := proxy.CheckListen(c.Auth, c.Addr, c.TrustedProxies); err != nil {
		return err
	}
	if err := proxy.CheckAuth(c.Auth, c.IdentityHeader); err != nil {
		return err
	}
	if _, err := proxy.ParsePublicAddresses(c.PublicAddress, c.Addr); err != nil {
		return err
	}
	if c.EmulatorURL != "" {
		if c.Azure == azure.BackendAzure {
			return errors.New("--emulator-url needs --azure emulator (or auto), not azure: drop one of the two")
		}
		if c.EmulatorCA == "" {
			return errors.New("--emulator-url needs --emulator-ca FILE: the certificate `amlaks emulator --cert-file FILE` wrote")
		}
	} else if c.EmulatorCA != "" {
		return errors.New("--emulator-ca goes with --emulator-url only")
	}
	if err := c.Lock.Check(); err != nil {
		return err
	}
	return nil
}

// parseOrigins checks the portal origins: scheme://host[:port] with an http
// or https scheme and a host, and nothing more (no user, path, query or
// fragment, no wildcard): each goes verbatim into the frame-ancestors of the
// Content-Security-Policy.
func parseOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.Fields(s) {
		if err := checkOrigin(o); err != nil {
			return nil, fmt.Errorf("frame ancestor %q %v: write an origin such as https://portal.example.com", o, err)
		}
		out = append(out, o)
	}
	return out, nil
}

func checkOrigin(o string) error {
	if strings.ContainsAny(o, " ;,'\"*\\") {
		return errors.New("holds a character an origin cannot")
	}
	u, err := url.Parse(o)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("must start with https:// or http://")
	case u.Opaque != "" || !strings.HasPrefix(o, u.Scheme+"://"):
		return errors.New("must be scheme://host")
	case u.User != nil || strings.Contains(o, "@"):
		return errors.New("must not hold a user name")
	case u.Hostname() == "":
		return errors.New("has no host")
	case u.Path != "" || u.RawPath != "":
		return errors.New("must not hold a path")
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(o, "?"):
		return errors.New("must not hold a query")
	case u.Fragment != "" || strings.Contains(o, "#"):
		return errors.New("must not hold a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("has a port that is not 1 to 65535")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return errors.New("has an empty port")
	}
	return nil
}
