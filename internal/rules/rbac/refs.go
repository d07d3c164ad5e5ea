package rbacrules

// References the rules share.
const (
	refGoodPractices = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
	refRBAC          = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"
	refEscalation    = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping"
	refDefaultRoles  = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings"
	refAggregation   = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles"
	refServiceAccts  = "https://kubernetes.io/docs/concepts/security/service-accounts/"
	refResearch      = "https://github.com/PaloAltoNetworks/rbac-police/blob/main/docs/policies.md"
)

// Severity notes repeated in every rule-level rule's remediation.
const scopeNote = " The severity is that of the widest place the rule applies: through a ClusterRoleBinding, a RoleBinding in a privileged namespace (kube-system, argocd, flux-system by default), or one in an ordinary namespace; resourceNames lower it one step unless they name the prize itself."
