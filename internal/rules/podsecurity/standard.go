// Package podsecurity reports what the Kubernetes Pod Security Standards
// forbid, with the verdict of the official k8s.io/pod-security-admission
// checks at a chosen level and version, and points each failure at the field
// a person must change.
package podsecurity

import (
	"fmt"

	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// Standard is a Pod Security Standards level at a policy version, resolved to
// the exact list of official checks that admission runs for it.
type Standard struct {
	Level   api.Level
	Version api.Version // clamped to the newest version the checks know
	// checks are the checks admission evaluates at Level and Version.
	checks []selected
	// baseline is the baseline list at the same version; at restricted level
	// it is evaluated too, so a hostPath volume is reported as the baseline
	// failure it is rather than only as a restricted volume type.
	baseline []selected
}

// selected is one official check at one version.
type selected struct {
	id        policy.CheckID
	level     api.Level
	fn        policy.CheckPodFn
	overrides []policy.CheckID
}

// NewStandard resolves a level ("baseline", "restricted") and version
// ("latest", "v1.30") to the official checks, as the PSA registry does.
func NewStandard(level, version string) (*Standard, error) {
	lvl, err := api.ParseLevel(level)
	if err != nil || lvl == api.LevelPrivileged {
		return nil, fmt.Errorf("pod security level %q: want baseline or restricted", level)
	}
	v, err := api.ParseVersion(version)
	if err != nil {
		return nil, fmt.Errorf("pod security version %q: want latest or v1.N", version)
	}
	all := policy.DefaultChecks()
	maxV := api.Version{}
	for _, c := range all {
		if last := c.Versions[len(c.Versions)-1].MinimumVersion; maxV.Older(last) {
			maxV = last
		}
	}
	if v.Latest() || maxV.Older(v) {
		v = maxV
	}
	s := &Standard{Level: lvl, Version: v}
	s.baseline = selectChecks(all, api.LevelBaseline, v)
	if lvl == api.LevelBaseline {
		s.checks = s.baseline
	} else {
		s.checks = selectChecks(all, api.LevelRestricted, v)
	}
	return s, nil
}

// selectChecks picks, for each check at or below level, its newest revision
// not newer than v, and drops baseline checks that a restricted one overrides.
func selectChecks(all []policy.Check, level api.Level, v api.Version) []selected {
	var out []selected
	overridden := map[policy.CheckID]bool{}
	for _, c := range all {
		if level == api.LevelBaseline && c.Level != api.LevelBaseline {
			continue
		}
		var pick *policy.VersionedCheck
		for i := range c.Versions {
			if !v.Older(c.Versions[i].MinimumVersion) {
				pick = &c.Versions[i]
			}
		}
		if pick == nil {
			continue
		}
		for _, o := range pick.OverrideCheckIDs {
			overridden[o] = true
		}
		out = append(out, selected{id: c.ID, level: c.Level, fn: pick.CheckPod, overrides: pick.OverrideCheckIDs})
	}
	kept := out[:0]
	for _, s := range out {
		if !overridden[s.id] {
			kept = append(kept, s)
		}
	}
	return kept
}

// CheckIDs lists the official check IDs evaluated at this level and version.
func (s *Standard) CheckIDs() []string {
	ids := make([]string, len(s.checks))
	for i, c := range s.checks {
		ids[i] = string(c.id)
	}
	return ids
}

// String is "restricted:v1.37".
func (s *Standard) String() string { return fmt.Sprintf("%s:%s", s.Level, s.Version) }
