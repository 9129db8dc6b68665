// Package fakeclock is a clock that moves only when a test advances it. Its
// Now runs the emulator (armemu.Options.Now) and its After the pollers that
// would otherwise wait on the wall clock (proxy.Config.PollTimer), so a
// test moves an operation along by advancing the clock, never by sleeping.
// Like the emulator, it imports the standard library only.
package fakeclock

import (
	"sync"
	"time"
)

// Clock is a fake clock. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	t      time.Time
	timers []timer
	armed  chan struct{}
}

type timer struct {
	at time.Time
	ch chan time.Time
}

// New returns a clock that reads t until it is advanced.
func New(t time.Time) *Clock { return &Clock{t: t, armed: make(chan struct{}, 1)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d and fires every timer that is then due.
func (c *Clock) Advance(d time.Duration) {
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

// After is time.After on this clock: the channel gets the clock's time once
// the clock has been advanced by d (at once when d is not positive).
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		ch <- c.t
		return ch
	}
	c.timers = append(c.timers, timer{at: c.t.Add(d), ch: ch})
	select {
	case c.armed <- struct{}{}:
	default:
	}
	return ch
}

// Timers is how many timers wait on the clock.
func (c *Clock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Armed gets a value when a timer has been set since it was last read: a
// poller has had its turn and waits for the clock again.
func (c *Clock) Armed() <-chan struct{} { return c.armed }
