package secrets

import (
	"bytes"
	"path"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/bytesearch"
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
		s := &scope{rule: &kustomizeGenerator.Meta, data: data}
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

// candidateWords mark added lines of a YAML or JSON file that may hold a
// secret the structural rules would find where the content detectors alone
// would not: a kind that carries secrets, an embedded object or kubeconfig,
// an env value, a generator literal.
var candidateWords = [][]byte{
	[]byte("kind: Secret"), []byte("kind: SealedSecret"), []byte("kind: Config"), []byte("kind: ConfigMap"),
	[]byte("SecretStore"), []byte("SecretProviderClass"), []byte("kind: HelmRelease"), []byte("kind: Application"),
	[]byte("kind: Kustomization"), []byte(`"kind": "Secret"`), []byte(`"kind":"Secret"`),
	[]byte("last-applied-configuration"), []byte("kapp.k14s.io/original"), []byte("value:"), []byte("secretGenerator"),
	[]byte("literals:"), []byte("vault.hashicorp.com/"), []byte("stringData"), []byte("client-key-data"), []byte(".dockerc"),
}

// CandidateLine reports an added line of a structured file that is worth
// reading the whole file for: one of candidateWords, a base64 value (Secret
// data), or a credential-named key given a literal. It is a few byte
// comparisons for most lines.
func CandidateLine(line []byte) bool {
	colon := bytes.IndexAny(line, ":=")
	if colon < 0 {
		return false
	}
	for _, w := range candidateWords {
		if bytes.Contains(line, w) {
			return true
		}
	}
	key := bytes.Trim(bytes.TrimSpace(line[:colon]), `-"' `)
	value := line[colon+1:]
	if i := bytes.Index(value, []byte(" #")); i >= 0 {
		value = value[:i]
	}
	value = bytes.Trim(bytes.TrimSpace(value), `"', `)
	if len(value) == 0 || len(key) == 0 {
		return false
	}
	if len(value) >= 12 && base64Like(value) {
		return true
	}
	return nameHint(key) && secretName(string(key))
}

// base64Like reports a value made only of standard base64 characters.
func base64Like(v []byte) bool {
	for i, c := range v {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		case c == '=' && i >= len(v)-2:
		default:
			return false
		}
	}
	return true
}

// nameHints are substrings every credential name holds (see secretName);
// a name without one is not worth splitting into words.
var nameHints = []string{"pass", "pwd", "secret", "token", "key", "cred", "dsn", "bearer", "sas", "hmac", "conn"}

// nameHintSet finds any of nameHints in one pass, in any case.
var nameHintSet = mustSet(nameHints)

// nameHint is a cheap, case-insensitive first test for secretName.
func nameHint(name []byte) bool {
	return len(name) <= 128 && nameHintSet.Contains(name)
}

func mustSet(words []string) *bytesearch.Set {
	s, err := bytesearch.NewSet(words)
	if err != nil {
		panic(err)
	}
	return s
}

// CandidatePath reports structured files whose names suggest credentials,
// worth reading whole whenever a commit changes them.
func CandidatePath(p string) bool {
	lower := strings.ToLower(p)
	for _, h := range []string{"secret", "cred", "kubeconfig", "password", "token", "auth", "values"} {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

// Meta returns the metadata of a rule the secrets checks report: the
// structural rules and the content detectors.
func Meta(id string) (*rule.Meta, bool) { return metaOf(id) }
