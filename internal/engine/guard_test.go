package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// fragile is a check with a bug: it dereferences a nil pointer on objects
// named "trigger", and panics with the object's bytes on "leak".
func fragile() *rule.ObjectRule {
	return &rule.ObjectRule{
		Meta: rule.Meta{ID: "BW-TS-001", Name: "named-object", Title: "Object has a name", Severity: rule.Low,
			Category: rule.Category("test"), Why: "A test rule that reports every object, and fails on some of them.",
			Remediation: "None.", References: []string{"https://example.com"}},
		Check: func(o *manifest.Object) []rule.Hit {
			switch o.Name() {
			case "trigger":
				var p *manifest.Object
				_ = p.Kind
			case "leak":
				panic(string(o.Data()))
			}
			return []rule.Hit{{Path: "metadata.name", Message: "named " + o.Name()}}
		},
	}
}

// brokenSet fails after the files are checked.
type brokenSet struct{}

func (brokenSet) Rules() []*rule.Meta { return nil }
func (brokenSet) Kinds() []string     { return []string{"ConfigMap"} }
func (brokenSet) CheckSet(objs []*manifest.Object) []rule.Hit {
	return []rule.Hit{}[len(objs):] // out of range when there are objects
}

// TestCheckPanics: a check that panics costs the findings of its file, not
// the scan; the file carries an error that says so, without the input's
// bytes, and the result counts the failures.
func TestCheckPanics(t *testing.T) {
	reg, err := rule.NewRegistry([]rule.ObjectCheck{fragile()}, []rule.SetCheck{brokenSet{}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(reg, 2).Scan(context.Background(), []string{"testdata/guard"}, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !has(res, "BW-TS-001", "good.yaml", 4) {
		t.Errorf("the file without the bug lost its findings: %v", summarize(res))
	}
	if len(res.Internal) != 3 {
		t.Errorf("internal failures = %v, want 3 (two files, the whole-set checks)", res.Internal)
	}
	errs := map[string]string{}
	for _, e := range res.Errors {
		errs[e.File[strings.LastIndex(e.File, "/")+1:]] = e.Msg
	}
	if msg := errs["trigger.yaml"]; !strings.Contains(msg, "internal error") || !strings.Contains(msg, "nil pointer") {
		t.Errorf("trigger.yaml error = %q", msg)
	}
	if msg := errs["leak.yaml"]; !strings.Contains(msg, "panic of type string") || strings.Contains(msg, "hunter2") {
		t.Errorf("leak.yaml error = %q, want the panic's type and none of the input", msg)
	}
	if msg := errs[""]; !strings.Contains(msg, "whole-set checks") || !strings.Contains(msg, "out of range") {
		t.Errorf("whole-set error = %q", msg)
	}
}
