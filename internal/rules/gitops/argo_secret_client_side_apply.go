package gitops

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// argoSecretClientSideApply checks Argo CD repository, repo-creds and cluster
// Secrets that hold a credential (password, sshPrivateKey,
// githubAppPrivateKey, tlsClientCertKey, a bearerToken or key data in a
// cluster config...):
//   - one that carries a last-applied-configuration annotation is a hit there;
//   - one without the sync option ServerSideApply=true (annotation
//     argocd.argoproj.io/sync-options) is a hit at metadata.annotations,
//     because Argo CD and kubectl apply it client-side by default.
//
// Allowed: Secrets without credentials, and Secrets applied server-side.
// The credential values themselves are the secrets family's to report.
var argoSecretClientSideApply = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-014", Name: "argo-secret-client-side-apply",
		Title:    "Argo CD credential Secret is managed with client-side apply",
		Severity: rule.Medium, Category: rule.GitOps,
		Why: "Client-side apply (kubectl apply, and Argo CD's default sync) stores the whole object in the kubectl.kubernetes.io/last-applied-configuration annotation, Secret data included. " +
			"Annotations are shown to people who may see an object's metadata but not its Secret data: CVE-2023-40029 (GHSA-fwr2-64vr-xv9m) exposed the bearer tokens of declaratively managed cluster Secrets through the cluster annotations of Argo CD's API.",
		Remediation: "Apply Argo CD repository and cluster Secrets server-side: add the annotation argocd.argoproj.io/sync-options: ServerSideApply=true (or use kubectl apply --server-side), remove any existing last-applied-configuration annotation, and better, deliver the Secret through External Secrets or Sealed Secrets.",
		References:  []string{"https://github.com/argoproj/argo-cd/security/advisories/GHSA-fwr2-64vr-xv9m", "https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#server-side-apply", refArgoDeclarative},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		kind := argoSecretKind(obj)
		if kind != "cluster" && !isRepoSecret(kind) {
			return nil
		}
		field := credentialField(obj)
		if field == "" {
			return nil
		}
		ann := obj.StringMap("metadata.annotations")
		if _, ok := ann[lastApplied]; ok {
			return []rule.Hit{{
				Path:    fmt.Sprintf("metadata.annotations[%q]", lastApplied),
				Message: fmt.Sprintf("Argo CD %s Secret carries a last-applied-configuration annotation, which copies %s where metadata readers see it", kind, field),
			}}
		}
		if strings.Contains(ann["argocd.argoproj.io/sync-options"], "ServerSideApply=true") {
			return nil
		}
		return []rule.Hit{{
			Path:    "metadata.annotations",
			Message: fmt.Sprintf("Argo CD %s Secret holds %s and is applied client-side, which copies it into a last-applied-configuration annotation", kind, field),
		}}
	},
}

// credentialField names the first credential an Argo CD Secret holds, or "".
func credentialField(obj *manifest.Object) string {
	for _, k := range secretFields {
		if v, _, ok := secretValue(obj, k); ok && strings.TrimSpace(v) != "" {
			return "a credential (" + k + ")"
		}
	}
	config, _, ok := secretValue(obj, "config")
	if !ok {
		return ""
	}
	var c struct {
		BearerToken string `yaml:"bearerToken"`
		Password    string `yaml:"password"`
		TLS         struct {
			KeyData string `yaml:"keyData"`
		} `yaml:"tlsClientConfig"`
		Exec any `yaml:"execProviderConfig"`
	}
	if yaml.Unmarshal([]byte(config), &c) != nil {
		return ""
	}
	switch {
	case c.BearerToken != "":
		return "a bearer token (config.bearerToken)"
	case c.Password != "":
		return "a password (config.password)"
	case c.TLS.KeyData != "":
		return "a client key (config.tlsClientConfig.keyData)"
	}
	return ""
}
