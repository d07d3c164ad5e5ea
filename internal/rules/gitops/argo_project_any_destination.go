package gitops

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoProjectAnyDestination checks AppProject spec.destinations: an entry
// whose server, name or namespace is "*" is a hit at that entry. Allowed:
// named clusters and namespaces, prefixes such as "team-a-*", and "!"-negated
// entries.
var argoProjectAnyDestination = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-005", Name: "argo-project-any-destination",
		Title:    "Argo CD project may deploy to any cluster or namespace",
		Severity: rule.High, Category: rule.GitOps,
		Why: "destinations bound where a project's applications may deploy. A \"*\" server or name reaches every cluster registered in Argo CD, production ones included; a \"*\" namespace reaches kube-system, argocd and every other team's namespace. " +
			"Either way, an application of the project can overwrite workloads, Secrets and service accounts it was never meant to touch.",
		Remediation: "List the clusters and namespaces the project deploys to, one destination each, and exclude control-plane namespaces explicitly when a pattern is unavoidable.",
		References:  []string{refArgoProjects, refEKSArgoProjects},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		p, ok := projectOf(obj)
		if !ok {
			return nil
		}
		var hits []rule.Hit
		for i, d := range p.Destinations {
			var any []string
			if d.Server == "*" {
				any = append(any, "any cluster (server '*')")
			}
			if d.Name == "*" {
				any = append(any, "any cluster (name '*')")
			}
			if d.Namespace == "*" {
				any = append(any, "any namespace")
			}
			if len(any) == 0 {
				continue
			}
			hits = append(hits, rule.Hit{
				Path:     fmt.Sprintf("spec.destinations[%d]", i),
				Message:  fmt.Sprintf("project %q may deploy to %s", obj.Name(), strings.Join(any, " and ")),
				Evidence: fmt.Sprintf("server: %q, name: %q, namespace: %q", d.Server, d.Name, d.Namespace),
			})
		}
		return hits
	},
}
