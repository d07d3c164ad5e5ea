package admission

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	admissionv1 "k8s.io/api/admission/v1"
)

// Metrics are the webhook's Prometheus series, on a registry of their own.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	findings  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	errors    *prometheus.CounterVec
	reloads   *prometheus.CounterVec
	policy    *prometheus.GaugeVec
	certs     *prometheus.CounterVec
	notAfter  prometheus.Gauge
	cacheObjs prometheus.Gauge
}

// NewMetrics registers every series, plus the Go runtime and process ones.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bulwark_admission_requests_total",
			Help: "Admission reviews answered, by operation, kind and verdict (allow, warn, block, excluded, skipped, error, busy).",
		}, []string{"operation", "kind", "verdict"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bulwark_admission_findings_total",
			Help: "Findings in admission decisions, by rule and action (block, warn, ignored).",
		}, []string{"rule", "action"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bulwark_admission_request_duration_seconds",
			Help:    "Time from reading an admission review to writing the answer, by verdict.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"verdict"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bulwark_admission_bad_requests_total",
			Help: "Requests that were not valid admission reviews, by reason.",
		}, []string{"reason"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bulwark_policy_reloads_total",
			Help: "Policy reloads, by result (ok, error). On error the previous policy stays in force.",
		}, []string{"result"}),
		policy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "bulwark_policy_info",
			Help: "The policy in force: 1 for its digest.",
		}, []string{"digest"}),
		certs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bulwark_tls_certificate_reloads_total",
			Help: "Serving certificate reloads, by result (ok, error).",
		}, []string{"result"}),
		notAfter: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bulwark_tls_certificate_expiry_timestamp_seconds",
			Help: "When the serving certificate in use expires (Unix time).",
		}),
		cacheObjs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bulwark_cluster_cache_objects",
			Help: "Cluster objects held for whole-set rules.",
		}),
	}
	m.reg.MustRegister(m.requests, m.findings, m.latency, m.errors, m.reloads, m.policy, m.certs, m.notAfter, m.cacheObjs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry lets tests and other components read or add series.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) observe(req *admissionv1.AdmissionRequest, out outcome, elapsed time.Duration) {
	m.requests.WithLabelValues(string(req.Operation), out.kind, out.verdict).Inc()
	m.latency.WithLabelValues(out.verdict).Observe(elapsed.Seconds())
	for i := range out.findings {
		f := &out.findings[i]
		m.findings.WithLabelValues(f.ID, string(f.Action)).Inc()
	}
}

// PolicyLoaded records a reload attempt and, on success, the digest in force.
func (m *Metrics) PolicyLoaded(digest string, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.reloads.WithLabelValues("error").Inc()
		return
	}
	m.reloads.WithLabelValues("ok").Inc()
	m.policy.Reset()
	m.policy.WithLabelValues(digest).Set(1)
}

// CertLoaded records a certificate reload and the new certificate's expiry.
func (m *Metrics) CertLoaded(notAfter time.Time, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.certs.WithLabelValues("error").Inc()
		return
	}
	m.certs.WithLabelValues("ok").Inc()
	m.notAfter.Set(float64(notAfter.Unix()))
}

// CacheSize records how many cluster objects the cache holds.
func (m *Metrics) CacheSize(n int) {
	if m != nil {
		m.cacheObjs.Set(float64(n))
	}
}
