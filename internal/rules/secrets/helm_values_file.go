package secrets

import (
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fileRule is a structural rule on a whole file chosen by name.
type fileRule struct {
	rule.Meta
	match func(path string) bool
	check func(s *scope, path string, data []byte)
}

func (r *fileRule) Rules() []*rule.Meta    { return []*rule.Meta{&r.Meta} }
func (r *fileRule) Match(path string) bool { return r.match(path) }

// CheckFile runs the rule and drops what inline exceptions silence.
func (r *fileRule) CheckFile(path string, data []byte, _ *manifest.File) []rule.Hit {
	if binary(data) {
		return nil
	}
	s := &scope{rule: &r.Meta, data: data}
	r.check(s, path, data)
	for i := range s.hits {
		s.hits[i].File = path
	}
	return filterIgnored(data, s.hits)
}

// helmValuesFile checks Helm values files (values.yaml, values-prod.yaml,
// prod.values.yaml, ...) key by key: a value is reported when its key says
// it is a credential (auth.password, rootPassword, apiKey, *.token) or the
// value is one, and embedded config files are read entry by entry. A
// chart's shipped default password is reported as a weak default.
// Allowed: empty defaults, templates and placeholders, references
// (existingSecret, secretKeyRef, *SecretRef), SOPS-encrypted values files.
var helmValuesFile = &fileRule{
	Meta: meta("BW-SE-008", "helm-values-secret", "Helm values file holds a credential", rule.High,
		"Values files are committed next to the charts and environments they configure, and the values end "+
			"up in the release history Secret of every install. A password or token in one is exposed to everyone "+
			"who reads the repository, and a chart default password is exposed to everyone who reads the chart.",
		"Leave credentials out of values files: set the chart's existingSecret (or equivalent) to a Secret "+
			"delivered by a secret manager, or keep the values in a SOPS-encrypted file decrypted at deploy time "+
			"(helm-secrets, Flux valuesFrom)."+deliver,
		"https://helm.sh/docs/chart_best_practices/values/",
		"https://github.com/jkroepke/helm-secrets"),
	match: valuesFile,
	check: func(s *scope, _ string, data []byte) { s.valuesFile(data) },
}

// valuesFile reports Helm values files by name.
func valuesFile(p string) bool {
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	if ext != ".yaml" && ext != ".yml" {
		return false
	}
	name := strings.TrimSuffix(base, ext)
	return name == "values" || strings.HasPrefix(name, "values-") || strings.HasPrefix(name, "values.") ||
		strings.HasPrefix(name, "values_") || strings.HasSuffix(name, "-values") || strings.HasSuffix(name, ".values") ||
		strings.HasSuffix(name, "_values")
}

// valuesFile judges a values file's tree.
func (s *scope) valuesFile(data []byte) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return
	}
	root := deref(&doc)
	if root == nil || root.Kind != yaml.MappingNode || hasSOPS(root) || at(root, "apiVersion") != nil && at(root, "kind") != nil {
		return
	}
	s.root = root
	s.valuesTree(root, "", where{file: true}, "values key")
}
