// Package pipeline holds the rules for the push connection: the CI
// definitions that build and deploy to clusters, GitHub Actions workflows
// (.github/workflows/*.yml) and GitLab CI pipelines (.gitlab-ci.yml, files
// named *.gitlab-ci.yml or kept under .gitlab/ci/, and the local files a
// pipeline includes).
//
// Each file is parsed once with its structure: GitHub workflows with
// actionlint's parser, GitLab pipelines as YAML nodes. Every run script is
// parsed as shell (bash syntax) into commands and words, so a rule sees
// "curl -sSk https://..." as the command curl with the flag k, wherever the
// line breaks fall, and every hit points at the file line and column of the
// offending word. Literal credentials in these files are the secrets family's
// to report; these rules report how credentials and code are used.
package pipeline

import (
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Checks returns the file check that runs every pipeline rule.
func Checks() []rule.FileCheck { return []rule.FileCheck{newCheck()} }

// ciRule is one pipeline rule: its metadata and what it finds in a parsed
// CI definition.
type ciRule struct {
	meta  rule.Meta
	check func(f *ciFile) []rule.Hit
}

// all is every rule in ID order.
var all = []*ciRule{
	tlsVerifyDisabled,
	clusterAdminIdentity,
	longLivedClusterCredential,
	untrustedCheckout,
	scriptInjection,
	excessivePermissions,
	secretsInherit,
	unpinnedDependency,
}

// check parses each CI file once and runs every rule on it.
type check struct {
	metas []*rule.Meta
}

func newCheck() *check {
	c := &check{}
	for _, r := range all {
		c.metas = append(c.metas, &r.meta)
	}
	return c
}

func (c *check) Rules() []*rule.Meta { return c.metas }

// Match selects CI definitions by path, relative or not: GitHub workflows
// directly under a .github/workflows directory, and GitLab pipelines.
func (c *check) Match(p string) bool { return dialectOf(p) != 0 }

// CheckFile runs every rule on one CI definition. A file that is not valid
// YAML yields nothing: the engine reports it as unreadable input.
func (c *check) CheckFile(p string, data []byte, _ *manifest.File) []rule.Hit {
	d := dialectOf(p)
	if d == 0 {
		// A file handed over by name (a test fixture): GitLab when its name
		// says so, GitHub otherwise.
		d = githubActions
		if isGitLabName(path.Base(p)) {
			d = gitlabCI
		}
	}
	var files []*ciFile
	if d == githubActions {
		if f := parseGitHub(p, data); f != nil {
			files = append(files, f)
		}
	} else {
		files = parseGitLabTree(p, data, c.Match)
	}
	var hits []rule.Hit
	for _, f := range files {
		for _, r := range all {
			for _, h := range r.check(f) {
				if h.Rule == "" {
					h.Rule = r.meta.ID
				}
				if f.path != p {
					h.File = f.path // a local include, reported where it is
				}
				hits = append(hits, h)
			}
		}
	}
	return dedupe(hits)
}

// dialect is the CI system a file belongs to.
type dialect int

const (
	githubActions dialect = iota + 1
	gitlabCI
)

// dialectOf recognises CI definitions by path; 0 for other files.
func dialectOf(p string) dialect {
	p = strings.ReplaceAll(p, "\\", "/")
	dir, base := path.Split(p)
	ext := strings.ToLower(path.Ext(base))
	if ext != ".yml" && ext != ".yaml" {
		return 0
	}
	dir = "/" + strings.TrimSuffix(dir, "/")
	switch {
	case strings.HasSuffix(dir, "/.github/workflows"):
		return githubActions
	case isGitLabName(base), strings.HasSuffix(dir, "/.gitlab/ci") || strings.Contains(dir, "/.gitlab/ci/"):
		return gitlabCI
	}
	return 0
}

func isGitLabName(base string) bool {
	b := strings.ToLower(base)
	return strings.HasSuffix(b, "gitlab-ci.yml") || strings.HasSuffix(b, "gitlab-ci.yaml")
}

// dedupe drops repeated hits (a template's script seen through two jobs)
// and orders them by position.
func dedupe(hits []rule.Hit) []rule.Hit {
	type k struct {
		rule, file, msg string
		line, col       int
	}
	seen := map[k]bool{}
	out := hits[:0]
	for _, h := range hits {
		key := k{h.Rule, h.File, h.Message, h.Line, h.Column}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	// Fingerprints rest on the key, not the line, so that they survive
	// edits above; number the hits that would still share one.
	count := map[string]int{}
	for i := range out {
		fk := out[i].Rule + "\x00" + out[i].File + "\x00" + out[i].Key
		count[fk]++
		if n := count[fk]; n > 1 {
			out[i].Key += "#" + strconv.Itoa(n)
		}
	}
	return out
}
