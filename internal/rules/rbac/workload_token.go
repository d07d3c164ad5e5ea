package rbacrules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// workloadToken reports workloads (Pod, Deployment, StatefulSet,
// DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout)
// that mount the token of a powerful ServiceAccount, at
// serviceAccountName (or where it would go, for the default account).
// The token is mounted unless the pod sets automountServiceAccountToken:
// false, or leaves it unset and the ServiceAccount sets it false.
// Powerful means: holds cluster-admin, can become it (critical), or holds
// a high or critical risk of the catalog itself (that severity). Grants
// held only through a group (system:authenticated,
// system:serviceaccounts) and grants through allowlisted roles and
// bindings do not count: the group rules report those once.
var workloadToken = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-027", Name: "rbac-workload-powerful-token",
		Title:    "Workload mounts the token of a powerful ServiceAccount",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "A pod's mounted token is its ServiceAccount: whoever gets code execution in any of its containers, through the application, a dependency or a debug endpoint, calls the API with every permission the account holds. A powerful account in a pod that faces users turns one application bug into a cluster compromise.",
		Remediation: "Give the workload a ServiceAccount with only what it calls, or split the powerful part into a separate, unexposed workload. Set automountServiceAccountToken: false on pods that do not call the API, and project a short-lived token only into the container that does.",
		References:  []string{refServiceAccts, "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting"},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.6"},
	},
	Check: func(a *Analysis) []rule.Hit {
		var hits []rule.Hit
		for _, w := range a.Workloads {
			if !w.Mounted {
				continue
			}
			p := a.powerOf(w.ServiceAccount)
			if p.sev < rbac.High {
				continue
			}
			hits = append(hits, rule.Hit{Object: w.Object, Path: w.Path, Severity: rule.Severity(p.sev), Evidence: SubjectName(w.ServiceAccount),
				Message: fmt.Sprintf("pods run as %s with its token mounted, and that account %s", SubjectName(w.ServiceAccount), p.why)})
		}
		return hits
	},
}

type power struct {
	sev   rbac.Severity
	why   string
	title string
}

// powerOf judges what a ServiceAccount's own grants give whoever holds its
// token (cached).
func (a *Analysis) powerOf(s rbac.Subject) power {
	if a.power == nil {
		a.power = map[rbac.Subject]power{}
	}
	if p, ok := a.power[s]; ok {
		return p
	}
	var p power
	for _, g := range a.Effective(s) {
		if g.Via != "" || a.AllowedBinding(g.Binding) {
			continue
		}
		if g.Namespace == "" && isAdminRule(&g.Rule.PolicyRule) {
			p = power{rbac.Critical, "holds cluster-admin through " + BindingName(g.Binding), ""}
			break
		}
		scope := a.Scopes.Of(g.Namespace)
		for _, risk := range a.risksAt(placement{g.Binding, g.Rule}) {
			if sev := risk.SeverityAt(scope, g.Rule.PolicyRule); sev > p.sev || (sev == p.sev && before(risk.Title, p.title)) {
				p = power{sev, fmt.Sprintf("holds %s %s through %s", risk.Title, ScopeText(g.Namespace), BindingName(g.Binding)), risk.Title}
			}
		}
	}
	if p.sev < rbac.Critical {
		if path, ok := a.PathTo(s); ok {
			p = power{rbac.Critical, fmt.Sprintf("can become cluster-admin in %d %s (%s)", len(path.Steps), plural(len(path.Steps), "step"), path.Path), ""}
		}
	}
	a.power[s] = p
	return p
}

// isAdminRule is cluster-admin's resource rule: every verb on every
// resource of every group, for any name.
func isAdminRule(r *rbacv1.PolicyRule) bool {
	has := func(l []string) bool {
		for _, v := range l {
			if v == "*" {
				return true
			}
		}
		return false
	}
	return len(r.ResourceNames) == 0 && has(r.Verbs) && has(r.APIGroups) && has(r.Resources)
}
