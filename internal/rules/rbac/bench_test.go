package rbacrules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// synthetic writes a repository of objects roles and bindings as YAML,
// shaped like a large multi-tenant platform: namespaces with ServiceAccounts,
// Deployments, Roles and RoleBindings (mostly harmless, one in ten with a
// risky rule), shared ClusterRoles (some aggregated, some feeding view) and
// ClusterRoleBindings, a few of them to cluster-admin. It returns the
// files' contents and the number of roles and bindings written.
func synthetic(objects int) (files [][]byte, rbacObjects int) {
	rng := rand.New(rand.NewPCG(7, 11))
	const perNS = 16 // 8 Roles + 8 RoleBindings
	namespaces := objects * 8 / 10 / perNS
	clusterObjects := objects - namespaces*perNS
	// Block style, as people and Helm write RBAC.
	rule := func(group, resource string, verbs ...string) string {
		return fmt.Sprintf("apiGroups:\n      - %q\n    resources:\n      - %s\n    verbs:\n      - %s\n", group, resource, strings.Join(verbs, "\n      - "))
	}
	harmless := []string{
		rule("", "pods", "get", "list", "watch"),
		rule("", "configmaps", "get", "list", "create", "update"),
		rule("apps", "deployments", "get", "list"),
		rule("", "services", "get"),
		rule("batch", "jobs", "get", "list"),
	}
	risky := []string{
		rule("", "pods", "create"),
		rule("", "pods/exec", "create"),
		rule("", "secrets", "list"),
		rule("apps", "deployments", "patch"),
		rule("", "serviceaccounts/token", "create") + "    resourceNames:\n      - sa-3\n",
		rule("rbac.authorization.k8s.io", "roles", "escalate", "patch"),
	}
	for n := 0; n < namespaces; n++ {
		var b strings.Builder
		ns := fmt.Sprintf("ns-%04d", n)
		for s := 0; s < 8; s++ {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-%d\n  namespace: %s\n", s, ns)
			if s < 4 {
				fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\n  namespace: %s\n"+
					"spec:\n  template:\n    spec:\n      serviceAccountName: sa-%d\n      containers:\n        - name: app\n          image: example/app:1\n", s, ns, s)
			}
		}
		for r := 0; r < 8; r++ {
			rules := []string{harmless[rng.IntN(len(harmless))], harmless[rng.IntN(len(harmless))]}
			if rng.IntN(10) == 0 {
				rules = append(rules, risky[rng.IntN(len(risky))])
			}
			fmt.Fprintf(&b, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-%d\n  namespace: %s\nrules:\n", r, ns)
			for _, rl := range rules {
				fmt.Fprintf(&b, "  - %s", rl)
			}
			refKind, refName := "Role", fmt.Sprintf("role-%d", r)
			if r == 7 {
				refKind, refName = "ClusterRole", []string{"view", "edit", "shared-0"}[rng.IntN(3)]
			}
			subjectNS := ns
			if rng.IntN(20) == 0 {
				subjectNS = fmt.Sprintf("ns-%04d", rng.IntN(namespaces))
			}
			fmt.Fprintf(&b, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-%d\n  namespace: %s\n"+
				"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: %s\n  name: %s\nsubjects:\n  - kind: ServiceAccount\n    name: sa-%d\n    namespace: %s\n",
				r, ns, refKind, refName, rng.IntN(8), subjectNS)
			rbacObjects += 2
		}
		files = append(files, []byte(b.String()))
	}
	var b strings.Builder
	clusterRoles := clusterObjects / 2
	for c := 0; c < clusterRoles; c++ {
		fmt.Fprintf(&b, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: shared-%d\n  labels:\n    tier: %q\n", c, fmt.Sprint(c%10))
		switch {
		case c%100 == 1:
			b.WriteString("    rbac.authorization.k8s.io/aggregate-to-view: \"true\"\n")
		case c%50 == 2:
			fmt.Fprintf(&b, "aggregationRule:\n  clusterRoleSelectors:\n    - matchLabels:\n        tier: %q\n", fmt.Sprint(c%10))
			rbacObjects++
			continue
		}
		fmt.Fprintf(&b, "rules:\n  - %s  - %s", harmless[c%len(harmless)], rule("example.com", fmt.Sprintf("widgets%d", c), "get", "list"))
		rbacObjects++
	}
	for c := 0; c < clusterObjects-clusterRoles; c++ {
		ref := fmt.Sprintf("shared-%d", rng.IntN(clusterRoles))
		if c%200 == 0 {
			ref = "cluster-admin"
		}
		fmt.Fprintf(&b, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-%d\n"+
			"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: %s\nsubjects:\n  - kind: ServiceAccount\n    name: sa-%d\n    namespace: ns-%04d\n",
			c, ref, rng.IntN(8), rng.IntN(namespaces))
		rbacObjects++
	}
	return append(files, []byte(b.String())), rbacObjects
}

// parse splits the files into objects, as the engine's workers do; the
// YAML trees are built lazily, by the check.
func parse(files [][]byte) []*manifest.Object {
	kinds := map[string]bool{}
	for _, k := range Kinds() {
		kinds[k] = true
	}
	var objs []*manifest.Object
	for i, data := range files {
		for _, o := range manifest.Parse(fmt.Sprintf("f%d.yaml", i), data, nil).Objects {
			if kinds[o.Kind] {
				objs = append(objs, o)
			}
		}
	}
	return objs
}

// BenchmarkCheckSet: the whole permission check (decode, resolve,
// aggregate, every rule, escalation paths from every identity) over 10,000
// roles and bindings, plus 4,000 ServiceAccounts and 2,000 Deployments.
//
// Besides wall time it reports CPU time per operation (user + system, all
// threads), which a shared, busy machine disturbs far less.
func BenchmarkCheckSet(b *testing.B) {
	files, _ := synthetic(10000)
	c := New(DefaultConfig())
	var hits []rule.Hit
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		objs := parse(files) // fresh objects: the YAML trees are part of the cost
		before := cpuTime()
		b.StartTimer()
		hits = c.CheckSet(objs)
		b.StopTimer()
		cpu += cpuTime() - before
		b.StartTimer()
	}
	b.ReportMetric(float64(len(hits)), "findings")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkCheckSetParsed is the same check on objects whose YAML trees are
// already built, as workloads' are in a scan once the pod checks have run:
// what remains is the typed decode and the analysis itself.
func BenchmarkCheckSetParsed(b *testing.B) {
	files, _ := synthetic(10000)
	c := New(DefaultConfig())
	objs := parse(files)
	c.CheckSet(objs)
	for b.Loop() {
		c.CheckSet(objs)
	}
}

// TestScale runs the benchmark's repository of 10,000 roles and bindings
// through the check and asserts what it finds; BenchmarkCheckSet measures
// how fast.
func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	files, n := synthetic(10000)
	if n != 10000 {
		t.Fatalf("generated %d roles and bindings", n)
	}
	objs := parse(files)
	// Speed is measured by the benchmark, not asserted: a busy machine must
	// not fail the suite.
	hits := New(DefaultConfig()).CheckSet(objs)
	byRule := map[string]int{}
	for _, h := range hits {
		byRule[h.Rule]++
	}
	t.Logf("%d objects, %d findings %v", len(objs), len(hits), byRule)
	if byRule[escalationPath.Meta.ID] == 0 || byRule[workloadToken.Meta.ID] == 0 {
		t.Error("the synthetic repository should contain escalation paths and powerful tokens")
	}
}
