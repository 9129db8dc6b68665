package proxy

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// Locker takes the write locks of the critical sections: one compute name
// (create, attach, scale, detach, cleanup) and one cluster (attach). With
// Config.Locker nil the proxy uses an in-process lock, which is right for one
// replica only; with several replicas every one must be given the same shared
// Locker (proxy/azure/blobsync: Azure Blob Storage leases).
type Locker interface {
	// Lock takes every key, waiting while another holder has one, until ctx
	// ends; a *rules.Error (a conflict) says in words that another holder
	// kept a key too long. held is ctx, cancelled as well if a lock is lost before unlock
	// (a shared lock that could not be renewed): the holder must stop, since
	// someone else may have it now. unlock releases every key; it is called
	// once, and only when err is nil.
	Lock(ctx context.Context, keys ...string) (held context.Context, unlock func(), err error)
}

// SharedState holds small records that every replica sees, each changed
// only with a compare-and-swap (proxy/azure/blobsync: blob metadata under an
// ETag condition). With Config.SharedLimits set, the per-person change limit
// is counted there, so N replicas do not allow N times the changes.
type SharedState interface {
	// Update reads key's record (nil when there is none), calls change with
	// it and stores what it returns, only if nobody stored a newer record
	// meanwhile; otherwise it reads again and calls change again. An error
	// from change is returned as it is and nothing is stored.
	Update(ctx context.Context, key string, change func(old map[string]string) (map[string]string, error)) error
}

// processLocker is the in-process Locker: a mutex by key.
type processLocker struct{ m keyedMutex }

func (p *processLocker) Lock(ctx context.Context, keys ...string) (context.Context, func(), error) {
	return ctx, p.m.lock(keys...), nil
}

// lock takes the write locks of keys through the configured Locker and says,
// in words, why it could not.
// nameKey is the write-lock key of a compute name in a workspace.
func nameKey(ref rules.WorkspaceRef, name string) string {
	return "name:" + strings.ToLower(ref.ID()+"/"+name)
}

// clusterKey is the write-lock key of an AKS cluster, by resource ID.
func clusterKey(id string) string { return "cluster:" + strings.ToLower(id) }

// lockRequest takes the write locks of keys for a request: it returns the
// request to go on with, whose context ends if a shared lock is lost, and
// unlock, which the caller defers once the error is nil.
func (s *Server) lockRequest(r *http.Request, keys ...string) (*http.Request, func(), error) {
	held, unlock, err := s.lock(r.Context(), keys...)
	if err != nil {
		return nil, nil, err
	}
	return r.WithContext(held), unlock, nil
}

func (s *Server) lock(ctx context.Context, keys ...string) (context.Context, func(), error) {
	held, unlock, err := s.locker.Lock(ctx, keys...)
	if err == nil {
		return held, unlock, nil
	}
	s.cfg.logger().Warn("write lock not taken", "err", err)
	var e *rules.Error
	switch {
	case errors.As(err, &e): // the Locker's own words: another holder kept a key
		return nil, nil, err
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return nil, nil, err
	}
	return nil, nil, rules.Errorf(rules.ErrUnavailable, "", "amlaks could not take its write lock in the shared storage, so nothing was sent to Azure. Try again in a minute; if it goes on, the operator should check the lock storage (--lock-account).")
}

// takeToken is one token-bucket step on a record: it refills the bucket for
// the time since it was last counted, then takes cost tokens or says how many
// seconds to wait. A record it cannot read is a full bucket.
func takeToken(old map[string]string, now time.Time, perMinute, burst, cost float64) (map[string]string, int) {
	rate := perMinute / 60
	tokens, last := burst, now
	if t, err := strconv.ParseFloat(old["tokens"], 64); err == nil && t >= 0 && t <= burst {
		if ns, err := strconv.ParseInt(old["last"], 10, 64); err == nil {
			tokens, last = t, time.Unix(0, ns)
		}
	}
	if el := now.Sub(last).Seconds(); el > 0 {
		tokens = math.Min(burst, tokens+el*rate)
		last = now
	}
	cost = math.Min(cost, burst)
	if tokens < cost-1e-9 {
		return nil, int(math.Ceil((cost - tokens) / rate))
	}
	return map[string]string{"tokens": strconv.FormatFloat(tokens-cost, 'g', -1, 64), "last": strconv.FormatInt(last.UnixNano(), 10)}, 0
}

// errWait carries takeToken's wait out of a SharedState change.
type errWait int

func (e errWait) Error() string { return fmt.Sprintf("wait %d s", int(e)) }

// allowShared is allow with the buckets in shared state: every replica
// counts a person's changes in one record.
func (l *limiter) allowShared(ctx context.Context, st SharedState, key string, now time.Time) error {
	if l == nil || l.perMinute <= 0 {
		return nil
	}
	err := st.Update(ctx, "rate:"+key, func(old map[string]string) (map[string]string, error) {
		rec, wait := takeToken(old, now, l.perMinute, l.burst, 1)
		if wait > 0 {
			return nil, errWait(wait)
		}
		return rec, nil
	})
	var w errWait
	switch {
	case err == nil:
		return nil
	case errors.As(err, &w):
		return l.refusal(int(w))
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	}
	return rules.Errorf(rules.ErrUnavailable, "", "amlaks could not count this change in its shared storage, so nothing was sent to Azure. Try again in a minute; if it goes on, the operator should check the lock storage (--lock-account).")
}
