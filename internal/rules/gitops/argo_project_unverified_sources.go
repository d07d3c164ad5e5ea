package gitops

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoProjectUnverifiedSources checks production AppProjects for source
// verification: a production project with neither spec.signatureKeys (GnuPG
// commit verification) nor spec.sourceIntegrity is a hit at spec (where signatureKeys goes). A project is
// production when its name, labels or annotations say so, or one of its
// destinations' namespace, name or server does (see Options.ProductionWords).
// Allowed: projects that are not production, production projects that verify
// their sources, and fragments without sourceRepos or destinations
// (kustomize patches).
var argoProjectUnverifiedSources = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-009", Name: "argo-project-unverified-sources",
		Title:    "Production Argo CD project syncs unverified commits",
		Severity: rule.Medium, Category: rule.GitOps,
		Why: "Without source verification, Argo CD deploys whatever revision the repository serves. Anyone who can push to it, or who holds a leaked deploy key or token, or who can tamper with it in transit, can ship to production, and nothing at the cluster tells that commit from a reviewed one. " +
			"With signatureKeys (or sourceIntegrity from Argo CD 3.5), Argo CD refuses to sync revisions not signed by a listed key. " +
			"A project counts as production when a word of its name, destinations or environment label is \"prod\", \"production\", \"prd\" or \"live\"; the words and the label (bulwark.dev/environment) are options.",
		Remediation: "Sign commits (or tags) to the production repositories and list the signing keys in the project's spec.signatureKeys (spec.sourceIntegrity on Argo CD 3.5 and later); import the public keys with argocd gpg add or the argocd-gpg-keys-cm ConfigMap.",
		References:  []string{refArgoGPG, refArgoProjects},
	},
	check: func(o *Options, obj *manifest.Object) []rule.Hit {
		p, ok := projectOf(obj)
		if !ok || len(p.SignatureKeys) > 0 || len(p.SourceIntegrity) > 0 || !complete(obj) {
			return nil
		}
		because := ""
		if o.productionObject(obj) {
			because = "is production"
		} else {
			for _, d := range p.Destinations {
				for _, s := range []string{d.Namespace, d.Name, d.Server} {
					if !strings.HasPrefix(s, "!") && o.productionWord(s) {
						because = "deploys to production (" + s + ")"
						break
					}
				}
				if because != "" {
					break
				}
			}
		}
		if because == "" {
			return nil
		}
		return []rule.Hit{{
			Path:    "spec.signatureKeys",
			Message: fmt.Sprintf("project %q %s but sets neither signatureKeys nor sourceIntegrity", obj.Name(), because),
		}}
	},
}
