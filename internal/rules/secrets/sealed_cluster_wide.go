package secrets

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// sealedAnnotation is the annotation that widens a SealedSecret's scope.
const sealedAnnotation = "sealedsecrets.bitnami.com/cluster-wide"

// sealedClusterWide checks SealedSecrets for the cluster-wide scope, set by
// the sealedsecrets.bitnami.com/cluster-wide: "true" annotation on the
// SealedSecret or its template. Allowed: the default strict scope (the
// ciphertext is bound to one name and namespace) and namespace-wide.
var sealedClusterWide = &objectRule{
	Meta: meta("BW-SE-016", "sealed-secret-cluster-wide", "SealedSecret can be unsealed in any namespace", rule.Medium,
		"A cluster-wide SealedSecret is not bound to its name and namespace: anyone who can create a "+
			"SealedSecret in any namespace of the cluster can copy the committed ciphertext into their own namespace "+
			"and have the controller decrypt it for them, so the credential is only as protected as the least trusted "+
			"tenant.",
		"Reseal the value with the default strict scope (kubeseal without --scope cluster-wide) for the namespace "+
			"and name that use it, and remove the cluster-wide annotation.",
		"https://github.com/bitnami-labs/sealed-secrets#scopes"),
	Applies: func(obj *manifest.Object) bool { return isSealedSecret(obj) },
	Check: func(s *scope) {
		for _, p := range []string{"metadata.annotations", "spec.template.metadata.annotations"} {
			path := child(p, sealedAnnotation)
			if s.obj.String(path) == "true" {
				s.add(rule.Hit{Path: path, Message: "SealedSecret is sealed cluster-wide: any namespace can unseal a copy of it",
					Key: "cluster-wide"})
				return
			}
		}
	},
}

// isSealedSecret reports a Bitnami SealedSecret.
func isSealedSecret(obj *manifest.Object) bool {
	return obj.Kind == "SealedSecret" && group(obj) == "bitnami.com"
}
