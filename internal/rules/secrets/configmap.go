package secrets

import (
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// configMapCredentials checks ConfigMap data and binaryData (decoded when it
// is text). A single value is reported when its key says it is a credential
// (DB_PASSWORD, api_key) or the value is one (a token, a URL with
// user:password@). A value that embeds a file (application.properties,
// .env, settings.json, values.yaml, .npmrc, .netrc, settings.xml, an INI
// or Python settings file) is read entry by entry the same way, and an
// embedded kubeconfig is left to the kubeconfig rule. Allowed: templates,
// placeholders, references to Secrets and files, and configuration that
// only has a credential-like name (a path, a duration, a number).
var configMapCredentials = &objectRule{
	Meta: meta("BW-SE-004", "configmap-credentials", "ConfigMap holds a credential", rule.High,
		"ConfigMaps are meant for non-confidential configuration: they are readable by far more people and "+
			"controllers than Secrets, are not encrypted at rest, and are printed freely by tooling. A password or token "+
			"in one, often inside an embedded properties or JSON file, is exposed to all of them and to everyone who reads "+
			"the repository.",
		"Move the credential into a Secret delivered by a secret manager and reference it from the application "+
			"(an env valueFrom.secretKeyRef, a mounted Secret file, or a placeholder the application resolves at start)."+deliver,
		"https://kubernetes.io/docs/concepts/configuration/configmap/", k8sGoodPrac),
	Applies: func(obj *manifest.Object) bool {
		return obj.Kind == "ConfigMap" && group(obj) == "" && obj.APIVersion != "" && (!obj.OwnData() || mayHoldCredential(obj.Data()))
	},
	Check: func(s *scope) {
		if hasSOPS(s.root) {
			return
		}
		for _, e := range entries(at(s.root, "data")) {
			if !isScalar(e.val) || !nameHint([]byte(e.name)) && !mayHoldCredential([]byte(e.val.Value)) {
				continue // nothing credential-like in the key or the value
			}
			s.cover(e.key, e.val)
			line := 0
			if e.val.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				line = s.textStart(e.val) // a one-line block: point at the value
			}
			s.configEntry(child("data", e.name), e.name, e.val.Value, s.textStart(e.val), line)
		}
		for _, e := range entries(at(s.root, "binaryData")) {
			if !isScalar(e.val) {
				continue
			}
			s.cover(e.key, e.val)
			if b, ok := decodeBase64(e.val.Value); ok && printable(b) {
				s.configEntry(child("binaryData", e.name), e.name, string(b), 0, 0)
			}
		}
	},
}

// configEntry judges one ConfigMap value: a single value, an embedded file
// or an embedded kubeconfig.
func (s *scope) configEntry(path, name, value string, first, line int) {
	where := fmt.Sprintf("ConfigMap key %q", name)
	switch {
	case kubeconfigText(value):
		s.kubeconfig(path, where, value, first)
	case multiline([]byte(value)) || fileName(name):
		s.text(textVal{path: path, where: where, name: name, text: value, first: first})
	default:
		s.value(val{path: path, where: where, name: name, value: value, named: secretName(name), loose: true, line: line})
	}
}

// fileName reports keys that name a file (app.env, .netrc, settings.py),
// whose value is read entry by entry even when it is one line.
func fileName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".properties", ".env", ".json", ".yaml", ".yml", ".conf", ".cfg", ".ini", ".toml", ".xml", ".py", ".sh", ".txt", ".config":
		return true
	}
	return false
}

// mayHoldCredential is a byte-level gate before a ConfigMap is parsed: a
// credential needs a credential-like name, a URL, a PEM block or a token the
// content scanner knows. Large ConfigMaps of dashboards and rule sets have
// none and cost a scan instead of a parse. List items are parsed already
// and their bytes are the whole List, so they skip the gate.
func mayHoldCredential(data []byte) bool {
	return credentialHints.Contains(data) || len(secret.Default().Scan(data)) > 0
}

// credentialHints are the name hints and the marks of a URL, a PEM block
// and binaryData, found in one pass.
var credentialHints = mustSet(append([]string{"://", "-----begin", "binarydata"}, nameHints...))

// hasNameHint reports whether data holds one of nameHints in any case.
func hasNameHint(data []byte) bool { return nameHintSet.Contains(data) }
