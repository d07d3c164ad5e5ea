package rbacrules

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// builtinRoleBinding reports bindings to the built-in admin, edit and view
// ClusterRoles (and the roles that aggregate into them) that apply
// cluster-wide or in a privileged namespace, at roleRef, when the rules
// the built-in role grants there match the risk catalog at medium or
// above; the severity is the worst of them. Granting these roles within an
// ordinary namespace is what they are for and is not reported here: the
// subject rules (default ServiceAccount, authenticated, all
// ServiceAccounts) and escalation paths still judge who receives them.
// Rules that manifests aggregate into these roles are reported where they
// are written. cluster-admin has its own rule. Allowlisted bindings are not
// reported.
var builtinRoleBinding = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-020", Name: "rbac-builtin-role-binding",
		Title:    "Binding grants admin or edit cluster-wide or in a privileged namespace",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "edit reads every Secret, creates pods with any ServiceAccount, execs into running pods and mints tokens; admin adds the namespace's RBAC. Meant for one team's namespace, bound through a ClusterRoleBinding they hold that in every namespace, and in kube-system or a GitOps controller's namespace they reach credentials that are cluster-admin.",
		Remediation: "Bind admin and edit with RoleBindings in the namespaces the subjects own. For cluster-wide read access use view, and for controllers write a role with the resources they manage.",
		References:  []string{refDefaultRoles, refGoodPractices},
	},
	Check: func(a *Analysis) []rule.Hit {
		var hits []rule.Hit
		for _, b := range a.ManifestBindings() {
			if b.Role == nil || !b.Role.Builtin || b.Role.Name == "cluster-admin" || a.AllowedBinding(b) ||
				a.Scopes.Of(b.Namespace) == rbac.NamespaceScope {
				continue
			}
			sev, titles, first := a.builtinRisks(b)
			if sev < rbac.Medium {
				continue
			}
			hits = append(hits, rule.Hit{Object: Object(b.Source), Path: "roleRef", Severity: rule.Severity(sev),
				Evidence: RuleText(first.PolicyRule),
				Message: fmt.Sprintf("%s binds %s %s to %s, which includes %s", BindingName(b), RoleName(b.Role),
					ScopeText(b.Namespace), subjectList(b.Subjects), strings.Join(titles, ", "))})
		}
		return hits
	},
}

// builtinRisks collects the risks of the built-in rules of a binding's
// role where it applies: the worst severity, the distinct titles at that
// severity or one below (at most five), and the rule of the worst.
func (a *Analysis) builtinRisks(b *rbac.Binding) (rbac.Severity, []string, *rbac.Rule) {
	type found struct {
		sev   rbac.Severity
		title string
	}
	var all []found
	var worst rbac.Severity
	var first *rbac.Rule
	scope := a.Scopes.Of(b.Namespace)
	for _, r := range b.Role.Rules {
		if !r.Origin.Builtin {
			continue
		}
		for _, risk := range a.risksAt(placement{b, r}) {
			if risk.ID == "wildcard" {
				continue
			}
			s := risk.SeverityAt(scope, r.PolicyRule)
			all = append(all, found{s, risk.Title})
			if s > worst {
				worst, first = s, r
			}
		}
	}
	var titles []string
	seen := map[string]bool{}
	for _, f := range all {
		if f.sev+1 >= worst && !seen[f.title] && len(titles) < 5 {
			seen[f.title] = true
			titles = append(titles, f.title)
		}
	}
	return worst, titles, first
}
