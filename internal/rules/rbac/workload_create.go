package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// workloadCreate reports rules that allow creating pods; creating a
// Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController,
// Job or CronJob, or updating or patching one; and updating or patching
// running pods. Named update or patch ranks one step lower; create with
// resourceNames grants nothing and is not reported.
var workloadCreate = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-004", Name: "rbac-workload-create",
		Title:    "Role creates or modifies pods or workloads",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "Whoever can create a pod, or a controller that creates pods, chooses its ServiceAccount, its volumes and its security context: it runs as any ServiceAccount of the namespace, mounts any of its Secrets, and reaches the node when privileged. Swapping the image of a running pod runs one's code with that pod's token. Namespace boundaries are weak against this permission.",
		Remediation: "Deploy through the GitOps controller, not through people and pipelines with pod-creating roles. Where a workload must create pods, keep it in a namespace of its own with only the ServiceAccounts it needs, and enforce the restricted Pod Security level there." + scopeNote,
		References:  []string{refGoodPractices, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation"},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.4"},
	},
	Check: riskCheck(family{risks: []string{"pods-create", "workloads-write", "pods-update"}}),
}
