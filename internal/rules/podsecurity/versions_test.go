package podsecurity

import (
	"path/filepath"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

// TestVersions shows that the chosen policy version changes verdicts the way
// the official checks do.
func TestVersions(t *testing.T) {
	cases := []struct {
		file, level, version, check string
		want                        bool
		line                        int
	}{
		{"probe-host.yaml", "baseline", "v1.33", "hostProbesAndHostLifecycle", false, 0},
		{"probe-host.yaml", "baseline", "v1.34", "hostProbesAndHostLifecycle", true, 17},
		{"probe-host.yaml", "baseline", "latest", "hostProbesAndHostLifecycle", true, 17},
		{"seccomp-annotation.yaml", "baseline", "v1.18", "seccompProfile_baseline", true, 5},
		{"seccomp-annotation.yaml", "baseline", "v1.19", "seccompProfile_baseline", false, 0},
		{"user-namespace-procmount.yaml", "baseline", "v1.34", "procMount", true, 11},
		{"user-namespace-procmount.yaml", "baseline", "v1.35", "procMount", false, 0},
		{"user-namespace-procmount.yaml", "restricted", "v1.35", "procMount_restricted", true, 11},
	}
	for _, tc := range cases {
		t.Run(tc.file+"@"+tc.level+"/"+tc.version, func(t *testing.T) {
			std, err := NewStandard(tc.level, tc.version)
			if err != nil {
				t.Fatal(err)
			}
			obj := ruletest.Load(t, filepath.Join("testdata", "versions", tc.file))[0]
			got, line := false, 0
			for _, h := range New(std).CheckObject(obj) {
				if h.PSS.Check == tc.check {
					got = true
					pos, _ := obj.Pos(h.Path)
					line = pos.Line
				}
			}
			if got != tc.want || line != tc.line {
				t.Errorf("check %s reported=%v at line %d, want %v at line %d", tc.check, got, line, tc.want, tc.line)
			}
		})
	}
}

func TestNewStandardRejects(t *testing.T) {
	for _, args := range [][2]string{{"privileged", "latest"}, {"strict", "latest"}, {"baseline", "1.30"}, {"baseline", "v2"}} {
		if _, err := NewStandard(args[0], args[1]); err == nil {
			t.Errorf("NewStandard(%q, %q) accepted", args[0], args[1])
		}
	}
}
