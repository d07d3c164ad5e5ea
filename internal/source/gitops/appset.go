package gitops

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// expandAppSet generates the Applications of an ApplicationSet from its
// list and git directory generators (the ones whose result is known from
// the repository alone), with Argo CD's template syntax: {{param}}, or Go
// templates with Sprig functions when goTemplate is set.
func (p *planner) expandAppSet(set *manifest.Object, d *definitions) ([]*manifest.Object, []string) {
	var notes []string
	var spec struct {
		GoTemplate        bool             `json:"goTemplate"`
		GoTemplateOptions []string         `json:"goTemplateOptions"`
		Generators        []map[string]any `json:"generators"`
	}
	if err := set.Decode("spec", &spec); err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", label(set), err)}
	}
	tmpl := set.Node("spec.template")
	if tmpl == nil {
		return nil, []string{fmt.Sprintf("%s: no template", label(set))}
	}
	text, err := yaml.Marshal(tmpl)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", label(set), err)}
	}
	var params []map[string]any
	for _, g := range spec.Generators {
		switch {
		case g["list"] != nil:
			list, _ := g["list"].(map[string]any)
			elements, _ := list["elements"].([]any)
			for _, e := range elements {
				if m, ok := e.(map[string]any); ok {
					params = append(params, m)
				}
			}
		case g["git"] != nil:
			git, _ := g["git"].(map[string]any)
			url, _ := git["repoURL"].(string)
			if !p.inRepo(url) {
				notes = append(notes, fmt.Sprintf("%s: git generator on %s, outside this repository; not followed", label(set), url))
				continue
			}
			if git["files"] != nil {
				notes = append(notes, fmt.Sprintf("%s: git files generator not followed", label(set)))
			}
			dirs, _ := git["directories"].([]any)
			for _, rel := range p.matchDirectories(dirs) {
				params = append(params, directoryParams(rel, spec.GoTemplate))
			}
		default:
			for kind := range g {
				notes = append(notes, fmt.Sprintf("%s: %s generator not followed", label(set), kind))
			}
		}
	}
	var out []*manifest.Object
	for i, prm := range params {
		rendered, err := renderAppTemplate(string(text), prm, spec.GoTemplate, spec.GoTemplateOptions)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: element %d: %v", label(set), i, err))
			continue
		}
		var t map[string]any
		if err := yaml.Unmarshal([]byte(rendered), &t); err != nil {
			notes = append(notes, fmt.Sprintf("%s: element %d: %v", label(set), i, err))
			continue
		}
		app := map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": t["metadata"], "spec": t["spec"]}
		data, err := yaml.Marshal(app)
		if err != nil {
			continue
		}
		out = append(out, manifest.Parse(set.File, data, nil).Objects...)
	}
	return out, notes
}

// matchDirectories lists the repository directories the generator's path
// globs select, minus the excluded ones, relative to the root.
func (p *planner) matchDirectories(entries []any) []string {
	var include, exclude []string
	for _, e := range entries {
		m, _ := e.(map[string]any)
		pattern, _ := m["path"].(string)
		if pattern == "" {
			continue
		}
		if ex, _ := m["exclude"].(bool); ex {
			exclude = append(exclude, pattern)
		} else {
			include = append(include, pattern)
		}
	}
	var out []string
	_ = filepath.WalkDir(p.s.Root, func(abs string, e os.DirEntry, err error) error {
		if err != nil || !e.IsDir() {
			return nil
		}
		if e.Name() == ".git" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(p.s.Root, abs)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if matchAny(include, rel) && !matchAny(exclude, rel) {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func matchAny(patterns []string, rel string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
	}
	return false
}

var notAlnum = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// directoryParams are the git directory generator's parameters.
func directoryParams(rel string, goTemplate bool) map[string]any {
	base := path.Base(rel)
	normalized := strings.ToLower(notAlnum.ReplaceAllString(base, "-"))
	segments := strings.Split(rel, "/")
	if goTemplate {
		return map[string]any{"path": map[string]any{"path": rel, "basename": base, "basenameNormalized": normalized, "segments": segments}}
	}
	m := map[string]any{"path": rel, "path.basename": base, "path.basenameNormalized": normalized}
	for i, s := range segments {
		m["path["+strconv.Itoa(i)+"]"] = s
	}
	return m
}

var fastTag = regexp.MustCompile(`\{\{([^{}]*)\}\}`)

// renderAppTemplate fills an ApplicationSet template with one element's
// parameters.
func renderAppTemplate(text string, params map[string]any, goTemplate bool, options []string) (string, error) {
	if goTemplate {
		t := template.New("appset").Funcs(sprig.TxtFuncMap())
		for _, o := range options {
			t = t.Option(o)
		}
		t, err := t.Parse(text)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		if err := t.Execute(&b, params); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	flat := map[string]string{}
	flatten("", params, flat)
	return fastTag.ReplaceAllStringFunc(text, func(tag string) string {
		key := strings.TrimSpace(tag[2 : len(tag)-2])
		if v, ok := flat[key]; ok {
			return v
		}
		return tag
	}), nil
}

func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, val, out)
		}
	default:
		out[prefix] = fmt.Sprint(t)
	}
}
