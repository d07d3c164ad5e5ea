package rbacrules

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// csrApprove reports rules that allow update or patch on
// certificatesigningrequests/approval, or approve on signers, in
// certificates.k8s.io. Both are cluster-scoped, so only cluster-wide
// placements count. When the holder has the whole bundle cluster-wide,
// create on CSRs, approval, and approve on the kube-apiserver-client
// signer (by name or kubernetes.io/*), the finding is critical; one
// part alone keeps the catalog's severity.
var csrApprove = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-011", Name: "rbac-csr-approve",
		Title:    "Role approves certificate signing requests",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "With create on CertificateSigningRequests, update on their approval and approve on the kubernetes.io/kube-apiserver-client signer, one issues a client certificate for any user and group, system:masters included: cluster-admin that cannot be revoked until the certificate expires. Approval alone still lets a colluding requester through.",
		Remediation: "Leave CSR approval to the control plane's approvers; grant approve on signers only for custom signers, by name, and never together with create." + scopeNote,
		References:  []string{"https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization", refGoodPractices},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.11"},
	},
	Check: riskCheck(family{risks: []string{"csr-approve", "csr-signers-approve"}, adjust: func(a *Analysis, h holding, sev rbac.Severity) (rbac.Severity, string, bool) {
		if h.namespace != "" {
			return sev, "", true
		}
		cluster := func(pred func(r *rbacv1.PolicyRule) bool) bool {
			return a.holdersCan(h, func(r *rbacv1.PolicyRule, ns string) bool { return ns == "" && pred(r) })
		}
		const g = "certificates.k8s.io"
		if cluster(func(r *rbacv1.PolicyRule) bool { return creates(r, g, "certificatesigningrequests", "") }) &&
			cluster(func(r *rbacv1.PolicyRule) bool {
				return someName(r, "update", g, "certificatesigningrequests", "approval") || someName(r, "patch", g, "certificatesigningrequests", "approval")
			}) &&
			cluster(func(r *rbacv1.PolicyRule) bool {
				return rbac.Allows(r, rbac.Request{Verb: "approve", APIGroup: g, Resource: "signers", Name: "kubernetes.io/kube-apiserver-client"}) ||
					rbac.Allows(r, rbac.Request{Verb: "approve", APIGroup: g, Resource: "signers", Name: "kubernetes.io/*"})
			}) {
			return rbac.Critical, "its holder can also create CSRs, approve them and approve for the API server's client signer: any identity, system:masters included", true
		}
		return sev, "", true
	}}),
}
