package secrets

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoSecretType is the label that makes a Secret an Argo CD repository,
// credential template or cluster.
const argoSecretType = "argocd.argoproj.io/secret-type"

// argoCDCredentials checks Secrets labelled argocd.argoproj.io/secret-type
// (repository, repo-creds, repository-write, repo-write-creds, cluster).
// Repository Secrets: password, bearerToken, sshPrivateKey,
// githubAppPrivateKey, tlsClientCertKey and gcpServiceAccountKey. Cluster
// Secrets: the config JSON's bearerToken, password, tlsClientConfig.keyData
// (decoded), and credential-named execProviderConfig env values and flags.
// Every other key is classified by content only. Allowed: url, username,
// project, GitHub App IDs, tlsClientCertData and caData (public), empty
// and templated values.
var argoCDCredentials = &objectRule{
	Meta: meta("BW-SE-011", "argocd-credentials", "Argo CD repository or cluster Secret holds credentials in plain text", rule.Critical,
		"Argo CD repository and cluster Secrets hold the credentials Argo CD uses to read every application's "+
			"source and to deploy into every cluster: Git tokens and SSH keys, GitHub App keys, cluster bearer tokens "+
			"and client keys, often with cluster-admin rights. Committed in clear, they hand the whole delivery path to "+
			"anyone who reads the repository.",
		"Create these Secrets from a secret manager (External Secrets, Sealed Secrets, SOPS with a decrypting "+
			"plugin) instead of committing them; prefer GitHub App or short-lived credentials, and cluster credentials "+
			"through workload identity (awsAuthConfig, execProviderConfig) without static tokens."+deliver,
		"https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories",
		"https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters",
		"https://github.com/argoproj/argo-cd/security/advisories/GHSA-fwr2-64vr-xv9m"),
	Applies: func(obj *manifest.Object) bool { return isCoreSecret(obj) },
	Check: func(s *scope) {
		s.own = true
		if owner(s) != ownArgoCD {
			return
		}
		kind := str(at(s.root, "metadata", "labels", argoSecretType))
		s.secretValues(str(at(s.root, "type")), "", func(typ string, v secretValue) {
			v.where = fmt.Sprintf("Argo CD %s Secret key %q", kind, v.name)
			if kind == "cluster" && v.name == "config" {
				s.cover(v.key, v.node)
				s.argoClusterConfig(v)
				return
			}
			if argoRepoSecretKeys[v.name] {
				s.cover(v.key, v.node)
				s.value(val{path: v.path, where: v.where, name: v.name, value: string(v.raw), named: true})
				return
			}
			if argoRepoPublicKeys[v.name] {
				s.cover(v.key, v.node)
				s.value(val{path: v.path, where: v.where, name: v.name, value: string(v.raw)})
				return
			}
			s.secretEntry(typ, v)
		})
	},
}

var (
	argoRepoSecretKeys = map[string]bool{"password": true, "bearerToken": true, "sshPrivateKey": true,
		"githubAppPrivateKey": true, "tlsClientCertKey": true, "gcpServiceAccountKey": true}
	argoRepoPublicKeys = map[string]bool{"url": true, "username": true, "type": true, "name": true, "project": true,
		"githubAppID": true, "githubAppInstallationID": true, "githubAppEnterpriseBaseUrl": true, "tlsClientCertData": true,
		"enableOCI": true, "insecure": true, "forceHttpBasicAuth": true, "proxy": true, "noProxy": true, "enableLfs": true,
		"server": true, "namespaces": true, "clusterResources": true, "insecureIgnoreHostKey": true, "useAzureWorkloadIdentity": true}
)

// argoClusterConfig checks the config JSON of an Argo CD cluster Secret.
func (s *scope) argoClusterConfig(v secretValue) {
	var doc yaml.Node
	if err := yaml.Unmarshal(v.raw, &doc); err != nil || deref(&doc) == nil || deref(&doc).Kind != yaml.MappingNode {
		if !json.Valid(v.raw) {
			s.value(val{path: v.path, where: v.where, name: "config", value: string(v.raw), named: true})
		}
		return
	}
	root := deref(&doc)
	w := where{embedded: true, outer: v.path, first: s.textLine(v)}
	field := func(n *yaml.Node, name, value string, named bool) {
		path, line := s.place(w, "", n)
		s.value(val{path: path, line: line, where: v.where + " " + name, name: name, value: value, named: named})
	}
	for _, f := range []string{"bearerToken", "password"} {
		if n := at(root, f); isScalar(n) {
			field(n, f, n.Value, true)
		}
	}
	if n := at(root, "tlsClientConfig", "keyData"); isScalar(n) {
		key := n.Value
		if b, ok := decodeBase64(key); ok {
			key = string(b)
		}
		field(n, "tlsClientConfig.keyData", key, true)
	}
	if exec := at(root, "execProviderConfig"); exec != nil {
		s.valuesTree(exec, "", w, v.where+" execProviderConfig")
	}
}
