package secrets

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// kubeconfigCredentials checks kubeconfig files (kind: Config) and
// kubeconfigs embedded in Secrets and ConfigMaps, for each user: token,
// password, client-key-data (decoded: a private key), auth-provider
// secrets (client-secret, id-token, refresh-token, access-token) and
// credential-named exec plugin env values. Allowed: client certificates
// and certificate-authority data, which are public; files named by
// client-key, tokenFile and exec plugins without literal secrets, which
// hold nothing.
var kubeconfigCredentials = &objectRule{
	Meta: meta("BW-SE-006", "kubeconfig-credentials", "Kubeconfig holds cluster credentials", rule.Critical,
		"A kubeconfig with a token, a password or a client key is a ready-made login to a cluster's API server, "+
			"usually with the rights of a CI system or an administrator. Committed to a repository, it gives those "+
			"rights to everyone who can read it, and a client certificate cannot be revoked before it expires.",
		"Remove the credential from the kubeconfig and the repository. Use short-lived credentials instead: "+
			"an exec plugin (cloud CLI, OIDC), workload identity or the CI platform's cluster integration, and keep "+
			"any static kubeconfig in a secret store. Revoke the token or certificate (rotate the CA if needed)."+deliver,
		"https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/",
		"https://kubernetes.io/docs/reference/access-authn-authz/authentication/"),
	Applies: func(obj *manifest.Object) bool { return obj.Kind == "Config" && obj.APIVersion == "v1" },
	Check: func(s *scope) {
		s.own = true
		s.kubeconfigTree(s.root, where{}, "kubeconfig")
	},
}

// kubeconfigText reports text that is a kubeconfig.
func kubeconfigText(t string) bool {
	return (strings.Contains(t, "clusters") || strings.Contains(t, "users")) && strings.Contains(t, "kind") &&
		(strings.Contains(t, "kind: Config") || strings.Contains(t, `"kind": "Config"`) || strings.Contains(t, `"kind":"Config"`))
}

// kubeconfig checks a kubeconfig embedded in the value at path.
func (s *scope) kubeconfig(path, what, text string, first int) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return
	}
	prev, prevOwn := s.rule, s.own
	s.rule, s.own = kubeconfigMeta(), true
	s.kubeconfigTree(deref(&doc), where{embedded: true, outer: path, first: first}, what+" (a kubeconfig)")
	s.rule, s.own = prev, prevOwn
}

// kubeconfigTree checks a parsed kubeconfig.
func (s *scope) kubeconfigTree(root *yaml.Node, w where, what string) {
	for i, u := range items(at(root, "users")) {
		name := str(at(u, "name"))
		base := index("users", i) + ".user"
		for _, e := range entries(at(u, "user")) {
			p := child(base, e.name)
			switch e.name {
			case "token", "password":
				s.kubeField(w, what, name, p, e, e.val.Value)
			case "client-key-data":
				if b, ok := decodeBase64(e.val.Value); ok {
					s.kubeField(w, what, name, p, e, string(b))
				} else {
					s.kubeField(w, what, name, p, e, e.val.Value)
				}
			case "auth-provider":
				for _, c := range entries(at(e.val, "config")) {
					if isScalar(c.val) && (secretName(c.name) || c.name == "id-token" || c.name == "refresh-token") {
						s.kubeField(w, what, name, child(child(p, "config"), c.name), c, c.val.Value)
					}
				}
			case "exec":
				for j, env := range items(at(e.val, "env")) {
					n, v := str(at(env, "name")), at(env, "value")
					if isScalar(v) {
						path, line := s.place(w, fmt.Sprintf("%s.env[%d].value", p, j), v)
						s.coverTree(w, nil, v)
						s.value(val{path: path, line: line, where: fmt.Sprintf("%s user %q exec env %s", what, name, n),
							name: n, value: v.Value, named: secretName(n), loose: true})
					}
				}
			}
		}
	}
	for i, c := range items(at(root, "clusters")) {
		k, v := get(at(c, "cluster"), "insecure-skip-tls-verify")
		if v == nil || v.Value != "true" {
			continue
		}
		name := str(at(c, "name"))
		path, line := s.place(w, index("clusters", i)+".cluster.insecure-skip-tls-verify", k)
		s.add(rule.Hit{
			Rule: kubeconfigInsecure.ID, Path: path, Line: line,
			Message: fmt.Sprintf("%s cluster %q sets insecure-skip-tls-verify: true", what, name),
			Key:     "insecure-skip-tls-verify/" + name,
		})
	}
}

// kubeField judges one credential field of a kubeconfig user.
func (s *scope) kubeField(w where, what, user, path string, e entry, value string) {
	if !isScalar(e.val) {
		return
	}
	s.coverTree(w, e.key, e.val)
	p, line := s.place(w, path, e.key)
	field := path[strings.LastIndex(path, ".")+1:]
	s.value(val{path: p, line: line, where: fmt.Sprintf("%s user %q %s", what, user, field),
		name: field, value: value, named: true})
}

// kubeconfigMeta is the kubeconfig rule's metadata, for other rules that
// find an embedded kubeconfig.
func kubeconfigMeta() *rule.Meta {
	for _, r := range objectRules {
		if r.ID == "BW-SE-006" {
			return &r.Meta
		}
	}
	panic("kubeconfig rule missing")
}
