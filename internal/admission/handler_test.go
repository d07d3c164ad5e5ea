package admission

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// testServer serves a handler over real TLS with a certificate from a test
// CA, and returns a client that trusts only that CA.
type testServer struct {
	*httptest.Server
	client *http.Client
	ca     *CA
	certs  *StaticCert
}

func newTestServer(t testing.TB, h *Handler) *testServer {
	t.Helper()
	ca, err := NewCA("bulwark test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueTLS([]string{"127.0.0.1", "localhost"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certs := NewStaticCert(cert)
	srv := &Server{Handler: h}
	// The server's own TLS configuration, not httptest's: certificates come
	// from GetCertificate only, as in production.
	ts := httptest.NewUnstartedServer(srv.Routes())
	ts.Listener = tls.NewListener(ts.Listener, TLSConfig(certs))
	ts.EnableHTTP2 = true
	ts.Start()
	ts.URL = strings.Replace(ts.URL, "http://", "https://", 1)
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, client: clientFor(ca), ca: ca, certs: certs}
}

func clientFor(ca *CA) *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true,
	}}
}

func newHandler(t testing.TB, policyFile string) *Handler {
	t.Helper()
	ev, err := LoadEvaluator(policyFile)
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Judge: NewJudge(ev), Metrics: NewMetrics(),
		Exclusions: Exclusions{Namespaces: []string{"kube-system", "bulwark"}, Users: []string{"system:serviceaccount:argocd:*"}}}
}

type reviewOpts struct {
	op        admissionv1.Operation
	namespace string
	user      string
	dryRun    bool
	sub       string
}

func reviewOf(t testing.TB, objFile string, o reviewOpts) []byte {
	t.Helper()
	obj, err := os.ReadFile(objFile)
	if err != nil {
		t.Fatal(err)
	}
	return reviewBytes(t, obj, o)
}

func reviewBytes(t testing.TB, obj []byte, o reviewOpts) []byte {
	t.Helper()
	if o.op == "" {
		o.op = admissionv1.Create
	}
	if o.namespace == "" {
		o.namespace = "shop"
	}
	if o.user == "" {
		o.user = "alice"
	}
	var meta struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(obj, &meta)
	req := &admissionv1.AdmissionRequest{
		UID:         types.UID(fmt.Sprintf("uid-%d", time.Now().UnixNano())),
		Kind:        metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: meta.Kind},
		Resource:    metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: strings.ToLower(meta.Kind) + "s"},
		SubResource: o.sub,
		Name:        meta.Metadata.Name,
		Namespace:   o.namespace,
		Operation:   o.op,
		UserInfo:    authenticationv1.UserInfo{Username: o.user, Groups: []string{"system:authenticated"}},
		DryRun:      &o.dryRun,
	}
	if o.op == admissionv1.Delete {
		req.OldObject = runtime.RawExtension{Raw: obj}
	} else {
		req.Object = runtime.RawExtension{Raw: obj}
	}
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: req})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func (ts *testServer) post(t testing.TB, body []byte) *admissionv1.AdmissionResponse {
	t.Helper()
	resp, err := ts.client.Post(ts.URL+"/validate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &review); err != nil {
		t.Fatal(err)
	}
	if review.APIVersion != "admission.k8s.io/v1" || review.Kind != "AdmissionReview" || review.Response == nil {
		t.Fatalf("not an AdmissionReview response: %s", data)
	}
	var sent admissionv1.AdmissionReview
	_ = json.Unmarshal(body, &sent)
	if review.Response.UID != sent.Request.UID {
		t.Fatalf("response uid %q, want %q", review.Response.UID, sent.Request.UID)
	}
	return review.Response
}

func TestBlockDeniesWithRulesAndFields(t *testing.T) {
	h := newHandler(t, "")
	ts := newTestServer(t, h)
	for _, dry := range []bool{false, true} {
		resp := ts.post(t, reviewOf(t, "testdata/privileged-deployment.json", reviewOpts{dryRun: dry}))
		if resp.Allowed {
			t.Fatalf("dryRun=%v: privileged Deployment allowed", dry)
		}
		msg := resp.Result.Message
		for _, want := range []string{"Bulwark policy blocks Deployment shop/web", "BW-PS-001 at spec.template.spec.containers[0].securityContext.privileged",
			"[policy sha256:"} {
			if !strings.Contains(msg, want) {
				t.Errorf("dryRun=%v: message lacks %q:\n%s", dry, want, msg)
			}
		}
		if resp.Result.Code != http.StatusForbidden {
			t.Errorf("code %d, want 403", resp.Result.Code)
		}
		if resp.AuditAnnotations["verdict"] != "block" || !strings.Contains(resp.AuditAnnotations["rules"], "BW-PS-001") {
			t.Errorf("audit annotations %v", resp.AuditAnnotations)
		}
		// Warn-level findings come back as warnings even on a denial.
		if len(resp.Warnings) == 0 {
			t.Errorf("no warnings for warn-level findings")
		}
	}
}

func TestCleanObjectAllowedWithoutWarnings(t *testing.T) {
	ts := newTestServer(t, newHandler(t, ""))
	resp := ts.post(t, reviewOf(t, "testdata/restricted-deployment.json", reviewOpts{}))
	if !resp.Allowed || len(resp.Warnings) > 0 || resp.Result != nil {
		t.Fatalf("clean Deployment: allowed=%v warnings=%v result=%v", resp.Allowed, resp.Warnings, resp.Result)
	}
	if resp.AuditAnnotations["verdict"] != "pass" {
		t.Errorf("audit annotations %v", resp.AuditAnnotations)
	}
}

