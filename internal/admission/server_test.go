package admission

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
)

// writeAtomic replaces a file the way a Secret or ConfigMap volume does:
// write elsewhere, then rename over.
func writeAtomic(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// runServer starts Server.Run on loopback ports and returns its addresses.
func runServer(t *testing.T, s *Server) (tlsAddr, metricsAddr string, stop func() error) {
	t.Helper()
	s.Addr, s.MetricsAddr = "127.0.0.1:0", "127.0.0.1:0"
	addrs := make(chan [2]string, 1)
	s.OnListen = func(a, m net.Addr) { addrs <- [2]string{a.String(), m.String()} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case a := <-addrs:
		var once sync.Once
		var err error
		stop = func() error {
			once.Do(func() { cancel(); err = <-done })
			return err
		}
		t.Cleanup(func() { _ = stop() })
		return a[0], a[1], stop
	case err := <-done:
		t.Fatal(err)
	}
	return "", "", nil
}

// TestCertificateRotationWhileRequestsFlow rotates the serving certificate
// files (new CA) under constant load: no request fails, and new
// connections get the new certificate.
func TestCertificateRotationWhileRequestsFlow(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	ca1, _ := NewCA("first CA", time.Hour)
	ca2, _ := NewCA("second CA", time.Hour)
	c1, k1, _ := ca1.Issue([]string{"127.0.0.1"}, time.Hour)
	writeAtomic(t, certFile, c1)
	writeAtomic(t, keyFile, k1)
	rel, err := NewCertReloader(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics()
	rel.OnReload = m.CertLoaded
	h := newHandler(t, "")
	addr, _, stop := runServer(t, &Server{Handler: h, Certs: rel, Metrics: m})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go rel.Run(ctx, 20*time.Millisecond, nil)

	// Clients trust both CAs; each request uses a fresh connection so that
	// the handshake shows which certificate is served.
	roots := x509.NewCertPool()
	roots.AddCert(ca1.Cert)
	roots.AddCert(ca2.Cert)
	body := reviewOf(t, "testdata/privileged-deployment.json", reviewOpts{})
	var served [2]atomic.Int64
	var failures atomic.Int64
	var wg sync.WaitGroup
	stopLoad := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}
				resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Post("https://"+addr+"/validate", "application/json", bytes.NewReader(body))
				if err != nil {
					failures.Add(1)
					t.Log(err)
					continue
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var review admissionv1.AdmissionReview
				if resp.StatusCode != 200 || json.Unmarshal(data, &review) != nil || review.Response == nil || review.Response.Allowed {
					failures.Add(1)
					continue
				}
				if resp.TLS.PeerCertificates[0].Issuer.CommonName == "second CA" {
					served[1].Add(1)
				} else {
					served[0].Add(1)
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	c2, k2, _ := ca2.Issue([]string{"127.0.0.1"}, time.Hour)
	// Key first, then certificate: between the two writes the pair does
	// not match, and the old one must keep serving.
	writeAtomic(t, keyFile, k2)
	time.Sleep(50 * time.Millisecond)
	writeAtomic(t, certFile, c2)
	deadline := time.Now().Add(5 * time.Second)
	for served[1].Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	close(stopLoad)
	wg.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d requests failed during rotation", failures.Load())
	}
	if served[0].Load() == 0 || served[1].Load() == 0 {
		t.Fatalf("served by first CA %d, by second %d", served[0].Load(), served[1].Load())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestPolicyHotReloadWithoutDroppingRequests swaps the policy file from
// block to warn and back under load: every request gets an answer, and the
// answers follow the policy in force.
func TestPolicyHotReloadWithoutDroppingRequests(t *testing.T) {
	dir := t.TempDir()
	polFile := filepath.Join(dir, "policy.yaml")
	blockPol := []byte("apiVersion: bulwark.dev/v1\nkind: Policy\n")
	warnPol, _ := os.ReadFile("testdata/warn-policy.yaml")
	writeAtomic(t, polFile, blockPol)
	ev, err := LoadEvaluator(polFile)
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Judge: NewJudge(ev), Metrics: NewMetrics()}
	w := &PolicyWatcher{Path: polFile, Judge: h.Judge, Metrics: h.Metrics}
	w.Prime(blockPol)
	ts := newTestServer(t, h)
	body := reviewOf(t, "testdata/privileged-deployment.json", reviewOpts{})

	var allowed, denied, failed atomic.Int64
	stopLoad := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				resp, err := ts.client.Post(ts.URL+"/validate", "application/json", bytes.NewReader(body))
				if err != nil {
					failed.Add(1)
					continue
				}
				var review admissionv1.AdmissionReview
				err = json.NewDecoder(resp.Body).Decode(&review)
				resp.Body.Close()
				switch {
				case err != nil || review.Response == nil:
					failed.Add(1)
				case review.Response.Allowed:
					allowed.Add(1)
				default:
					denied.Add(1)
				}
			}
		}()
	}
	for i, p := range [][]byte{warnPol, blockPol, warnPol} {
		time.Sleep(50 * time.Millisecond)
		writeAtomic(t, polFile, p)
		changed, err := w.Check()
		if err != nil || !changed {
			t.Fatalf("reload %d: changed=%v err=%v", i, changed, err)
		}
	}
	// A broken policy is refused; the one in force stays.
	writeAtomic(t, polFile, []byte("apiVersion: bulwark.dev/v1\nkind: Policy\nfamilies: {nope: {block: high}}\n"))
	if _, err := w.Check(); err == nil {
		t.Fatal("broken policy accepted")
	}
	time.Sleep(50 * time.Millisecond)
	close(stopLoad)
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed during reloads", failed.Load())
	}
	if allowed.Load() == 0 || denied.Load() == 0 {
		t.Fatalf("allowed %d, denied %d: the reloads did not take effect", allowed.Load(), denied.Load())
	}
	if got := h.Judge.Current().Policy.Source; !strings.HasSuffix(got, "policy.yaml") || h.Judge.Current().Policy.PodSecurity.Level != "restricted" {
		t.Fatalf("policy in force: %s", got)
	}
	resp := ts.post(t, body)
	if !resp.Allowed {
		t.Fatal("the warn policy is not in force after a refused reload")
	}
}

// TestGracefulShutdown: after the stop signal /readyz fails while requests
// are still answered, and Run returns once they are done.
func TestGracefulShutdown(t *testing.T) {
	ca, _ := NewCA("test CA", time.Hour)
	cert, _ := ca.IssueTLS([]string{"127.0.0.1"}, time.Hour)
	h := newHandler(t, "")
	s := &Server{Handler: h, Certs: NewStaticCert(cert), Metrics: h.Metrics, ShutdownDelay: 300 * time.Millisecond}
	addr, maddr, stop := runServer(t, s)
	client := clientFor(ca)
	get := func(url string) int {
		resp, err := client.Get(url)
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("http://" + maddr + "/readyz"); code != 200 {
		t.Fatalf("readyz before shutdown: %d", code)
	}
	if code := get("http://" + maddr + "/metrics"); code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(50 * time.Millisecond)
	if code := get("https://" + addr + "/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz while draining: %d, want 503", code)
	}
	resp, err := client.Post("https://"+addr+"/validate", "application/json",
		bytes.NewReader(reviewOf(t, "testdata/privileged-deployment.json", reviewOpts{})))
	if err != nil {
		t.Fatalf("request while draining: %v", err)
	}
	resp.Body.Close()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if code := get("https://" + addr + "/healthz"); code != -1 {
		t.Fatalf("still serving after shutdown: %d", code)
	}
}
