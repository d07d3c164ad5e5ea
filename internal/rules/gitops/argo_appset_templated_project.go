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
// Applications take their project from a generator: a spec.template.spec.project
// holding a template ("{{...}}"), or a spec.templatePatch that sets project
// from one, is a hit there. Allowed: a fixed project name.
var argoAppSetTemplatedProject = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-010", Name: "argo-appset-templated-project",
		Title:    "ApplicationSet lets its generator choose the project",
		Severity: rule.High, Category: rule.GitOps,
		Why: "The project decides what a generated Application may deploy and where. When the template takes it from a generator (a file or directory in a Git repository, a pull request, a cluster label), whoever controls that input picks the project, including privileged ones such as default or a platform project, and escapes every restriction of their own. " +
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
		msg := "generated applications take their project from the generator"
		if gens := generatorKinds(obj); len(gens) > 0 {
			msg += fmt.Sprintf(" (%s)", strings.Join(gens, ", "))
		}
		return []rule.Hit{{Path: path, Message: msg, Evidence: "project: " + value}}
	},
}

// patchProject finds the project line of a templatePatch.
var patchProject = regexp.MustCompile(`(?m)^\s*project:\s*(.+)$`)

// generatorKinds lists the generator types of an ApplicationSet, nested
// matrix and merge generators included.
func generatorKinds(obj *manifest.Object) []string {
	seen := map[string]bool{}
	var walk func([]map[string]any, int)
	walk = func(gens []map[string]any, depth int) {
		for _, g := range gens {
			for k, v := range g {
				if k == "selector" || k == "template" || k == "values" {
					continue
				}
				seen[k] = true
				if (k == "matrix" || k == "merge") && depth < 3 {
					if m, ok := v.(map[string]any); ok {
						walk(toMaps(m["generators"]), depth+1)
					}
				}
			}
		}
	}
	var gens []map[string]any
	if obj.Decode("spec.generators", &gens) != nil {
		return nil
	}
	walk(gens, 0)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
