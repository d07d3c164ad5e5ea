package secrets

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxSourceCheck is the one structural rule that needs several objects:
// a Flux source and the Secret it reads.
type fluxSourceCheck struct{ rule.Meta }

// fluxSourceSecret checks Flux sources (GitRepository, HelmRepository,
// OCIRepository, Bucket) whose secretRef, certSecretRef or proxySecretRef
// names a Secret that is itself in the scan, in clear: the Git, Helm, OCI
// or bucket credentials (username/password, bearerToken, an SSH identity,
// a TLS client key) of a delivery source. The Secret's values are reported
// by the Secret rules; this finding, on the source, says what they unlock.
// Allowed: Secrets that are SOPS-encrypted, sealed, or not in the
// repository; verify.secretRef, which holds public keys.
var fluxSourceSecret = &fluxSourceCheck{meta("BW-SE-012", "flux-source-secret",
	"Flux source reads its credentials from a Secret committed in plain text", rule.Critical,
	"The Secret a Flux source references holds the credentials Flux uses to pull what it deploys: a Git "+
		"deploy key or token, registry credentials, bucket keys. Committed in clear next to the source, it lets "+
		"anyone who reads the repository read (often write) the delivery source, and push changes Flux will apply.",
	"Commit the Secret SOPS-encrypted (with spec.decryption on the Kustomization that applies it) or sealed, or "+
		"create it with flux bootstrap or an ExternalSecret; prefer read-only deploy keys."+deliver,
	"https://fluxcd.io/flux/components/source/gitrepositories/#secret-reference",
	"https://fluxcd.io/flux/security/secrets-management/")}

func (c *fluxSourceCheck) Rules() []*rule.Meta { return []*rule.Meta{&c.Meta} }

// Kinds are the sources and the Secrets they may read.
func (c *fluxSourceCheck) Kinds() []string {
	return []string{"GitRepository", "HelmRepository", "OCIRepository", "Bucket", "Secret"}
}

// CheckSet matches sources to plaintext Secrets by namespace and name.
func (c *fluxSourceCheck) CheckSet(objs []*manifest.Object) []rule.Hit {
	type leak struct {
		obj  *manifest.Object
		keys []string
	}
	plain := map[string]leak{}
	for _, o := range objs {
		if !isCoreSecret(o) {
			continue
		}
		var keys []string
		for _, h := range analyze(o).hits {
			if strings.HasPrefix(h.Key, "sha256:") {
				keys = append(keys, h.Path)
			}
		}
		if len(keys) > 0 {
			plain[o.Namespace()+"/"+o.Name()] = leak{o, keys}
		}
	}
	if len(plain) == 0 {
		return nil
	}
	var hits []rule.Hit
	for _, o := range objs {
		if group(o) != "source.toolkit.fluxcd.io" || o.Kind == "Secret" {
			continue
		}
		for _, ref := range []string{"spec.secretRef.name", "spec.certSecretRef.name", "spec.proxySecretRef.name"} {
			name := o.String(ref)
			if name == "" {
				continue
			}
			l, ok := plain[o.Namespace()+"/"+name]
			if !ok {
				continue
			}
			hits = append(hits, rule.Hit{
				Rule: c.ID, Object: o, Path: ref, Key: "secret/" + name,
				Message: fmt.Sprintf("%s %q reads credentials from Secret %q, committed in plain text in %s:%d (%s)",
					o.Kind, o.Name(), name, l.obj.File, l.obj.Line(), strings.Join(l.keys, ", ")),
			})
		}
	}
	return hits
}
