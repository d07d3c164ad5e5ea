package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// clusterExtensions reports rules that create, update, patch or delete
// CustomResourceDefinitions or APIServices (both cluster-scoped:
// cluster-wide placements only).
var clusterExtensions = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-016", Name: "rbac-cluster-extensions",
		Title:    "Role installs or alters API extensions",
		Severity: rule.High, Category: rule.Permissions,
		Why:         "An APIService routes a whole API group to a server of one's choosing, which then receives those requests with the callers' identities; a CRD's conversion webhook sees every custom resource of its kind, and deleting a CRD deletes every object of it, policy objects included.",
		Remediation: "Install CRDs and APIServices through the GitOps controller from reviewed charts; give operators read access to them and nothing more." + scopeNote,
		References:  []string{"https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/apiserver-aggregation/", refGoodPractices},
	},
	Check: riskCheck(family{risks: []string{"crd-write", "apiservices-write"}}),
}
