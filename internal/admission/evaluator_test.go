package admission

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
)

// adminCheck is a whole-set rule for the tests: a ServiceAccount bound to
// cluster-admin is reported on the account and on the binding, and a
// ServiceAccount labelled guarded=true needs a RoleBinding to the "guard"
// role in its namespace.
type adminCheck struct{}

var adminMeta = &rule.Meta{ID: "BW-TS-001", Name: "test-admin-account", Title: "Service account is cluster admin",
	Severity: rule.High, Category: rule.Permissions, Why: "A test rule that needs bindings and accounts together to decide.",
	Remediation: "Bind a narrower role.", References: []string{"https://kubernetes.io/docs/reference/access-authn-authz/rbac/"}}

func (adminCheck) Rules() []*rule.Meta { return []*rule.Meta{adminMeta} }
func (adminCheck) Kinds() []string     { return []string{"RoleBinding", "ServiceAccount"} }
func (adminCheck) CheckSet(objs []*manifest.Object) []rule.Hit {
	admins, guarded := map[string]bool{}, map[string]bool{}
	var hits []rule.Hit
	for _, o := range objs {
		if o.Kind != "RoleBinding" {
			continue
		}
		role := o.String("roleRef.name")
		for i := 0; ; i++ {
			name := o.String(fmt.Sprintf("subjects[%d].name", i))
			if name == "" {
				break
			}
			key := o.Namespace() + "/" + name
			if role == "cluster-admin" {
				admins[key] = true
				hits = append(hits, rule.Hit{Rule: adminMeta.ID, Object: o, Path: "roleRef.name", Message: "binds " + key + " to cluster-admin"})
			}
			if role == "guard" {
				guarded[o.Namespace()] = true
			}
		}
	}
	for _, o := range objs {
		if o.Kind != "ServiceAccount" {
			continue
		}
		if admins[o.Namespace()+"/"+o.Name()] {
			hits = append(hits, rule.Hit{Rule: adminMeta.ID, Object: o, Message: "is cluster-admin"})
		}
		if o.String("metadata.labels.guarded") == "true" && !guarded[o.Namespace()] {
			hits = append(hits, rule.Hit{Rule: adminMeta.ID, Object: o, Message: "lost its guard binding"})
		}
	}
	return hits
}

type fixedState struct{ snap *Snapshot }

func (s fixedState) Snapshot() *Snapshot { return s.snap }

