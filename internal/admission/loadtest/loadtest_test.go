package loadtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

func TestRunAgainstTheHandler(t *testing.T) {
	ev, err := admission.LoadEvaluator("")
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := admission.NewCA("test CA", time.Hour)
	cert, _ := ca.IssueTLS([]string{"127.0.0.1"}, time.Hour)
	srv := &admission.Server{Handler: &admission.Handler{Judge: admission.NewJudge(ev)}}
	ts := httptest.NewUnstartedServer(srv.Routes())
	ts.Listener = tls.NewListener(ts.Listener, admission.TLSConfig(admission.NewStaticCert(cert)))
	ts.Start()
	defer ts.Close()
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	res, err := Run(context.Background(), Config{URL: strings.Replace(ts.URL, "http://", "https://", 1) + "/validate",
		RootCAs: roots, Connections: 4, Rate: 200, Duration: time.Second, Warmup: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors > 0 || res.Sent != 200 || res.P99 <= 0 || res.P50 > res.P99 {
		t.Fatalf("sent %d, errors %d (%s), p50 %s, p99 %s", res.Sent, res.Errors, res.FirstError, res.P50, res.P99)
	}
	for _, tmpl := range DefaultMix() {
		if res.PerTemplateP99[tmpl.Name] <= 0 {
			t.Errorf("no latency for %s", tmpl.Name)
		}
	}
}

func TestPercentile(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if Percentile(d, 50) != 5 || Percentile(d, 99) != 10 || Percentile(d, 0) != 1 || Percentile(nil, 50) != 0 {
		t.Fatal(Percentile(d, 50), Percentile(d, 99))
	}
}
