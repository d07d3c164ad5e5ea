// Command bulwark-loadgen measures the admission webhook: it sends
// AdmissionReviews on loopback at rising rates until the webhook
// saturates, and optionally holds one rate for a soak, printing Markdown
// tables of latency percentiles, throughput, errors and the webhook's CPU
// and memory.
//
//	go build -o /tmp/bulwark ./cmd/bulwark
//	go run ./cmd/bulwark-loadgen --webhook-bin /tmp/bulwark --rates 500,1000,2000,4000 --soak 10m
//
// With --webhook-bin it starts `bulwark webhook` itself with a fresh
// certificate; with --url and --ca-file it drives a webhook already running.
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/admission/loadtest"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var (
		url         = flag.String("url", "", "webhook URL to drive (with --ca-file), instead of starting one")
		caFile      = flag.String("ca-file", "", "CA of the webhook's certificate (with --url)")
		pid         = flag.Int("pid", 0, "the webhook's process ID, to report its CPU and memory (with --url)")
		metricsURL  = flag.String("metrics-url", "", "the webhook's /metrics, to report its own p99 (with --url)")
		bin         = flag.String("webhook-bin", "", "bulwark binary to start the webhook from")
		policyFile  = flag.String("policy", "", "policy file for the started webhook (default: built-in)")
		rates       = flag.String("rates", "250,500,1000,1500,2000,3000,4000", "requests per second to try, in order, until saturation")
		duration    = flag.Duration("duration", 20*time.Second, "measured time per rate")
		warmup      = flag.Duration("warmup", 3*time.Second, "unmeasured time before each rate")
		connections = flag.Int("connections", 16, "keep-alive connections")
		mix         = flag.String("mix", "all", "requests, round-robin: all, or a comma list of pod-privileged, pod-restricted, deployment, rolebinding")
		soak        = flag.Duration("soak", 0, "after the rates, hold --soak-rate this long")
		soakRate    = flag.Float64("soak-rate", 1000, "rate of the soak")
		soakWindow  = flag.Duration("soak-window", time.Minute, "report the soak per window of this length")
		label       = flag.String("label", "", "a title line for the report")
		sequential  = flag.Int("sequential", 0, "first send this many requests one at a time on one connection")
	)
	var extra stringList
	flag.Var(&extra, "webhook-arg", "extra argument for the started webhook (repeatable)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts{url: *url, caFile: *caFile, pid: *pid, metrics: *metricsURL, bin: *bin, policy: *policyFile, rates: *rates,
		duration: *duration, warmup: *warmup, connections: *connections, mix: *mix, soak: *soak, soakRate: *soakRate,
		soakWindow: *soakWindow, extra: extra, label: *label, sequential: *sequential}); err != nil {
		fmt.Fprintln(os.Stderr, "bulwark-loadgen:", err)
		os.Exit(1)
	}
}

type opts struct {
	url, caFile, bin, policy, rates, mix, label string
	metrics                                     string
	pid, connections, sequential                int
	duration, warmup, soak, soakWindow          time.Duration
	soakRate                                    float64
	extra                                       []string
}