func snapshotOf(t testing.TB, docs ...string) *Snapshot {
	t.Helper()
	s := &Snapshot{Generation: 1}
	for _, d := range docs {
		o, err := ClusterObject([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		s.Objects = append(s.Objects, o)
	}
	return s
}

func sa(ns, name, labels string) string {
	return fmt.Sprintf(`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":%q,"namespace":%q,"labels":{%s}}}`, name, ns, labels)
}

func binding(ns, name, role, subject string) string {
	return fmt.Sprintf(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":%q,"namespace":%q},`+
		`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":%q},`+
		`"subjects":[{"kind":"ServiceAccount","name":%q,"namespace":%q}]}`, name, ns, role, subject, ns)
}

func setEvaluator(t testing.TB) *Evaluator {
	t.Helper()
	base, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	reg, err := rule.NewRegistry(base.ObjectChecks(), []rule.SetCheck{adminCheck{}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := newEvaluator(policy.Default(), reg)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func blocked(res Result) []string {
	var out []string
	for _, f := range res.Decision.Findings {
		if f.Action == rule.Block {
			out = append(out, f.ID+" "+findingWhere(f)+" "+f.Message)
		}
	}
	return out
}

func TestWholeSetRulesUseClusterState(t *testing.T) {
	ev := setEvaluator(t)
	now := time.Now()
	cluster := fixedState{snapshotOf(t,
		sa("ci", "deployer", ""),
		sa("ops", "old-admin", ""),
		binding("ops", "legacy", "cluster-admin", "old-admin"),
		sa("prod", "app", `"guarded":"true"`),
		binding("prod", "guard", "guard", "app"),
	)}

	// A new binding that makes an existing account cluster-admin: blocked,
	// reported on the binding and on the account it empowers.
	res, err := ev.Evaluate(Input{Operation: "CREATE", Object: []byte(binding("ci", "promote", "cluster-admin", "deployer")), Now: now}, cluster)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(blocked(res), "\n")
	if res.Decision.Verdict != policy.Block || !strings.Contains(got, "roleRef.name binds ci/deployer") ||
		!strings.Contains(got, "ServiceAccount ci/deployer is cluster-admin") {
		t.Fatalf("verdict %s, blocked:\n%s", res.Decision.Verdict, got)
	}
	msg := DenyMessage(res, "sha256:x")
	if !strings.Contains(msg, "BW-TS-001 at ServiceAccount ci/deployer") {
		t.Errorf("deny message does not name the other object: %s", msg)
	}
	// Without the cluster's objects the account would not be seen.
	res, _ = ev.Evaluate(Input{Operation: "CREATE", Object: []byte(binding("ci", "promote", "cluster-admin", "deployer")), Now: now}, nil)
	if len(blocked(res)) != 1 {
		t.Fatalf("without cluster state: %v", blocked(res))
	}

	// An unrelated binding is not blamed for what the cluster already had.
	res, _ = ev.Evaluate(Input{Operation: "CREATE", Object: []byte(binding("ci", "viewer", "view", "deployer")), Now: now}, cluster)
	if res.Decision.Verdict == policy.Block {
		t.Fatalf("unrelated binding blocked: %v", blocked(res))
	}

	// UPDATE of the existing admin binding is judged on its new content: the
	// cached old version does not count twice, and its own finding stays.
	res, _ = ev.Evaluate(Input{Operation: "UPDATE", Object: []byte(binding("ops", "legacy", "cluster-admin", "old-admin")), Now: now}, cluster)
	if len(blocked(res)) != 1 || !strings.Contains(blocked(res)[0], "roleRef.name") {
		t.Fatalf("update of an existing binding: %v", blocked(res))
	}
	res, _ = ev.Evaluate(Input{Operation: "UPDATE", Object: []byte(binding("ops", "legacy", "view", "old-admin")), Now: now}, cluster)
	if res.Decision.Verdict == policy.Block {
		t.Fatalf("fixing a binding blocked: %v", blocked(res))
	}

	// DELETE of the guard binding exposes the guarded account.
	res, _ = ev.Evaluate(Input{Operation: "DELETE", Namespace: "prod", Object: []byte(binding("prod", "guard", "guard", "app")), Now: now}, cluster)
	if got := blocked(res); len(got) != 1 || !strings.Contains(got[0], "lost its guard binding") {
		t.Fatalf("delete of the guard binding: %v", got)
	}
	// DELETE of anything else changes nothing.
	res, _ = ev.Evaluate(Input{Operation: "DELETE", Namespace: "ci", Object: []byte(sa("ci", "deployer", "")), Now: now}, cluster)
	if res.Decision.Verdict == policy.Block {
		t.Fatalf("delete of an account blocked: %v", blocked(res))
	}
}

func TestEvaluatorConcurrentRequests(t *testing.T) {
	ev := setEvaluator(t)
	cluster := fixedState{snapshotOf(t, sa("ci", "deployer", ""), binding("ops", "legacy", "cluster-admin", "old-admin"))}
	objs := [][]byte{
		[]byte(binding("ci", "promote", "cluster-admin", "deployer")),
		[]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ci"},"spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}`),
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				res, err := ev.Evaluate(Input{Operation: "CREATE", Object: objs[(i+j)%2], Now: time.Now()}, cluster)
				if err != nil || res.Decision.Verdict != policy.Block {
					t.Errorf("verdict %s, err %v", res.Decision.Verdict, err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

// TestBusyWhenNoTurnInTime: when every turn at the whole-set rules is
// taken, a request waits only until the API server's deadline, then the
// webhook answers 429 so that the failure policy applies.
func TestBusyWhenNoTurnInTime(t *testing.T) {
	ev := setEvaluator(t)
	h := &Handler{Judge: NewJudge(ev), Metrics: NewMetrics(), State: fixedState{snapshotOf(t, sa("ci", "deployer", ""))}}
	for i := 0; i < cap(setTurns); i++ {
		setTurns <- struct{}{}
	}
	defer func() {
		for i := 0; i < cap(setTurns); i++ {
			<-setTurns
		}
	}()
	body := reviewBytes(t, []byte(binding("ci", "promote", "cluster-admin", "deployer")), reviewOpts{namespace: "ci"})
	req := httptest.NewRequest(http.MethodPost, "/validate?timeout=100ms", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests || time.Since(start) > time.Second {
		t.Fatalf("status %d after %s: %s", rec.Code, time.Since(start), rec.Body)
	}
	// Per-object requests do not wait for a turn.
	pod := []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ci"},"spec":{"containers":[{"name":"c","image":"x"}]}}`)
	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, "/validate?timeout=100ms", bytes.NewReader(reviewBytes(t, pod, reviewOpts{namespace: "ci"})))
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("pod: status %d", rec.Code)
	}
}
