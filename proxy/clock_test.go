//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// manualClock is a clock that moves only when told. It runs the emulator
// (armemu.Options.Now) and the proxy's operation pollers (proxy.Config.PollTimer),
// so a test moves an operation along by advancing it, never by waiting.
type manualClock struct {
	mu     sync.Mutex
	t      time.Time
	timers []clockTimer
	armed  chan struct{} // a value each time a timer is set; nil until someone waits
}

type clockTimer struct {
	at time.Time
	ch chan time.Time
}

func newClock() *manualClock { return &manualClock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} }

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock and fires every timer that is due.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if c.t.Before(tm.at) {
			kept = append(kept, tm)
			continue
		}
		tm.ch <- c.t
	}
	c.timers = kept
}

// After is time.After on this clock: the channel gets a value once the
// clock has been advanced by d.
func (c *manualClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		ch <- c.t
		return ch
	}
	c.timers = append(c.timers, clockTimer{at: c.t.Add(d), ch: ch})
	if c.armed != nil {
		select {
		case c.armed <- struct{}{}:
		default:
		}
	}
	return ch
}

// Timers is how many timers wait on the clock.
func (c *manualClock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

func (c *manualClock) armedChan() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.armed == nil {
		c.armed = make(chan struct{}, 1)
	}
	return c.armed
}

// driveLimit bounds how long, in real time, drive may take: a hang fails
// the test instead of passing it or holding it forever.
const driveLimit = 60 * time.Second

// drive advances the clock by step until done reports true, and fails the
// test when it has not after driveLimit of real time. Between two steps it
// lets the goroutines run: it goes on as soon as a poller has set its next
// timer, or after a millisecond when none does (an SDK poller of the
// adapter, which paces itself on Options.PollFrequency, or a request in
// flight).
func (c *manualClock) drive(tb testing.TB, step time.Duration, done func() bool) {
	tb.Helper()
	c.driveWithin(tb, driveLimit, step, done)
}

// driveWithin is drive with another bound of real time.
func (c *manualClock) driveWithin(tb testing.TB, limit, step time.Duration, done func() bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	armed := c.armedChan()
	for !done() {
		c.Advance(step)
		select {
		case <-armed:
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			tb.Fatalf("not done after %v of real time (the fake clock advanced by %v steps)", limit, step)
		}
	}
}

// clocks holds the fake clock of each emulator (and of each handler around
// one) the tests started, so that a proxy started over it is driven by the
// same clock.
var clocks sync.Map // http.Handler → *manualClock

func clockOf(h http.Handler) *manualClock {
	if c, ok := clocks.Load(h); ok {
		return c.(*manualClock)
	}
	return nil
}
