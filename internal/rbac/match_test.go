package rbac

import (
	"os"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

func TestAllowsTable(t *testing.T) {
	data, err := os.ReadFile("testdata/match.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name    string            `json:"name"`
		Rule    rbacv1.PolicyRule `json:"rule"`
		Request Request           `json:"request"`
		Allowed bool              `json:"allowed"`
	}
	if err := yaml.UnmarshalStrict(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases decoded", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if got := Allows(&c.Rule, c.Request); got != c.Allowed {
				t.Errorf("Allows(%+v, %+v) = %v, want %v", c.Rule, c.Request, got, c.Allowed)
			}
		})
	}
}

// The helpers keep the upstream signatures; check the ones Allows does not
// exercise in isolation.
func TestResourceMatchesCombined(t *testing.T) {
	rule := &rbacv1.PolicyRule{Resources: []string{"*/scale"}}
	for _, c := range []struct {
		combined, sub string
		want          bool
	}{
		{"deployments/scale", "scale", true},
		{"deployments", "", false},
		{"deployments/status", "status", false},
	} {
		if got := ResourceMatches(rule, c.combined, c.sub); got != c.want {
			t.Errorf("ResourceMatches(*/scale, %q, %q) = %v", c.combined, c.sub, got)
		}
	}
	if !ResourceNameMatches(&rbacv1.PolicyRule{}, "") || ResourceNameMatches(&rbacv1.PolicyRule{ResourceNames: []string{"a"}}, "") {
		t.Error("ResourceNameMatches: empty list must allow the unnamed request and a list must not")
	}
}

func TestSubjects(t *testing.T) {
	for _, c := range []struct {
		in   rbacv1.Subject
		ns   string
		want string
		err  bool
	}{
		{rbacv1.Subject{Kind: "User", Name: "system:serviceaccount:ci:runner"}, "", "ServiceAccount:ci/runner", false},
		{rbacv1.Subject{Kind: "User", Name: "system:serviceaccount:ci"}, "", "User:system:serviceaccount:ci", false},
		{rbacv1.Subject{Kind: "User", Name: "alice"}, "", "User:alice", false},
		{rbacv1.Subject{Kind: "ServiceAccount", Name: "bot"}, "apps", "ServiceAccount:apps/bot", false},
		{rbacv1.Subject{Kind: "ServiceAccount", Name: "bot", Namespace: "x"}, "apps", "ServiceAccount:x/bot", false},
		{rbacv1.Subject{Kind: "ServiceAccount", Name: "bot"}, "", "", true},
		{rbacv1.Subject{Kind: "Robot", Name: "r2"}, "", "", true},
	} {
		got, err := SubjectOf(c.in, c.ns)
		if (err != nil) != c.err || (err == nil && got.String() != c.want) {
			t.Errorf("SubjectOf(%+v, %q) = %v, %v; want %s", c.in, c.ns, got, err, c.want)
		}
		if err == nil {
			back, err := ParseSubject(got.String())
			if err != nil || back != got {
				t.Errorf("ParseSubject(%q) = %v, %v", got.String(), back, err)
			}
		}
	}
	if g := ServiceAccountSubject("ci", "r").Groups(); len(g) != 3 || g[1] != "system:serviceaccounts:ci" {
		t.Errorf("ServiceAccount groups = %v", g)
	}
	if g := UserSubject(Anonymous).Groups(); len(g) != 1 || g[0] != Unauthenticated {
		t.Errorf("anonymous groups = %v", g)
	}
	if u := ServiceAccountSubject("ci", "r").Username(); u != "system:serviceaccount:ci:r" {
		t.Errorf("Username = %q", u)
	}
}
