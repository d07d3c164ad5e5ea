package rbacrules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// authenticatedSubject reports binding subjects that are the group
// system:authenticated, at subjects[i]: critical when the role grants a
// high or critical risk of the catalog where bound, high for a medium
// one, medium otherwise (including a missing role). The policy allowlist
// never applies.
var authenticatedSubject = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-022", Name: "rbac-authenticated-binding",
		Title:    "Binding grants access to every authenticated identity",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "system:authenticated holds every user and every ServiceAccount of the cluster, and on managed clusters can include any account of the cloud provider or identity provider that can get a token. A grant to it is a grant to every compromised pod, and the built-in discovery roles are all it should have.",
		Remediation: "Bind the role to the groups or ServiceAccounts that need it. Leave system:authenticated with the defaults only (system:basic-user, system:discovery, system:public-info-viewer).",
		References:  []string{refDefaultRoles, refGoodPractices},
	},
	Check: func(a *Analysis) []rule.Hit {
		return a.subjectHits(func(b *rbac.Binding, s rbac.Subject, _ rbacv1.Subject) (rule.Hit, bool) {
			if s != rbac.GroupSubject(rbac.Authenticated) {
				return rule.Hit{}, false
			}
			risk, _ := a.roleRisk(b)
			sev := rbac.Medium
			switch {
			case risk >= rbac.High:
				sev = rbac.Critical
			case risk == rbac.Medium:
				sev = rbac.High
			}
			return rule.Hit{Severity: rule.Severity(sev), Evidence: SubjectName(s),
				Message: fmt.Sprintf("%s grants %s to every authenticated user and ServiceAccount", BindingName(b), a.grantsText(b))}, true
		})
	},
}
