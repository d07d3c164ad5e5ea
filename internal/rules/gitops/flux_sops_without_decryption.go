package gitops

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxSOPSWithoutDecryption checks Flux Kustomizations against the
// SOPS-encrypted Secrets and ConfigMaps in the scan (objects with a sops
// block): a Kustomization without spec.decryption whose spec.path holds such
// a file is a hit at spec. A file is under the path when the path's segments
// (without a leading "./") appear, in order, in the file's path; a path of
// "./" or none holds every file. Allowed: Kustomizations with decryption, and
// those whose path holds no encrypted file.
var fluxSOPSWithoutDecryption = &setRule{
	meta: rule.Meta{
		ID: "BW-GO-019", Name: "flux-sops-without-decryption",
		Title:    "Flux Kustomization applies SOPS files without decrypting them",
		Severity: rule.Low, Category: rule.GitOps,
		Why: "A Kustomization applies the SOPS-encrypted files under its path only when spec.decryption names the provider and the key Secret; without it, reconciliation fails on them, or the encrypted blob is applied as-is. " +
			"The usual way out under pressure is to commit a decrypted copy, which puts the secret in Git history for good.",
		Remediation: "Add spec.decryption (provider: sops, secretRef to the Secret holding the age or GPG private key, or a cloud KMS identity) to the Kustomization that applies the encrypted files.",
		References:  []string{refFluxSOPS, refFluxKustomization + "#decryption"},
	},
	kinds: []string{"Kustomization", "Secret", "ConfigMap"},
	check: func(_ *Options, objs []*manifest.Object) []rule.Hit {
		// Kustomizations without decryption are few; find them before
		// looking into every Secret and ConfigMap, and look only into those
		// whose bytes name a sops block.
		var bare []*manifest.Object
		for _, obj := range objs {
			if isFluxKustomization(obj) && obj.Node("spec.decryption") == nil && complete(obj) {
				bare = append(bare, obj)
			}
		}
		if len(bare) == 0 {
			return nil
		}
		var encrypted []*manifest.Object
		for _, obj := range objs {
			if obj.Kind == "Kustomization" || !bytes.Contains(obj.Data(), []byte("sops")) {
				continue
			}
			if obj.Node("sops.mac") != nil || obj.Node("sops.lastmodified") != nil {
				encrypted = append(encrypted, obj)
			}
		}
		var hits []rule.Hit
		for _, obj := range bare {
			dir := cleanSpecPath(obj.String("spec.path"))
			for _, e := range encrypted {
				if !under(e.File, dir) {
					continue
				}
				hits = append(hits, rule.Hit{
					Object:  obj,
					Path:    "spec.decryption",
					Message: fmt.Sprintf("Kustomization %s applies SOPS-encrypted %s %s (%s) but sets no spec.decryption", obj.Name(), e.Kind, e.Name(), e.File),
				})
				break
			}
		}
		return hits
	},
}

// cleanSpecPath turns "./clusters/prod/" into "clusters/prod" ("" for the root).
func cleanSpecPath(p string) string {
	p = path.Clean("/" + strings.TrimSpace(p))
	return strings.TrimPrefix(p, "/")
}

// under reports whether file lies under the repository directory dir.
func under(file, dir string) bool {
	if dir == "" {
		return true
	}
	file = "/" + strings.ReplaceAll(file, "\\", "/")
	return strings.Contains(file, "/"+dir+"/")
}
