// Package loadtest drives an admission webhook with AdmissionReviews at a
// fixed rate, as the API server would, and measures latency and errors. It
// is open-loop: requests are scheduled at the rate whether or not earlier
// ones have come back, and latency counts from the scheduled time, so a
// webhook that falls behind shows it in its percentiles instead of hiding
// it by slowing the load down.
package loadtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Template is one kind of request in the mix.
type Template struct {
	Name     string // for reports: "privileged Pod"
	Group    string
	Version  string
	Kind     string
	Resource string
	// Object is the object's JSON with NAME where each request puts a
	// unique name.
	Object string
	// Allowed is the expected answer; nil: whatever the first answer was.
	Allowed *bool
}

// Config is one run.
type Config struct {
	URL         string
	RootCAs     *x509.CertPool
	Connections int           // keep-alive connections, one per worker
	Rate        float64       // requests per second
	Duration    time.Duration // measured time
	Warmup      time.Duration // sent first, not measured
	Mix         []Template    // round-robin
	Namespace   string
}

// Result is what a run measured.
type Result struct {
	Rate              float64 // asked
	Achieved          float64 // answered per second over the measured time
	Sent, Errors      int
	P50, P90, P99     time.Duration
	P999, Max         time.Duration
	PerTemplateP99    map[string]time.Duration
	FirstError        string
	Latencies         []time.Duration // sorted, measured requests only
	Start, End        time.Time
	ErrorsByTemplate  map[string]int
	AnswersByTemplate map[string]string
}

type sample struct {
	tmpl    int
	latency time.Duration
	err     string
	at      time.Time
}

// Run sends the load and waits for every answer.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Connections <= 0 {
		cfg.Connections = 16
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "load"
	}
	if len(cfg.Mix) == 0 {
		cfg.Mix = DefaultMix()
	}
	expect := make([]atomic.Int32, len(cfg.Mix)) // 0 unknown, 1 allowed, 2 denied
	for i, t := range cfg.Mix {
		if t.Allowed != nil {
			expect[i].Store(map[bool]int32{true: 1, false: 2}[*t.Allowed])
		}
	}
	type job struct {
		n  int
		at time.Time
	}
	total := int(cfg.Rate * (cfg.Warmup + cfg.Duration).Seconds())
	jobs := make(chan job, total+1)
	samples := make([]sample, total)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Connections; w++ {
		client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
			MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true,
		}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for j := range jobs {
				ti := j.n % len(cfg.Mix)
				s := sample{tmpl: ti, at: j.at}
				allowed, err := send(ctx, client, cfg, &cfg.Mix[ti], j.n, &buf)
				s.latency = time.Since(j.at)
				if err == nil {
					want := int32(2)
					if allowed {
						want = 1
					}
					if !expect[ti].CompareAndSwap(0, want) && expect[ti].Load() != want {
						err = fmt.Errorf("%s: allowed=%v, unlike before", cfg.Mix[ti].Name, allowed)
					}
				}
				if err != nil {
					s.err = err.Error()
				}
				samples[j.n] = s
			}
		}()
	}
	// The schedule: request n is due at start + n/rate.
	start := time.Now()
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	for n := 0; n < total; n++ {
		at := start.Add(time.Duration(n) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			total = n
			break
		}
		jobs <- job{n: n, at: at}
	}
	close(jobs)
	wg.Wait()
	samples = samples[:total]
	warm := int(cfg.Rate * cfg.Warmup.Seconds())
	if warm > len(samples) {
		warm = len(samples)
	}
	return summarize(cfg, samples[warm:]), ctx.Err()
}

