package engine

import (
	"bytes"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// refKey memoizes an object's reference on the object.
type refKey struct{}

// objectRef returns the object's identity for its findings, derived once
// per object: an object often has many findings, and its labels and
// ignore annotation take a walk of the tree (skipped when the bytes cannot
// hold the annotation).
func objectRef(o *manifest.Object) *rule.ObjectRef {
	ref := o.Memo(refKey{}, func() any {
		r := rule.ObjectRef{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace(), Name: o.Name(),
			Labels: o.StringMap("metadata.labels")}
		if bytes.Contains(o.Data(), []byte(IgnoreAnnotation)) {
			r.Ignore = o.String("metadata.annotations['" + IgnoreAnnotation + "']")
		}
		return r
	}).(rule.ObjectRef)
	return &ref
}
