package rbac

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// describe renders everything a graph answers, internals included (edges
// and pools, which every path search reads), so that two graphs describe
// the same way exactly when no caller can tell them apart.
func describe(g *Graph) string {
	var b strings.Builder
	role := func(r *Role) string {
		if r == nil {
			return "<nil>"
		}
		return r.String()
	}
	grant := func(gr Grant) string {
		var through []string
		for _, t := range gr.Rule.Through {
			through = append(through, t.String())
		}
		return fmt.Sprintf("%s via=%q ns=%q %s %s rule=%s[%d] through=%v src=%v", gr.Subject, gr.Via, gr.Namespace,
			gr.Binding, role(gr.Role), role(gr.Rule.Origin), gr.Rule.Index, through, gr.Binding.Source)
	}
	for _, r := range g.Roles() {
		fmt.Fprintf(&b, "role %s builtin=%v labels=%v src=%v\n", r, r.Builtin, r.Labels, r.Source)
		for _, rule := range r.Rules {
			fmt.Fprintf(&b, "  rule %s[%d] %v through=%d\n", role(rule.Origin), rule.Index, rule.PolicyRule.String(), len(rule.Through))
		}
	}
	for _, bd := range g.Bindings() {
		fmt.Fprintf(&b, "binding %s ref=%v subjects=%v role=%s builtin=%v src=%v\n", bd, bd.RoleRef, bd.Subjects, role(bd.Role), bd.Builtin, bd.Source)
	}
	for _, p := range g.Problems() {
		var bd string
		if p.Binding != nil {
			bd = fmt.Sprintf("%s subjects=%v role=%s", p.Binding, p.Binding.Subjects, role(p.Binding.Role))
		}
		fmt.Fprintf(&b, "problem %s %q role=%s binding=%s src=%v\n", p.Kind, p.Message, role(p.Role), bd, p.Source)
	}
	for _, gr := range g.WhoCan(Request{Verb: "get", Resource: "secrets", Namespace: "kube-system"}) {
		fmt.Fprintf(&b, "who-can %s\n", grant(gr))
	}
	subjects := append(g.Subjects(), g.EntryPoints()...)
	subjects = append(subjects, ServiceAccountSubject("nobody-knows", "me"), UserSubject("stranger"))
	for _, s := range subjects {
		fmt.Fprintf(&b, "subject %s\n", s)
		for _, gr := range g.Effective(s) {
			fmt.Fprintf(&b, "  grant %s\n", grant(gr))
		}
		for _, p := range g.Paths(s) {
			fmt.Fprintf(&b, "  path %s\n", p)
			for _, st := range p.Steps {
				for _, gr := range st.Grants {
					fmt.Fprintf(&b, "    evidence %s\n", grant(gr))
				}
			}
		}
	}
	ids := &g.ids
	for i, s := range ids.nodes {
		fmt.Fprintf(&b, "node %d %s\n", i, s)
		if i < len(ids.edges) {
			for _, e := range ids.edges[i] {
				to := "pool " + fmt.Sprint(e.pool)
				if e.to >= 0 {
					to = ids.nodes[e.to].String()
				} else {
					to = ids.pools[e.pool].name
				}
				fmt.Fprintf(&b, "  edge %s -> %s (%d grants)\n", e.kind, to, len(e.grants))
			}
		}
	}
	for _, p := range ids.pools {
		var members []string
		for _, m := range p.members {
			members = append(members, ids.nodes[m].String())
		}
		fmt.Fprintf(&b, "pool %s %v\n", p.name, members)
	}
	return b.String()
}

func roleBinding(ns, name, refKind, ref string, subjects ...rbacv1.Subject) rbacv1.RoleBinding {
	return rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: refKind, Name: ref}, Subjects: subjects}
}

