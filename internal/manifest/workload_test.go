package manifest

import (
	"os"
	"testing"
)

func TestPodTemplateKinds(t *testing.T) {
	data, err := os.ReadFile("testdata/workloads/kinds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pod":                 "spec",
		"podtemplate":         "template.spec",
		"old-daemonset":       "spec.template.spec",
		"cronjob":             "spec.jobTemplate.spec.template.spec",
		"rollout":             "spec.template.spec",
		"rollout-workloadref": "",
		"knative-like":        "spec.template.spec",
		"jobtemplate-shape":   "spec.jobTemplate.spec.template.spec",
		"crd":                 "",
		"cm":                  "",
	}
	f := Parse("kinds.yaml", data, nil)
	if len(f.Objects) != len(want) {
		t.Fatalf("%d objects, want %d", len(f.Objects), len(want))
	}
	for _, o := range f.Objects {
		pt, err := o.PodTemplate()
		if err != nil {
			t.Fatalf("%s: %v", o.Name(), err)
		}
		got := ""
		if pt != nil {
			got = pt.SpecPath
			if len(pt.Spec.Containers) != 1 {
				t.Errorf("%s: %d containers decoded", o.Name(), len(pt.Spec.Containers))
			}
		}
		if got != want[o.Name()] {
			t.Errorf("%s (%s): pod spec at %q, want %q", o.Name(), o.Kind, got, want[o.Name()])
		}
	}
}

func TestPositions(t *testing.T) {
	data := []byte("# comment\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    example.com/key: v\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n    securityContext:\n      privileged: true\n")
	o := Parse("p.yaml", data, nil).Objects[0]
	cases := []struct {
		path      string
		line, col int
		found     bool
	}{
		{"spec.containers[1].securityContext.privileged", 16, 7, true},
		{"spec.containers[1]", 13, 5, true},
		{"spec.containers[0].securityContext.runAsNonRoot", 11, 5, false}, // nearest present ancestor
		{"metadata.annotations['example.com/key']", 8, 5, true},
		{"metadata.name", 6, 3, true},
	}
	for _, tc := range cases {
		pos, found := o.Pos(tc.path)
		if pos.Line != tc.line || pos.Column != tc.col || found != tc.found {
			t.Errorf("Pos(%s) = %d:%d found=%v, want %d:%d found=%v", tc.path, pos.Line, pos.Column, found, tc.line, tc.col, tc.found)
		}
	}
}
