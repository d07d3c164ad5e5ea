package admission

import (
	"bytes"
	"encoding/json"
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

// bootstrapSnapshot is the RBAC a new v1.37 API server creates for itself:
// 73 ClusterRoles, 54 ClusterRoleBindings, 7 Roles and 7 RoleBindings.
func bootstrapSnapshot(b testing.TB) *Snapshot {
	data, err := os.ReadFile("testdata/bootstrap-rbac.json")
	if err != nil {
		b.Fatal(err)
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		b.Fatal(err)
	}
	s := &Snapshot{Generation: 1}
	for _, it := range list.Items {
		o, err := ClusterObject(it)
		if err != nil {
			b.Fatal(err)
		}
		s.Objects = append(s.Objects, o)
	}
	return s
}

// BenchmarkEvaluateWithCluster judges objects with whole-set rules over
// the bootstrap RBAC of a real API server. rolebinding-after-change is the
// first RoleBinding after each change of the cluster cache, which also
// analyses what the cluster holds.
func BenchmarkEvaluateWithCluster(b *testing.B) {
	ev, err := LoadEvaluator("")
	if err != nil {
		b.Fatal(err)
	}
	state := fixedState{bootstrapSnapshot(b)}
	rb := []byte(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"ci","namespace":"team-a"},` +
		`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"ServiceAccount","name":"ci","namespace":"team-a"}]}`)
	dep, _ := os.ReadFile("testdata/restricted-deployment.json")
	for name, obj := range map[string][]byte{"rolebinding": rb, "deployment": dep} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ev.Evaluate(Input{Operation: "CREATE", Object: obj, Now: time.Now()}, state); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("rolebinding-after-change", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			changed := fixedState{&Snapshot{Generation: 2, Objects: state.snap.Objects}}
			if _, err := ev.Evaluate(Input{Operation: "CREATE", Object: rb, Now: time.Now()}, changed); err != nil {
				b.Fatal(err)
			}
		}
	})
}
