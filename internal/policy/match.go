package policy

import (
	"path"
	"regexp"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// matches reports whether a finding's object, app and file fit the selector. Paths
// are relative to the policy file's directory (base), as a repository's
// .bulwark.yaml is written.
func (m *Match) matches(f *rule.Finding, base string) bool {
	if m == nil {
		return true
	}
	o := f.Object
	if len(m.Kinds) > 0 && (o == nil || !anyEqualFold(m.Kinds, o.Kind)) {
		return false
	}
	if len(m.Namespaces) > 0 && (o == nil || !anyGlob(m.Namespaces, o.Namespace)) {
		return false
	}
	if len(m.Names) > 0 && (o == nil || !anyGlob(m.Names, o.Name)) {
		return false
	}
	for k, v := range m.Labels {
		if o == nil || o.Labels[k] != v {
			return false
		}
	}
	if len(m.Apps) > 0 && (f.Origin == nil || !anyGlob(m.Apps, f.Origin.App)) {
		return false
	}
	if len(m.Paths) > 0 {
		file := f.Location.File
		if base != "" && base != "." {
			file = strings.TrimPrefix(file, base+"/")
		}
		ok := false
		for _, p := range m.Paths {
			if pathGlob(p).MatchString(file) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func anyEqualFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func anyGlob(globs []string, s string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}

// pathGlob compiles a path glob: ** spans directories, * and ? do not. A
// glob without a slash matches the base name anywhere, as .gitignore does.
func pathGlob(glob string) *regexp.Regexp {
	var b strings.Builder
	if !strings.Contains(glob, "/") {
		b.WriteString("(^|/)")
	} else {
		b.WriteString("^")
	}
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; c {
		case '*':
			if i+1 < len(glob) && glob[i+1] == '*' {
				b.WriteString(".*")
				i++
				if i+1 < len(glob) && glob[i+1] == '/' {
					b.WriteString("/?")
					i++
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// ruleMatches reports whether a rule reference (ID or name) names a finding.
func ruleMatches(ref string, f *rule.Finding) bool {
	return strings.EqualFold(ref, f.ID) || ref == f.Name
}
