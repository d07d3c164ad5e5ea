package secrets

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// externalSecretsInline checks External Secrets Operator objects for
// credentials given inline instead of referenced: SecretStore and
// ClusterSecretStore provider settings (a literal token, password, client
// secret or Authorization header where the provider expects a secretRef,
// and every value of the fake provider, which serves literal data), and
// literal credentials in an ExternalSecret's target template. Allowed:
// *SecretRef and other references, remote keys and paths, template
// expressions over the fetched data.
var externalSecretsInline = &objectRule{
	Meta: meta("BW-SE-018", "external-secrets-inline-credentials", "External Secrets object holds a credential inline", rule.High,
		"The point of a SecretStore is that the repository holds only references. A provider credential "+
			"written inline (the token External Secrets itself uses to read the vault, a fake provider's data, a literal "+
			"in a target template) is committed in clear, and it often unlocks every other secret in the store.",
		"Put the provider credential in a Secret delivered outside Git (or use workload identity: IRSA, GKE or "+
			"Azure workload identity, Vault Kubernetes auth) and point the provider's *SecretRef at it; keep "+
			"templates to expressions over fetched data, and the fake provider to tests."+deliver,
		"https://external-secrets.io/latest/api/secretstore/",
		"https://external-secrets.io/latest/guides/security-best-practices/"),
	Applies: func(obj *manifest.Object) bool {
		if group(obj) != "external-secrets.io" {
			return false
		}
		switch obj.Kind {
		case "SecretStore", "ClusterSecretStore", "ExternalSecret", "ClusterExternalSecret":
			return true
		}
		return false
	},
	Check: func(s *scope) {
		switch s.obj.Kind {
		case "SecretStore", "ClusterSecretStore":
			for _, p := range entries(at(s.root, "spec", "provider")) {
				path := child("spec.provider", p.name)
				if p.name == "fake" {
					for i, d := range items(at(p.val, "data")) {
						for _, f := range []string{"value", "valueMap"} {
							k, v := get(d, f)
							if v == nil {
								continue
							}
							key := str(at(d, "key"))
							if isScalar(v) {
								s.cover(k, v)
								s.value(val{path: fmt.Sprintf("%s.data[%d].%s", path, i, f), where: fmt.Sprintf("fake provider key %q", key),
									name: key, value: v.Value, named: true})
							} else {
								s.valuesTree(v, fmt.Sprintf("%s.data[%d].%s", path, i, f), where{}, fmt.Sprintf("fake provider key %q", key))
							}
						}
					}
					continue
				}
				s.valuesTree(p.val, path, where{}, p.name+" provider")
			}
		case "ExternalSecret":
			s.valuesTree(at(s.root, "spec", "target", "template", "data"), "spec.target.template.data", where{}, "target template")
		case "ClusterExternalSecret":
			s.valuesTree(at(s.root, "spec", "externalSecretSpec", "target", "template", "data"),
				"spec.externalSecretSpec.target.template.data", where{}, "target template")
		}
	},
}
