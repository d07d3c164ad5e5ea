package rbac

import rbacv1 "k8s.io/api/rbac/v1"

// caps records which of the permissions escalation analysis asks about a
// rule grants. Every identity holding a role asks the same questions of
// the same rules (each ServiceAccount holds what system:authenticated
// holds), so each rule answers them once, when it is created, and deriving
// edges tests bits.
type caps uint32

const (
	capAdmin caps = 1 << iota
	capReadSecrets
	capNodesProxy
	capWebhook
	capTokenAll  // TokenRequest for every ServiceAccount
	capTokenSome // TokenRequest for some named ServiceAccount
	capImpersonateSAAll
	capImpersonateSASome
	capImpersonateGroupsAll
	capImpersonateGroupsSome
	capImpersonateUsersAll
	capImpersonateUsersSome
	capCreatePods
	capWriteWorkloads
	capExec
	capAttach
	capEphemeral
	capUpdatePods
	capRBACGroup
	capBindVerb
	capEscalateVerb
	capWriteRoleBindings
	capWriteClusterRoleBindings
	capCSRCreate
	capCSRApproval
	capCSRSigner
)

// capsOf asks a rule every question edgesOf, bindEdges, escalateEdges and
// csrEdge ask of a single rule without looking at the rest of the graph.
func capsOf(r *rbacv1.PolicyRule) caps {
	var c caps
	set := func(bit caps, ok bool) {
		if ok {
			c |= bit
		}
	}
	set(capAdmin, isAdminRule(r))
	set(capReadSecrets, anyVerb(r, res("", "", "secrets", "", ""), false, "list", "watch", "get"))
	set(capNodesProxy, anyVerb(r, res("", "", "nodes", "proxy", ""), true, "get", "create"))
	set(capWebhook, anyVerb(r, res("", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", ""), true, "update", "patch") ||
		anyVerb(r, res("", "admissionregistration.k8s.io", "validatingwebhookconfigurations", "", ""), true, "update", "patch") ||
		anyVerb(r, res("", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", ""), false, "create") ||
		anyVerb(r, res("", "admissionregistration.k8s.io", "validatingwebhookconfigurations", "", ""), false, "create"))
	token, impersonateSA := res("create", "", "serviceaccounts", "token", ""), res("impersonate", "", "serviceaccounts", "", "")
	set(capTokenAll, Allows(r, token))
	set(capTokenSome, allowsSomeName(r, token))
	set(capImpersonateSAAll, Allows(r, impersonateSA))
	set(capImpersonateSASome, allowsSomeName(r, impersonateSA))
	groups, users := res("impersonate", "", "groups", "", ""), res("impersonate", "", "users", "", "")
	set(capImpersonateGroupsAll, Allows(r, groups))
	set(capImpersonateGroupsSome, allowsSomeName(r, groups))
	set(capImpersonateUsersAll, Allows(r, users))
	set(capImpersonateUsersSome, allowsSomeName(r, users))
	set(capCreatePods, Allows(r, res("create", "", "pods", "", "")))
	set(capWriteWorkloads, writesWorkloads(r))
	set(capExec, Allows(r, res("create", "", "pods", "exec", "")))
	set(capAttach, Allows(r, res("create", "", "pods", "attach", "")))
	set(capEphemeral, anyVerb(r, res("", "", "pods", "ephemeralcontainers", ""), false, "update", "patch"))
	set(capUpdatePods, anyVerb(r, res("", "", "pods", "", ""), false, "update", "patch"))
	set(capRBACGroup, APIGroupMatches(r, rbacGroup))
	set(capBindVerb, VerbMatches(r, "bind"))
	set(capEscalateVerb, VerbMatches(r, "escalate"))
	set(capWriteRoleBindings, writesBindings(r, "rolebindings"))
	set(capWriteClusterRoleBindings, writesBindings(r, "clusterrolebindings"))
	set(capCSRCreate, Allows(r, res("create", "certificates.k8s.io", "certificatesigningrequests", "", "")))
	set(capCSRApproval, anyVerb(r, res("", "certificates.k8s.io", "certificatesigningrequests", "approval", ""), true, "update", "patch"))
	set(capCSRSigner, Allows(r, res("approve", "certificates.k8s.io", "signers", "", "kubernetes.io/kube-apiserver-client")) ||
		Allows(r, res("approve", "certificates.k8s.io", "signers", "", "kubernetes.io/*")))
	return c
}

func (c caps) has(bit caps) bool { return c&bit != 0 }
