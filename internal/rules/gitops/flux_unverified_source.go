package gitops

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxUnverifiedSource checks the Flux sources that can be verified, a
// GitRepository (commit or tag signatures) and an OCIRepository (cosign or
// notation signatures), for spec.verify when they feed production. A source
// feeds production when its own name, namespace, URL or environment label
// says so, or when a Kustomization or HelmRelease in the scan that reads it
// does (by name, namespace, targetNamespace or path; see
// Options.ProductionWords). When several sources share a kind, namespace and
// name (one flux-system GitRepository per cluster directory), a reader is
// joined with the one nearest to it in the repository tree. Such a source without spec.verify is a hit at
// spec.verify (where it goes). Allowed: verified sources, sources that feed
// no production object, and fragments without a URL (kustomize patches).
// HelmRepository charts cannot be verified by Flux and are not reported.
var fluxUnverifiedSource = &setRule{
	meta: rule.Meta{
		ID: "BW-GO-016", Name: "flux-unverified-source",
		Title:    "Flux source that feeds production is not verified",
		Severity: rule.Medium, Category: rule.GitOps,
		Why: "Without spec.verify, Flux applies whatever the repository or registry serves. Anyone who can push to it, who holds a leaked deploy key or registry token, or who can tamper with the artifact, ships to production, and nothing at the cluster tells that change from a reviewed and signed one. " +
			"GitRepository can require OpenPGP signatures on the commit or tag it checks out; OCIRepository can require cosign (key or keyless OIDC identity) or notation signatures. " +
			"A source counts as production when a word of its name, URL, environment label, or of a reading Kustomization's or HelmRelease's name, namespace, targetNamespace or path is \"prod\", \"production\", \"prd\" or \"live\"; the words and the label (bulwark.dev/environment) are options.",
		Remediation: "Sign the commits or tags of production repositories and add spec.verify (mode: HEAD, Tag or TagAndHEAD, with a secretRef to the public keys) to the GitRepository; sign OCI artifacts with cosign or notation and add spec.verify.provider with the keys or matchOIDCIdentity to the OCIRepository.",
		References:  []string{refFluxGitRepository + "#verification", refFluxOCIRepository + "#verification", refFluxSecurity},
	},
	kinds: []string{"GitRepository", "OCIRepository", "Kustomization", "HelmRelease"},
	check: func(o *Options, objs []*manifest.Object) []rule.Hit {
		// Sources by identity; one repository often holds several clusters,
		// each with its own flux-system GitRepository.
		sources := map[key][]*manifest.Object{}
		for _, obj := range objs {
			if group(obj.APIVersion) == fluxSource && (obj.Kind == "GitRepository" || obj.Kind == "OCIRepository") {
				k := key{obj.Kind, obj.Namespace(), obj.Name()}
				sources[k] = append(sources[k], obj)
			}
		}
		// Why each source is production: the first production reader.
		feeds := map[*manifest.Object]string{}
		for _, obj := range objs {
			refs := sourceRefs(obj)
			if len(refs) == 0 {
				continue
			}
			why := ""
			switch {
			case o.productionObject(obj):
				why = fmt.Sprintf("%s %s", obj.Kind, obj.Name())
			case o.productionWord(obj.String("spec.targetNamespace")):
				why = fmt.Sprintf("%s %s, targetNamespace %s", obj.Kind, obj.Name(), obj.String("spec.targetNamespace"))
			case o.productionWord(obj.String("spec.path")):
				why = fmt.Sprintf("%s %s, path %s", obj.Kind, obj.Name(), obj.String("spec.path"))
			default:
				continue
			}
			for _, r := range refs {
				for _, src := range nearest(obj, sources[r.ref.target(obj)]) {
					if feeds[src] == "" {
						feeds[src] = why
					}
				}
			}
		}
		var hits []rule.Hit
		for _, obj := range objs {
			if group(obj.APIVersion) != fluxSource || obj.Kind != "GitRepository" && obj.Kind != "OCIRepository" {
				continue
			}
			if obj.Node("spec.verify") != nil || !complete(obj) {
				continue
			}
			why := feeds[obj]
			if why != "" {
				why = "feeds production (" + why + ")"
			} else if o.productionObject(obj) || o.productionWord(obj.String("spec.url")) {
				why = "is production"
			} else {
				continue
			}
			what := "commit signatures"
			if obj.Kind == "OCIRepository" {
				what = "artifact signatures"
			}
			hits = append(hits, rule.Hit{
				Object:  obj,
				Path:    "spec.verify",
				Message: fmt.Sprintf("%s %s %s but does not verify %s (no spec.verify)", obj.Kind, obj.Name(), why, what),
			})
		}
		return hits
	},
}

// nearest picks, among objects of the same identity, those whose file is
// closest to the referrer's (the longest common directory), so that a
// production cluster's Kustomization is joined with its own cluster's source.
func nearest(from *manifest.Object, candidates []*manifest.Object) []*manifest.Object {
	if len(candidates) < 2 {
		return candidates
	}
	best, out := -1, []*manifest.Object(nil)
	for _, c := range candidates {
		n := commonDirs(from.File, c.File)
		switch {
		case n > best:
			best, out = n, []*manifest.Object{c}
		case n == best:
			out = append(out, c)
		}
	}
	return out
}

// commonDirs counts the leading directories two file paths share.
func commonDirs(a, b string) int {
	da := strings.Split(path.Dir(filepath.ToSlash(a)), "/")
	db := strings.Split(path.Dir(filepath.ToSlash(b)), "/")
	n := 0
	for n < len(da) && n < len(db) && da[n] == db[n] {
		n++
	}
	return n
}
