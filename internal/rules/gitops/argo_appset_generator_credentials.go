package gitops

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoAppSetGeneratorCredentials checks the ApplicationSet generators that
// authenticate to an SCM API with a Secret from the Argo CD namespace (SCM
// provider and pull-request generators, also inside matrix and merge
// generators). A generator that holds such a credential (tokenRef,
// appSecretName, basicAuth.passwordRef, bearerToken.tokenRef, accessTokenRef,
// appPasswordRef) and sends it to an http:// api URL, or with insecure: true
// (no TLS verification), is a hit at api or insecure. Allowed: https API URLs
// with verified TLS, and generators without credentials.
var argoAppSetGeneratorCredentials = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-011", Name: "argo-appset-generator-credentials",
		Title:    "ApplicationSet generator sends a Secret's token without TLS",
		Severity: rule.High, Category: rule.GitOps,
		Why: "SCM provider and pull-request generators read a token from a Secret in the Argo CD namespace and send it as an authorization header to the api URL the ApplicationSet names. " +
			"Argo CD's ApplicationSet security guide warns that this lets an ApplicationSet send Secrets to arbitrary URLs; over plain HTTP, or with TLS verification switched off, anyone on the network path can read the token as well, and with it the organisation's repositories.",
		Remediation: "Use an https:// api URL and keep TLS verification on (remove insecure: true; trust a private CA with caRef instead). Keep ApplicationSets that read credentials admin-only, as the guide requires.",
		References:  []string{refArgoAppSetSec, "https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-SCM-Provider/", "https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Pull-Request/"},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if !isArgo(obj, "ApplicationSet") {
			return nil
		}
		var gens []map[string]any
		if obj.Decode("spec.generators", &gens) != nil {
			return nil
		}
		var hits []rule.Hit
		var walk func(gens []map[string]any, base string, depth int)
		walk = func(gens []map[string]any, base string, depth int) {
			for i, g := range gens {
				at := fmt.Sprintf("%s[%d]", base, i)
				for _, kind := range []string{"scmProvider", "pullRequest"} {
					m, _ := g[kind].(map[string]any)
					for _, provider := range sortedKeys(m) {
						p, ok := m[provider].(map[string]any)
						if !ok || !holdsCredential(p) {
							continue
						}
						path := fmt.Sprintf("%s.%s.%s", at, kind, provider)
						if api, _ := p["api"].(string); strings.HasPrefix(strings.ToLower(api), "http://") {
							hits = append(hits, rule.Hit{
								Path:     path + ".api",
								Message:  fmt.Sprintf("%s generator (%s) sends a token from a Secret to %s over plain HTTP", kind, provider, api),
								Evidence: "api: " + api,
							})
						}
						if insecure, _ := p["insecure"].(bool); insecure {
							hits = append(hits, rule.Hit{
								Path:     path + ".insecure",
								Message:  fmt.Sprintf("%s generator (%s) sends a token from a Secret without verifying the server's TLS certificate", kind, provider),
								Evidence: "insecure: true",
							})
						}
					}
				}
				for _, nest := range []string{"matrix", "merge"} {
					if m, ok := g[nest].(map[string]any); ok && depth < 3 {
						walk(toMaps(m["generators"]), at+"."+nest+".generators", depth+1)
					}
				}
			}
		}
		walk(gens, "spec.generators", 0)
		return hits
	},
}

// holdsCredential reports whether a generator's provider block reads a Secret.
func holdsCredential(p map[string]any) bool {
	for _, k := range []string{"tokenRef", "appSecretName", "accessTokenRef", "appPasswordRef"} {
		if p[k] != nil {
			return true
		}
	}
	if b, ok := p["basicAuth"].(map[string]any); ok && b["passwordRef"] != nil {
		return true
	}
	if b, ok := p["bearerToken"].(map[string]any); ok && b["tokenRef"] != nil {
		return true
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
