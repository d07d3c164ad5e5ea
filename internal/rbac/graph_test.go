package rbac

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func subjectsOf(grants []Grant) []string {
	set := map[string]bool{}
	for _, g := range grants {
		set[g.Subject.String()] = true
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestWhoCan(t *testing.T) {
	g := Build(loadInput(t, "testdata/graph/bindings.yaml"))
	masters := "Group:system:masters"
	for _, c := range []struct {
		name string
		req  Request
		want []string
	}{
		{"RoleBinding to a ClusterRole grants in its namespace",
			Request{Verb: "get", Resource: "pods", Namespace: "team-a"},
			[]string{masters, "ServiceAccount:ops/monitor", "ServiceAccount:team-a/builder", "User:alice"}},
		{"and nowhere else",
			Request{Verb: "list", Resource: "pods", Namespace: "team-b"},
			[]string{masters, "ServiceAccount:ops/monitor"}},
		{"cluster-scoped resources only through ClusterRoleBindings",
			Request{Verb: "get", Resource: "nodes", Name: "n1"},
			[]string{masters, "ServiceAccount:ops/monitor"}},
		{"non-resource URLs only through ClusterRoleBindings",
			Request{Verb: "get", NonResourceURL: "/metrics"},
			[]string{masters, "ServiceAccount:ops/monitor"}},
		{"an unrestricted rule is not hidden by a restricted one",
			Request{Verb: "list", Resource: "secrets", Namespace: "team-a"},
			[]string{masters, "Group:system:serviceaccounts:team-a"}},
		{"resourceNames allow the named secret",
			Request{Verb: "get", Resource: "secrets", Namespace: "team-a", Name: "tls"},
			[]string{masters, "Group:system:serviceaccounts:team-a"}},
		{"and no other",
			Request{Verb: "get", Resource: "secrets", Namespace: "team-a", Name: "db"},
			[]string{masters}},
		{"verbs and resources of different rules do not combine",
			Request{Verb: "get", Resource: "services", Namespace: "team-a", Name: "web"},
			[]string{masters}},
		{"system:unauthenticated",
			Request{Verb: "get", NonResourceURL: "/version"},
			[]string{masters, "Group:system:unauthenticated"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := subjectsOf(g.WhoCan(c.req)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("WhoCan(%+v) = %v, want %v", c.req, got, c.want)
			}
		})
	}
}

func TestEffectiveAndCan(t *testing.T) {
	g := Build(loadInput(t, "testdata/graph/bindings.yaml"))
	builder := ServiceAccountSubject("team-a", "builder")
	var got []string
	for _, gr := range g.Effective(builder) {
		got = append(got, grantString(gr))
	}
	want := []string{
		"RoleBinding/team-a/reader -> ClusterRole/reader rules[0]",
		"RoleBinding/team-a/reader -> ClusterRole/reader rules[1]",
		"RoleBinding/team-a/reader -> ClusterRole/reader rules[2]",
		"RoleBinding/team-a/secrets -> Role/team-a/secrets rules[0] (group system:serviceaccounts:team-a)",
		"RoleBinding/team-a/secrets -> Role/team-a/secrets rules[1] (group system:serviceaccounts:team-a)",
		"RoleBinding/team-a/secrets -> Role/team-a/secrets rules[2] (group system:serviceaccounts:team-a)",
		"RoleBinding/team-a/secrets -> Role/team-a/secrets rules[3] (group system:serviceaccounts:team-a)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Effective(builder):\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The user form of a ServiceAccount is the ServiceAccount.
	if len(g.Effective(UserSubject("system:serviceaccount:ops:monitor"))) != 3 {
		t.Error("system:serviceaccount:ops:monitor should hold the three reader rules")
	}
	for _, c := range []struct {
		s    Subject
		req  Request
		want bool
	}{
		{builder, Request{Verb: "list", Resource: "secrets", Namespace: "team-a"}, true},
		{UserSubject("alice"), Request{Verb: "list", Resource: "secrets", Namespace: "team-a"}, false},
		{UserSubject(Anonymous), Request{Verb: "get", NonResourceURL: "/version"}, true},
		{UserSubject("alice"), Request{Verb: "get", NonResourceURL: "/version"}, false},
		{GroupSubject(Masters), Request{Verb: "delete", Resource: "nodes", Name: "n1"}, true},
	} {
		if got := g.Can(c.s, c.req); got != c.want {
			t.Errorf("Can(%s, %+v) = %v, want %v", c.s, c.req, got, c.want)
		}
	}
}

func TestProblems(t *testing.T) {
	g := Build(loadInput(t, "testdata/graph/bindings.yaml"))
	var got []string
	for _, p := range g.Problems() {
		got = append(got, string(p.Kind)+" "+p.Source.(string))
	}
	want := []string{
		"duplicate-object bindings.yaml#10",
		"invalid-role-ref bindings.yaml#6",
		"invalid-subject bindings.yaml#7",
		"dangling-role-ref bindings.yaml#7",
		"dangling-role-ref bindings.yaml#5",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Problems = %q, want %q", got, want)
	}
	for _, b := range g.Bindings() {
		if b.Name == "nobody-wrote-this-role" && (b.Role != nil || len(b.Subjects) != 0) {
			t.Errorf("dangling binding resolved: %+v", b)
		}
	}
}

func TestBuiltinsResolve(t *testing.T) {
	in := loadInput(t, "testdata/paths/aggregated-secrets.yaml")
	if g := Build(in); g.ClusterRole("view") == nil || len(g.ClusterRole("view").Rules) == 0 {
		t.Fatal("builtin view missing or empty")
	}
	in.OmitBuiltins = true
	g := Build(in)
	dangling := 0
	for _, p := range g.Problems() {
		if p.Kind == DanglingRoleRef {
			dangling++
		}
	}
	if g.ClusterRole("view") != nil || dangling == 0 {
		t.Errorf("without builtins a binding to view dangles; got %d dangling", dangling)
	}
}
