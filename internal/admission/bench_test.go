package admission

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// BenchmarkEvaluate is the decision alone: decode the object, every rule,
// the policy.
func BenchmarkEvaluate(b *testing.B) {
	ev, err := LoadEvaluator("")
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"privileged-deployment", "restricted-deployment"} {
		obj, _ := os.ReadFile("testdata/" + name + ".json")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ev.Evaluate(Input{Operation: "CREATE", Object: obj, Now: time.Now()}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHandler is one review through the HTTP handler, without the
// network: decode the review, decide, encode the answer, metrics.
func BenchmarkHandler(b *testing.B) {
	h := newHandler(b, "")
	for _, name := range []string{"privileged-deployment", "restricted-deployment"} {
		body := reviewOf(b, "testdata/"+name+".json", reviewOpts{})
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Body.String())
				}
			}
		})
	}
}
