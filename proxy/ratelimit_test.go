package proxy

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amlaks/amlaks/rules"
)

func TestLimiterTokenBucket(t *testing.T) {
	l := newLimiter(10, 5) // 10 a minute: a token every 6 s, 5 at once
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 5 {
		if err := l.allow("user:ada", now); err != nil {
			t.Fatalf("change %d of the burst refused: %v", i+1, err)
		}
	}
	err := l.allow("user:ada", now)
	var tm *tooMany
	var re *rules.Error
	if !errors.As(err, &tm) || !errors.As(err, &re) || re.Code != rules.ErrTooMany || tm.retryAfter != 6 {
		t.Fatalf("6th change = %v, want too_many with retry after 6 s", err)
	}
	if !strings.Contains(re.Message, "try again in 6 seconds") || !strings.Contains(re.Message, "Nothing was sent to Azure") {
		t.Errorf("message %q is not plain about what happened and when to retry", re.Message)
	}
	if err := l.allow("user:grace", now); err != nil {
		t.Errorf("another person is limited by ada's changes: %v", err)
	}
	if err := l.allow("user:ada", now.Add(5*time.Second)); err == nil {
		t.Error("a token came back before 6 s")
	}
	if err := l.allow("user:ada", now.Add(6*time.Second)); err != nil {
		t.Errorf("no token after 6 s: %v", err)
	}
	// A long pause refills the bucket to its burst, no more.
	later := now.Add(time.Hour)
	for i := range 5 {
		if err := l.allow("user:ada", later); err != nil {
			t.Fatalf("after an hour, change %d refused: %v", i+1, err)
		}
	}
	if err := l.allow("user:ada", later); err == nil {
		t.Error("the bucket held more than its burst")
	}
}

func TestLimiterOffAndDefaults(t *testing.T) {
	now := time.Now()
	off := Config{WritesPerMinute: -1}.limiter()
	for range 100 {
		if err := off.allow("addr:127.0.0.1", now); err != nil {
			t.Fatalf("limit off, yet %v", err)
		}
	}
	def := Config{}.limiter()
	if def.perMinute != DefaultWritesPerMinute || def.burst != DefaultWriteBurst {
		t.Errorf("defaults = %v a minute, burst %v", def.perMinute, def.burst)
	}
}

func TestLimiterForgetsFullBuckets(t *testing.T) {
	l := newLimiter(60, 1)
	now := time.Now()
	for i := range maxBuckets {
		_ = l.allow("addr:"+strconv.Itoa(i), now)
	}
	_ = l.allow("addr:new", now.Add(time.Minute))
	if len(l.buckets) > 2 {
		t.Errorf("%d buckets kept after pruning, want the refilled ones dropped", len(l.buckets))
	}
}
