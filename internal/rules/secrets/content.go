package secrets

import (
	"bytes"
	"path"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// contentCheck runs the content detectors of package secret (BW-SE-101 and
// up: private keys, cloud and SaaS tokens, JWTs, credentials in URLs,
// secret-named assignments) over the bytes of every file except binaries
// and lock files. In YAML and JSON files it leaves alone what the
// structural rules inspected (see the package comment), so a secret is
// reported once, at its field, and encrypted or public values are never
// mistaken for secrets.
type contentCheck struct{ metas []*rule.Meta }

// Content is the file check that runs the content detectors.
var Content rule.FileCheck = newContent()

func newContent() *contentCheck {
	// The rules' definitions, not the scanner: compiling its expressions is
	// left to the first scan, off every command's start-up.
	c := &contentCheck{}
	for _, r := range secret.Rules() {
		c.metas = append(c.metas, &r.Meta)
	}
	return c
}

// Rules returns the content detectors' metadata.
func (c *contentCheck) Rules() []*rule.Meta { return c.metas }

// Match accepts every file but binaries and lock files, by name.
func (c *contentCheck) Match(p string) bool { return textFile(p) }

// CheckFile scans one file.
func (c *contentCheck) CheckFile(p string, data []byte, parsed *manifest.File) []rule.Hit {
	if binary(data) {
		return nil
	}
	ms := secret.Default().ScanPath(p, data)
	if len(ms) == 0 {
		return nil
	}
	cov := fileCoverage(p, data, parsed)
	key := fingerprintKey()
	var hits []rule.Hit
	for _, m := range ms {
		h := m.Hit(p, key)
		if cov.covers(m.Line, h.Key) {
			continue
		}
		hits = append(hits, h)
	}
	return filterIgnored(data, hits)
}

// coverage is what the structural layer inspected in one file.
type coverage struct {
	spans []span
	fps   map[string]bool
}

func (c *coverage) add(s *scope) {
	c.spans = append(c.spans, s.spans...)
	for fp := range s.fps {
		if c.fps == nil {
			c.fps = map[string]bool{}
		}
		c.fps[fp] = true
	}
}

// covers reports whether the structural layer owns a match on line with
// fingerprint fp.
func (c *coverage) covers(line int, fp string) bool {
	if c.fps[fp] {
		return true
	}
	for _, s := range c.spans {
		if line >= s.from && line <= s.to {
			return true
		}
	}
	return false
}

// fileCoverage runs the structural analysis of a file, without reporting:
// its objects, and the file itself when it is a values file or a
// kustomization.
func fileCoverage(p string, data []byte, parsed *manifest.File) *coverage {
	c := &coverage{}
	if parsed != nil {
		for _, o := range parsed.Objects {
			c.add(analyze(o))
		}
	}
	if valuesFile(p) {
		s := &scope{rule: &helmValuesFile.Meta, data: data}
		s.valuesFile(data)
		c.add(s)
	}
	if kustomizationFile(p) {
		s := &scope{rule: &kustomizeGenerator.Meta, data: data}
		s.kustomization(p, data, nil)
		c.add(s)
	}
	return c
}

// binary reports data with a NUL byte near the start, as Git decides.
func binary(data []byte) bool {
	head := data
	if len(head) > 8000 {
		head = head[:8000]
	}
	return bytes.IndexByte(head, 0) >= 0
}

// lockFiles hold package checksums and integrity hashes: high-entropy
// strings that are not secrets, in bulk.
var lockFiles = set("package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml go.sum go.work.sum Cargo.lock " +
	"poetry.lock Pipfile.lock Gemfile.lock composer.lock mix.lock flake.lock packages.lock.json pubspec.lock " +
	"Podfile.lock gradle.lockfile uv.lock bun.lockb Chart.lock")

// binaryExts are extensions of files that are not text.
var binaryExts = set(".png .jpg .jpeg .gif .bmp .ico .webp .tif .tiff .psd .pdf .zip .gz .tgz .bz2 .xz .zst .7z " +
	".tar .rar .jar .war .ear .class .so .dylib .dll .exe .bin .o .a .lib .woff .woff2 .ttf .otf .eot .mp3 .mp4 " +
	".mov .avi .wav .ogg .webm .flac .iso .img .dmg .deb .rpm .apk .pyc .pyo .whl .egg .db .sqlite .parquet .avro " +
	".wasm .ttc .heic .svgz .xcf .npy .pkl .pt .onnx .h5")

// textFile reports whether a path may hold text worth scanning.
func textFile(p string) bool {
	base := path.Base(p)
	if lockFiles[base] || strings.HasSuffix(base, ".min.js") || strings.HasSuffix(base, ".min.css") || strings.HasSuffix(base, ".js.map") {
		return false // minified code: identifiers that look like assignments, in bulk
	}
	return !binaryExts[strings.ToLower(path.Ext(base))]
}
