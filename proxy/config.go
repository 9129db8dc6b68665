package proxy

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// Config is how a platform team runs the proxy. It holds no secret: the Azure
// credential lives in the Azure adapter.
type Config struct {
	// Prices, when set, reads what VMs cost in a location (the Azure Retail
	// Prices API); nil uses the dated built-in table (rules.PriceTable).
	Prices func(ctx context.Context, location string) (rules.PriceList, error)
	// Backend names what the proxy talks to: "azure" or "emulator". It is
	// shown on every page.
	Backend string
	// DefaultSubscription is the subscription pickers start with.
	DefaultSubscription string
	// Policy is the platform team's guardrails; nil allows anything.
	Policy *rules.Policy
	// FrameAncestors are the portal origins (scheme://host[:port]) that may
	// embed the page in an iframe. Empty: none may.
	FrameAncestors []string
	// MaxBody caps request bodies, in bytes. Zero means 64 KiB.
	MaxBody int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the proxy's log; nil means slog.Default().
	Logger *slog.Logger
	// AuthMode says how the proxy learns who is asking; empty means AuthNone,
	// which CheckListen allows on loopback only.
	AuthMode AuthMode
	// TrustedProxies are the addresses whose identity headers are believed
	// in AuthHeader mode.
	TrustedProxies []netip.Prefix
	// Audit receives one JSON line per change attempt; nil means os.Stderr.
	Audit io.Writer
	// WritesPerMinute is how many changes one person (or, with AuthNone, one
	// address) may make a minute; zero means DefaultWritesPerMinute and a
	// negative value turns the limit off.
	WritesPerMinute float64
	// WriteBurst is how many changes may come at once; zero means
	// DefaultWriteBurst.
	WriteBurst int
	// Timeout bounds how long one API request may wait on Azure, retries
	// included; zero means 50 seconds, under the server's write timeout, so
	// the person always gets an answer in words.
	Timeout time.Duration

	// Locker, when set, is the write lock that every replica shares (one
	// compute name, one cluster); nil keeps an in-process lock, right for one
	// replica only.
	Locker Locker
	// SharedLimits, when set, holds the per-person change limit where every
	// replica counts it; nil counts in this process only.
	SharedLimits SharedState
	// V2Store, when set, holds the records of the v2 operations where every
	// replica reads them (any replica answers a progress poll or a retry,
	// and one that finds an operation whose driver died goes on with it);
	// nil keeps them in this process, right for one replica only.
	V2Store V2Store

	// The settings of issue 8 ("close the origin").

	// PublicAddresses are the host or host:port names people reach amlaks
	// at (ParsePublicAddresses). A request for any other Host is refused
	// before anything runs. Empty means localhost, 127.0.0.1 and [::1] only.
	PublicAddresses []string
	// IdentityHeader names the one header family the sign-in proxy sets
	// (AuthHeader mode): IdentityOAuth2Proxy or IdentityAppService. A
	// request from a trusted proxy that carries any other identity header is
	// refused.
	IdentityHeader IdentityHeader
	// ReadsPerMinute is how many API requests one client address may make
	// a minute, reads included, before its identity is even looked at;
	// zero means DefaultReadsPerMinute and a negative value turns it off.
	ReadsPerMinute float64
	// ReadBurst is how many API requests may come at once from one address;
	// zero means DefaultReadBurst.
	ReadBurst int
	// PollInterval is how often the proxy polls an operation when the Azure
	// adapter does not say (OperationPacer); zero means DefaultPollInterval.
	PollInterval time.Duration
	// MinPollInterval is the least time between two polls of an operation,
	// whatever Azure says; zero means none.
	MinPollInterval time.Duration
	// PollTimer is what an operation's poller waits on between two polls
	// (Azure's Retry-After, PollInterval); nil means time.After. Tests pass
	// the timer of the fake clock that also runs the emulator, so that they,
	// not the wall clock, say when the next poll comes.
	PollTimer func(d time.Duration) <-chan time.Time
	// OnFactsLookup, when set, is told of every lookup in the facts cache:
	// the kind of fact and whether the cache answered it (the hook for a
	// metrics counter of cache hits).
	OnFactsLookup func(kind string, hit bool)
	// OnRequest, when set, is told of every answered request: the route
	// pattern that served it ("GET /api/computes/{name}", "page", or "none"
	// when it was refused before routing), never the raw path; the status;
	// and how long it took. The hook for request metrics.
	OnRequest func(route string, status int, took time.Duration)
	// OnRateLimited, when set, is told of every refusal of a rate limit:
	// "reads" (per address), "address" (changes per address) or "person"
	// (changes per person).
	OnRateLimited func(limit string)
	// OnOperation, when set, is told +1 when the proxy starts following an
	// operation it started and -1 when it stops: the operations in flight.
	OnOperation func(delta int)
}

func (c Config) readLimiter() *limiter {
	per, burst := c.ReadsPerMinute, c.ReadBurst
	if per == 0 {
		per = DefaultReadsPerMinute
	}
	if burst == 0 {
		burst = DefaultReadBurst
	}
	l := newLimiter(per, burst)
	l.what = "requests"
	return l
}

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 50 * time.Second
}

func (c Config) audit() io.Writer {
	if c.Audit != nil {
		return c.Audit
	}
	return os.Stderr
}

func (c Config) limiter() *limiter {
	per, burst := c.WritesPerMinute, c.WriteBurst
	if per == 0 {
		per = DefaultWritesPerMinute
	}
	if burst == 0 {
		burst = DefaultWriteBurst
	}
	return newLimiter(per, burst)
}

// addressLimiter is the write limit of one client address: addressWriteFactor
// people's worth.
func (c Config) addressLimiter() *limiter {
	l := c.limiter()
	return &limiter{perMinute: l.perMinute * addressWriteFactor, burst: l.burst * addressWriteFactor, what: "changes from this address", buckets: map[string]*bucket{}}
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) pollTimer(d time.Duration) <-chan time.Time {
	if c.PollTimer != nil {
		return c.PollTimer(d)
	}
	return time.After(d)
}

func (c Config) maxBody() int64 {
	if c.MaxBody > 0 {
		return c.MaxBody
	}
	return 64 << 10
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
