package rbac

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// The risk catalog is data: each entry names a dangerous permission as the
// requests it would allow, and matching goes through Allows, so wildcards,
// "*/sub", apiGroups and resourceNames mean exactly what the API server
// takes them to mean. A rule matches an entry when it allows any one probe.

// Probe is a family of requests: every verb on every resource of one group.
// Named probes stand for requests that carry an object name (get, update,
// exec into a pod), which a resourceNames rule can allow for some names;
// unnamed ones (list, create) a resourceNames rule never allows.
// AnyResource matches any resource of the group (Gatekeeper constraints,
// whose kinds are user-defined); AnySubresource any subresource of the
// resource (impersonating userextras/<key>). ClusterScoped resources are
// out of reach of a RoleBinding.
type Probe struct {
	APIGroup       string
	Resources      []string
	Verbs          []string
	Named          bool
	AnyResource    bool
	AnySubresource bool
	ClusterScoped  bool
}

// Risk is one catalog entry. Severity depends on where the permission
// applies; a rule limited by resourceNames is one step lower unless it
// names one of DangerousNames (binding cluster-admin is no smaller a risk
// for being the only role one may bind).
type Risk struct {
	ID                 string
	Title              string
	Why                string
	Cluster            Severity
	PrivilegedNS       Severity
	Namespace          Severity
	DangerousNames     []string
	Probes             []Probe
	match              func(*rbacv1.PolicyRule) bool // for entries that are about the rule's shape
	clusterScopedMatch bool
}

// SeverityAt is the entry's severity for a rule at a scope. restricted
// lowers it one step (not below Info) unless a dangerous name is allowed.
func (r Risk) SeverityAt(scope Scope, rule rbacv1.PolicyRule) Severity {
	sev := r.Namespace
	switch scope {
	case ClusterScope:
		sev = r.Cluster
	case PrivilegedNamespaceScope:
		sev = r.PrivilegedNS
	}
	if len(rule.ResourceNames) == 0 {
		return sev
	}
	for _, n := range r.DangerousNames {
		if contains(rule.ResourceNames, n) {
			return sev
		}
	}
	if sev > Info {
		sev--
	}
	return sev
}

func (r Risk) matches(rule *rbacv1.PolicyRule, namespaced bool) bool {
	if r.match != nil {
		return !(namespaced && r.clusterScopedMatch) && r.match(rule)
	}
	for _, p := range r.Probes {
		if namespaced && p.ClusterScoped {
			continue
		}
		if p.matches(rule) {
			return true
		}
	}
	return false
}

func (p Probe) matches(rule *rbacv1.PolicyRule) bool {
	if !APIGroupMatches(rule, p.APIGroup) {
		return false
	}
	for _, v := range p.Verbs {
		if !VerbMatches(rule, v) {
			continue
		}
		if p.AnyResource {
			return p.Named || len(rule.ResourceNames) == 0
		}
		for _, res := range p.Resources {
			if p.AnySubresource {
				if anySubresource(rule, res) && (p.Named || len(rule.ResourceNames) == 0) {
					return true
				}
				continue
			}
			base, sub, _ := strings.Cut(res, "/")
			req := Request{Verb: v, APIGroup: p.APIGroup, Resource: base, Subresource: sub}
			if (p.Named && allowsSomeName(rule, req)) || (!p.Named && Allows(rule, req)) {
				return true
			}
		}
	}
	return false
}

func anySubresource(rule *rbacv1.PolicyRule, resource string) bool {
	for _, r := range rule.Resources {
		if r == rbacv1.ResourceAll || strings.HasPrefix(r, resource+"/") || strings.HasPrefix(r, "*/") {
			return true
		}
	}
	return false
}

// Risks lists the catalog entries the rule matches, in catalog order,
// regardless of where the rule is bound.
func Risks(rule rbacv1.PolicyRule) []Risk {
	return risks(&rule, false)
}

// Risks lists the catalog entries the grant's rule matches where it is
// bound: through a RoleBinding, permissions on cluster-scoped resources
// and non-resource URLs grant nothing and are left out.
func (g *Grant) Risks() []Risk {
	return risks(&g.Rule.PolicyRule, g.Namespace != "")
}

func risks(rule *rbacv1.PolicyRule, namespaced bool) []Risk {
	var out []Risk
	for _, r := range catalog {
		if r.matches(rule, namespaced) {
			out = append(out, r)
		}
	}
	return out
}

// Catalog returns every entry, in catalog order.
func Catalog() []Risk { return append([]Risk(nil), catalog...) }

// ValidateCatalog rejects duplicate IDs and entries without a title, an
// explanation, severities or a way to match.
func ValidateCatalog(entries []Risk) error {
	seen := map[string]bool{}
	for _, r := range entries {
		switch {
		case r.ID == "" || seen[r.ID]:
			return fmt.Errorf("risk %q: empty or duplicate ID", r.ID)
		case r.Title == "" || r.Why == "":
			return fmt.Errorf("risk %s: no title or explanation", r.ID)
		case r.Cluster < Info || r.PrivilegedNS < Info || r.Namespace < Info:
			return fmt.Errorf("risk %s: missing severity", r.ID)
		case r.match == nil && len(r.Probes) == 0:
			return fmt.Errorf("risk %s: nothing to match", r.ID)
		}
		for i, p := range r.Probes {
			if len(p.Verbs) == 0 || (len(p.Resources) == 0 && !p.AnyResource) {
				return fmt.Errorf("risk %s: probe %d has no verbs or resources", r.ID, i)
			}
		}
		seen[r.ID] = true
	}
	return nil
}
