package secrets

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// secretProviderClassKey checks Secrets Store CSI driver SecretProviderClass
// parameters, including the YAML documents some providers embed in them
// (objects, secrets), for credentials given as literals: client secrets,
// tokens, passwords, and any value a content rule recognises. Allowed:
// object names, vault paths, tenant and client IDs, and credentials kept
// in the nodePublishSecretRef Secret or replaced by workload identity.
var secretProviderClassKey = &objectRule{
	Meta: meta("BW-SE-019", "secret-provider-class-credentials", "SecretProviderClass holds a credential inline", rule.High,
		"A SecretProviderClass should only name the secrets to mount and how to reach the store. A literal "+
			"credential in its parameters is committed in clear and is readable by everyone who can read the class, and "+
			"it is usually the credential to the whole secret store.",
		"Authenticate the provider with workload identity (Azure, GCP, AWS) or keep its credential in the "+
			"nodePublishSecretRef Secret created outside Git, and remove it from the parameters."+deliver,
		"https://secrets-store-csi-driver.sigs.k8s.io/concepts.html#secretproviderclass",
		"https://secrets-store-csi-driver.sigs.k8s.io/topics/best-practices"),
	Applies: func(obj *manifest.Object) bool {
		return obj.Kind == "SecretProviderClass" && group(obj) == "secrets-store.csi.x-k8s.io"
	},
	Check: func(s *scope) {
		s.valuesTree(at(s.root, "spec", "parameters"), "spec.parameters", where{}, "parameter")
	},
}
