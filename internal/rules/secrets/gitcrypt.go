package secrets

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// gitCryptHeader starts every file git-crypt has encrypted.
var gitCryptHeader = []byte("\x00GITCRYPT\x00")

// gitCryptPlaintext checks files that a .gitattributes rule marks for
// git-crypt (filter=git-crypt) but that are not encrypted: they lack
// git-crypt's header, typically because they were committed before the
// rule existed or from a clone where git-crypt was not set up. Encrypted
// files are binary and pass unnoticed, as they should. Allowed: files the
// attributes do not mark, and the .gitattributes and .git-crypt key
// directory themselves.
var gitCryptPlaintext = &fileRule{
	Meta: meta("BW-SE-021", "git-crypt-plaintext", "File meant for git-crypt is committed unencrypted", rule.High,
		"A .gitattributes rule with filter=git-crypt tells readers and reviewers that the matching files are "+
			"encrypted. A matching file committed without git-crypt's header is in clear text, and nobody looks for "+
			"secrets there because everyone believes it is safe.",
		"Check that git-crypt is unlocked and its filter installed (git-crypt status -f re-encrypts files that "+
			"should be encrypted), commit the encrypted file, and treat the plaintext in history as leaked."+deliver,
		"https://github.com/AGWA/git-crypt#using-git-crypt"),
	match: func(p string) bool {
		base := path.Base(p)
		return textFile(p) && base != ".gitattributes" && !strings.Contains(p, ".git-crypt/")
	},
	check: func(s *scope, p string, data []byte) {
		if bytes.HasPrefix(data, gitCryptHeader) {
			return
		}
		if pattern, where, ok := gitCryptRules.covers(p); ok {
			s.add(rule.Hit{Line: 1, Key: "git-crypt:" + pattern,
				Message: fmt.Sprintf("file matches %q in %s (filter=git-crypt) but is not encrypted", pattern, where)})
		}
	},
}

// attrRules caches the git-crypt patterns of .gitattributes files by
// directory, and whether the directory is a repository's top; checks run in
// parallel, hence the lock.
type attrRules struct {
	mu    sync.Mutex
	byDir map[string]attrDir
}

type attrDir struct {
	patterns []attrPattern
	top      bool // holds .git
}

type attrPattern struct {
	pattern string
	re      *regexp.Regexp
	file    string // the .gitattributes that holds it, for messages
}

var gitCryptRules = &attrRules{byDir: map[string]attrDir{}}

// covers reports the git-crypt pattern that matches p, looking at the
// .gitattributes files of p's directory and its parents up to the
// repository's top (the directory holding .git).
func (a *attrRules) covers(p string) (pattern, file string, ok bool) {
	abs, err := filepath.Abs(filepath.FromSlash(p))
	if err != nil {
		return "", "", false
	}
	dir := filepath.Dir(abs)
	for depth := 0; depth < 64; depth++ {
		d := a.load(dir)
		for _, ap := range d.patterns {
			rel, err := filepath.Rel(dir, abs)
			if err == nil && ap.re.MatchString(filepath.ToSlash(rel)) {
				return ap.pattern, ap.file, true
			}
		}
		if d.top {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", "", false
}

// load reads the git-crypt patterns of dir/.gitattributes, once.
func (a *attrRules) load(dir string) attrDir {
	a.mu.Lock()
	defer a.mu.Unlock()
	if d, ok := a.byDir[dir]; ok {
		return d
	}
	var ps []attrPattern
	name := filepath.Join(dir, ".gitattributes")
	if data, err := os.ReadFile(name); err == nil && bytes.Contains(data, []byte("git-crypt")) {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			for _, attr := range fields[1:] {
				if attr == "filter=git-crypt" {
					if re, err := attrRegexp(fields[0]); err == nil {
						ps = append(ps, attrPattern{pattern: fields[0], re: re, file: displayRel(name)})
					}
					break
				}
			}
		}
	}
	_, err := os.Stat(filepath.Join(dir, ".git"))
	d := attrDir{patterns: ps, top: err == nil}
	a.byDir[dir] = d
	return d
}

// attrRegexp compiles a gitattributes pattern, matched against a path
// relative to the file's directory: without a slash it matches a base name
// at any depth; "**" spans directories.
func attrRegexp(p string) (*regexp.Regexp, error) {
	anchored := strings.Contains(strings.TrimSuffix(p, "/"), "/")
	p = strings.TrimPrefix(p, "/")
	var b strings.Builder
	if !anchored {
		b.WriteString(`(?:^|/)`)
	} else {
		b.WriteString(`^`)
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString(`(?:.*/)?`)
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(`.*`)
			i++
		case c == '*':
			b.WriteString(`[^/]*`)
		case c == '?':
			b.WriteString(`[^/]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`(?:/.*)?$`)
	return regexp.Compile(b.String())
}

// displayRel shows a path relative to the working directory when inside it.
func displayRel(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(p)
}
