// Package ruletest runs rule fixtures: every rule must have files under
// testdata/<rule-name>/fail that it reports and files under
// testdata/<rule-name>/pass that it does not.
package ruletest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Fixtures checks every rule of the given checks against its fixtures in dir
// (usually "testdata"). A rule without pass or fail fixtures fails the test.
// Object checks see each object; set checks see all objects of one file;
// file checks see each fixture file whatever its name (their Match is for
// real paths such as .github/workflows/).
func Fixtures(t *testing.T, dir string, objectChecks []rule.ObjectCheck, setChecks []rule.SetCheck, fileChecks ...rule.FileCheck) {
	t.Helper()
	type runner struct {
		meta *rule.Meta
		run  func([]*manifest.Object) []rule.Hit
		file rule.FileCheck
	}
	var runners []runner
	for _, c := range objectChecks {
		c := c
		for _, m := range c.Rules() {
			runners = append(runners, runner{meta: m, run: func(objs []*manifest.Object) []rule.Hit {
				var hits []rule.Hit
				for _, o := range objs {
					for _, h := range c.CheckObject(o) {
						if h.Object == nil {
							h.Object = o
						}
						hits = append(hits, h)
					}
				}
				return hits
			}})
		}
	}
	for _, c := range setChecks {
		c := c
		for _, m := range c.Rules() {
			runners = append(runners, runner{meta: m, run: c.CheckSet})
		}
	}
	for _, c := range fileChecks {
		for _, m := range c.Rules() {
			runners = append(runners, runner{meta: m, file: c})
		}
	}
	for _, r := range runners {
		r := r
		t.Run(r.meta.ID+"_"+r.meta.Name, func(t *testing.T) {
			for _, want := range []string{"fail", "pass"} {
				files, _ := filepath.Glob(filepath.Join(dir, r.meta.Name, want, "*"))
				if len(files) == 0 {
					t.Fatalf("rule %s has no %s fixtures in %s", r.meta.ID, want, filepath.Join(dir, r.meta.Name, want))
				}
				for _, path := range files {
					var hits []rule.Hit
					if r.file != nil {
						data, err := os.ReadFile(path)
						if err != nil {
							t.Fatal(err)
						}
						var parsed *manifest.File
						if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" || ext == ".json" {
							parsed = manifest.Parse(path, data, nil)
						}
						hits = r.file.CheckFile(path, data, parsed)
					} else {
						hits = r.run(Load(t, path))
					}
					n := 0
					for _, h := range hits {
						if h.Rule != r.meta.ID {
							continue
						}
						n++
						if h.Message == "" {
							t.Errorf("%s: hit without message", path)
						}
					}
					if want == "fail" && n == 0 {
						t.Errorf("%s: rule %s reported nothing", path, r.meta.ID)
					}
					if want == "pass" && n > 0 {
						t.Errorf("%s: rule %s reported %d hits", path, r.meta.ID, n)
					}
				}
			}
		})
	}
}

// Load parses a fixture file into objects, failing on any input error.
func Load(t *testing.T, path string) []*manifest.Object {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := manifest.Parse(path, data, nil)
	if len(f.Errors) > 0 {
		t.Fatalf("%s: %v", path, f.Errors[0])
	}
	return f.Objects
}
