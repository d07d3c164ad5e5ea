package secrets

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// embeddedObject checks annotations that embed a whole object:
// kubectl.kubernetes.io/last-applied-configuration (written by client-side
// kubectl apply), kapp.k14s.io/original, and any annotation whose value is
// a JSON object with apiVersion and kind. The embedded object is checked
// with every structural rule, so a Secret's stringData, an env literal or
// a kubeconfig token inside it is found, decoded, and reported at the
// annotation. This is how Secrets leak from `kubectl get -o yaml` dumps and
// from SealedSecret templates. Allowed: embedded objects that hold no
// credential (most Deployments).
var embeddedObject = &objectRule{
	Meta: meta("BW-SE-005", "annotation-embedded-secret", "Annotation embeds a copy of a credential", rule.High,
		"Client-side kubectl apply stores the whole object it applied, including a Secret's stringData in clear "+
			"text, in the last-applied-configuration annotation, and other tools keep similar copies. An exported "+
			"object committed to Git then carries the credential twice, and the copy is easy to miss in review.",
		"Remove the annotation from the manifest (export objects with kubectl get --show-managed-fields=false and "+
			"strip the annotation, or apply with --server-side, which does not write it), and remove the credential "+
			"itself."+deliver,
		"https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/#how-apply-calculates-differences-and-merges-changes",
		"https://github.com/bitnami-labs/sealed-secrets/issues/227"),
	Applies: func(obj *manifest.Object) bool {
		// An embedded object is JSON inside a string: its "apiVersion"
		// key is quoted, escaped or not; a YAML header never is.
		if !obj.OwnData() { // a List item: its bytes are the whole List, its tree is built
			return obj.Node("metadata.annotations") != nil
		}
		d := obj.Data()
		return bytes.Contains(d, []byte(`"apiVersion"`)) || bytes.Contains(d, []byte(`\"apiVersion\"`))
	},
	Check: func(s *scope) {
		s.embeddedAnnotationsAs("metadata.annotations")
	},
}

// embeddedAnnotationsAs checks the annotations at path for embedded
// objects and reports what they leak as the running rule.
func (s *scope) embeddedAnnotationsAs(path string) {
	r := s.rule
	for _, e := range entries(at(s.root, strings.Split(path, ".")...)) {
		if !isScalar(e.val) {
			continue
		}
		v := strings.TrimSpace(e.val.Value)
		if !strings.HasPrefix(v, "{") || !strings.Contains(v, `"kind"`) || !strings.Contains(v, `"apiVersion"`) {
			continue
		}
		s.cover(e.key, e.val)
		f := manifest.Parse("annotation.json", []byte(v), nil)
		for _, inner := range f.Objects {
			for _, h := range analyze(inner).hits {
				if !strings.HasPrefix(h.Key, "sha256:") {
					continue // risks that are not a leaked value
				}
				sev := h.Severity
				if sev == 0 {
					if m, ok := metaOf(h.Rule); ok {
						sev = m.Severity
					}
				}
				sev = max(sev, r.Severity)
				what := inner.Kind
				if n := inner.Name(); n != "" {
					what = fmt.Sprintf("%s %q", inner.Kind, n)
				}
				s.add(rule.Hit{
					Rule: r.ID, Path: child(path, e.name), Severity: sev,
					Message:  fmt.Sprintf("annotation %s embeds a copy of %s: %s", e.name, what, h.Message),
					Evidence: h.Evidence, Key: h.Key,
				})
			}
		}
	}
}
