package engine

import (
	"context"
	"reflect"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
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

// A secret a file check found is not reported again from the rendered
// object placed in the same file; everything else stays.
func TestDropRenderedCopies(t *testing.T) {
	file := func(id, path, secret string) rule.Finding {
		return rule.Finding{ID: id, Location: rule.Location{File: path}, SecretID: secret}
	}
	rendered := func(id, path, secret string) rule.Finding {
		f := file(id, path, secret)
		f.Location.Chain = []string{"kustomize overlays/mail"}
		return f
	}
	for _, tc := range []struct {
		name string
		in   []rule.Finding
		want []string
	}{
		{"literal found twice", []rule.Finding{file("BW-SE-010", "k.yaml", "sha256:a"), rendered("BW-SE-001", "k.yaml", "sha256:a")}, []string{"BW-SE-010"}},
		{"another secret in the file", []rule.Finding{file("BW-SE-010", "k.yaml", "sha256:a"), rendered("BW-SE-001", "k.yaml", "sha256:b")}, []string{"BW-SE-010", "BW-SE-001"}},
		{"the same secret in another file", []rule.Finding{file("BW-SE-127", "a.env", "sha256:a"), rendered("BW-SE-001", "k.yaml", "sha256:a")}, []string{"BW-SE-127", "BW-SE-001"}},
		{"only rendered", []rule.Finding{rendered("BW-SE-001", "k.yaml", "sha256:a"), rendered("BW-SE-001", "k.yaml", "sha256:a")}, []string{"BW-SE-001", "BW-SE-001"}},
		{"two file checks", []rule.Finding{file("BW-SE-008", "v.yaml", "sha256:a"), file("BW-SE-127", "v.yaml", "sha256:a")}, []string{"BW-SE-008", "BW-SE-127"}},
		{"not a secret", []rule.Finding{file("BW-PS-001", "k.yaml", ""), rendered("BW-PS-001", "k.yaml", "")}, []string{"BW-PS-001", "BW-PS-001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range dropRenderedCopies(tc.in) {
				got = append(got, f.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("kept %v, want %v", got, tc.want)
			}
		})
	}
}
