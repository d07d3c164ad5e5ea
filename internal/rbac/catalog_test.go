package rbac

import (
	"os"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

type riskCase struct {
	Name       string            `json:"name"`
	Rule       rbacv1.PolicyRule `json:"rule"`
	Namespaced bool              `json:"namespaced"`
	Want       []string          `json:"want"`
}

func loadRiskCases(t *testing.T) []riskCase {
	t.Helper()
	data, err := os.ReadFile("testdata/risks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []riskCase
	if err := yaml.UnmarshalStrict(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestRisks(t *testing.T) {
	for _, c := range loadRiskCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			var found []Risk
			if c.Namespaced {
				g := &Grant{Namespace: "team", Rule: &Rule{PolicyRule: c.Rule}}
				found = g.Risks()
			} else {
				found = Risks(c.Rule)
			}
			got := []string{}
			for _, r := range found {
				got = append(got, r.ID)
			}
			want := c.Want
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Risks(%+v)\n got %q\nwant %q", c.Rule, got, want)
			}
		})
	}
}

// Like the fixture matrix of the rules: an entry without a case that hits
// it fails the build.
func TestCatalogComplete(t *testing.T) {
	if err := ValidateCatalog(Catalog()); err != nil {
		t.Fatal(err)
	}
	hit := map[string]bool{}
	for _, c := range loadRiskCases(t) {
		for _, id := range c.Want {
			hit[id] = true
		}
	}
	for _, r := range Catalog() {
		if !hit[r.ID] {
			t.Errorf("catalog entry %s has no case in testdata/risks.yaml", r.ID)
		}
	}
	if err := ValidateCatalog(append(Catalog(), Catalog()[0])); err == nil {
		t.Error("ValidateCatalog accepted a duplicate ID")
	}
}

func TestSeverityAtScope(t *testing.T) {
	p := NewScopePolicy(DefaultPrivilegedNamespaces())
	secrets := Risks(rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list"}})[0]
	named := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}, ResourceNames: []string{"tls"}}
	bind := Risks(rbacv1.PolicyRule{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"clusterroles"}, Verbs: []string{"bind"}})[0]
	bindAdmin := rbacv1.PolicyRule{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"clusterroles"}, Verbs: []string{"bind"}, ResourceNames: []string{"cluster-admin"}}
	for _, c := range []struct {
		risk Risk
		ns   string
		rule rbacv1.PolicyRule
		want Severity
	}{
		{secrets, "", rbacv1.PolicyRule{}, Critical},
		{secrets, "argocd", rbacv1.PolicyRule{}, Critical},
		{secrets, "team", rbacv1.PolicyRule{}, High},
		{secrets, "team", named, Medium},
		{secrets, "kube-system", named, High},
		{bind, "", bindAdmin, Critical},
		{bind, "team", bindAdmin, High},
	} {
		if got := c.risk.SeverityAt(p.Of(c.ns), c.rule); got != c.want {
			t.Errorf("%s at %q (%v): %s, want %s", c.risk.ID, c.ns, p.Of(c.ns), got, c.want)
		}
	}
	if (ScopePolicy{}).Of("kube-system") != NamespaceScope || p.Of("flux-system") != PrivilegedNamespaceScope || p.Of("") != ClusterScope {
		t.Error("scope classification")
	}
	if Critical.String() != "critical" || ClusterScope.String() != "cluster" {
		t.Error("names")
	}
}
