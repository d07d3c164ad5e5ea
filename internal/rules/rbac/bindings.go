package rbacrules

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// What the binding-level rules share.

// roleRisk is the worst catalog risk the binding's role grants where the
// binding applies, with its title; zero when the role is missing or grants
// nothing risky.
func (a *Analysis) roleRisk(b *rbac.Binding) (rbac.Severity, string) {
	if b.Role == nil {
		return 0, ""
	}
	var sev rbac.Severity
	var title string
	scope := a.Scopes.Of(b.Namespace)
	for _, r := range b.Role.Rules {
		for _, risk := range a.risksAt(placement{b, r}) {
			if s := risk.SeverityAt(scope, r.PolicyRule); s > sev || (s == sev && before(risk.Title, title)) {
				sev, title = s, risk.Title
			}
		}
	}
	return sev, title
}

// subjectHits runs match over every subject of every manifest binding,
// with the subject's index in the manifest. Subjects that do not
// normalise are the unresolved rule's.
func (a *Analysis) subjectHits(match func(b *rbac.Binding, s rbac.Subject, raw rbacv1.Subject) (rule.Hit, bool)) []rule.Hit {
	var hits []rule.Hit
	for _, b := range a.ManifestBindings() {
		o := Object(b.Source)
		for i, raw := range a.subjects[o] {
			s, err := rbac.SubjectOf(raw, b.Namespace)
			if err != nil {
				continue
			}
			if h, ok := match(b, s, raw); ok {
				h.Object, h.Path = o, fmt.Sprintf("subjects[%d]", i)
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// grantsText describes what the binding grants: its role and the worst
// risk, or that the role is missing.
func (a *Analysis) grantsText(b *rbac.Binding) string {
	if b.Role == nil && a.cfg.allowed(b.RoleRef.Name, nil) {
		return fmt.Sprintf("%s %q, a system role the cluster defines", b.RoleRef.Kind, b.RoleRef.Name)
	}
	if b.Role == nil {
		return fmt.Sprintf("%s %q, which is not defined: whoever creates it decides what this grants", b.RoleRef.Kind, b.RoleRef.Name)
	}
	s := RoleName(b.Role) + " " + ScopeText(b.Namespace)
	if sev, title := a.roleRisk(b); sev > 0 {
		s += fmt.Sprintf(", which includes %s (%s)", title, sev)
	}
	return s
}

// onlyPublicEndpoints reports whether every rule of the role is get on
// non-resource URLs, as the default system:public-info-viewer grants
// (/healthz, /livez, /readyz, /version).
func onlyPublicEndpoints(r *rbac.Role) bool {
	if r == nil || len(r.Rules) == 0 {
		return false
	}
	for _, rl := range r.Rules {
		if len(rl.NonResourceURLs) == 0 || len(rl.Resources) > 0 {
			return false
		}
		for _, v := range rl.Verbs {
			if v != "get" {
				return false
			}
		}
		for _, u := range rl.NonResourceURLs {
			if strings.HasSuffix(u, "*") {
				return false
			}
		}
	}
	return true
}

// catalogOrder ranks risk titles as the catalog lists them, which is
// roughly most consequential first; messages name the first of equally
// severe risks.
var catalogOrder = func() map[string]int {
	m := map[string]int{}
	for i, r := range rbac.Catalog() {
		m[r.Title] = i
	}
	return m
}()

// before reports whether risk title a comes before b in the catalog ("" last).
func before(a, b string) bool {
	if b == "" {
		return true
	}
	return catalogOrder[a] < catalogOrder[b]
}

func maxSev(a, b rbac.Severity) rbac.Severity {
	if a > b {
		return a
	}
	return b
}
