package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// podExec reports rules that allow create (or get, which older API servers
// accepted for WebSocket upgrades) on pods/exec, pods/attach or
// pods/portforward, and update or patch on pods/ephemeralcontainers.
// "pods/*" is not a wildcard to the API server and is not reported; "*"
// and "*/exec" are. Named pods rank one step lower.
var podExec = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-005", Name: "rbac-pod-exec",
		Title:    "Role runs commands in running pods",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "exec and attach run commands in, and read the streams of, containers that already run, with their ServiceAccount tokens and mounted Secrets; an ephemeral container, optionally privileged, is injected into any pod; port-forward reaches ports that no Service or NetworkPolicy exposes. In kube-system this is every controller's credentials.",
		Remediation: "Debug through logs and metrics, or grant exec temporarily and per namespace (a just-in-time RoleBinding), never cluster-wide. Name the pods in resourceNames where a tool needs exec into one of them." + scopeNote,
		References:  []string{refGoodPractices, "https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container"},
	},
	Check: riskCheck(family{risks: []string{"pods-exec", "pods-attach", "pods-portforward", "ephemeral-containers"}}),
}
