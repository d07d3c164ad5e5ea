package gitops

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxSubstituteSecret checks Flux Kustomization spec.postBuild.substitute,
// the variables written into the applied manifests: a variable whose name
// says it holds a secret (password, token, secret, API or private key,
// credential, access key) and whose value is a literal is a hit at that
// variable. Allowed: values that are references ("${...}"), empty, booleans
// or numbers; names of Secrets, files and paths (DB_SECRET_NAME,
// TOKEN_FILE); and everything in substituteFrom. The value is never shown.
var fluxSubstituteSecret = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-019", Name: "flux-substitute-secret",
		Title:    "Flux post-build variable holds a secret in plain text",
		Severity: rule.High, Category: rule.GitOps,
		Why: "postBuild.substitute values are plain text in the Kustomization, so a secret put there is in Git history for good, readable by everyone with read access to the repository and to Kustomization objects in the cluster, which is far more people than may read Secrets. " +
			"Flux offers substituteFrom with a Secret, encrypted with SOPS in Git, for exactly these values.",
		Remediation: "Move the value into a Secret (encrypted with SOPS, or delivered by External Secrets), reference it with spec.postBuild.substituteFrom (kind: Secret), and rotate the exposed secret.",
		References:  []string{refFluxKustomization + "#post-build-variable-substitution", refFluxSOPS},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if !isFluxKustomization(obj) {
			return nil
		}
		vars := obj.StringMap("spec.postBuild.substitute")
		names := make([]string, 0, len(vars))
		for k := range vars {
			names = append(names, k)
		}
		sort.Strings(names)
		var hits []rule.Hit
		for _, k := range names {
			if !secretName.MatchString(k) || notSecretName.MatchString(k) || !literalSecret(vars[k]) {
				continue
			}
			hits = append(hits, rule.Hit{
				Path:     fmt.Sprintf("spec.postBuild.substitute[%q]", k),
				Message:  fmt.Sprintf("post-build variable %s holds a literal value that its name says is secret", k),
				Evidence: k + ": <redacted>",
			})
		}
		return hits
	},
}

var (
	secretName    = regexp.MustCompile(`(?i)(passw(or)?d|passwd|secret|token|api_?key|apikey|private_?key|credential|access_?key|client_?secret)`)
	notSecretName = regexp.MustCompile(`(?i)(_?name|_?ref|_?file|_?path|_?namespace|_?enabled|_?ttl|_?length|_?expiry|_?id)$`)
	numberOrBool  = regexp.MustCompile(`^(?i:true|false|yes|no|on|off|[0-9.]+)$`)
)

// literalSecret reports whether a value looks like a written-down secret
// rather than a reference or a setting.
func literalSecret(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && !strings.Contains(v, "${") && !numberOrBool.MatchString(v)
}
