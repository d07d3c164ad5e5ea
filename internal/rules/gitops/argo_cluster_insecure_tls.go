package gitops

import (
	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoClusterInsecureTLS checks Argo CD cluster Secrets (label
// argocd.argoproj.io/secret-type: cluster): a config whose
// tlsClientConfig.insecure is true is a hit at config. Allowed: a config with
// the cluster's CA in tlsClientConfig.caData, or none (the system roots).
var argoClusterInsecureTLS = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-013", Name: "argo-cluster-insecure-tls",
		Title:    "Argo CD trusts any certificate from a cluster's API server",
		Severity: rule.High, Category: rule.GitOps,
		Why:         "With tlsClientConfig.insecure, Argo CD accepts any certificate from the cluster's API server. Someone who can intercept the connection can impersonate the cluster, read every manifest and Secret Argo CD applies, and capture the bearer token or client certificate Argo CD authenticates with, which usually carries cluster-admin on the target cluster.",
		Remediation: "Remove tlsClientConfig.insecure and put the API server's CA certificate (base64) in tlsClientConfig.caData; argocd cluster add does this from the kubeconfig.",
		References:  []string{refArgoDeclarative + "#clusters", refArgoSecurity},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if argoSecretKind(obj) != "cluster" {
			return nil
		}
		config, path, ok := secretValue(obj, "config")
		if !ok {
			return nil
		}
		var c struct {
			TLS struct {
				Insecure bool `yaml:"insecure"`
			} `yaml:"tlsClientConfig"`
		}
		// JSON is YAML, and yaml tolerates the trailing newlines of a block.
		if yaml.Unmarshal([]byte(config), &c) != nil || !c.TLS.Insecure {
			return nil
		}
		server, _, _ := secretValue(obj, "server")
		msg := "cluster config skips TLS verification of the API server (tlsClientConfig.insecure: true)"
		if server != "" {
			msg = "cluster " + server + " is reached without TLS verification (tlsClientConfig.insecure: true)"
		}
		h := rule.Hit{Path: path, Message: msg, Evidence: "tlsClientConfig.insecure: true"}
		h.Line, h.Column, _ = inBlock(obj, path, `"insecure"`, 0)
		return []rule.Hit{h}
	},
}
