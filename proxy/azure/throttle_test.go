package azure_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

// seen is one request the emulator answered: when, and with what status.
type seen struct {
	at     time.Time
	status int
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// mustThrottledClient serves a throttled emulator and returns a client of it
// (retries as given) and the requests it saw.
func mustThrottledClient(t *testing.T, th armemu.Throttle, retry policy.RetryOptions) (*azure.Client, func() []seen) {
	t.Helper()
	emu := armemu.New(armemu.Options{Throttle: th, RetryAfter: -1})
	var mu sync.Mutex
	var log []seen
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		emu.ServeHTTP(rec, r)
		mu.Lock()
		log = append(log, seen{at: time.Now(), status: rec.status})
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	opts := azure.ForEndpoint(srv.URL, srv.Client())
	opts.Retry = retry
	opts.NoFollow = true
	c, err := azure.New(azure.StaticCredential{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), log...) }
}

// TestThrottleRetryAfterHonoured proves that azcore's retry policy, as the
// adapter configures it, waits what ARM's Retry-After says: the throttled
// request is sent again once, no sooner than a second later, and succeeds.
func TestThrottleRetryAfterHonoured(t *testing.T) {
	c, log := mustThrottledClient(t, armemu.Throttle{Burst: 1, Refill: time.Second},
		policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Second})
	ctx := context.Background()
	for i := range 2 {
		if _, err := c.Locations(ctx, armemu.SubscriptionID); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	got := log()
	if len(got) != 3 || got[0].status != 200 || got[1].status != 429 || got[2].status != 200 {
		t.Fatalf("requests = %+v, want 200, 429, 200", got)
	}
	if gap := got[2].at.Sub(got[1].at); gap < 900*time.Millisecond {
		t.Errorf("the retry came %v after the 429, sooner than its Retry-After of 1 s", gap)
	}
}

// TestThrottleRetriesRunOut: when Azure asks for longer than the retry
// policy waits, the adapter does not hammer it, and the person reads how
// long to wait.
func TestThrottleRetriesRunOut(t *testing.T) {
	c, log := mustThrottledClient(t, armemu.Throttle{Burst: 1, Refill: time.Minute},
		policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Second})
	ctx := context.Background()
	if _, err := c.Locations(ctx, armemu.SubscriptionID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Locations(ctx, armemu.SubscriptionID)
	re := wantCode(t, err, rules.ErrTooMany, "")
	if want := "Azure is throttling the proxy's requests, retry after 60 s."; !strings.Contains(re.Message, want) {
		t.Errorf("message = %q, want %q", re.Message, want)
	}
	if n := len(log()); n != 2 {
		t.Errorf("%d requests, want 2: a Retry-After beyond the policy's wait is not retried sooner", n)
	}
}
