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
	harmless := []string{
		`{apiGroups: [""], resources: [pods], verbs: [get, list, watch]}`,
		`{apiGroups: [""], resources: [configmaps], verbs: [get, list, create, update]}`,
		`{apiGroups: [apps], resources: [deployments], verbs: [get, list]}`,
		`{apiGroups: [""], resources: [services], verbs: [get]}`,
		`{apiGroups: [batch], resources: [jobs], verbs: [get, list]}`,
	}
	risky := []string{
		`{apiGroups: [""], resources: [pods], verbs: [create]}`,
		`{apiGroups: [""], resources: [pods/exec], verbs: [create]}`,
		`{apiGroups: [""], resources: [secrets], verbs: [list]}`,
		`{apiGroups: [apps], resources: [deployments], verbs: [patch]}`,
		`{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [sa-3]}`,
		`{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, patch]}`,
	}
	for n := 0; n < namespaces; n++ {
		var b strings.Builder
		ns := fmt.Sprintf("ns-%04d", n)
		for s := 0; s < 8; s++ {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa-%d, namespace: %s}\n", s, ns)
			if s < 4 {
				fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-%d, namespace: %s}\n"+
					"spec:\n  template:\n    spec:\n      serviceAccountName: sa-%d\n      containers: [{name: app, image: example/app:1}]\n", s, ns, s)
			}
		}
		for r := 0; r < 8; r++ {
			rules := []string{harmless[rng.IntN(len(harmless))], harmless[rng.IntN(len(harmless))]}
			if rng.IntN(10) == 0 {
				rules = append(rules, risky[rng.IntN(len(risky))])
			}
			fmt.Fprintf(&b, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: role-%d, namespace: %s}\nrules:\n", r, ns)
			for _, rl := range rules {
				fmt.Fprintf(&b, "  - %s\n", rl)
			}
			refKind, refName := "Role", fmt.Sprintf("role-%d", r)
			if r == 7 {
				refKind, refName = "ClusterRole", []string{"view", "edit", "shared-0"}[rng.IntN(3)]
			}
			subjectNS := ns
			if rng.IntN(20) == 0 {
				subjectNS = fmt.Sprintf("ns-%04d", rng.IntN(namespaces))
			}
			fmt.Fprintf(&b, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb-%d, namespace: %s}\n"+
				"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: %s, name: %s}\nsubjects:\n  - {kind: ServiceAccount, name: sa-%d, namespace: %s}\n",
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
			fmt.Fprintf(&b, "aggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {tier: %q}\n", fmt.Sprint(c%10))
			rbacObjects++
			continue
		}
		fmt.Fprintf(&b, "rules:\n  - %s\n  - {apiGroups: [example.com], resources: [widgets%d], verbs: [get, list]}\n", harmless[c%len(harmless)], c)
		rbacObjects++
	}
	for c := 0; c < clusterObjects-clusterRoles; c++ {
		ref := fmt.Sprintf("shared-%d", rng.IntN(clusterRoles))
		if c%200 == 0 {
			ref = "cluster-admin"
		}
		fmt.Fprintf(&b, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb-%d}\n"+
			"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}\nsubjects:\n  - {kind: ServiceAccount, name: sa-%d, namespace: ns-%04d}\n",
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
func BenchmarkCheckSet(b *testing.B) {
	files, _ := synthetic(10000)
	c := New(DefaultConfig())
	var hits []rule.Hit
	for b.Loop() {
		b.StopTimer()
		objs := parse(files) // fresh objects: the YAML trees are part of the cost
		b.StartTimer()
		hits = c.CheckSet(objs)
	}
	b.ReportMetric(float64(len(hits)), "findings")
}

// TestScale guards against a complexity regression: the check must stay
// well under a second on 10,000 roles and bindings. The bound is loose so
// a busy CI machine does not fail it; a quadratic blow-up would.
func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	files, n := synthetic(10000)
	if n != 10000 {
		t.Fatalf("generated %d roles and bindings", n)
	}
	objs := parse(files)
	start := time.Now()
	hits := New(DefaultConfig()).CheckSet(objs)
	elapsed := time.Since(start)
	byRule := map[string]int{}
	for _, h := range hits {
		byRule[h.Rule]++
	}
	t.Logf("%d objects, %d findings %v, %v", len(objs), len(hits), byRule, elapsed)
	if byRule[escalationPath.Meta.ID] == 0 || byRule[workloadToken.Meta.ID] == 0 {
		t.Error("the synthetic repository should contain escalation paths and powerful tokens")
	}
	if elapsed > 2*time.Second && !raceEnabled {
		t.Errorf("the permission check took %v", elapsed)
	}
}
