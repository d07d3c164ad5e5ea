package gitops

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoControlPlaneDestination checks what tenant projects can reach in the
// control plane. A tenant project is any project other than "default"
// (argo-default-project covers it) and Options.PlatformProjects.
//   - An Application, or an ApplicationSet template, of a tenant project whose
//     destination namespace is a control-plane namespace (kube-system, argocd,
//     flux-system...) is a hit at destination.namespace, unless the project is
//     in the scan and does not permit that destination (Argo CD then refuses
//     to sync it).
//   - An AppProject of a tenant that names a control-plane namespace in its
//     destinations is a hit at that destination. Wildcard destinations are
//     argo-project-any-destination's.
//
// Allowed: platform projects, and templated namespaces.
var argoControlPlaneDestination = &setRule{
	meta: rule.Meta{
		ID: "BW-GO-002", Name: "argo-control-plane-destination",
		Title:    "Tenant Argo CD project deploys into a control-plane namespace",
		Severity: rule.High, Category: rule.GitOps,
		Why: "Namespaces such as kube-system, argocd and flux-system hold the cluster's own machinery: the GitOps controllers, their credentials for every cluster and repository, and their RBAC. " +
			"A tenant project that may deploy there turns a push to one team's repository into control of the cluster: replace the Argo CD configuration, read its cluster Secrets, or run a pod with a control-plane service account. " +
			"Which projects belong to the platform team, and which namespaces count as control plane, are options (by default the projects platform, infra, infrastructure, cluster-addons, system, admin and bootstrap).",
		Remediation: "Deploy control-plane components from a platform project that only the platform team can change, and remove control-plane namespaces from tenant projects' destinations (or exclude them with a \"!kube-system\" destination).",
		References:  []string{refArgoProjects, refArgoSecurity, refEKSArgoProjects},
	},
	kinds: []string{"Application", "ApplicationSet", "AppProject"},
	check: func(o *Options, objs []*manifest.Object) []rule.Hit {
		projects := map[string]projectSpec{}
		for _, obj := range objs {
			if p, ok := projectOf(obj); ok {
				projects[obj.Name()] = p
			}
		}
		var hits []rule.Hit
		for _, obj := range objs {
			if p, ok := projectOf(obj); ok {
				if obj.Name() == "default" || o.platformProject(obj.Name()) {
					continue
				}
				for i, d := range p.Destinations {
					if ns, neg := cutBang(d.Namespace); !neg && o.controlPlane(ns) {
						hits = append(hits, rule.Hit{
							Object:   obj,
							Path:     fmt.Sprintf("spec.destinations[%d].namespace", i),
							Message:  fmt.Sprintf("tenant project %q may deploy into control-plane namespace %s", obj.Name(), ns),
							Evidence: "namespace: " + ns,
						})
					}
				}
				continue
			}
			a, ok := appOf(obj)
			if !ok || templated(a.spec.Project) {
				continue
			}
			proj, ns := a.projectName(), a.spec.Destination.Namespace
			if proj == "default" || o.platformProject(proj) || !o.controlPlane(ns) {
				continue
			}
			if p, found := projects[proj]; found && !p.permits(a.spec.Destination) {
				continue
			}
			hits = append(hits, rule.Hit{
				Object:   obj,
				Path:     a.path + ".destination.namespace",
				Message:  fmt.Sprintf("application of tenant project %q deploys into control-plane namespace %s", proj, ns),
				Evidence: "namespace: " + ns,
			})
		}
		return hits
	},
}
