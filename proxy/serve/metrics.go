//go:build !(js && wasm)

package serve

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus metrics of one amlaks process, in a registry of
// its own (so two Mains in one test binary do not share counters). Every
// label value comes from a fixed set: a route pattern, a status code, an ARM
// operation's resource type path, a limit's name, a fact kind. No path, name,
// ID or identity is ever a label.
type metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	armCalls    *prometheus.CounterVec
	armLatency  *prometheus.HistogramVec
	inFlight    prometheus.Gauge
	rateLimited *prometheus.CounterVec
	facts       *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amlaks_http_requests_total",
			Help: "HTTP requests answered, by route pattern (none: refused before routing) and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "amlaks_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		armCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amlaks_arm_requests_total",
			Help: "HTTP requests sent to Azure Resource Manager, each retry included, by operation (method and resource type) and status (0: no answer).",
		}, []string{"operation", "status"}),
		armLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "amlaks_arm_request_duration_seconds",
			Help:    "Time of one HTTP request to Azure Resource Manager, by operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "amlaks_operations_in_flight",
			Help: "Operations (create, attach, scale, detach) the proxy started and follows until Azure says they ended.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amlaks_rate_limited_total",
			Help: "Requests refused by a rate limit: reads (per address), address (changes per address), person (changes per person).",
		}, []string{"limit"}),
		facts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amlaks_facts_cache_lookups_total",
			Help: "Lookups in the facts cache, by kind of fact and result (hit or miss).",
		}, []string{"kind", "result"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.armCalls, m.armLatency, m.inFlight, m.rateLimited, m.facts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) request(route string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

func (m *metrics) arm(operation string, status int, took time.Duration) {
	m.armCalls.WithLabelValues(operation, strconv.Itoa(status)).Inc()
	m.armLatency.WithLabelValues(operation).Observe(took.Seconds())
}

func (m *metrics) operation(delta int) { m.inFlight.Add(float64(delta)) }

func (m *metrics) limited(limit string) { m.rateLimited.WithLabelValues(limit).Inc() }

func (m *metrics) factsLookup(kind string, hit bool) {
	result := "miss"
	if hit {
		result = "hit"
	}
	m.facts.WithLabelValues(kind, result).Inc()
}

// handler serves the scrape: never cached, never framed.
func (m *metrics) handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return opsHeaders(h)
}

// opsHeaders are the headers of the operator endpoints (/healthz, /readyz,
// /metrics): not cached, not framable, not sniffed, no scripts.
func opsHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
