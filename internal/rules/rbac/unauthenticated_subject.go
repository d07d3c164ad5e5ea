package rbacrules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// unauthenticatedSubject reports binding subjects that are the user
// system:anonymous or the group system:unauthenticated, at subjects[i]:
// critical when the role grants any risk of the catalog at medium or
// above, or the role is cared for by nobody (missing); high for any other
// access; low when the role only allows get on fixed non-resource URLs,
// as the default system:public-info-viewer does. The policy allowlist
// never applies: a vendor role bound to anonymous is still open to the
// internet.
var unauthenticatedSubject = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-021", Name: "rbac-anonymous-binding",
		Title:    "Binding grants access to unauthenticated requests",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "Every request without credentials is system:anonymous in the group system:unauthenticated, as long as anonymous authentication is on (the default). Whatever is bound to them is open to anyone who reaches the API server, often the internet for managed clusters, with nothing in the audit log to tell callers apart.",
		Remediation: "Remove the subject. Serve health and metrics endpoints through authenticated scrapers, and disable anonymous authentication or restrict it to the health endpoints with the API server's anonymous authenticator configuration.",
		References:  []string{"https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests", refDefaultRoles},
	},
	Check: func(a *Analysis) []rule.Hit {
		return a.subjectHits(func(b *rbac.Binding, s rbac.Subject, _ rbacv1.Subject) (rule.Hit, bool) {
			if s != rbac.UserSubject(rbac.Anonymous) && s != rbac.GroupSubject(rbac.Unauthenticated) {
				return rule.Hit{}, false
			}
			risk, _ := a.roleRisk(b)
			sev := rbac.High
			switch {
			case b.Role == nil || risk >= rbac.Medium:
				sev = rbac.Critical
			case onlyPublicEndpoints(b.Role):
				sev = rbac.Low
			}
			return rule.Hit{Severity: rule.Severity(sev), Evidence: SubjectName(s),
				Message: fmt.Sprintf("%s grants %s to %s, that is to anyone without credentials", BindingName(b), a.grantsText(b), SubjectName(s))}, true
		})
	},
}
