package gitops

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoInsecureRepository checks how Argo CD reaches its repositories:
//   - repository and repo-creds Secrets: an http:// url, insecure: "true"
//     (no TLS verification for HTTPS, no host-key check for SSH),
//     insecureIgnoreHostKey: "true", and forceHttpBasicAuth over http://;
//   - the legacy repositories and repository.credentials lists of the
//     argocd-cm ConfigMap: the same fields;
//   - Applications and ApplicationSet templates: an http:// repoURL.
//
// Each is a hit at the field. Allowed: https:// and SSH URLs with TLS and
// host keys verified (trust private CAs and hosts through argocd-tls-certs-cm
// and argocd-ssh-known-hosts-cm).
var argoInsecureRepository = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-012", Name: "argo-insecure-repository",
		Title:    "Argo CD pulls from a repository without transport security",
		Severity: rule.High, Category: rule.GitOps,
		Why:         "What Argo CD pulls is what the cluster runs. Over plain HTTP, or over HTTPS or SSH with certificate or host-key checks switched off, anyone on the network path between Argo CD and the repository can serve other manifests or charts, and read the repository credentials sent with the request (forceHttpBasicAuth over http:// sends the password in clear on every fetch).",
		Remediation: "Use https:// or SSH URLs; remove insecure and insecureIgnoreHostKey; add the server's CA to argocd-tls-certs-cm or its host key to argocd-ssh-known-hosts-cm instead.",
		References:  []string{refArgoDeclarative, "https://argo-cd.readthedocs.io/en/stable/user-guide/private-repositories/", refArgoSecurity},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if isRepoSecret(argoSecretKind(obj)) {
			return repoSecretHits(obj)
		}
		if obj.Kind == "ConfigMap" && obj.APIVersion == "v1" && obj.Name() == "argocd-cm" {
			return argoCMHits(obj)
		}
		a, ok := appOf(obj)
		if !ok {
			return nil
		}
		var hits []rule.Hit
		add := func(path, url string) {
			if plainHTTP(url) {
				hits = append(hits, rule.Hit{Path: path, Message: "application deploys from " + url + " over plain HTTP", Evidence: "repoURL: " + url})
			}
		}
		if a.spec.Source != nil {
			add(a.path+".source.repoURL", a.spec.Source.RepoURL)
		}
		for i, s := range a.spec.Sources {
			add(fmt.Sprintf("%s.sources[%d].repoURL", a.path, i), s.RepoURL)
		}
		return hits
	},
}

func repoSecretHits(obj *manifest.Object) []rule.Hit {
	var hits []rule.Hit
	url, urlPath, _ := secretValue(obj, "url")
	if plainHTTP(url) {
		msg := "repository " + url + " is fetched over plain HTTP"
		if v, _, _ := secretValue(obj, "forceHttpBasicAuth"); truthy(v) {
			msg = "repository " + url + " is fetched over plain HTTP with forceHttpBasicAuth, which sends the password in clear"
		}
		hits = append(hits, rule.Hit{Path: urlPath, Message: msg, Evidence: "url: " + url})
	}
	if v, p, _ := secretValue(obj, "insecure"); truthy(v) {
		hits = append(hits, rule.Hit{Path: p, Message: "repository credentials skip TLS certificate and SSH host-key verification (insecure: true)", Evidence: "insecure: true"})
	}
	if v, p, _ := secretValue(obj, "insecureIgnoreHostKey"); truthy(v) {
		hits = append(hits, rule.Hit{Path: p, Message: "repository credentials skip SSH host-key verification (insecureIgnoreHostKey: true)", Evidence: "insecureIgnoreHostKey: true"})
	}
	return hits
}

// argoCMHits reads the legacy repository lists, which are YAML in a string.
func argoCMHits(obj *manifest.Object) []rule.Hit {
	var hits []rule.Hit
	for _, key := range []string{"repositories", "repository.credentials"} {
		path := fmt.Sprintf("data[%q]", key)
		var repos []struct {
			URL                   string `yaml:"url"`
			Insecure              bool   `yaml:"insecure"`
			InsecureIgnoreHostKey bool   `yaml:"insecureIgnoreHostKey"`
		}
		if yaml.Unmarshal([]byte(obj.String(path)), &repos) != nil {
			continue
		}
		value := strings.Split(obj.String(path), "\n")
		for i, r := range repos {
			// The entry starts at its url line; its fields follow.
			from := 0
			for j, l := range value {
				if strings.Contains(l, r.URL) {
					from = j
					break
				}
			}
			type problem struct{ field, why string }
			var found []problem
			if plainHTTP(r.URL) {
				found = append(found, problem{r.URL, "is fetched over plain HTTP"})
			}
			if r.Insecure {
				found = append(found, problem{"insecure:", "skips TLS and host-key verification (insecure: true)"})
			}
			if r.InsecureIgnoreHostKey {
				found = append(found, problem{"insecureIgnoreHostKey:", "skips SSH host-key verification (insecureIgnoreHostKey: true)"})
			}
			for _, p := range found {
				h := rule.Hit{
					Path:     path,
					Message:  fmt.Sprintf("repository %s in argocd-cm %s %s", r.URL, key, p.why),
					Evidence: "url: " + r.URL,
					Key:      fmt.Sprintf("%d:%s", i, p.field),
				}
				h.Line, h.Column, _ = inBlock(obj, path, p.field, from)
				hits = append(hits, h)
			}
		}
	}
	return hits
}
