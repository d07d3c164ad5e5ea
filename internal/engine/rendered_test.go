package engine

import (
	"context"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// shiftLocator places every rendered position in another file, ten lines down.
type shiftLocator struct{ file string }

func (l shiftLocator) Locate(_ *manifest.Object, _ string, pos manifest.Position) (manifest.Place, bool) {
	return manifest.Place{File: l.file, Line: pos.Line + 10, Column: pos.Column}, true
}

const privilegedPod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000
      securityContext:
        privileged: true
`

func TestScanFilesRendered(t *testing.T) {
	e := newEngine(t)
	scanOne := func(f source.File) *Result {
		res, err := e.ScanFiles(context.Background(), func(yield func(source.File)) error {
			yield(f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	plain := scanOne(source.File{Path: "pod.yaml", Data: []byte(privilegedPod), Manifest: true})
	rendered := scanOne(source.File{Path: "chart/templates/pod.yaml", Data: []byte(privilegedPod), Manifest: true,
		Chain: []string{"helm chart chart"}, Origin: shiftLocator{"chart/values.yaml"}})
	if !has(plain, "BW-PS-001", "pod.yaml", 10) {
		t.Fatalf("plain: no privileged finding at pod.yaml:10: %+v", plain.Findings)
	}
	if !has(rendered, "BW-PS-001", "chart/values.yaml", 20) {
		t.Fatalf("rendered: privileged not placed by the locator: %+v", rendered.Findings)
	}
	for _, f := range rendered.Findings {
		if len(f.Location.Chain) != 1 || f.Location.Chain[0] != "helm chart chart" {
			t.Errorf("%s: chain %v not copied", f.ID, f.Location.Chain)
		}
	}
	if plain.Findings[0].Fingerprint == rendered.Findings[0].Fingerprint {
		t.Error("a rendered object and a plain one share a fingerprint")
	}
}
