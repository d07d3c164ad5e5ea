package gitops

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// appSpec is the part of an Argo CD Application spec (or an ApplicationSet's
// template spec) the rules read.
type appSpec struct {
	Project     string         `json:"project"`
	Source      *appSource     `json:"source"`
	Sources     []appSource    `json:"sources"`
	Destination appDestination `json:"destination"`
	SyncPolicy  *syncPolicy    `json:"syncPolicy"`
}

type appSource struct {
	RepoURL string `json:"repoURL"`
}

type appDestination struct {
	Server    string `json:"server"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type syncPolicy struct {
	Automated *struct {
		Enabled  *bool `json:"enabled"`
		Prune    bool  `json:"prune"`
		SelfHeal bool  `json:"selfHeal"`
	} `json:"automated"`
}

// app is an Application, or the Applications an ApplicationSet generates,
// with the field path of its spec.
type app struct {
	obj  *manifest.Object
	spec appSpec
	path string // "spec" or "spec.template.spec"
	set  bool   // from an ApplicationSet template
}

// appOf reads an Application or an ApplicationSet's template; ok is false for
// other objects and specs that cannot be read.
func appOf(obj *manifest.Object) (a app, ok bool) {
	switch {
	case isArgo(obj, "Application"):
		a.path = "spec"
	case isArgo(obj, "ApplicationSet"):
		a.path, a.set = "spec.template.spec", true
	default:
		return a, false
	}
	a.obj = obj
	if obj.Node(a.path) == nil {
		return a, !a.set // an Application without spec is still one
	}
	return a, obj.Decode(a.path, &a.spec) == nil
}

// projectName is the project the application runs in: "default" when unset,
// as Argo CD reads it.
func (a app) projectName() string {
	if a.spec.Project == "" {
		return "default"
	}
	return a.spec.Project
}

// projectSpec is the part of an AppProject spec the rules read.
type projectSpec struct {
	SourceRepos                []string         `json:"sourceRepos"`
	Destinations               []appDestination `json:"destinations"`
	ClusterResourceWhitelist   []groupKind      `json:"clusterResourceWhitelist"`
	NamespaceResourceWhitelist []groupKind      `json:"namespaceResourceWhitelist"`
	NamespaceResourceBlacklist []groupKind      `json:"namespaceResourceBlacklist"`
	SourceNamespaces           []string         `json:"sourceNamespaces"`
	SignatureKeys              []map[string]any `json:"signatureKeys"`
	SourceIntegrity            map[string]any   `json:"sourceIntegrity"`
}

type groupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// projectOf reads an AppProject's spec.
func projectOf(obj *manifest.Object) (projectSpec, bool) {
	var p projectSpec
	if !isArgo(obj, "AppProject") {
		return p, false
	}
	if obj.Node("spec") == nil {
		return p, true
	}
	return p, obj.Decode("spec", &p) == nil
}

// permits reports whether a project allows deploying to a destination, as
// Argo CD matches it: some destination's server (or name) and namespace
// patterns match, and no "!"-negated pattern excludes it.
func (p projectSpec) permits(d appDestination) bool {
	allowed := false
	for _, pd := range p.Destinations {
		nsPat, negNS := cutBang(pd.Namespace)
		serverOK := pd.Server == "" && pd.Name == "" ||
			pd.Server != "" && d.Server != "" && globMatch(trimBang(pd.Server), d.Server) ||
			pd.Name != "" && d.Name != "" && globMatch(trimBang(pd.Name), d.Name) ||
			d.Server == "" && d.Name == ""
		if !serverOK {
			continue
		}
		if negNS {
			if globMatch(nsPat, d.Namespace) {
				return false
			}
			continue
		}
		if nsPat == "" || globMatch(nsPat, d.Namespace) {
			allowed = true
		}
	}
	return allowed
}

func cutBang(s string) (string, bool) {
	if len(s) > 0 && s[0] == '!' {
		return s[1:], true
	}
	return s, false
}

func trimBang(s string) string { s, _ = cutBang(s); return s }
