package fakeclock_test

import (
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy/armemu/fakeclock"
)

// TestTimersFireWhenAdvanced: a timer fires once the clock has moved by its
// duration, not before, and never by itself.
func TestTimersFireWhenAdvanced(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	c := fakeclock.New(start)
	soon, later := c.After(time.Second), c.After(time.Minute)
	select {
	case <-c.Armed():
	default:
		t.Error("setting a timer did not arm the clock")
	}
	if n := c.Timers(); n != 2 {
		t.Fatalf("%d timers, want 2", n)
	}
	c.Advance(999 * time.Millisecond)
	select {
	case <-soon:
		t.Fatal("a 1s timer fired after 999ms")
	default:
	}
	c.Advance(time.Millisecond)
	if got := <-soon; !got.Equal(start.Add(time.Second)) {
		t.Errorf("fired at %v, want %v", got, start.Add(time.Second))
	}
	select {
	case <-later:
		t.Fatal("a 1m timer fired after 1s")
	default:
	}
	if n := c.Timers(); n != 1 {
		t.Errorf("%d timers after one fired, want 1", n)
	}
	if now := <-c.After(0); !now.Equal(c.Now()) {
		t.Errorf("After(0) = %v, want now %v", now, c.Now())
	}
}