func summarize(cfg Config, ss []sample) *Result {
	r := &Result{Rate: cfg.Rate, PerTemplateP99: map[string]time.Duration{}, ErrorsByTemplate: map[string]int{}}
	per := make([][]time.Duration, len(cfg.Mix))
	for _, s := range ss {
		r.Sent++
		if s.err != "" {
			r.Errors++
			r.ErrorsByTemplate[cfg.Mix[s.tmpl].Name]++
			if r.FirstError == "" {
				r.FirstError = s.err
			}
		}
		r.Latencies = append(r.Latencies, s.latency)
		per[s.tmpl] = append(per[s.tmpl], s.latency)
		end := s.at.Add(s.latency)
		if r.Start.IsZero() || s.at.Before(r.Start) {
			r.Start = s.at
		}
		if end.After(r.End) {
			r.End = end
		}
	}
	sortDurations(r.Latencies)
	r.P50, r.P90, r.P99, r.P999 = Percentile(r.Latencies, 50), Percentile(r.Latencies, 90), Percentile(r.Latencies, 99), Percentile(r.Latencies, 99.9)
	if n := len(r.Latencies); n > 0 {
		r.Max = r.Latencies[n-1]
	}
	if span := r.End.Sub(r.Start).Seconds(); span > 0 {
		r.Achieved = float64(r.Sent-r.Errors) / span
	}
	for i, l := range per {
		sortDurations(l)
		r.PerTemplateP99[cfg.Mix[i].Name] = Percentile(l, 99)
	}
	return r
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

// Percentile of sorted durations (nearest rank).
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

// review is the part of an AdmissionReview response that is checked.
type review struct {
	Response *struct {
		UID     string `json:"uid"`
		Allowed bool   `json:"allowed"`
	} `json:"response"`
}

func send(ctx context.Context, client *http.Client, cfg Config, t *Template, n int, buf *bytes.Buffer) (bool, error) {
	uid := "load-" + strconv.Itoa(n)
	name := "load-" + strconv.Itoa(n)
	buf.Reset()
	fmt.Fprintf(buf, `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":%q,`+
		`"kind":{"group":%q,"version":%q,"kind":%q},"resource":{"group":%q,"version":%q,"resource":%q},`+
		`"requestKind":{"group":%q,"version":%q,"kind":%q},"requestResource":{"group":%q,"version":%q,"resource":%q},`+
		`"name":%q,"namespace":%q,"operation":"CREATE","userInfo":{"username":"load-generator","groups":["system:authenticated"]},`+
		`"object":`, uid, t.Group, t.Version, t.Kind, t.Group, t.Version, t.Resource, t.Group, t.Version, t.Kind, t.Group, t.Version, t.Resource,
		name, cfg.Namespace)
	buf.Write(bytes.ReplaceAll([]byte(t.Object), []byte("NAME"), []byte(name)))
	buf.WriteString(`,"oldObject":null,"dryRun":false,"options":{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"}}}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(buf.Bytes()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	var rv review
	if err := json.Unmarshal(body, &rv); err != nil || rv.Response == nil {
		return false, fmt.Errorf("not an AdmissionReview: %.200s", body)
	}
	if rv.Response.UID != uid {
		return false, fmt.Errorf("uid %q, want %q", rv.Response.UID, uid)
	}
	return rv.Response.Allowed, nil
}

func ptr(b bool) *bool { return &b }

// DefaultMix is a round-robin of a privileged Pod (denied), a restricted
// Pod (allowed), a restricted Deployment (allowed) and a RoleBinding of a
// ServiceAccount to the built-in "view" ClusterRole.
func DefaultMix() []Template {
	const restrictedSpec = `{"automountServiceAccountToken":false,` +
		`"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"runAsGroup":10001,"seccompProfile":{"type":"RuntimeDefault"}},` +
		`"containers":[{"name":"app","image":"registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",` +
		`"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},` +
		`"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}]}`
	return []Template{
		{Name: "privileged Pod", Version: "v1", Kind: "Pod", Resource: "pods", Allowed: ptr(false),
			Object: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","namespace":"load","labels":{"app":"web"}},` +
				`"spec":{"containers":[{"name":"app","image":"registry.example/app:1.0","securityContext":{"privileged":true}}]}}`},
		{Name: "restricted Pod", Version: "v1", Kind: "Pod", Resource: "pods", Allowed: ptr(true),
			Object: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","namespace":"load","labels":{"app":"web"}},"spec":` + restrictedSpec + `}`},
		{Name: "Deployment", Group: "apps", Version: "v1", Kind: "Deployment", Resource: "deployments", Allowed: ptr(true),
			Object: `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","namespace":"load","labels":{"app":"web"}},` +
				`"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":` + restrictedSpec + `}}}`},
		{Name: "RoleBinding", Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding", Resource: "rolebindings",
			Object: `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"NAME","namespace":"load"},` +
				`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},` +
				`"subjects":[{"kind":"ServiceAccount","name":"reporter","namespace":"load"}]}`},
	}
}

// Sequential sends n requests one after another on one connection, each
// after the previous answer: the latency of a webhook with nothing queued.
func Sequential(ctx context.Context, cfg Config, n int) (*Result, error) {
	if len(cfg.Mix) == 0 {
		cfg.Mix = DefaultMix()
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "load"
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
	var buf bytes.Buffer
	ss := make([]sample, 0, n)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		s := sample{tmpl: i % len(cfg.Mix), at: time.Now()}
		if _, err := send(ctx, client, cfg, &cfg.Mix[s.tmpl], i, &buf); err != nil {
			s.err = err.Error()
		}
		s.latency = time.Since(s.at)
		ss = append(ss, s)
	}
	r := summarize(cfg, ss)
	r.Rate = r.Achieved
	return r, ctx.Err()
}
