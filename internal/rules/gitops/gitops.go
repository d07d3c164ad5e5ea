// Package gitops holds the rules for the pull connection: the Argo CD and
// Flux objects kept in a repository that decide what a cluster pulls from
// where, with which identity, and whether it checks what it pulls.
//
// Rules read the objects as written (an Application, an AppProject, a Flux
// Kustomization...), never the cluster, and point at the field to change.
// Values that an ApplicationSet or Helm fills in later ("{{...}}") are not
// judged. What counts as production, as a control-plane namespace and as a
// platform project comes from Options, so a policy can change it.
package gitops

import (
	"path"
	"strings"
	"unicode"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Options are the facts about a platform that the rules cannot read from the
// objects themselves.
type Options struct {
	// ControlPlaneNamespaces hold the cluster's own machinery: a tenant that
	// can deploy there can take the cluster over.
	ControlPlaneNamespaces []string
	// PlatformProjects are the Argo CD projects of the platform team, allowed
	// to deploy into control-plane namespaces. Every other project except
	// "default" is a tenant project.
	PlatformProjects []string
	// ProductionWords mark production: an object is production when a word
	// of its name, namespace, destination or path (split at any character
	// that is not a letter or digit) is one of them, or when it carries the
	// label or annotation ProductionLabel (or "environment"/"env") with one
	// of them as its value.
	ProductionWords []string
	ProductionLabel string
}

// DefaultOptions are the defaults the built-in policy uses.
func DefaultOptions() Options {
	return Options{
		ControlPlaneNamespaces: []string{"kube-system", "kube-public", "kube-node-lease", "argocd", "openshift-gitops", "flux-system"},
		PlatformProjects:       []string{"platform", "infra", "infrastructure", "cluster-addons", "system", "admin", "bootstrap"},
		ProductionWords:        []string{"prod", "production", "prd", "live"},
		ProductionLabel:        "bulwark.dev/environment",
	}
}

// Checks lists every gitops rule in ID order: per-object checks and the
// checks that need several objects at once.
func Checks(opts Options) ([]rule.ObjectCheck, []rule.SetCheck) {
	var objs []rule.ObjectCheck
	var sets []rule.SetCheck
	for _, r := range all {
		switch r := r.(type) {
		case *objectRule:
			objs = append(objs, r.bind(&opts))
		case *setRule:
			sets = append(sets, r.bind(&opts))
		}
	}
	return objs, sets
}

// all is every rule in ID order.
var all = []any{
	argoDefaultProject,
	argoControlPlaneDestination,
	argoAutoSyncSensitive,
	argoProjectAnySource,
	argoProjectAnyDestination,
	argoProjectClusterResources,
	argoProjectNamespacedResources,
	argoProjectAnySourceNamespace,
	argoProjectUnverifiedSources,
	argoAppSetTemplatedProject,
	argoAppSetGeneratorCredentials,
	argoInsecureRepository,
	argoClusterInsecureTLS,
	argoSecretClientSideApply,
	fluxInsecureSource,
	fluxUnverifiedSource,
	fluxNoServiceAccount,
	fluxCrossNamespaceRef,
	fluxSOPSWithoutDecryption,
}

// objectRule is a rule that reads one object at a time.
type objectRule struct {
	meta  rule.Meta
	check func(o *Options, obj *manifest.Object) []rule.Hit
}

func (r *objectRule) bind(o *Options) rule.ObjectCheck {
	return &rule.ObjectRule{Meta: r.meta, Check: func(obj *manifest.Object) []rule.Hit { return r.check(o, obj) }}
}

// setRule is a rule that needs several objects of a scan at once, such as an
// Application and its AppProject.
type setRule struct {
	meta  rule.Meta
	kinds []string
	check func(o *Options, objs []*manifest.Object) []rule.Hit
}

type boundSet struct {
	r *setRule
	o *Options
}

func (r *setRule) bind(o *Options) rule.SetCheck { return &boundSet{r: r, o: o} }

func (b *boundSet) Rules() []*rule.Meta { return []*rule.Meta{&b.r.meta} }
func (b *boundSet) Kinds() []string     { return b.r.kinds }
func (b *boundSet) CheckSet(objs []*manifest.Object) []rule.Hit {
	hits := b.r.check(b.o, objs)
	for i := range hits {
		if hits[i].Rule == "" {
			hits[i].Rule = b.r.meta.ID
		}
	}
	return hits
}

// References shared by several rules.
const (
	refArgoProjects      = "https://argo-cd.readthedocs.io/en/stable/user-guide/projects/"
	refArgoSecurity      = "https://argo-cd.readthedocs.io/en/stable/operator-manual/security/"
	refArgoDeclarative   = "https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/"
	refArgoAppSetSec     = "https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Security/"
	refArgoGPG           = "https://argo-cd.readthedocs.io/en/stable/user-guide/gpg-verification/"
	refEKSArgoProjects   = "https://docs.aws.amazon.com/eks/latest/userguide/argocd-projects.html"
	refFluxSecurity      = "https://fluxcd.io/flux/security/"
	refFluxMultiTenancy  = "https://fluxcd.io/flux/installation/configuration/multitenancy/"
	refFluxRFC0003       = "https://github.com/fluxcd/flux2/tree/main/rfcs/0003-kubernetes-rbac-multi-tenancy"
	refFluxGitRepository = "https://fluxcd.io/flux/components/source/gitrepositories/"
	refFluxOCIRepository = "https://fluxcd.io/flux/components/source/ocirepositories/"
	refFluxKustomization = "https://fluxcd.io/flux/components/kustomize/kustomizations/"
	refFluxHelmRelease   = "https://fluxcd.io/flux/components/helm/helmreleases/"
	refFluxSOPS          = "https://fluxcd.io/flux/guides/mozilla-sops/"
)

// group returns the API group of an apiVersion ("" for the core group).
func group(apiVersion string) string {
	g, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return ""
	}
	return g
}

