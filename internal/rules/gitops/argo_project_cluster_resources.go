package gitops

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoProjectClusterResources checks AppProject
// spec.clusterResourceWhitelist: an entry whose kind is "*" is a hit at that
// entry (every kind of its group, or of every group when the group is "*" too).
// Allowed: named kinds (Namespace, a CRD's kind); no whitelist at all, which
// Argo CD reads as "no cluster-scoped resources".
var argoProjectClusterResources = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-006", Name: "argo-project-cluster-resources",
		Title:    "Argo CD project may create any cluster-scoped resource",
		Severity: rule.High, Category: rule.GitOps,
		Why: "Cluster-scoped resources are where cluster-admin lives: ClusterRoles and ClusterRoleBindings, CustomResourceDefinitions, admission webhooks, PersistentVolumes, Namespaces. " +
			"A project whose clusterResourceWhitelist allows every kind lets each of its applications grant itself or anyone cluster-admin, or switch off admission control, with one manifest.",
		Remediation: "List only the cluster-scoped kinds the project needs (often just Namespace) in spec.clusterResourceWhitelist, and deploy RBAC, CRDs and webhooks from a platform project.",
		References:  []string{refArgoProjects, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		p, ok := projectOf(obj)
		if !ok {
			return nil
		}
		var hits []rule.Hit
		for i, gk := range p.ClusterResourceWhitelist {
			if gk.Kind != "*" {
				continue
			}
			scope := fmt.Sprintf("every cluster-scoped kind of group %q", gk.Group)
			if gk.Group == "*" {
				scope = "every cluster-scoped kind"
			}
			hits = append(hits, rule.Hit{
				Path:     fmt.Sprintf("spec.clusterResourceWhitelist[%d]", i),
				Message:  fmt.Sprintf("project %q may create %s", obj.Name(), scope),
				Evidence: fmt.Sprintf("group: %q, kind: '*'", gk.Group),
			})
		}
		return hits
	},
}
