package rbacrules

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// serviceAccountsGroup reports binding subjects that are the group
// system:serviceaccounts (every ServiceAccount of the cluster) or
// system:serviceaccounts:<namespace> (every one of a namespace), at
// subjects[i]. The severity is the worst risk the role grants where bound,
// at least low. Allowlisted roles and bindings are not reported.
var serviceAccountsGroup = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-023", Name: "rbac-serviceaccounts-group-binding",
		Title:    "Binding grants access to all ServiceAccounts",
		Severity: rule.High, Category: rule.Permissions,
		Why:         "The group system:serviceaccounts holds every ServiceAccount of the cluster, and system:serviceaccounts:<namespace> every one of that namespace, the default ones included. A grant to them is a grant to every pod that mounts a token, including those that never needed the API, so one compromised pod anywhere in scope has it.",
		Remediation: "Bind the role to the ServiceAccounts that use it by name.",
		References:  []string{"https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions", refServiceAccts},
	},
	Check: func(a *Analysis) []rule.Hit {
		return a.subjectHits(func(b *rbac.Binding, s rbac.Subject, _ rbacv1.Subject) (rule.Hit, bool) {
			if s.Kind != rbac.GroupKind || (s.Name != rbac.AllServiceAccounts && !strings.HasPrefix(s.Name, rbac.AllServiceAccounts+":")) || a.AllowedBinding(b) {
				return rule.Hit{}, false
			}
			risk, _ := a.roleRisk(b)
			who := "every ServiceAccount of the cluster"
			if ns, ok := strings.CutPrefix(s.Name, rbac.AllServiceAccounts+":"); ok {
				who = "every ServiceAccount of namespace " + ns
			}
			return rule.Hit{Severity: rule.Severity(maxSev(risk, rbac.Low)), Evidence: SubjectName(s),
				Message: fmt.Sprintf("%s grants %s to %s", BindingName(b), a.grantsText(b), who)}, true
		})
	},
}
