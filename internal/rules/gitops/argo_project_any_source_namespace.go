package gitops

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoProjectAnySourceNamespace checks AppProject spec.sourceNamespaces
// ("applications in any namespace"): the entry "*" is a hit. Allowed: named
// namespaces and prefixes such as "team-a-*".
var argoProjectAnySourceNamespace = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-008", Name: "argo-project-any-source-namespace",
		Title:    "Argo CD project accepts applications from any namespace",
		Severity: rule.Medium, Category: rule.GitOps,
		Why:         "sourceNamespaces says in which namespaces Application objects may be created for the project. With \"*\", anyone allowed to create an Application in any namespace, which tenants usually are in their own namespace, can attach it to this project and use its sources, destinations and rights.",
		Remediation: "List the namespaces whose Applications belong to the project (for example the team's own namespace) in spec.sourceNamespaces.",
		References:  []string{"https://argo-cd.readthedocs.io/en/stable/operator-manual/app-any-namespace/", refArgoProjects},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		p, ok := projectOf(obj)
		if !ok {
			return nil
		}
		var hits []rule.Hit
		for i, ns := range p.SourceNamespaces {
			if ns == "*" {
				hits = append(hits, rule.Hit{
					Path:     fmt.Sprintf("spec.sourceNamespaces[%d]", i),
					Message:  fmt.Sprintf("project %q accepts Applications created in any namespace", obj.Name()),
					Evidence: "sourceNamespaces: '*'",
				})
			}
		}
		return hits
	},
}
