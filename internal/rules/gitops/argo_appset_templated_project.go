package gitops

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoAppSetTemplatedProject checks ApplicationSets whose generated
// Applications take their project from a generator: a
// spec.template.spec.project holding a template ("{{...}}"), or a
// spec.templatePatch that sets project from one, is a hit there when some
// generator reads its parameters from outside the ApplicationSet (git,
// scmProvider, pullRequest, plugin, clusterDecisionResource), also inside
// matrix and merge generators. Allowed: a fixed project name, and projects
// whose parameter is written in the ApplicationSet itself (a list generator's
// elements, cluster generators' values), which only its authors control.
var argoAppSetTemplatedProject = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-010", Name: "argo-appset-templated-project",
		Title:    "ApplicationSet lets its generator choose the project",
		Severity: rule.High, Category: rule.GitOps,
		Why: "The project decides what a generated Application may deploy and where. When the template takes it from a generator that reads outside input (a file or directory in a Git repository, a pull request, a repository list from an SCM provider, a plugin), whoever controls that input picks the project, including privileged ones such as default or a platform project, and escapes every restriction of their own. " +
			"Argo CD's ApplicationSet security guide requires that the source of truth of a templated project be controlled by admins; Git generators also skip signature verification for such ApplicationSets.",
		Remediation: "Set a fixed project in spec.template.spec.project, with one ApplicationSet per project; or, when the project must vary, keep the generator's source under admin-only review (protected branch, CODEOWNERS) and use only non-scoped repositories.",
		References:  []string{refArgoAppSetSec, "https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/"},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		if !isArgo(obj, "ApplicationSet") {
			return nil
		}
		path, value := "spec.template.spec.project", obj.String("spec.template.spec.project")
		if !strings.Contains(value, "{{") {
			patch := obj.String("spec.templatePatch")
			m := patchProject.FindStringSubmatch(patch)
			if m == nil || !strings.Contains(m[1], "{{") {
				return nil
			}
			path, value = "spec.templatePatch", strings.TrimSpace(m[1])
		}
		g := readGenerators(obj)
		var outside []string
		for _, k := range g.kinds {
			if externalGenerators[k] {
				outside = append(outside, k)
			}
		}
		if len(outside) == 0 || g.inline[templateParam(value)] {
			return nil
		}
		return []rule.Hit{{
			Path:     path,
			Message:  fmt.Sprintf("generated applications take their project from generator input (%s)", strings.Join(outside, ", ")),
			Evidence: "project: " + value,
		}}
	},
}

// externalGenerators read their parameters from outside the ApplicationSet.
var externalGenerators = map[string]bool{
	"git": true, "scmProvider": true, "pullRequest": true, "plugin": true, "clusterDecisionResource": true,
}

var (
	// patchProject finds the project line of a templatePatch.
	patchProject = regexp.MustCompile(`(?m)^\s*project:\s*(.+)$`)
	// paramName finds the parameter of a simple template: {{.values.project}},
	// {{ project }}, {{index .metadata.labels "team"}} is not simple.
	paramName = regexp.MustCompile(`^\{\{-?\s*\.?([A-Za-z0-9_.]+)\s*-?\}\}$`)
)

// templateParam returns the last segment of a simple template's parameter
// ("project" for {{.values.project}}), or "".
func templateParam(v string) string {
	m := paramName.FindStringSubmatch(strings.Trim(strings.TrimSpace(v), `'"`))
	if m == nil {
		return ""
	}
	parts := strings.Split(m[1], ".")
	return parts[len(parts)-1]
}

// generators is what an ApplicationSet's generators are and which
// parameters they write down inline.
type generators struct {
	kinds  []string        // generator types, nested ones included
	inline map[string]bool // parameters set literally (list elements, values)
}

// readGenerators walks an ApplicationSet's generators, matrix and merge
// included.
func readGenerators(obj *manifest.Object) generators {
	g := generators{inline: map[string]bool{}}
	seen := map[string]bool{}
	var walk func([]map[string]any, int)
	walk = func(gens []map[string]any, depth int) {
		for _, gen := range gens {
			for k, v := range gen {
				if k == "selector" || k == "template" || k == "values" {
					continue
				}
				seen[k] = true
				body, _ := v.(map[string]any)
				if vals, ok := body["values"].(map[string]any); ok {
					for name := range vals {
						g.inline[name] = true
					}
				}
				if k == "list" {
					for _, el := range toMaps(body["elements"]) {
						for name, val := range el {
							g.inline[name] = true
							if vals, ok := val.(map[string]any); ok && name == "values" {
								for n := range vals {
									g.inline[n] = true
								}
							}
						}
					}
				}
				if (k == "matrix" || k == "merge") && depth < 3 {
					walk(toMaps(body["generators"]), depth+1)
				}
			}
		}
	}
	var gens []map[string]any
	if obj.Decode("spec.generators", &gens) == nil {
		walk(gens, 0)
	}
	for k := range seen {
		if k != "matrix" && k != "merge" {
			g.kinds = append(g.kinds, k)
		}
	}
	sort.Strings(g.kinds)
	return g
}

func toMaps(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
