package secrets

import (
	"bytes"
	"path"
	"regexp"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// ScanFile runs every secrets check that needs nothing but the file: the
// structural rules on its objects (hits carry their Object, as the engine
// expects), Helm values and kustomization literals, and the content
// detectors on what the structural layer did not inspect. Checks that
// read other files or need the whole repository (git-crypt attributes,
// kustomize generator inputs, Flux sources and their Secrets) are left
// out. History scans call it on a file as a commit left it.
func ScanFile(p string, data []byte) []rule.Hit {
	if binary(data) || !textFile(p) {
		return nil
	}
	var parsed *manifest.File
	if manifestPath(p) {
		parsed = manifest.Parse(p, data, nil)
	}
	var hits []rule.Hit
	if valuesFile(p) {
		hits = append(hits, helmValuesFile.CheckFile(p, data, parsed)...)
	}
	if kustomizationFile(p) {
		s := &scope{rule: &kustomizeGenerator.Meta}
		s.kustomization(p, data, nil)
		for i := range s.hits {
			s.hits[i].File = p
		}
		hits = append(hits, filterIgnored(data, s.hits)...)
	}
	hits = append(hits, Content.CheckFile(p, data, parsed)...)
	if parsed != nil {
		for _, o := range parsed.Objects {
			for _, h := range Structural.CheckObject(o) {
				h.Object = o
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// ScanText runs the content detectors on text that is not a whole file
// (the lines a commit added); hit lines count from the text's first line.
func ScanText(p string, text []byte) []rule.Hit {
	if !textFile(p) || binary(text) {
		return nil
	}
	return Content.CheckFile(p, text, nil)
}

// TextFile reports whether a path may hold text worth scanning: not a
// binary by its extension, not a lock file.
func TextFile(p string) bool { return textFile(p) }

// StructuredFile reports files whose structure the secrets rules read:
// YAML and JSON manifests, Helm values, kustomizations.
func StructuredFile(p string) bool { return manifestPath(p) || valuesFile(p) || kustomizationFile(p) }

func manifestPath(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return path.Base(p) == "Kustomization"
}

// candidate matches lines of a YAML or JSON file that may hold a secret the
// structural rules would find where the content detectors alone would not:
// a base64 value (Secret data), a credential-named key with a literal, an
// env value, a kind that carries secrets, an embedded object or kubeconfig.
var (
	candidateB64  = regexp.MustCompile(`^\s*-?\s*["']?[\w.\-/]+["']?\s*:\s*["']?[A-Za-z0-9+/]{12,}={0,2}["']?\s*,?\s*$`)
	candidateKey  = regexp.MustCompile(`^\s*-?\s*["']?([\w.\-/]+)["']?\s*[:=]\s*["']?[^\s"'{}\[\]|>]`)
	candidateWord = regexp.MustCompile(`(?i)kind:\s*(?:Secret|SealedSecret|Config|ConfigMap|SecretStore|ClusterSecretStore|SecretProviderClass|HelmRelease|Application|Kustomization)\b|last-applied-configuration|kapp\.k14s\.io/original|^\s*-?\s*value:\s*\S|secretGenerator|literals:|vault\.hashicorp\.com/|stringData:|client-key-data|\.dockerconfigjson|\.dockercfg`)
)

// CandidateLine reports an added line of a structured file that is worth
// reading the whole file for.
func CandidateLine(line []byte) bool {
	if len(line) > 4096 {
		return bytes.Contains(line, []byte(`"kind"`)) // a JSON object on one line
	}
	if candidateB64.Match(line) || candidateWord.Match(line) {
		return true
	}
	if m := candidateKey.FindSubmatch(line); m != nil {
		return secretName(string(m[1]))
	}
	return false
}

// Meta returns the metadata of a rule the secrets checks report: the
// structural rules and the content detectors.
func Meta(id string) (*rule.Meta, bool) { return metaOf(id) }
