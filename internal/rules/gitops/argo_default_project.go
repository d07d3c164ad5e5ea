package gitops

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoDefaultProject checks the project of an Argo CD Application, and of the
// Applications an ApplicationSet generates: "default", or no project at all
// (which Argo CD reads as "default"), is a hit at spec.project. Allowed: any
// other project; a templated project is left to argo-appset-templated-project;
// and fragments without a source or destination (kustomize patches), whose
// base sets the project.
var argoDefaultProject = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-001", Name: "argo-default-project",
		Title:    "Argo CD application runs in the default project",
		Severity: rule.High, Category: rule.GitOps,
		Why: "Argo CD's default project allows every source repository, every destination cluster and namespace, and every resource kind, cluster-scoped ones included. " +
			"An Application in it is bounded by nothing but Argo CD's own service account, usually cluster-admin: whoever can change its source can deploy ClusterRoleBindings, admission webhooks or Argo CD's own configuration, anywhere. " +
			"Argo CD and the EKS guidance reserve the default project for trying things out and ask for restricted projects for real workloads.",
		Remediation: "Create an AppProject per team or environment that lists its source repositories, destinations and allowed resource kinds, and set spec.project to it. " +
			"Then restrict the default project itself (empty sourceRepos and destinations) so nothing can fall back to it.",
		References: []string{refArgoProjects, refEKSArgoProjects, refArgoSecurity},
	},
	check: func(_ *Options, obj *manifest.Object) []rule.Hit {
		a, ok := appOf(obj)
		if !ok || templated(a.spec.Project) || a.projectName() != "default" {
			return nil
		}
		if a.spec.Project == "" && (!complete(obj) || a.set && obj.String("spec.templatePatch") != "") {
			return nil // a fragment, or the patch may set the project
		}
		what := "application"
		if a.set {
			what = "ApplicationSet template"
		}
		msg := fmt.Sprintf("%s runs in the default project, which allows any source, destination and resource kind", what)
		if a.spec.Project == "" {
			msg = fmt.Sprintf("%s sets no project, so it runs in the default project, which allows any source, destination and resource kind", what)
		}
		return []rule.Hit{{Path: a.path + ".project", Message: msg, Evidence: "project: " + a.projectName()}}
	},
}
