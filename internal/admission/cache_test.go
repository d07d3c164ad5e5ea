package admission

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
)

// fromScratch hides a set check's base (rule.Rebaser), so the engine
// analyses every request from nothing: what the webhook did before it kept
// the cluster's analysis between requests.
type fromScratch struct{ rule.SetCheck }

// scratchEvaluator is the built-in policy with every whole-set check run
// from scratch.
func scratchEvaluator(t testing.TB) *Evaluator {
	t.Helper()
	pol := policy.Default()
	reg, err := rules.Registry(rules.Config{PSSLevel: pol.PodSecurity.Level, PSSVersion: pol.PodSecurity.Version})
	if err != nil {
		t.Fatal(err)
	}
	var sets []rule.SetCheck
	for _, c := range reg.SetChecks() {
		sets = append(sets, fromScratch{c})
	}
	plain, err := rule.NewRegistry(reg.ObjectChecks(), sets)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := newEvaluator(pol, plain)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func decisionText(res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s/%s verdict %s\n", res.Kind, res.Namespace, res.Name, res.Decision.Verdict)
	for _, f := range res.Decision.Findings {
		fmt.Fprintf(&b, "%s %s %s %s %s %+v %q evidence=%q fp=%s\n", f.ID, f.Severity, f.Action, findingWhere(f), f.Message, f.Location, f.Object.Name, f.Evidence, f.Fingerprint)
	}
	return b.String()
}

func clusterObject(t testing.TB, doc string) *manifest.Object {
	t.Helper()
	o, err := ClusterObject([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func clusterRole(name, labels string, rules ...string) string {
	return fmt.Sprintf(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":%q,"labels":{%s}},"rules":[%s]}`,
		name, labels, strings.Join(rules, ","))
}

func policyRule(resources, verbs string) string {
	return fmt.Sprintf(`{"apiGroups":[""],"resources":[%s],"verbs":[%s]}`, resources, verbs)
}

func roleBindingTo(ns, name, kind, role, subjects string) string {
	return fmt.Sprintf(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":%q,"namespace":%q},`+
		`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":%q,"name":%q},"subjects":[%s]}`, name, ns, kind, role, subjects)
}

func clusterRoleBindingTo(name, role, subjects string) string {
	return fmt.Sprintf(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":%q},`+
		`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":%q},"subjects":[%s]}`, name, role, subjects)
}

const (
	subjectCI            = `{"kind":"ServiceAccount","name":"ci","namespace":"team-a"}`
	subjectAuthenticated = `{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"system:authenticated"}`
	subjectDefault       = `{"kind":"ServiceAccount","name":"default","namespace":"kube-system"}`
)

// TestClusterAnalysisKeptMatchesFromScratch: the webhook keeps the
// cluster's decoded RBAC and graph between requests; every decision must
// be the one it made when it analysed the cluster afresh for each request.
func TestClusterAnalysisKeptMatchesFromScratch(t *testing.T) {
	kept, err := LoadEvaluator("")
	if err != nil {
		t.Fatal(err)
	}
	scratch := scratchEvaluator(t)
	snap := bootstrapSnapshot(t)
	// The bootstrap RBAC and, in a second snapshot, what a cluster in use
	// adds to it: a wildcard role, an aggregated one, accounts, bindings.
	used := &Snapshot{Generation: 2, Objects: append([]*manifest.Object(nil), snap.Objects...)}
	for _, d := range []string{
		clusterRole("ops-all", "", `{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}`),
		clusterRole("feeds-view", `"rbac.authorization.k8s.io/aggregate-to-view":"true"`, policyRule(`"secrets"`, `"list"`)),
		sa("team-a", "ci", ""),
		sa("team-b", "runner", ""),
		roleBindingTo("team-b", "runner-edit", "ClusterRole", "edit", `{"kind":"ServiceAccount","name":"runner","namespace":"team-b"}`),
	} {
		used.Objects = append(used.Objects, clusterObject(t, d))
	}
	requests := []struct {
		name      string
		operation string
		object    string
	}{
		{"RoleBinding to view", "CREATE", roleBindingTo("team-a", "ci-view", "ClusterRole", "view", subjectCI)},
		{"RoleBinding to edit", "CREATE", roleBindingTo("team-a", "ci-edit", "ClusterRole", "edit", subjectCI)},
		{"RoleBinding to admin for system:authenticated", "CREATE", roleBindingTo("kube-system", "all", "ClusterRole", "admin", subjectAuthenticated)},
		{"RoleBinding to a wildcard role", "CREATE", roleBindingTo("team-a", "ops", "ClusterRole", "ops-all", subjectCI)},
		{"RoleBinding to a missing Role", "CREATE", roleBindingTo("team-a", "ghost", "Role", "ghost", subjectCI)},
		{"RoleBinding of the default account", "CREATE", roleBindingTo("kube-system", "dflt", "ClusterRole", "edit", subjectDefault)},
		{"RoleBinding changed", "UPDATE", roleBindingTo("team-b", "runner-edit", "ClusterRole", "cluster-admin", `{"kind":"ServiceAccount","name":"runner","namespace":"team-b"}`)},
		{"RoleBinding deleted", "DELETE", roleBindingTo("team-b", "runner-edit", "ClusterRole", "edit", `{"kind":"ServiceAccount","name":"runner","namespace":"team-b"}`)},
		{"ClusterRoleBinding to cluster-admin", "CREATE", clusterRoleBindingTo("ci-admin", "cluster-admin", subjectCI)},
		{"bootstrap ClusterRoleBinding deleted", "DELETE", clusterRoleBindingTo("system:discovery", "system:discovery", subjectAuthenticated)},
		{"ClusterRole aggregated into view", "CREATE", clusterRole("more-view", `"rbac.authorization.k8s.io/aggregate-to-view":"true"`, policyRule(`"pods/exec"`, `"create"`))},
		{"ClusterRole changed", "UPDATE", clusterRole("edit", "", policyRule(`"pods"`, `"get"`))},
		{"ClusterRole changed to read secrets", "UPDATE", clusterRole("view", `"rbac.authorization.k8s.io/aggregate-to-edit":"true"`, policyRule(`"secrets"`, `"get","list"`))},
		{"Role changed to run pods", "UPDATE", `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"extension-apiserver-authentication-reader","namespace":"kube-system"},"rules":[` +
			policyRule(`"pods","pods/exec"`, `"create"`) + `]}`},
		{"ServiceAccount created", "CREATE", sa("team-c", "builder", "")},
		{"ServiceAccount deleted", "DELETE", sa("team-a", "ci", "")},
	}
	for _, s := range []*Snapshot{snap, used} {
		state := fixedState{s}
		for _, r := range requests {
			t.Run(fmt.Sprintf("%d objects/%s", len(s.Objects), r.name), func(t *testing.T) {
				in := Input{Operation: r.operation, Namespace: "team-a", Object: []byte(r.object), Now: time.Unix(1e9, 0)}
				want, err := scratch.Evaluate(in, state)
				if err != nil {
					t.Fatal(err)
				}
				got, err := kept.Evaluate(in, state)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := decisionText(got), decisionText(want); g != w {
					t.Fatalf("decision differs from the analysis from scratch:\n got: %s\nwant: %s", g, w)
				}
			})
		}
	}
}

// switchState is a cluster cache whose snapshot the test replaces, as an
// informer event does.
type switchState struct{ cur atomic.Pointer[Snapshot] }

func (s *switchState) Snapshot() *Snapshot { return s.cur.Load() }

// TestRoleBindingReviewFollowsTheCluster: what the webhook keeps of the
// cluster's RBAC must follow every change of the cache. The same
// RoleBinding is reviewed after each change, and its verdict must be the
// one the cluster as it now is gives.
func TestRoleBindingReviewFollowsTheCluster(t *testing.T) {
	ev, err := LoadEvaluator("")
	if err != nil {
		t.Fatal(err)
	}
	review := roleBindingTo("team-a", "ci-deploy", "ClusterRole", "deployer", subjectCI)
	harmless := clusterRole("deployer", "", policyRule(`"pods"`, `"get","list"`))
	risky := clusterRole("deployer", "", policyRule(`"pods"`, `"get","list"`), policyRule(`"secrets"`, `"get","list"`), `{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}`)
	account := sa("team-a", "ci", "")
	steps := []struct {
		name    string
		cluster []string
		verdict policy.Verdict
	}{
		{"harmless role", []string{harmless, account}, policy.Pass},
		{"role changed to grant everything", []string{risky, account}, policy.Block},
		{"role changed back", []string{harmless, account}, policy.Pass},
		{"role deleted: the binding dangles", []string{account}, policy.Warn},
		{"risky role created", []string{account, risky}, policy.Block},
		// The binding is already in the cluster (applied while the webhook
		// was down): its risk is the cluster's, not the request's.
		{"binding already there", []string{account, risky, review}, policy.Pass},
		{"binding deleted", []string{risky, account}, policy.Block},
	}
	state := &switchState{}
	for i, st := range steps {
		snap := &Snapshot{Generation: uint64(i + 1)}
		for _, d := range st.cluster {
			snap.Objects = append(snap.Objects, clusterObject(t, d))
		}
		state.cur.Store(snap)
		// Concurrent reviews on the fresh snapshot: the first derives what
		// the others wait for.
		var wg sync.WaitGroup
		verdicts := make([]policy.Verdict, 4)
		for j := range verdicts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := ev.Evaluate(Input{Operation: "CREATE", Object: []byte(review), Now: time.Now()}, state)
				if err != nil {
					t.Error(err)
				}
				verdicts[j] = res.Decision.Verdict
			}()
		}
		wg.Wait()
		for _, v := range verdicts {
			if v != st.verdict {
				t.Fatalf("step %d (%s): verdict %s, want %s", i, st.name, v, st.verdict)
			}
		}
	}
}
