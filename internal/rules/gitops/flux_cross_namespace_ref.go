package gitops

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxCrossNamespaceRef checks the source references of Flux Kustomizations
// (spec.sourceRef) and HelmReleases (spec.chart.spec.sourceRef,
// spec.chartRef): one whose namespace differs from the object's own is a hit
// at its namespace. Allowed: references without a namespace or to the
// object's own namespace, and objects without a namespace in the file.
var fluxCrossNamespaceRef = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-018", Name: "flux-cross-namespace-ref",
		Title:    "Flux object reads a source from another namespace",
		Severity: rule.Medium, Category: rule.GitOps,
		Why: "Namespaces are the boundary between Flux tenants. A reference to a source in another namespace lets one tenant reuse another team's repository, with the credentials of its secretRef, and deploy its contents with the referrer's identity, or lets a platform source be redeployed from a tenant namespace. " +
			"Flux's multi-tenancy lockdown (--no-cross-namespace-refs=true) refuses such references, so they also break when the cluster is hardened.",
		Remediation: "Give each tenant its own source object in its own namespace (a GitRepository or HelmRepository next to the Kustomization or HelmRelease), and start the controllers with --no-cross-namespace-refs=true.",
		References:  []string{refFluxMultiTenancy, refFluxRFC0003, refFluxKustomization + "#source-reference"},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if obj.Kind != "Kustomization" && obj.Kind != "HelmRelease" {
			return nil // decide by kind before reading the tree
		}
		ns := obj.Namespace()
		if ns == "" {
			return nil
		}
		var hits []rule.Hit
		for _, r := range sourceRefs(obj) {
			if r.ref.Namespace == "" || r.ref.Namespace == ns {
				continue
			}
			hits = append(hits, rule.Hit{
				Path:     r.path + ".namespace",
				Message:  fmt.Sprintf("%s %s in namespace %s reads %s %s from namespace %s", obj.Kind, obj.Name(), ns, r.ref.Kind, r.ref.Name, r.ref.Namespace),
				Evidence: "namespace: " + r.ref.Namespace,
			})
		}
		return hits
	},
}
