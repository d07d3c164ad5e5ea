package pipeline

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// clusterAdminIdentity checks CI scripts and inputs for deploy identities
// with cluster-admin rights:
//   - kubectl or oc create clusterrolebinding (or rolebinding) with
//     --clusterrole=cluster-admin, and oc adm policy
//     add-cluster-role-to-user/-group cluster-admin;
//   - the system:masters group anywhere in a script (--group, --as-group, a
//     certificate subject O=system:masters, a kubeconfig or aws-auth entry);
//   - az aks get-credentials --admin, and azure/aks-set-context with admin:
//     true, which fetch the cluster's admin kubeconfig.
//
// Each is a hit at the offending word. Allowed: bindings to narrower roles,
// and the user credentials of the cloud provider's login (mapped to Kubernetes
// RBAC).
var clusterAdminIdentity = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-002", Name: "ci-cluster-admin-identity",
		Title:    "CI deploys with a cluster-admin identity",
		Severity: rule.High, Category: rule.Pipeline,
		Why: "Whatever can run in the CI job, a compromised action, a poisoned dependency, a malicious pull request merged by mistake, acts with the job's cluster identity. With cluster-admin (a binding to the cluster-admin role, the system:masters group, which no RBAC rule can restrict or revoke, or the cloud provider's admin kubeconfig) that is every Secret, every node and every workload of the cluster. " +
			"Kubernetes' RBAC good practices ask to keep cluster-admin for break-glass use and to avoid system:masters entirely.",
		Remediation: "Give the deploy identity a Role (or a ClusterRole bound per namespace with RoleBindings) limited to the kinds and namespaces it deploys; for the cloud provider, use the user credentials mapped to that role (az aks get-credentials without --admin, EKS access entries, GKE IAM with RBAC) rather than admin credentials.",
		References:  []string{refK8sRBACGood, "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles", "https://learn.microsoft.com/en-us/azure/aks/control-kubeconfig-access"},
	},
	check: func(f *ciFile) []rule.Hit {
		var hits []rule.Hit
		for _, j := range f.jobs {
			for _, s := range j.scripts {
				for _, c := range s.cmds {
					if w, what := adminCommand(c); what != "" {
						l, col := s.wordPos(w)
						hits = append(hits, hitAt(l, col, fmt.Sprintf("%s %s", j.where(), what), c.prog()+" "+w.text, j.id+"|"+what))
					}
				}
				for off := 0; ; {
					i := strings.Index(s.text[off:], "system:masters")
					if i < 0 {
						break
					}
					l, col := s.pos(off+i, "system:masters")
					hits = append(hits, hitAt(l, col, fmt.Sprintf("%s uses the system:masters group, which bypasses RBAC", j.where()), "system:masters", j.id+"|system:masters"))
					off += i + len("system:masters")
				}
			}
			for _, in := range j.inputs {
				if actionName(in.uses) == "azure/aks-set-context" && strings.EqualFold(in.name, "admin") && isTrue(in.value) {
					hits = append(hits, hitAt(in.line, in.col, fmt.Sprintf("%s fetches the AKS cluster's admin credentials (admin: true)", j.where()), "admin: true", j.id+"|aks-admin"))
				}
			}
		}
		return hits
	},
}

// adminCommand finds a command that grants or fetches cluster-admin.
func adminCommand(c command) (word, string) {
	p := c.prog()
	switch p {
	case "kubectl", "oc":
		for _, kind := range []string{"clusterrolebinding", "rolebinding"} {
			if !c.has("create", kind) {
				continue
			}
			if w, v, _, ok := c.flag("--clusterrole"); ok && v == "cluster-admin" {
				scope := "cluster-wide"
				if kind == "rolebinding" {
					scope = "in a namespace"
				}
				return w, fmt.Sprintf("binds an identity to cluster-admin %s (%s create %s)", scope, p, kind)
			}
		}
		if p == "oc" {
			for _, verb := range []string{"add-cluster-role-to-user", "add-cluster-role-to-group"} {
				if c.has("adm", "policy", verb, "cluster-admin") {
					return c.words[0], "grants cluster-admin (oc adm policy " + verb + ")"
				}
			}
		}
	case "az":
		if c.has("aks", "get-credentials") {
			if w, ok := c.boolFlag("--admin"); ok {
				return w, "fetches the AKS cluster's admin credentials (az aks get-credentials --admin)"
			}
		}
	}
	return word{}, ""
}
