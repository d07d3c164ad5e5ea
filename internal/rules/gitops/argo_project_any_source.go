package gitops

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoProjectAnySource checks AppProject spec.sourceRepos: the entry "*" is a
// hit. Allowed: named repositories and prefixes ("https://github.com/acme/*").
// The default project is checked like any other: in a repository it is
// usually a re-declaration that keeps the wildcard.
var argoProjectAnySource = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-004", Name: "argo-project-any-source",
		Title:    "Argo CD project accepts any source repository",
		Severity: rule.High, Category: rule.GitOps,
		Why:         "sourceRepos is the list of Git, Helm and OCI repositories a project's applications may deploy from. With \"*\", anyone who can create or edit an Application in the project can point it at a repository they control, outside every review the team's own repositories have, and Argo CD will deploy it with the project's rights.",
		Remediation: "List the repositories the project deploys from (exact URLs, or an organisation prefix such as https://github.com/acme/*) in spec.sourceRepos.",
		References:  []string{refArgoProjects, "https://argo-cd.readthedocs.io/en/stable/operator-manual/project-specification/"},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		p, ok := projectOf(obj)
		if !ok {
			return nil
		}
		var hits []rule.Hit
		for i, r := range p.SourceRepos {
			if r == "*" {
				hits = append(hits, rule.Hit{
					Path:     fmt.Sprintf("spec.sourceRepos[%d]", i),
					Message:  fmt.Sprintf("project %q accepts applications from any repository", obj.Name()),
					Evidence: "sourceRepos: '*'",
				})
			}
		}
		return hits
	},
}
