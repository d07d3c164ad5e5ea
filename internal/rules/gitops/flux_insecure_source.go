package gitops

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fluxInsecureSource checks Flux sources for transport security: a
// GitRepository or HelmRepository with an http:// url, and a HelmRepository,
// OCIRepository or Bucket with insecure: true (plain HTTP to the registry or
// bucket endpoint), are hits at the field. Allowed: https://, ssh:// and
// oci:// URLs with insecure unset or false.
var fluxInsecureSource = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-015", Name: "flux-insecure-source",
		Title:    "Flux source is fetched over plain HTTP",
		Severity: rule.High, Category: rule.GitOps,
		Why: "Flux applies what its sources fetch. Over plain HTTP, anyone on the network path between the cluster and the Git server, Helm repository, OCI registry or bucket can change the manifests, charts or artifacts in flight, and read the credentials of the source's secretRef. " +
			"Flux's own bootstrap refuses http:// unless told --allow-insecure-http, and source-controller can be started with --insecure-allow-http=false to refuse such sources altogether.",
		Remediation: "Use https://, ssh:// or oci:// URLs and remove insecure: true; trust a private CA through the source's certSecretRef instead of switching TLS off.",
		References:  []string{refFluxGitRepository, "https://fluxcd.io/flux/components/source/helmrepositories/", refFluxOCIRepository, "https://fluxcd.io/flux/components/source/buckets/", refFluxSecurity},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if group(obj.APIVersion) != fluxSource {
			return nil
		}
		var hits []rule.Hit
		switch obj.Kind {
		case "GitRepository", "HelmRepository":
			if url := obj.String("spec.url"); plainHTTP(url) {
				hits = append(hits, rule.Hit{Path: "spec.url", Message: obj.Kind + " " + obj.Name() + " is fetched from " + url + " over plain HTTP", Evidence: "url: " + url})
			}
		}
		switch obj.Kind {
		case "HelmRepository", "OCIRepository", "Bucket":
			if obj.String("spec.insecure") == "true" {
				hits = append(hits, rule.Hit{Path: "spec.insecure", Message: obj.Kind + " " + obj.Name() + " allows plain HTTP to its endpoint (insecure: true)", Evidence: "insecure: true"})
			}
		}
		return hits
	},
}
