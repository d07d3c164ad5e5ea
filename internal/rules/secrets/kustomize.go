package secrets

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// kustomizeGenerator checks Kustomize secretGenerator entries in
// kustomization files (kustomization.yaml, with or without apiVersion and
// kind, and Components): each literals entry (KEY=value) is a Secret value
// committed in clear, and each files and envs entry points at a file whose
// plaintext is committed next to it when the file is in the repository.
// Allowed: generators whose files are absent from the repository (created
// at build time), SOPS- or git-crypt-encrypted files, templates and
// placeholders, certificates.
var kustomizeGenerator = &fileRule{
	Meta: meta("BW-SE-010", "kustomize-secret-generator", "Kustomize secretGenerator builds a Secret from plain text", rule.High,
		"A secretGenerator turns literals and files into a Secret at build time, which makes it easy to forget "+
			"that its inputs are committed in clear: the literal values in kustomization.yaml and the .env or key files "+
			"beside it are readable by everyone with the repository, and stay in its history.",
		"Generate the Secret from inputs that are not committed (files created by CI from a secret manager and "+
			"ignored by Git), or replace the generator with a SOPS-encrypted Secret (Flux decrypts it, ksops for "+
			"Kustomize), a SealedSecret or an ExternalSecret."+deliver,
		"https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/secretgenerator/",
		"https://kubernetes.io/docs/tasks/configmap-secret/managing-secret-using-kustomize/"),
	match: kustomizationFile,
	check: func(s *scope, p string, data []byte) { s.kustomization(p, data, readBeside) },
}

// kustomizationFile reports kustomization files by name.
func kustomizationFile(p string) bool {
	switch path.Base(p) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// maxGeneratorFile bounds what is read of a generator's input file.
const maxGeneratorFile = 1 << 20

// readBeside reads a file a kustomization names, relative to it. Only
// paths inside the kustomization's directory are read, as Kustomize's
// default load restrictor allows, so a repository cannot make the scanner
// read files elsewhere.
func readBeside(kustomization, name string) ([]byte, bool) {
	if !filepath.IsLocal(name) {
		return nil, false
	}
	f, err := os.Open(filepath.Join(filepath.Dir(filepath.FromSlash(kustomization)), filepath.FromSlash(name)))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxGeneratorFile {
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxGeneratorFile))
	return b, err == nil
}

// kustomization judges a kustomization's secretGenerator entries; read
// reads the files they name, or is nil when no files are at hand.
func (s *scope) kustomization(p string, data []byte, read func(kustomization, name string) ([]byte, bool)) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return
	}
	root := deref(&doc)
	if root == nil || root.Kind != yaml.MappingNode || strings.HasPrefix(str(at(root, "apiVersion")), "kustomize.toolkit.fluxcd.io") {
		return
	}
	s.root = root
	for i, g := range items(at(root, "secretGenerator")) {
		name := str(at(g, "name"))
		base := index("secretGenerator", i)
		for j, lit := range items(at(g, "literals")) {
			if !isScalar(lit) {
				continue
			}
			s.cover(nil, lit)
			key, value, _ := strings.Cut(lit.Value, "=")
			value = cleanValue(value)
			s.value(val{path: fmt.Sprintf("%s.literals[%d]", base, j), line: lit.Line,
				where: fmt.Sprintf("secretGenerator %q literal %s", name, key), name: key, value: value,
				named: secretKeyOf("", key)})
		}
		if read == nil {
			continue
		}
		refs := items(at(g, "files"))
		envs := items(at(g, "envs"))
		if e := at(g, "env"); isScalar(e) {
			envs = append(envs, e)
		}
		for _, f := range refs {
			if !isScalar(f) {
				continue
			}
			key, file, ok := strings.Cut(f.Value, "=")
			if !ok {
				file, key = key, path.Base(key)
			}
			s.generatorFile(p, name, key, file, f, false, read)
		}
		for _, f := range envs {
			if isScalar(f) {
				s.generatorFile(p, name, "", f.Value, f, true, read)
			}
		}
	}
}

// generatorFile judges one input file of a secretGenerator.
func (s *scope) generatorFile(kustomization, gen, key, file string, n *yaml.Node, env bool, read func(string, string) ([]byte, bool)) {
	data, ok := read(kustomization, file)
	if !ok {
		return
	}
	text := bytes.TrimSpace(data)
	if len(text) == 0 || bytes.HasPrefix(data, []byte("\x00GITCRYPT\x00")) || bytes.Contains(data, []byte("ENC[AES256_GCM")) ||
		bytes.Contains(data, []byte("sops_mac=")) || publicValue(string(text)) || secret.IsPlaceholder(string(text)) {
		return
	}
	hit := rule.Hit{Line: n.Line, Key: secret.Fingerprint(fingerprintKey(), string(data)), Evidence: "****"}
	if env {
		count := 0
		for _, a := range assignments(file, string(data)) {
			if !secret.IsPlaceholder(a.value) {
				count++
			}
		}
		if count == 0 {
			return
		}
		hit.Message = fmt.Sprintf("secretGenerator %q reads %d plain-text values from %s, committed beside it", gen, count, file)
	} else {
		if binary(data) {
			hit.Message = fmt.Sprintf("secretGenerator %q reads key %q from binary file %s, committed beside it", gen, key, file)
		} else {
			hit.Message = fmt.Sprintf("secretGenerator %q reads key %q from plain-text file %s, committed beside it", gen, key, file)
		}
	}
	s.add(hit)
}
