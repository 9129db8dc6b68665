package armemu

import (
	"net/http"
	"strings"
	"time"
)

// Throttle models ARM's request throttling: a token bucket per
// subscription, as ARM keeps one per subscription and region
// (learn.microsoft.com, "Request limits and throttling"). A request that
// finds the bucket empty is answered 429 SubscriptionRequestsThrottled with
// Retry-After, the seconds until a token is back (recorded in
// proxy/azure/testdata/recorded/arm_subscription_throttled.json). The zero
// value is off.
type Throttle struct {
	// Burst is the bucket's size: how many requests may come at once.
	Burst int
	// Refill is how long the bucket takes to win back one token.
	Refill time.Duration
}

func (t Throttle) on() bool { return t.Burst > 0 && t.Refill > 0 }

// bucket is one subscription's tokens as of last.
type bucket struct {
	tokens float64
	last   time.Time
}

// SetThrottle turns throttling on (or off, with the zero Throttle) from now
// on; buckets start full.
func (e *Emulator) SetThrottle(t Throttle) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opts.Throttle = t
	e.buckets = map[string]*bucket{}
}

// throttled takes a token of the request's subscription and reports, when
// there is none, how long until there is. Requests outside a subscription
// (the tenant's list of subscriptions) are not counted. e.mu is held.
func (e *Emulator) throttled(r *http.Request, now time.Time) (string, time.Duration, bool) {
	t := e.opts.Throttle
	if !t.on() {
		return "", 0, false
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) < 2 || !strings.EqualFold(segs[0], "subscriptions") {
		return "", 0, false
	}
	sub := strings.ToLower(segs[1])
	b, ok := e.buckets[sub]
	if !ok {
		b = &bucket{tokens: float64(t.Burst), last: now}
		e.buckets[sub] = b
	}
	b.tokens += float64(now.Sub(b.last)) / float64(t.Refill)
	if b.tokens > float64(t.Burst) {
		b.tokens = float64(t.Burst)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return sub, 0, false
	}
	return sub, time.Duration((1 - b.tokens) * float64(t.Refill)), true
}

// throttleError is ARM's answer to a throttled request.
func throttleError(sub string, r *http.Request, wait time.Duration) *armError {
	return errorf(http.StatusTooManyRequests, "SubscriptionRequestsThrottled",
		"Number of requests for subscription '%s' and operation '%s' exceeded the backend storage limit. Please try again after '%s' seconds.",
		sub, strings.ToUpper(r.Method+r.URL.Path), seconds(wait))
}
