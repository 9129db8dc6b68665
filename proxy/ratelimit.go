package proxy

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// Defaults of the rate limits.
const (
	DefaultWritesPerMinute = 10
	DefaultWriteBurst      = 5
	// DefaultReadsPerMinute and DefaultReadBurst bound what one client
	// address may ask of the API, before its identity is looked at: a read
	// costs 1, a request that gathers facts from Azure (facts, validate)
	// costs readFactsCost.
	DefaultReadsPerMinute = 300
	DefaultReadBurst      = 100
	readFactsCost         = 5
	// addressWriteFactor is how many people's changes one client address
	// may send (behind a sign-in proxy that does not forward the client's
	// address, everyone shares it): attempts over it are refused before they
	// are audited, so nobody can flood the audit log.
	addressWriteFactor = 4
	maxBuckets         = 10000
)

// limiter is a token bucket per identity (the signed-in user, or the
// connection's address when nobody is): each holds up to burst tokens and
// gains perMinute tokens a minute; every change attempt takes one.
type limiter struct {
	perMinute float64 // <= 0: no limit
	burst     float64
	what      string // what is counted, for the refusal: "changes" when empty
	refused   func() // told of each refusal (Config.OnRateLimited), when set

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perMinute float64, burst int) *limiter {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perMinute/2)))
	}
	return &limiter{perMinute: perMinute, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token for key, or says, in plain words, when to try again
// (a rules.ErrTooMany whose RetryAfter the caller sends).
func (l *limiter) allow(key string, now time.Time) error {
	return l.allowN(key, 1, now)
}

// allowN takes cost tokens for key (at most the burst).
func (l *limiter) allowN(key string, cost float64, now time.Time) error {
	if l == nil || l.perMinute <= 0 {
		return nil
	}
	rate := l.perMinute / 60 // tokens a second
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el*rate)
		b.last = now
	}
	cost = math.Min(cost, l.burst)
	if b.tokens >= cost-1e-9 { // float sums of refills may fall a hair short
		b.tokens -= cost
		return nil
	}
	return l.refusal(int(math.Ceil((cost - b.tokens) / rate)))
}

// refusal is the limit's answer when the caller must wait seconds; it is
// counted (refused) wherever the bucket was kept.
func (l *limiter) refusal(wait int) error {
	if l.refused != nil {
		l.refused()
	}
	what := l.what
	if what == "" {
		what = "changes"
	}
	return &tooMany{err: rules.Errorf(rules.ErrTooMany, "", fmt.Sprintf(
		"You have made too many %s in a short time: amlaks allows %g a minute, %d at once. Nothing was sent to Azure; try again in %s.",
		what, l.perMinute, int(l.burst), rules.Count(wait, "second"))), retryAfter: wait}
}

// prune drops the buckets that are full again; they hold nothing to remember.
func (l *limiter) prune(now time.Time) {
	rate := l.perMinute / 60
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// tooMany is a rate-limit refusal with its Retry-After in seconds.
type tooMany struct {
	err        *rules.Error
	retryAfter int
}

func (t *tooMany) Error() string { return t.err.Error() }
func (t *tooMany) Unwrap() error { return t.err }

// addressKey is what the address limits count by: an IPv4 address, or the
// /64 of an IPv6 address (one host usually holds a whole /64).
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "client:" + addr
	}
	if ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		return "client:" + p.String()
	}
	return "client:" + ip.Unmap().String()
}

// withClientLimit limits, by client address and before the identity is
// looked at, every API request (reads too): facts and validate, which ask
// Azure several things, cost more.
func (s *Server) withClientLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		ip, _ := remoteAddr(r)
		cost := 1.0
		if r.URL.Path == rules.PathFacts || r.URL.Path == rules.PathValidate || r.URL.Path == rules.PathExports {
			cost = readFactsCost
		}
		if err := s.reads.allowN(addressKey(s.clientAddr(r, ip).String()), cost, s.cfg.now()); err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
