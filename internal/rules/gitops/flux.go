package gitops

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// sourceRef is a Flux cross-object reference.
type sourceRef struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// fluxRef is one source reference of a Kustomization or HelmRelease, with the
// field path it was read from.
type fluxRef struct {
	ref  sourceRef
	path string
}

// sourceRefs lists the sources a Flux Kustomization or HelmRelease reads.
func sourceRefs(obj *manifest.Object) []fluxRef {
	var paths []string
	switch {
	case isFluxKustomization(obj):
		paths = []string{"spec.sourceRef"}
	case isFluxHelmRelease(obj):
		paths = []string{"spec.chart.spec.sourceRef", "spec.chartRef"}
	default:
		return nil
	}
	var out []fluxRef
	for _, p := range paths {
		if obj.Node(p) == nil {
			continue
		}
		var r sourceRef
		if obj.Decode(p, &r) == nil && r.Name != "" {
			out = append(out, fluxRef{ref: r, path: p})
		}
	}
	return out
}

// key identifies a Flux object by kind, namespace and name.
type key struct{ kind, namespace, name string }

// target is the object a reference names, its namespace defaulting to the
// referrer's, as Flux reads it.
func (r sourceRef) target(from *manifest.Object) key {
	ns := r.Namespace
	if ns == "" {
		ns = from.Namespace()
	}
	return key{r.Kind, ns, r.Name}
}