func TestWarnModeAllowsWithWarnings(t *testing.T) {
	ts := newTestServer(t, newHandler(t, "testdata/warn-policy.yaml"))
	resp := ts.post(t, reviewOf(t, "testdata/privileged-deployment.json", reviewOpts{}))
	if !resp.Allowed {
		t.Fatalf("warn policy denied: %v", resp.Result)
	}
	joined := strings.Join(resp.Warnings, "\n")
	if !strings.Contains(joined, "BW-PS-001 at spec.template.spec.containers[0].securityContext.privileged") {
		t.Fatalf("warnings lack BW-PS-001:\n%s", joined)
	}
	for _, w := range resp.Warnings {
		if len(w) > maxWarningLen {
			t.Errorf("warning longer than %d: %q", maxWarningLen, w)
		}
	}
}

func TestExclusionsAndSkips(t *testing.T) {
	ts := newTestServer(t, newHandler(t, ""))
	cases := map[string]reviewOpts{
		"excluded namespace": {namespace: "kube-system"},
		"excluded user":      {user: "system:serviceaccount:argocd:argocd-application-controller"},
		"subresource":        {sub: "status", op: admissionv1.Update},
		"delete of a kind no whole-set rule reads": {op: admissionv1.Delete},
		"connect": {op: admissionv1.Connect},
	}
	for name, o := range cases {
		resp := ts.post(t, reviewOf(t, "testdata/privileged-deployment.json", o))
		if !resp.Allowed {
			t.Errorf("%s: denied: %v", name, resp.Result)
		}
	}
	// UPDATE is judged like CREATE.
	if resp := ts.post(t, reviewOf(t, "testdata/privileged-deployment.json", reviewOpts{op: admissionv1.Update})); resp.Allowed {
		t.Error("UPDATE to a privileged Deployment allowed")
	}
}

func TestNamespaceFromRequestForExceptions(t *testing.T) {
	pol := `apiVersion: bulwark.dev/v1
kind: Policy
exceptions:
  - rules: [BW-PS-001]
    match: {namespaces: [shop]}
    reason: legacy agent, until it is rebuilt
    expires: never
`
	ev, err := ParseEvaluator("policy.yaml", []byte(pol))
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Judge: NewJudge(ev)}
	ts := newTestServer(t, h)
	obj, _ := os.ReadFile("testdata/privileged-deployment.json")
	obj = bytes.Replace(obj, []byte(`"namespace":"shop"`), []byte(`"labels":{"a":"b"}`), 1)
	resp := ts.post(t, reviewBytes(t, obj, reviewOpts{namespace: "shop"}))
	if strings.Contains(messageOf(resp), "BW-PS-001") {
		t.Fatalf("the exception for namespace shop did not apply to an object without metadata.namespace: %s", messageOf(resp))
	}
}

func messageOf(r *admissionv1.AdmissionResponse) string {
	if r.Result == nil {
		return ""
	}
	return r.Result.Message
}

func TestBadRequests(t *testing.T) {
	ts := newTestServer(t, newHandler(t, ""))
	cases := []struct {
		name, method, ctype, body string
		want                      int
	}{
		{"GET", http.MethodGet, "", "", http.StatusMethodNotAllowed},
		{"not JSON", http.MethodPost, "application/json", "{", http.StatusBadRequest},
		{"no request", http.MethodPost, "application/json", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, http.StatusBadRequest},
		{"wrong type", http.MethodPost, "text/plain", "x", http.StatusUnsupportedMediaType},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, ts.URL+"/validate", strings.NewReader(c.body))
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		resp, err := ts.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	// An object that is not one Kubernetes object is refused, not allowed.
	resp := ts.post(t, reviewBytes(t, []byte(`{"kind":"Deployment"}`), reviewOpts{}))
	if resp.Allowed || resp.Result.Code != http.StatusBadRequest {
		t.Errorf("object without apiVersion: allowed=%v result=%v", resp.Allowed, resp.Result)
	}
}

func TestTLSVersionsAndHealth(t *testing.T) {
	ts := newTestServer(t, newHandler(t, ""))
	roots := x509.NewCertPool()
	roots.AddCert(ts.ca.Cert)
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get(ts.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("TLS 1.1 handshake succeeded")
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := ts.client.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
}

func TestMetricsCountDecisions(t *testing.T) {
	h := newHandler(t, "")
	ts := newTestServer(t, h)
	ts.post(t, reviewOf(t, "testdata/privileged-deployment.json", reviewOpts{}))
	ts.post(t, reviewOf(t, "testdata/restricted-deployment.json", reviewOpts{}))
	ts.post(t, reviewOf(t, "testdata/restricted-deployment.json", reviewOpts{namespace: "kube-system"}))
	rec := httptest.NewRecorder()
	h.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`bulwark_admission_requests_total{kind="Deployment",operation="CREATE",verdict="block"} 1`,
		`bulwark_admission_requests_total{kind="Deployment",operation="CREATE",verdict="allow"} 1`,
		`bulwark_admission_requests_total{kind="Deployment",operation="CREATE",verdict="excluded"} 1`,
		`bulwark_admission_findings_total{action="block",rule="BW-PS-001"} 1`,
		`bulwark_admission_request_duration_seconds_count{verdict="block"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
