package proxy

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// Defaults of the write rate limit.
const (
	DefaultWritesPerMinute = 10
	DefaultWriteBurst      = 5
	maxBuckets             = 10000
)

// limiter is a token bucket per identity (the signed-in user, or the
// connection's address when nobody is): each holds up to burst tokens and
// gains perMinute tokens a minute; every change attempt takes one.
type limiter struct {
	perMinute float64 // <= 0: no limit
	burst     float64

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
	if b.tokens >= 1-1e-9 { // float sums of refills may fall a hair short
		b.tokens--
		return nil
	}
	wait := int(math.Ceil((1 - b.tokens) / rate))
	return &tooMany{err: rules.Errorf(rules.ErrTooMany, "", fmt.Sprintf(
		"You have made too many changes in a short time: amlaks allows %g a minute, %d at once. Nothing was sent to Azure; try again in %s.",
		l.perMinute, int(l.burst), plural(wait, "second"))), retryAfter: wait}
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
