package admission

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// brokenObject and brokenSet fail inside Bulwark on objects named
// "trigger": the object check on ConfigMaps with a nil dereference, the
// whole-set check on ServiceAccounts with a panic whose value holds the
// object's bytes.
type (
	brokenObject struct{}
	brokenSet    struct{}
)

func testMeta(id string) *rule.Meta {
	return &rule.Meta{ID: id, Name: strings.ToLower(id), Title: "A check with a bug", Severity: rule.Low,
		Category: rule.Category("test"), Why: "A test rule that fails inside Bulwark on objects named trigger.",
		Remediation: "None.", References: []string{"https://example.com"}}
}

func (brokenObject) Rules() []*rule.Meta { return []*rule.Meta{testMeta("BW-TS-002")} }
func (brokenObject) CheckObject(o *manifest.Object) []rule.Hit {
	if o.Kind == "ConfigMap" && o.Name() == "trigger" {
		var p *manifest.Object
		_ = p.Kind
	}
	return nil
}

func (brokenSet) Rules() []*rule.Meta { return []*rule.Meta{testMeta("BW-TS-003")} }
func (brokenSet) Kinds() []string     { return []string{"ServiceAccount"} }
func (brokenSet) CheckSet(objs []*manifest.Object) []rule.Hit {
	for _, o := range objs {
		if o.Name() == "trigger" {
			panic(string(o.Data()))
		}
	}
	return nil
}

// TestInternalErrorAppliesFailurePolicy: a request whose checks fail
// inside Bulwark gets no decision (HTTP 500, so the API server applies the
// webhook's failure policy), the message names the fault but none of the
// object, and a whole-set failure gives its turn back for the next request.
func TestInternalErrorAppliesFailurePolicy(t *testing.T) {
	reg, err := rule.NewRegistry([]rule.ObjectCheck{brokenObject{}}, []rule.SetCheck{brokenSet{}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := newEvaluator(policy.Default(), reg)
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Judge: NewJudge(ev), Metrics: NewMetrics()}
	ts := newTestServer(t, h)
	status := func(obj string) (int, string) {
		t.Helper()
		resp, err := ts.client.Post(ts.URL+"/validate", "application/json", bytes.NewReader(reviewBytes(t, []byte(obj), reviewOpts{})))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	cm := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"trigger"}}`
	if code, body := status(cm); code != http.StatusInternalServerError || !strings.Contains(body, "nil pointer") {
		t.Errorf("object check: %d %s", code, body)
	}
	sa := `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"trigger","annotations":{"token":"hunter2"}}}`
	for i := 0; i < cap(setTurns)+1; i++ { // more failures than turns: each must give its turn back
		code, body := status(sa)
		if code != http.StatusInternalServerError || !strings.Contains(body, "panic of type string") || strings.Contains(body, "hunter2") {
			t.Fatalf("whole-set check, request %d: %d %s", i, code, body)
		}
	}
	ok := `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"web"}}`
	if code, body := status(ok); code != http.StatusOK {
		t.Errorf("a request after the failures: %d %s", code, body)
	}
	rec := httptest.NewRecorder()
	h.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	want := fmt.Sprintf(`bulwark_admission_requests_total{kind="ServiceAccount",operation="CREATE",verdict="error"} %d`, cap(setTurns)+1)
	if !strings.Contains(rec.Body.String(), want) {
		t.Errorf("metrics lack %s", want)
	}
}
