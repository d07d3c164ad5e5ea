package gitops

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxNoServiceAccount checks Flux Kustomizations and HelmReleases outside
// flux-system: one without spec.serviceAccountName is a hit at spec (where
// the field goes). Allowed: objects in flux-system (the platform's own), objects
// that name a service account, Kustomizations and HelmReleases that deploy to
// another cluster through spec.kubeConfig (they act as that kubeconfig's
// identity), objects without a namespace in the file (their namespace is
// decided by whatever applies them), and fragments without a source (kustomize
// patches, whose base names the account).
var fluxNoServiceAccount = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-017", Name: "flux-no-service-account",
		Title:    "Flux reconciles a tenant's objects as the controller",
		Severity: rule.High, Category: rule.GitOps,
		Why: "A Kustomization or HelmRelease without serviceAccountName is applied with the identity of kustomize-controller or helm-controller, which is cluster-admin in a default installation. " +
			"Whoever controls its source can then create anything anywhere, ClusterRoleBindings and other teams' Secrets included, whatever namespace the object lives in. " +
			"Flux's multi-tenancy guidance (RFC-0003) has tenants impersonate their own service account, and the controllers' --default-service-account flag enforces it; the flux2-multi-tenancy policies require serviceAccountName outside flux-system.",
		Remediation: "Create a service account for the tenant, bound to the namespaced rights it needs (for example a RoleBinding to the admin ClusterRole in its namespace), and set spec.serviceAccountName to it; start the controllers with --default-service-account so objects without one get no rights.",
		References:  []string{refFluxMultiTenancy, refFluxRFC0003, refFluxKustomization + "#role-based-access-control", refFluxHelmRelease + "#role-based-access-control"},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if !isFluxKustomization(obj) && !isFluxHelmRelease(obj) {
			return nil
		}
		ns := obj.Namespace()
		if ns == "" || ns == "flux-system" || obj.String("spec.serviceAccountName") != "" || obj.Node("spec.kubeConfig") != nil || !complete(obj) {
			return nil
		}
		return []rule.Hit{{
			Path:    "spec.serviceAccountName",
			Message: fmt.Sprintf("%s %s in namespace %s sets no serviceAccountName, so it is applied with the controller's own (cluster-admin by default) rights", obj.Kind, obj.Name(), ns),
		}}
	},
}
