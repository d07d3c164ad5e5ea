package rbacrules

import (
	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// awsAuth reports rules that allow update or patch on the ConfigMap named
// aws-auth, unrestricted or by name (naming it does not lower the
// severity: it is the prize). Only kube-system's aws-auth matters to EKS,
// so only cluster-wide placements and those in kube-system count, and a
// ClusterRole no binding reaches only when it names aws-auth.
var awsAuth = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-018", Name: "rbac-aws-auth",
		Title:    "Role rewrites the EKS aws-auth ConfigMap",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "On EKS, kube-system/aws-auth maps IAM roles and users to Kubernetes users and groups. Whoever edits it maps an IAM identity they control to system:masters: cluster-admin from outside the cluster, which no RBAC change inside it revokes.",
		Remediation: "Manage aws-auth, or better EKS access entries, through infrastructure code outside the cluster; grant nobody in-cluster write access to it." + scopeNote,
		References:  []string{"https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html", refGoodPractices},
	},
	Check: riskCheck(family{risks: []string{"aws-auth-write"}, adjust: func(a *Analysis, h holding, sev rbac.Severity) (rbac.Severity, string, bool) {
		switch {
		case h.namespace != "" && h.namespace != "kube-system":
			return 0, "", false
		case h.binding == nil && h.role.Kind == "ClusterRole":
			for _, n := range h.rule.ResourceNames {
				if n == "aws-auth" {
					return rbac.High, "it names aws-auth, so it is meant for kube-system", true
				}
			}
			return 0, "", false
		}
		return sev, "", true
	}}),
}
