//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy/armemu/fakeclock"
)

// manualClock is the fake clock of a test (fakeclock.Clock). It runs the
// emulator (armemu.Options.Now) and the proxy's operation pollers
// (proxy.Config.PollTimer), so a test moves an operation along by advancing
// it, never by waiting.
type manualClock struct{ *fakeclock.Clock }

func newClock() *manualClock {
	return &manualClock{fakeclock.New(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))}
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
	for !done() {
		c.Advance(step)
		select {
		case <-c.Armed():
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
