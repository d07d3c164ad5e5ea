package secrets

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// gitopsHelmValues checks the Helm values that GitOps controllers pass to
// charts: Flux HelmRelease spec.values, and Argo CD Application (and
// ApplicationSet template) helm.values (a YAML string), helm.valuesObject
// and helm.parameters, for a single source and for each of sources. A
// value is reported when its key says it is a credential (auth.password,
// rootPassword, apiKey) or the value is one. Allowed: references
// (existingSecret, valuesFrom, secretKeyRef), templates, placeholders and
// empty defaults, and value files, which are read when scanned themselves.
var gitopsHelmValues = &objectRule{
	Meta: meta("BW-SE-009", "gitops-helm-values-secret", "GitOps Helm release passes a credential in its values", rule.High,
		"Values given inline to a HelmRelease or an Argo CD Application are committed in clear, shown by the "+
			"controllers' UIs and CLIs to everyone who may read the application, and stored again in the release "+
			"history Secret. A password or token there is as exposed as one in a plain Secret.",
		"Keep credentials out of the values: point the chart at an existing Secret (most charts take "+
			"existingSecret), or use Flux valuesFrom with a SOPS-encrypted Secret, or an Argo CD plugin or External "+
			"Secrets to inject it."+deliver,
		"https://fluxcd.io/flux/components/helm/helmreleases/#values",
		"https://argo-cd.readthedocs.io/en/stable/user-guide/helm/"),
	Applies: func(obj *manifest.Object) bool {
		g := group(obj)
		return obj.Kind == "HelmRelease" && g == "helm.toolkit.fluxcd.io" ||
			(obj.Kind == "Application" || obj.Kind == "ApplicationSet") && g == "argoproj.io"
	},
	Check: func(s *scope) {
		if s.obj.Kind == "HelmRelease" {
			s.valuesTree(at(s.root, "spec", "values"), "spec.values", where{}, "HelmRelease values")
			return
		}
		spec, base := "spec", "spec"
		if s.obj.Kind == "ApplicationSet" {
			spec, base = "spec.template.spec", "spec.template.spec"
		}
		specNode := at(s.root, strings.Split(spec, ".")...)
		if h := at(specNode, "source", "helm"); h != nil {
			s.argoHelm(h, base+".source.helm")
		}
		for i, src := range items(at(specNode, "sources")) {
			if h := at(src, "helm"); h != nil {
				s.argoHelm(h, fmt.Sprintf("%s.sources[%d].helm", base, i))
			}
		}
	},
}

// group returns an object's API group ("" for the core group).
func group(obj *manifest.Object) string {
	g, _, ok := strings.Cut(obj.APIVersion, "/")
	if !ok {
		return ""
	}
	return g
}

// argoHelm checks one Argo CD helm source block.
func (s *scope) argoHelm(h *yaml.Node, path string) {
	what := "Application helm"
	s.valuesTree(at(h, "valuesObject"), path+".valuesObject", where{}, what+" valuesObject")
	s.valuesTree(at(h, "parameters"), path+".parameters", where{}, what+" parameter")
	k, v := get(h, "values")
	if !isScalar(v) {
		s.valuesTree(v, path+".values", where{}, what+" values")
		return
	}
	s.cover(k, v)
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(v.Value), &doc); err != nil {
		s.text(textVal{path: path + ".values", where: what + " values", name: "values.yaml", text: v.Value, first: s.textStart(v)})
		return
	}
	s.valuesTree(deref(&doc), "", where{embedded: true, outer: path + ".values", first: s.textStart(v)}, what+" values")
}
