package armemu_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/proxy/armemu"
)

// TestThrottle checks ARM's token bucket per subscription: off by default;
// when on, the request past the burst is answered 429
// SubscriptionRequestsThrottled with Retry-After the seconds until a token
// is back, and the fake clock refills it.
func TestThrottle(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	opts := fastOptions()
	opts.Now = clk.Now
	c := mustClients(t, opts)
	path := wsPath + "?api-version=2024-04-01"

	for range 50 {
		if code, _, _ := mustGetJSON(t, c, path); code != 200 {
			t.Fatalf("throttled with throttling off: %d", code)
		}
	}

	c.emu.SetThrottle(armemu.Throttle{Burst: 2, Refill: 10 * time.Second})
	type answer struct {
		Status     int
		RetryAfter string
		Code       string
	}
	get := func() answer {
		code, h, body := mustGetJSON(t, c, path)
		a := answer{Status: code, RetryAfter: h.Get("Retry-After")}
		if e, ok := body["error"].(map[string]any); ok {
			a.Code, _ = e["code"].(string)
		}
		return a
	}
	got := []answer{get(), get(), get()}
	clk.Advance(4 * time.Second)
	got = append(got, get())
	clk.Advance(6 * time.Second)
	got = append(got, get(), get())
	want := []answer{
		{Status: 200}, {Status: 200},
		{Status: 429, RetryAfter: "10", Code: "SubscriptionRequestsThrottled"},
		{Status: 429, RetryAfter: "6", Code: "SubscriptionRequestsThrottled"},
		{Status: 200},
		{Status: 429, RetryAfter: "10", Code: "SubscriptionRequestsThrottled"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers mismatch (-want +got):\n%s", diff)
	}

	c.emu.SetThrottle(armemu.Throttle{})
	if a := get(); a.Status != 200 {
		t.Errorf("throttled after SetThrottle(off): %+v", a)
	}
}