func run(ctx context.Context, o opts) error {
	templates, err := pickMix(o.mix)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	switch {
	case o.bin != "":
		url, metrics, ca, proc, err := startWebhook(o)
		if err != nil {
			return err
		}
		o.metrics = metrics
		defer func() {
			_ = proc.Process.Signal(syscall.SIGTERM)
			_ = proc.Wait()
		}()
		o.url, o.pid = url, proc.Process.Pid
		roots.AddCert(ca.Cert)
	case o.url != "" && o.caFile != "":
		data, err := os.ReadFile(o.caFile)
		if err != nil {
			return err
		}
		if !roots.AppendCertsFromPEM(data) {
			return errors.New("--ca-file holds no certificate")
		}
	default:
		return errors.New("give --webhook-bin, or --url and --ca-file")
	}
	var names []string
	for _, t := range templates {
		names = append(names, t.Name)
	}
	if o.label != "" {
		fmt.Printf("%s\n\n", o.label)
	}
	if o.sequential > 0 {
		res, err := loadtest.Sequential(ctx, loadtest.Config{URL: o.url, RootCAs: roots, Mix: templates}, o.sequential)
		if err != nil {
			return err
		}
		fmt.Printf("Sequential, one connection, %d reviews: p50 %s, p90 %s, p99 %s, max %s, %.0f reviews/s, %d errors.\n\n",
			res.Sent, ms(res.P50), ms(res.P90), ms(res.P99), ms(res.Max), res.Achieved, res.Errors)
	}
	fmt.Printf("Mix, round-robin: %s. %d keep-alive connections, %s measured per rate after %s of warm-up; latency from the scheduled send time.\n\n",
		strings.Join(names, ", "), o.connections, o.duration, o.warmup)
	fmt.Println("| asked/s | answered/s | p50 | p90 | p99 | p99.9 | max | errors | webhook p99 | webhook CPU | webhook RSS |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var perKind []string
	for _, f := range strings.Split(o.rates, ",") {
		rate, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return fmt.Errorf("--rates: %v", err)
		}
		cpu0, h0 := cpuSeconds(o.pid), scrape(o.metrics)
		res, err := loadtest.Run(ctx, loadtest.Config{URL: o.url, RootCAs: roots, Connections: o.connections, Rate: rate,
			Duration: o.duration, Warmup: o.warmup, Mix: templates})
		if err != nil {
			return err
		}
		cpu := (cpuSeconds(o.pid) - cpu0) / (o.duration + o.warmup).Seconds()
		printRow(res, serverP99(h0, scrape(o.metrics)), cpu, rss(o.pid))
		row := fmt.Sprintf("| %.0f |", rate)
		for _, n := range names {
			row += " " + ms(res.PerTemplateP99[n]) + " |"
		}
		perKind = append(perKind, row)
		if res.Errors > 0 {
			fmt.Fprintf(os.Stderr, "first error at %.0f/s: %s\n", rate, res.FirstError)
		}
		if res.Errors > 0 || res.Achieved < 0.95*rate || res.P99 > time.Second {
			fmt.Printf("\nSaturated at %.0f/s asked (answered %.0f/s, p99 %s).\n", rate, res.Achieved, ms(res.P99))
			break
		}
	}
	fmt.Printf("\np99 by request:\n\n| asked/s | %s |\n|---:|%s\n%s\n", strings.Join(names, " | "), strings.Repeat("---:|", len(names)), strings.Join(perKind, "\n"))
	if o.soak > 0 {
		return soakRun(ctx, o, roots, templates)
	}
	return nil
}

func printRow(r *loadtest.Result, server string, cpu float64, rssMB float64) {
	fmt.Printf("| %.0f | %.0f | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n", r.Rate, r.Achieved, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.P999), ms(r.Max),
		r.Errors, server, cores(cpu), mb(rssMB))
}

