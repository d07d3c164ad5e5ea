package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

func TestWebhookUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"webhook"},
		{"webhook", "--self-signed", "--tls-cert-file", "a", "--tls-private-key-file", "b"},
		{"webhook", "--tls-cert-file", "missing.crt", "--tls-private-key-file", "missing.key"},
		{"webhook", "--tls-cert-file", "a", "--tls-private-key-file", "b", "--cluster-cache", "maybe"},
		{"webhook", "--tls-cert-file", "a", "--tls-private-key-file", "b", "--log-format", "xml"},
	} {
		if _, errOut, code := run(t, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, errOut)
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestWebhookCommandServes runs the command with certificate files and a
// policy file, without a cluster, and sends it a review.
func TestWebhookCommandServes(t *testing.T) {
	dir := t.TempDir()
	ca, _ := admission.NewCA("test CA", time.Hour)
	cert, key, _ := ca.Issue([]string{"127.0.0.1"}, time.Hour)
	certFile, keyFile, polFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "policy.yaml")
	_ = os.WriteFile(certFile, cert, 0o600)
	_ = os.WriteFile(keyFile, key, 0o600)
	_ = os.WriteFile(polFile, []byte("apiVersion: bulwark.dev/v1\nkind: Policy\n"), 0o600)
	addr, maddr := freePort(t), freePort(t)
	t.Setenv("KUBECONFIG", filepath.Join(dir, "none"))
	var errOut bytes.Buffer
	g := &globalOptions{streams: Streams{Out: &bytes.Buffer{}, ErrOut: &errOut}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunWebhook(ctx, g, &WebhookOptions{Policy: polFile, CertFile: certFile, KeyFile: keyFile, Listen: addr, MetricsListen: maddr,
			ClusterCache: "auto", ReloadInterval: time.Second, ShutdownTimeout: time.Second, LogFormat: "json", LogLevel: "info"})
	}()
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	obj := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}`
	review := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},` +
		`"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"ns","operation":"CREATE","userInfo":{"username":"alice"},"object":` + obj + `}}`
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = client.Post("https://"+addr+"/validate", "application/json", strings.NewReader(review)); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out admissionv1.AdmissionReview
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if out.Response == nil || out.Response.Allowed || !strings.Contains(out.Response.Result.Message, "BW-PS-001") {
		t.Fatalf("response: %+v", out.Response)
	}
	mresp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mresp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	logs := errOut.String()
	if !strings.Contains(logs, `"msg":"admission review"`) || !strings.Contains(logs, `"blocked":"BW-PS-001`) {
		t.Errorf("no denial log:\n%s", logs)
	}
	if strings.Contains(logs, "privileged") {
		t.Errorf("logs quote the object or finding messages:\n%s", logs)
	}
}

func TestPolicyInstallDryRun(t *testing.T) {
	out, errOut, code := run(t, "", "policy", "install", "--dry-run", "-o", "yaml", "--exclude-user", "system:serviceaccount:argocd:argocd-application-controller")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"kind: ValidatingWebhookConfiguration", "kind: Deployment", "kind: PodDisruptionBudget", "kind: NetworkPolicy",
		"bulwark.dev/policy-digest: sha256:", "argocd-application-controller", "failurePolicy: Fail"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if _, _, code := run(t, "", "policy", "install", "--dry-run"); code != ExitUsage {
		t.Errorf("--dry-run without -o yaml: exit %d", code)
	}
	if _, _, code := run(t, "", "policy", "install", "--dry-run", "-o", "yaml", "--tls", "acme"); code != ExitUsage {
		t.Errorf("bad --tls: exit %d", code)
	}
	if _, _, code := run(t, "", "policy", "install", "--dry-run", "-o", "yaml", "--failure-policy", "Maybe"); code != ExitUsage {
		t.Errorf("bad --failure-policy: exit %d", code)
	}
}
