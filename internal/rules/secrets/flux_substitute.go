package secrets

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxSubstitute checks the inline variables of a Flux Kustomization,
// spec.postBuild.substitute: a variable is reported when its name says it
// is a credential (DB_PASSWORD, API_TOKEN) or its value is one. Allowed:
// substituteFrom, which reads variables from a ConfigMap or (SOPS-encrypted)
// Secret, and variables that only configure.
var fluxSubstitute = &objectRule{
	Meta: meta("BW-SE-013", "flux-substitute-secret", "Flux Kustomization substitutes a credential from plain text", rule.High,
		"postBuild.substitute values are written in the Kustomization itself, so a credential given there is "+
			"committed in clear, then templated into the manifests Flux applies: it ends up both in Git and in every "+
			"object that uses the variable.",
		"Move the variable to a Secret and list it under postBuild.substituteFrom (kind: Secret), keeping that "+
			"Secret encrypted with SOPS and decrypted by the Kustomization's spec.decryption."+deliver,
		"https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution"),
	Applies: func(obj *manifest.Object) bool {
		return obj.Kind == "Kustomization" && group(obj) == "kustomize.toolkit.fluxcd.io"
	},
	Check: func(s *scope) {
		for _, e := range entries(at(s.root, "spec", "postBuild", "substitute")) {
			if !isScalar(e.val) {
				continue
			}
			s.cover(e.key, e.val)
			s.value(val{path: child("spec.postBuild.substitute", e.name), where: fmt.Sprintf("postBuild.substitute variable %s", e.name),
				name: e.name, value: e.val.Value, named: secretName(e.name), loose: true})
		}
	},
}