// isArgo reports whether obj is an Argo CD object of one of the kinds.
func isArgo(obj *manifest.Object, kinds ...string) bool {
	return group(obj.APIVersion) == "argoproj.io" && oneOf(obj.Kind, kinds)
}

// Flux API groups.
const (
	fluxSource    = "source.toolkit.fluxcd.io"
	fluxKustomize = "kustomize.toolkit.fluxcd.io"
	fluxHelm      = "helm.toolkit.fluxcd.io"
)

// isFluxKustomization tells a Flux Kustomization from a kustomize one.
func isFluxKustomization(obj *manifest.Object) bool {
	return obj.Kind == "Kustomization" && group(obj.APIVersion) == fluxKustomize
}

func isFluxHelmRelease(obj *manifest.Object) bool {
	return obj.Kind == "HelmRelease" && group(obj.APIVersion) == fluxHelm
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// templated reports whether a value is filled in later by an ApplicationSet,
// Helm or Flux substitution, so its real value is unknown here.
func templated(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "${")
}

// controlPlane reports whether a namespace is one of the control-plane ones.
func (o *Options) controlPlane(ns string) bool { return oneOf(ns, o.ControlPlaneNamespaces) }

// platformProject reports whether an Argo CD project belongs to the platform team.
func (o *Options) platformProject(name string) bool { return oneOf(name, o.PlatformProjects) }

// productionWord reports whether s contains one of the production words as a
// whole word: "prod-eu" and "clusters/production" do, "product-api" does not.
func (o *Options) productionWord(s string) bool {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if oneOf(w, o.ProductionWords) {
			return true
		}
	}
	return false
}

// productionObject reports whether an object names production in its name,
// namespace, or labels and annotations.
func (o *Options) productionObject(obj *manifest.Object) bool {
	if o.productionWord(obj.Name()) || o.productionWord(obj.Namespace()) {
		return true
	}
	for _, field := range []string{"metadata.labels", "metadata.annotations"} {
		for k, v := range obj.StringMap(field) {
			if (k == o.ProductionLabel || k == "environment" || k == "env") && o.productionWord(v) {
				return true
			}
		}
	}
	return false
}

// globMatch matches an Argo CD destination pattern ("team-*", "*").
func globMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// complete reports whether an object has the fields its API requires. An
// incomplete one is a fragment, such as a kustomize patch that only sets
// spec.path or a HelmRelease's values: rules that report a missing field do
// not judge it, since the base object it patches carries the rest.
func complete(obj *manifest.Object) bool {
	has := func(paths ...string) bool {
		for _, p := range paths {
			if obj.Node(p) != nil {
				return true
			}
		}
		return false
	}
	switch {
	case isArgo(obj, "Application"):
		return has("spec.destination") && has("spec.source", "spec.sources", "spec.sourceHydrator")
	case isArgo(obj, "ApplicationSet"):
		return has("spec.generators") && has("spec.template")
	case isArgo(obj, "AppProject"):
		return has("spec.sourceRepos", "spec.destinations")
	case isFluxKustomization(obj):
		return has("spec.sourceRef")
	case isFluxHelmRelease(obj):
		return has("spec.chart.spec.sourceRef", "spec.chartRef")
	case group(obj.APIVersion) == fluxSource:
		return has("spec.url", "spec.bucketName")
	}
	return true
}
