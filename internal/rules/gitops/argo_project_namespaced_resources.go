package gitops

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoProjectNamespacedResources checks an AppProject whose
// spec.namespaceResourceWhitelist allows every kind ({group: '*', kind: '*'}):
// it is a hit at that entry unless spec.namespaceResourceBlacklist denies
// Secrets and the namespaced RBAC kinds (Role, RoleBinding). Allowed: named
// kinds, and a wildcard with that blacklist. A project with no whitelist
// allows every namespaced kind too; it is not reported, because that is Argo
// CD's default and most projects rely on it.
var argoProjectNamespacedResources = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-007", Name: "argo-project-namespaced-resources",
		Title:    "Argo CD project may create Secrets and RBAC in its namespaces",
		Severity: rule.Medium, Category: rule.GitOps,
		Why: "An explicit \"every kind\" namespaceResourceWhitelist lets the project's applications create Roles and RoleBindings, which grant rights to any subject in the namespace, and Secrets, including service-account token Secrets that mint credentials for existing accounts. " +
			"Without a blacklist for these kinds, a project meant for workloads also manages who may do what in its namespaces.",
		Remediation: "List the namespaced kinds the project deploys in spec.namespaceResourceWhitelist, or keep the wildcard and add Secret (group \"\") and Role and RoleBinding (group rbac.authorization.k8s.io) to spec.namespaceResourceBlacklist; deliver Secrets through an operator such as External Secrets instead.",
		References:  []string{refArgoProjects, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		p, ok := projectOf(obj)
		if !ok {
			return nil
		}
		var open []string
		for _, want := range []groupKind{{"", "Secret"}, {"rbac.authorization.k8s.io", "Role"}, {"rbac.authorization.k8s.io", "RoleBinding"}} {
			if !denies(p.NamespaceResourceBlacklist, want) {
				open = append(open, want.Kind)
			}
		}
		if len(open) == 0 {
			return nil
		}
		var hits []rule.Hit
		for i, gk := range p.NamespaceResourceWhitelist {
			if gk.Group == "*" && gk.Kind == "*" {
				hits = append(hits, rule.Hit{
					Path:     fmt.Sprintf("spec.namespaceResourceWhitelist[%d]", i),
					Message:  fmt.Sprintf("project %q allows every namespaced kind and does not deny %s", obj.Name(), strings.Join(open, ", ")),
					Evidence: "group: '*', kind: '*'",
				})
			}
		}
		return hits
	},
}

// denies reports whether a blacklist entry matches the group and kind.
func denies(list []groupKind, want groupKind) bool {
	for _, gk := range list {
		if globMatch(gk.Group, want.Group) && globMatch(gk.Kind, want.Kind) {
			return true
		}
	}
	return false
}
