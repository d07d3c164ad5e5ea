package rbacrules

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

func hitsText(hits []rule.Hit) string {
	var b strings.Builder
	for _, h := range hits {
		o := "<nil>"
		if h.Object != nil {
			o = fmt.Sprintf("%s %s/%s@%s#%d", h.Object.Kind, h.Object.Namespace(), h.Object.Name(), h.Object.File, h.Object.Doc)
		}
		fmt.Fprintf(&b, "%s %s %s %s key=%q sev=%d %s evidence=%q\n", h.Rule, o, h.Path, h.Message, h.Key, h.Severity, h.File, h.Evidence)
	}
	return b.String()
}

// TestBaseIsCheckSet checks that a base answers what CheckSet answers, for
// the objects it was prepared from and for those with objects added
// (every fixture file in turn, as a request) or removed.
func TestBaseIsCheckSet(t *testing.T) {
	c := New(DefaultConfig())
	files, _ := filepath.Glob("testdata/*/*/*.yaml")
	byFile := map[string][]*manifest.Object{}
	var all []*manifest.Object
	for _, f := range files {
		byFile[f] = ruletest.Load(t, f)
		all = append(all, byFile[f]...)
	}
	generated, _ := synthetic(300)
	all = append(all, parse(generated)...)
	without := func(objs []*manifest.Object, drop func(i int, o *manifest.Object) bool) []*manifest.Object {
		var out []*manifest.Object
		for i, o := range objs {
			if !drop(i, o) {
				out = append(out, o)
			}
		}
		return out
	}

	base := c.NewBase(all)
	cases := []struct {
		name string
		objs []*manifest.Object
	}{
		{"unchanged", all},
		{"every seventh object removed", without(all, func(i int, _ *manifest.Object) bool { return i%7 == 3 })},
		{"every binding removed", without(all, func(_ int, o *manifest.Object) bool { return strings.HasSuffix(o.Kind, "Binding") })},
		{"nothing left", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := hitsText(base.CheckSet(tc.objs)), hitsText(c.CheckSet(tc.objs)); got != want {
				t.Fatalf("base differs from CheckSet:\n got: %s\nwant: %s", got, want)
			}
		})
	}
	for _, f := range files {
		t.Run("request "+strings.TrimPrefix(f, "testdata/"), func(t *testing.T) {
			others := without(all, func(_ int, o *manifest.Object) bool { return o.File == f })
			base := c.NewBase(others)
			// A fresh copy of the file stands for the request's object,
			// first in file order as the webhook's request is.
			req := ruletest.Load(t, f)
			for _, o := range req {
				o.File = "(request) " + o.File
			}
			objs := append(req, others...)
			if got, want := hitsText(base.CheckSet(objs)), hitsText(c.CheckSet(objs)); got != want {
				t.Fatalf("base differs from CheckSet:\n got: %s\nwant: %s", got, want)
			}
		})
	}
}
