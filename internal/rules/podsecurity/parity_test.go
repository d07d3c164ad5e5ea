package podsecurity

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// fixtureRoot finds the official module's own fixtures in the module cache.
func fixtureRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/pod-security-admission").Output()
	if err != nil {
		t.Fatalf("locating k8s.io/pod-security-admission: %v", err)
	}
	root := filepath.Join(strings.TrimSpace(string(out)), "test", "testdata")
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("official fixtures missing: %v", err)
	}
	return root
}

// TestOfficialFixtures evaluates every upstream fixture at its own level and
// version and demands the official verdict: pass fixtures yield no finding,
// fail fixtures at least one, and the failing check IDs equal those of the
// official evaluator.
func TestOfficialFixtures(t *testing.T) {
	root := fixtureRoot(t)
	official, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, level := range []string{"baseline", "restricted"} {
		versions, err := os.ReadDir(filepath.Join(root, level))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range versions {
			std, err := NewStandard(level, v.Name())
			if err != nil {
				t.Fatal(err)
			}
			check := New(std)
			lv := api.LevelVersion{Level: std.Level, Version: std.Version}
			for _, want := range []string{"pass", "fail"} {
				dir := filepath.Join(root, level, v.Name(), want)
				files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
				for _, path := range files {
					data, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					f := manifest.Parse(path, data, nil)
					if len(f.Objects) != 1 {
						t.Fatalf("%s: %d objects", path, len(f.Objects))
					}
					obj := f.Objects[0]
					hits := check.CheckObject(obj)
					pt, err := obj.PodTemplate()
					if err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					results := official.EvaluatePod(lv, &pt.Meta, withAPIDefaults(obj.Kind, &pt.Spec))
					denied := policy.AggregateCheckResults(results).Allowed == false
					if denied != (want == "fail") {
						t.Fatalf("%s: official evaluator disagrees with the fixture", path)
					}
					if (len(hits) > 0) != denied {
						t.Errorf("%s: %d findings, official denied=%v", path, len(hits), denied)
					}
					// The same failing reasons as the official evaluator, once each.
					var wantReasons, gotReasons []string
					for _, r := range results {
						if !r.Allowed {
							wantReasons = append(wantReasons, r.ForbiddenReason)
						}
					}
					seen := map[string]bool{}
					for _, h := range hits {
						id := h.PSS.Check
						if h.PSS.Level == "baseline" && level == "restricted" {
							id = overriding(std, h.PSS.Check)
						}
						if !seen[id] {
							seen[id] = true
							for _, s := range std.checks {
								if string(s.id) == id {
									gotReasons = append(gotReasons, s.fn(&pt.Meta, withAPIDefaults(obj.Kind, &pt.Spec)).ForbiddenReason)
								}
							}
						}
						if h.Path == "" || h.Message == "" {
							t.Errorf("%s: hit without path or message: %+v", path, h)
						}
					}
					sort.Strings(wantReasons)
					sort.Strings(gotReasons)
					if strings.Join(wantReasons, "|") != strings.Join(gotReasons, "|") {
						t.Errorf("%s: failing checks %v, official %v", path, gotReasons, wantReasons)
					}
					counts[level+"/"+want]++
				}
			}
		}
	}
	t.Logf("fixtures evaluated: %v", counts)
	if counts["baseline/pass"] < 400 || counts["restricted/fail"] < 2000 {
		t.Errorf("too few fixtures found: %v", counts)
	}
}

// overriding returns the restricted check that overrides a baseline one.
func overriding(std *Standard, baselineID string) string {
	for _, s := range std.checks {
		for _, o := range s.overrides {
			if string(o) == baselineID {
				return string(s.id)
			}
		}
	}
	return baselineID
}