func soakRun(ctx context.Context, o opts, roots *x509.CertPool, templates []loadtest.Template) error {
	fmt.Printf("\nSoak at %.0f/s for %s, per %s window:\n\n", o.soakRate, o.soak, o.soakWindow)
	fmt.Println("| minute | answered/s | p50 | p90 | p99 | p99.9 | max | errors | webhook p99 | webhook CPU | webhook RSS |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	windows := int(o.soak / o.soakWindow)
	for w := 0; w < windows; w++ {
		cpu0, h0 := cpuSeconds(o.pid), scrape(o.metrics)
		warm := time.Duration(0)
		if w == 0 {
			warm = o.warmup
		}
		res, err := loadtest.Run(ctx, loadtest.Config{URL: o.url, RootCAs: roots, Connections: o.connections, Rate: o.soakRate,
			Duration: o.soakWindow, Warmup: warm, Mix: templates})
		if err != nil {
			return err
		}
		cpu := (cpuSeconds(o.pid) - cpu0) / (o.soakWindow + warm).Seconds()
		fmt.Printf("| %d | %.0f | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n", w+1, res.Achieved, ms(res.P50), ms(res.P90), ms(res.P99),
			ms(res.P999), ms(res.Max), res.Errors, serverP99(h0, scrape(o.metrics)), cores(cpu), mb(rss(o.pid)))
		if res.Errors > 0 {
			fmt.Fprintf(os.Stderr, "first error in window %d: %s\n", w+1, res.FirstError)
		}
	}
	if peak := peakRSS(o.pid); peak > 0 {
		fmt.Printf("\nWebhook peak RSS over the whole run: %s.\n", mb(peak))
	}
	return nil
}

func pickMix(spec string) ([]loadtest.Template, error) {
	all := loadtest.DefaultMix()
	if spec == "all" || spec == "" {
		return all, nil
	}
	byKey := map[string]loadtest.Template{"pod-privileged": all[0], "pod-restricted": all[1], "deployment": all[2], "rolebinding": all[3]}
	var out []loadtest.Template
	for _, k := range strings.Split(spec, ",") {
		t, ok := byKey[strings.TrimSpace(k)]
		if !ok {
			return nil, fmt.Errorf("--mix: unknown %q", k)
		}
		out = append(out, t)
	}
	return out, nil
}

// startWebhook runs `bulwark webhook` on loopback with a fresh CA.
func startWebhook(o opts) (string, string, *admission.CA, *exec.Cmd, error) {
	dir, err := os.MkdirTemp("", "bulwark-loadgen-")
	if err != nil {
		return "", "", nil, nil, err
	}
	ca, err := admission.NewCA("loadgen CA", 24*time.Hour)
	if err != nil {
		return "", "", nil, nil, err
	}
	cert, key, err := ca.Issue([]string{"127.0.0.1"}, 24*time.Hour)
	if err != nil {
		return "", "", nil, nil, err
	}
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, cert, 0o600); err != nil {
		return "", "", nil, nil, err
	}
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		return "", "", nil, nil, err
	}
	addr, maddr := freeAddr(), freeAddr()
	args := []string{"webhook", "--tls-cert-file", certFile, "--tls-private-key-file", keyFile, "--listen", addr,
		"--metrics-listen", maddr, "--log-level", "warn", "--shutdown-delay", "0s"}
	if o.policy != "" {
		args = append(args, "--policy", o.policy)
	}
	args = append(args, o.extra...)
	cmd := exec.Command(o.bin, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", "", nil, nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + maddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return "", "", nil, nil, errors.New("the webhook did not get ready in 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "https://" + addr + "/validate", "http://" + maddr + "/metrics", ca, cmd, nil
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// cpuSeconds reads a process's user+system CPU time from /proc.
func cpuSeconds(pid int) float64 {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // clock ticks
}

func statusKB(pid int, key string) float64 {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseFloat(f[1], 64)
				return v
			}
		}
	}
	return 0
}

func rss(pid int) float64     { return statusKB(pid, "VmRSS") / 1024 }
func peakRSS(pid int) float64 { return statusKB(pid, "VmHWM") / 1024 }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func cores(c float64) string {
	if c <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", c*100)
}

func mb(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MB", v)
}

// scrape reads the webhook's latency histogram: cumulative counts by upper
// bound in seconds, summed over verdicts.
func scrape(url string) map[float64]float64 {
	if url == "" {
		return nil
	}
	resp, err := http.Get(url)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[float64]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "bulwark_admission_request_duration_seconds_bucket{") {
			continue
		}
		i := strings.Index(line, `le="`)
		if i < 0 {
			continue
		}
		rest := line[i+4:]
		le, err := strconv.ParseFloat(rest[:strings.IndexByte(rest, '"')], 64)
		if err != nil {
			le = math.Inf(1)
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		out[le] += v
	}
	return out
}

// serverP99 is the bucket bound under which 99% of the requests between two
// scrapes were handled, as the webhook measured them (from reading the
// request to writing the answer).
func serverP99(before, after map[float64]float64) string {
	if after == nil {
		return "-"
	}
	var bounds []float64
	for le := range after {
		bounds = append(bounds, le)
	}
	sort.Float64s(bounds)
	total := after[math.Inf(1)] - before[math.Inf(1)]
	if total <= 0 {
		return "-"
	}
	for _, le := range bounds {
		if after[le]-before[le] >= 0.99*total {
			if math.IsInf(le, 1) {
				return "> 1 s"
			}
			return fmt.Sprintf("≤ %s", ms(time.Duration(le*float64(time.Second))))
		}
	}
	return "-"
}
