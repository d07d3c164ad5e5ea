package rbacrules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// aggregation reports ClusterRoles whose labels feed risky rules into
// aggregated ClusterRoles (admin, edit and view above all, which exist in
// every cluster), at the label that matches. The aggregated rules are
// computed as the aggregation controller does, to a fixpoint, so a rule
// labelled aggregate-to-edit reaches admin too. A rule is risky when it
// matches a catalog entry at medium or above, judged as if bound in an
// ordinary namespace (where admin, edit and view are usually bound), or
// where the manifests bind the aggregated role when that is worse. Plain
// wildcards are left to the wildcard rule. Allowlisted roles are not
// reported.
var aggregation = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-028", Name: "rbac-aggregation-risk",
		Title:    "ClusterRole aggregates risky rules into other roles",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "A ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-view, -edit or -admin adds its rules to those built-in roles in every cluster it is applied to, and so to every user and ServiceAccount bound to them, in every namespace. Nobody reviewing those bindings sees the change: a chart that labels secrets read aggregate-to-view gives every viewer the namespace's Secrets.",
		Remediation: "Remove the aggregation label, or move the risky rules into a separate ClusterRole that is bound explicitly to who needs it. Aggregate only read access to your own custom resources into view, and write access to them into edit.",
		References:  []string{refAggregation, refDefaultRoles},
	},
	Check: func(a *Analysis) []rule.Hit {
		targets := map[*rbac.Role][]*rbac.Role{}
		for _, t := range a.Graph.Roles() {
			if t.Aggregation == nil {
				continue
			}
			seen := map[*rbac.Role]bool{}
			for _, r := range t.Rules {
				if r.Origin != t && !seen[r.Origin] {
					seen[r.Origin] = true
					targets[r.Origin] = append(targets[r.Origin], t)
				}
			}
		}
		var hits []rule.Hit
		for _, role := range a.Graph.Roles() {
			into := targets[role]
			if len(into) == 0 || role.Builtin || role.Aggregation != nil || Object(role.Source) == nil || a.AllowedRole(role) {
				continue
			}
			var worst rbac.Severity
			var risky []string
			for _, r := range role.Rules {
				sev, title := a.aggregatedRisk(role, r)
				if sev >= rbac.Medium {
					risky = append(risky, fmt.Sprintf("%s (%s)", RulePath(r), title))
					worst = maxSev(worst, sev)
				}
			}
			if worst == 0 {
				continue
			}
			var names []string
			for _, t := range into {
				names = append(names, RoleName(t))
			}
			key := matchingLabel(role, into)
			hits = append(hits, rule.Hit{Object: Object(role.Source), Path: fmt.Sprintf("metadata.labels['%s']", key), Severity: rule.Severity(worst),
				Evidence: key + "=" + role.Labels[key],
				Message: fmt.Sprintf("label %s adds %s of %s to %s: everyone bound to them gains it",
					key, strings.Join(risky, ", "), RoleName(role), strings.Join(names, ", "))})
		}
		return hits
	},
}

// aggregatedRisk is the worst catalog risk of a rule, at an ordinary
// namespace or wherever an aggregated role holding it is bound.
func (a *Analysis) aggregatedRisk(role *rbac.Role, r *rbac.Rule) (rbac.Severity, string) {
	var sev rbac.Severity
	var title string
	consider := func(risks []rbac.Risk, scope rbac.Scope, pr *rbac.Rule) {
		for _, risk := range risks {
			if risk.ID == "wildcard" || risk.ID == "nonresource-wildcard" {
				continue
			}
			if s := risk.SeverityAt(scope, pr.PolicyRule); s > sev {
				sev, title = s, risk.Title
			}
		}
	}
	consider(rbac.Risks(r.PolicyRule), rbac.NamespaceScope, r)
	for _, p := range a.placementsOf(role, r.Index) {
		if p.binding.Role == role {
			continue
		}
		consider(a.risksAt(p), a.Scopes.Of(p.binding.Namespace), p.rule)
	}
	return sev, title
}

// matchingLabel is the role's label an aggregated role's selector matches,
// preferring the aggregate-to-* labels; "" when only expressions on absent
// labels match.
func matchingLabel(role *rbac.Role, into []*rbac.Role) string {
	keys := make([]string, 0, len(role.Labels))
	for k := range role.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, t := range into {
		for _, sel := range t.Aggregation.ClusterRoleSelectors {
			for _, k := range keys {
				if v, ok := sel.MatchLabels[k]; ok && v == role.Labels[k] {
					return k
				}
				for _, e := range sel.MatchExpressions {
					if e.Key == k {
						return k
					}
				}
			}
		}
	}
	if len(keys) > 0 {
		return keys[0]
	}
	return ""
}