func serviceAccount(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

// edits are the changes an admission request makes to the cluster's RBAC,
// and a few a request cannot make, which Rebuild must get right all the
// same.
var edits = []struct {
	name string
	edit func(in Input) Input
}{
	{"unchanged", func(in Input) Input { return in }},
	{"RoleBinding of a new ServiceAccount to edit", func(in Input) Input {
		in.RoleBindings = prepend(in.RoleBindings, roleBinding("team-a", "ci", "ClusterRole", "edit", serviceAccount("team-a", "ci")), "request")
		return in
	}},
	{"RoleBinding of system:authenticated to a role that creates pods", func(in Input) Input {
		in.RoleBindings = prepend(in.RoleBindings, roleBinding("kube-system", "everyone", "ClusterRole", "admin", group(Authenticated)), "request")
		return in
	}},
	{"RoleBinding to a missing role with an invalid subject", func(in Input) Input {
		in.RoleBindings = prepend(in.RoleBindings, roleBinding("", "odd", "Role", "missing",
			rbacv1.Subject{Kind: "Robot", Name: "r2"}, rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice"}), "request")
		return in
	}},
	{"ClusterRoleBinding to cluster-admin", func(in Input) Input {
		crb := rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "break-glass"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects: []rbacv1.Subject{serviceAccount("ops", "oncall"), {Kind: rbacv1.UserKind, Name: "bob"}}}
		in.ClusterRoleBindings = prepend(in.ClusterRoleBindings, crb, "request")
		return in
	}},
	{"ClusterRoleBinding that replaces the built-in cluster-admin binding", func(in Input) Input {
		crb := rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
			Subjects: []rbacv1.Subject{group(Masters)}}
		in.ClusterRoleBindings = prepend(in.ClusterRoleBindings, crb, "request")
		return in
	}},
	{"every binding removed", func(in Input) Input {
		in.RoleBindings, in.ClusterRoleBindings = nil, nil
		return in
	}},
	{"first and last binding removed", func(in Input) Input {
		if n := len(in.RoleBindings); n > 0 {
			in.RoleBindings = in.RoleBindings[1 : n-n/2]
		}
		if n := len(in.ClusterRoleBindings); n > 0 {
			in.ClusterRoleBindings = in.ClusterRoleBindings[:n-1]
		}
		return in
	}},
	{"binding replaced by a new version", func(in Input) Input {
		if len(in.RoleBindings) == 0 {
			return in
		}
		rbs := append([]Sourced[rbacv1.RoleBinding](nil), in.RoleBindings...)
		v2 := rbs[0].Object
		v2.RoleRef = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"}
		rbs[0] = Sourced[rbacv1.RoleBinding]{Object: v2, Source: "request"}
		in.RoleBindings = rbs
		return in
	}},
	{"duplicate of an existing binding first", func(in Input) Input {
		if len(in.RoleBindings) == 0 {
			return in
		}
		dup := in.RoleBindings[len(in.RoleBindings)-1].Object
		dup.Subjects = []rbacv1.Subject{serviceAccount(dup.Namespace, "intruder")}
		in.RoleBindings = prepend(in.RoleBindings, dup, "request")
		return in
	}},
	{"existing binding listed twice", func(in Input) Input {
		if len(in.RoleBindings) == 0 {
			return in
		}
		in.RoleBindings = append(append([]Sourced[rbacv1.RoleBinding](nil), in.RoleBindings...), in.RoleBindings[0])
		return in
	}},
	{"binding without a Source", func(in Input) Input {
		in.RoleBindings = prepend(in.RoleBindings, roleBinding("team-b", "nil-source", "ClusterRole", "view", group("devs")), nil)
		return in
	}},
	{"ServiceAccount and workload added", func(in Input) Input {
		in.ServiceAccounts = append(append([]ServiceAccount(nil), in.ServiceAccounts...), ServiceAccount{Namespace: "kube-system", Name: "new", Source: "request"})
		in.Workloads = append(append([]Workload(nil), in.Workloads...), Workload{Namespace: "team-c", ServiceAccountName: "runner", Source: "request"})
		return in
	}},
	{"ClusterRole added (roles built again)", func(in Input) Input {
		cr := rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "feeds-view", Labels: map[string]string{aggregateToView: "true"}},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list"}}}}
		in.ClusterRoles = append([]Sourced[rbacv1.ClusterRole]{{Object: cr, Source: "request"}}, in.ClusterRoles...)
		return in
	}},
	{"Role replaced (roles built again)", func(in Input) Input {
		if len(in.Roles) == 0 {
			return in
		}
		roles := append([]Sourced[rbacv1.Role](nil), in.Roles...)
		v2 := roles[0].Object
		v2.Rules = []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}
		roles[0] = Sourced[rbacv1.Role]{Object: v2, Source: "request"}
		in.Roles = roles
		return in
	}},
	{"built-in roles left out", func(in Input) Input {
		in.OmitBuiltins = true
		return in
	}},
}

func prepend[T any](list []Sourced[T], obj T, source any) []Sourced[T] {
	return append([]Sourced[T]{{Object: obj, Source: source}}, list...)
}

// TestRebuildIsBuild checks that a graph rebuilt from an earlier one is the
// graph built from scratch, for every fixture and every kind of edit, and
// again when rebuilt from a rebuilt graph.
func TestRebuildIsBuild(t *testing.T) {
	files, _ := filepath.Glob("testdata/paths/*.yaml")
	files = append(files, "testdata/graph/bindings.yaml")
	inputs := map[string]Input{"generated": generate(400)}
	for _, f := range files {
		if !strings.HasSuffix(f, ".expected.yaml") {
			inputs[filepath.Base(f)] = loadInput(t, f)
		}
	}
	for name, in := range inputs {
		base := Build(in)
		for _, e := range edits {
			t.Run(name+"/"+e.name, func(t *testing.T) {
				changed := e.edit(in)
				want := describe(Build(changed))
				if got := describe(base.Rebuild(changed)); got != want {
					t.Fatalf("Rebuild differs from Build:\n%s", firstDiff(got, want))
				}
				if got := describe(base.Rebuild(changed).Rebuild(in)); got != describe(Build(in)) {
					t.Fatalf("Rebuild back to the earlier input differs from Build:\n%s", firstDiff(got, describe(Build(in))))
				}
			})
		}
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}

// TestRebuildReusesRoles checks that Rebuild does the work it promises to
// skip: the roles of a binding-only change are the earlier graph's.
func TestRebuildReusesRoles(t *testing.T) {
	in := loadInput(t, "testdata/graph/bindings.yaml")
	base := Build(in)
	for _, tc := range []struct {
		name  string
		edit  func(Input) Input
		reuse bool
	}{
		{"binding added", edits[1].edit, true},
		{"role added", edits[len(edits)-3].edit, false},
		{"no Sources", func(in Input) Input {
			roles := append([]Sourced[rbacv1.ClusterRole](nil), in.ClusterRoles...)
			roles[0].Source = nil
			in.ClusterRoles = roles
			return in
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := base.Rebuild(tc.edit(in))
			if got := g.ClusterRole("edit") == base.ClusterRole("edit"); got != tc.reuse {
				t.Fatalf("roles reused: %v, want %v", got, tc.reuse)
			}
		})
	}
}
