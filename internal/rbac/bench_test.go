package rbac

import (
	"fmt"
	"math/rand/v2"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// generate builds a synthetic repository of about objects roles and
// bindings, shaped like a large multi-tenant platform: namespaces with a
// handful of ServiceAccounts, Roles and RoleBindings each (mostly
// harmless, some able to create pods, exec, read Secrets, mint tokens,
// bind), shared ClusterRoles (some aggregated, some feeding view and
// edit) and ClusterRoleBindings, a few of them to cluster-admin.
func generate(objects int) Input {
	rng := rand.New(rand.NewPCG(1, 2))
	var in Input
	const perNS = 16 // 8 Roles + 8 RoleBindings
	namespaces := objects * 8 / 10 / perNS
	clusterObjects := objects - namespaces*perNS
	nsName := func(i int) string { return fmt.Sprintf("ns-%04d", i) }
	rule := func(group, resource string, verbs ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, Verbs: verbs}
	}
	harmless := []rbacv1.PolicyRule{
		rule("", "pods", "get", "list", "watch"), rule("", "configmaps", "get", "list", "create", "update"),
		rule("apps", "deployments", "get", "list"), rule("", "services", "get"), rule("batch", "jobs", "get", "list"),
	}
	risky := []rbacv1.PolicyRule{
		rule("", "pods", "create"), rule("", "pods/exec", "create"), rule("", "secrets", "list"),
		rule("apps", "deployments", "patch"), rule("", "pods/ephemeralcontainers", "patch"),
		{APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: []string{"create"}, ResourceNames: []string{"sa-3"}},
	}
	for n := 0; n < namespaces; n++ {
		ns := nsName(n)
		for s := 0; s < 8; s++ {
			in.ServiceAccounts = append(in.ServiceAccounts, ServiceAccount{Namespace: ns, Name: fmt.Sprintf("sa-%d", s), Source: len(in.ServiceAccounts)})
			if s < 4 {
				in.Workloads = append(in.Workloads, Workload{Namespace: ns, ServiceAccountName: fmt.Sprintf("sa-%d", s)})
			}
		}
		for r := 0; r < 8; r++ {
			rules := []rbacv1.PolicyRule{harmless[rng.IntN(len(harmless))], harmless[rng.IntN(len(harmless))]}
			if rng.IntN(10) == 0 {
				rules = append(rules, risky[rng.IntN(len(risky))])
			}
			name := fmt.Sprintf("role-%d", r)
			in.Roles = append(in.Roles, Sourced[rbacv1.Role]{rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rules}, len(in.Roles)})
			ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}
			if r == 7 {
				ref = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: []string{"view", "edit", "shared-0"}[rng.IntN(3)]}
			}
			subject := rbacv1.Subject{Kind: "ServiceAccount", Name: fmt.Sprintf("sa-%d", rng.IntN(8)), Namespace: ns}
			if rng.IntN(20) == 0 { // cross-namespace grant
				subject.Namespace = nsName(rng.IntN(namespaces))
			}
			in.RoleBindings = append(in.RoleBindings, Sourced[rbacv1.RoleBinding]{rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("rb-%d", r), Namespace: ns}, RoleRef: ref,
				Subjects: []rbacv1.Subject{subject}}, len(in.RoleBindings)})
		}
	}
	clusterRoles := clusterObjects / 2
	for c := 0; c < clusterRoles; c++ {
		cr := rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("shared-%d", c), Labels: map[string]string{"tier": fmt.Sprint(c % 10)}},
			Rules: []rbacv1.PolicyRule{harmless[c%len(harmless)], rule("example.com", fmt.Sprintf("widgets%d", c), "get", "list")}}
		switch {
		case c%100 == 1:
			cr.Labels["rbac.authorization.k8s.io/aggregate-to-view"] = "true"
		case c%50 == 2:
			cr.Rules = nil
			cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": fmt.Sprint(c % 10)}}}}
		}
		in.ClusterRoles = append(in.ClusterRoles, Sourced[rbacv1.ClusterRole]{cr, c})
	}
	for c := 0; c < clusterObjects-clusterRoles; c++ {
		ref := fmt.Sprintf("shared-%d", rng.IntN(clusterRoles))
		if c%200 == 0 {
			ref = "cluster-admin"
		}
		ns := nsName(rng.IntN(namespaces))
		in.ClusterRoleBindings = append(in.ClusterRoleBindings, Sourced[rbacv1.ClusterRoleBinding]{rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("crb-%d", c)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ref},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: fmt.Sprintf("sa-%d", rng.IntN(8)), Namespace: ns}}}, c})
	}
	return in
}

func buildAndSearch(in Input) (paths, admin int) {
	g := Build(in)
	for _, e := range g.EntryPoints() {
		ps := g.Paths(e)
		paths += len(ps)
		for _, p := range ps {
			if p.To == ClusterAdmin {
				admin++
			}
		}
	}
	return paths, admin
}

// BenchmarkBuildAndPaths: Build over 10,000 roles and bindings, then Paths
// from every entry point.
func BenchmarkBuildAndPaths(b *testing.B) {
	in := generate(10000)
	var paths, admin int
	for b.Loop() {
		paths, admin = buildAndSearch(in)
	}
	b.ReportMetric(float64(paths), "paths")
	b.ReportMetric(float64(admin), "entries-to-admin")
}

func BenchmarkBuild(b *testing.B) {
	in := generate(10000)
	for b.Loop() {
		Build(in)
	}
}

// TestScale guards against a complexity regression: the benchmark's work
// must stay well under a second. The bound is loose so that a busy CI
// machine does not fail it; a quadratic blow-up would.
func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	in := generate(10000)
	n := len(in.Roles) + len(in.ClusterRoles) + len(in.RoleBindings) + len(in.ClusterRoleBindings)
	if n != 10000 {
		t.Fatalf("generated %d roles and bindings", n)
	}
	// Speed is measured by the benchmarks above, not asserted here: a busy
	// machine must not fail the suite.
	paths, admin := buildAndSearch(in)
	t.Logf("%d objects, %d paths, %d entry points reach cluster-admin", n, paths, admin)
	if admin == 0 || paths == 0 {
		t.Error("the generated repository should contain escalation paths")
	}
}
