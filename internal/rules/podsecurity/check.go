package podsecurity

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/policy"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// pssRule binds one official check to Bulwark's rule metadata and to the
// fields that a failure of that check is found in.
type pssRule struct {
	meta rule.Meta
	id   policy.CheckID
	// container lists container-relative fields, most specific first; a
	// failing container's finding points at the first one present.
	container []string
	// pod lists pod-template-relative fields ("spec.hostNetwork",
	// "metadata.annotations") for failures that are not a container's.
	pod []string
	// volumes asks for each volume to be judged alone, so every offending
	// volume gets its own finding and line.
	volumes bool
}

// Check evaluates every pod-bearing object against a Standard.
type Check struct {
	std   *Standard
	rules map[policy.CheckID]*pssRule
	metas []*rule.Meta
}

// New returns the Pod Security check for a standard.
func New(std *Standard) *Check {
	c := &Check{std: std, rules: map[policy.CheckID]*pssRule{}}
	for _, r := range rules() {
		c.rules[r.id] = r
		c.metas = append(c.metas, &r.meta)
	}
	return c
}

// Rules lists one rule per official check.
func (c *Check) Rules() []*rule.Meta { return c.metas }

// CheckObject runs the official checks on the object's pod, after the API
// server's defaults, and returns one hit per offending container or field.
func (c *Check) CheckObject(obj *manifest.Object) []rule.Hit {
	pt, err := obj.PodTemplate()
	if err != nil || pt == nil {
		return nil // decode errors are reported by the engine
	}
	spec := withAPIDefaults(obj.Kind, &pt.Spec)
	var hits []rule.Hit
	reported := map[string]bool{}
	if c.std.Level != "baseline" {
		// Report overridden baseline failures under their own, more severe
		// rule, but only where the overriding check fails too: admission at
		// restricted level judges by the restricted check alone (it exempts
		// Windows pods from some Linux-only baseline checks).
		overriddenBy := map[policy.CheckID]selected{}
		for _, s := range c.std.checks {
			for _, o := range s.overrides {
				overriddenBy[o] = s
			}
		}
		for _, s := range c.std.baseline {
			by, ok := overriddenBy[s.id]
			if ok && !s.fn(&pt.Meta, spec).Allowed && !by.fn(&pt.Meta, spec).Allowed {
				hits = append(hits, c.locate(s, obj, pt, spec, reported)...)
			}
		}
	}
	for _, s := range c.std.checks {
		if !s.fn(&pt.Meta, spec).Allowed {
			hits = append(hits, c.locate(s, obj, pt, spec, reported)...)
		}
	}
	return hits
}

// locate finds which containers, volumes or pod fields make a check fail by
// running the official check on parts of the pod, and returns a hit for each.
func (c *Check) locate(s selected, obj *manifest.Object, pt *manifest.PodTemplate, spec *corev1.PodSpec, reported map[string]bool) []rule.Hit {
	r := c.rules[s.id]
	meta := &pt.Meta
	pss := &rule.PSS{Level: string(s.level), Check: string(s.id), Version: c.std.Version.String()}
	var hits []rule.Hit
	deduped := false
	add := func(path string, res policy.CheckResult) {
		if reported[path] {
			deduped = true
			return // already reported by the baseline check this one overrides
		}
		reported[path] = true
		hits = append(hits, rule.Hit{Rule: r.meta.ID, Path: path, Message: message(res), PSS: pss})
	}

	podOnly := *spec
	podOnly.InitContainers, podOnly.Containers, podOnly.EphemeralContainers = nil, nil, nil
	if r.volumes {
		for i := range spec.Volumes {
			one := podOnly
			one.Volumes = spec.Volumes[i : i+1]
			if res := s.fn(meta, &one); !res.Allowed {
				add(fmt.Sprintf("%s.volumes[%d]", pt.SpecPath, i), res)
			}
		}
		podOnly.Volumes = nil
	}
	podRes := s.fn(meta, &podOnly)
	if !podRes.Allowed {
		add(pick(obj, templatePaths(pt, r.pod), podRes.ForbiddenDetail), podRes)
	}
	lists := []struct {
		name string
		n    int
		set  func(one *corev1.PodSpec, i int)
	}{
		{"initContainers", len(spec.InitContainers), func(one *corev1.PodSpec, i int) { one.InitContainers = spec.InitContainers[i : i+1] }},
		{"containers", len(spec.Containers), func(one *corev1.PodSpec, i int) { one.Containers = spec.Containers[i : i+1] }},
		{"ephemeralContainers", len(spec.EphemeralContainers), func(one *corev1.PodSpec, i int) {
			one.EphemeralContainers = spec.EphemeralContainers[i : i+1]
		}},
	}
	for _, l := range lists {
		for i := 0; i < l.n; i++ {
			one := podOnly
			l.set(&one, i)
			res := s.fn(meta, &one)
			if res.Allowed {
				continue
			}
			base := fmt.Sprintf("%s.%s[%d]", pt.SpecPath, l.name, i)
			paths := make([]string, len(r.container))
			for j, f := range r.container {
				paths[j] = base + "." + f
			}
			if !podRes.Allowed && !anyPresent(obj, paths) {
				continue // inherits the pod-level failure already reported
			}
			if len(paths) == 0 {
				paths = []string{base}
			}
			add(pick(obj, paths, res.ForbiddenDetail), res)
		}
	}
	if len(hits) == 0 && !deduped && !reported[pt.SpecPath+"#"+string(s.id)] {
		// Every failure is reported somewhere, even one the parts cannot show.
		reported[pt.SpecPath+"#"+string(s.id)] = true
		hits = append(hits, rule.Hit{Rule: r.meta.ID, Path: pt.SpecPath, Message: message(s.fn(meta, spec)), PSS: pss})
	}
	return hits
}

// message formats a result as admission does: "reason (detail)".
func message(res policy.CheckResult) string {
	if res.ForbiddenDetail == "" {
		return res.ForbiddenReason
	}
	return res.ForbiddenReason + " (" + res.ForbiddenDetail + ")"
}

// templatePaths maps "spec.x"/"metadata.x" to the object's own paths.
func templatePaths(pt *manifest.PodTemplate, fields []string) []string {
	out := make([]string, 0, len(fields)+1)
	for _, f := range fields {
		if rest, ok := strings.CutPrefix(f, "metadata."); ok {
			out = append(out, pt.MetaPath+"."+rest)
		} else {
			out = append(out, pt.SpecPath+"."+strings.TrimPrefix(f, "spec."))
		}
	}
	return append(out, pt.SpecPath)
}

func anyPresent(obj *manifest.Object, paths []string) bool {
	for _, p := range paths {
		if isSet(obj, p) {
			return true
		}
	}
	return false
}

// pick chooses where a failure points: the candidate the official detail
// names (it says which field must change), else the first one set, else the
// first candidate, whose nearest present ancestor is where to add it.
func pick(obj *manifest.Object, paths []string, detail string) string {
	for _, p := range paths {
		if i := strings.Index(p, "securityContext."); i >= 0 && strings.Contains(detail, p[i:]) {
			return p
		}
	}
	return firstPresent(obj, paths)
}

// firstPresent returns the first path that is set, else the first path.
func firstPresent(obj *manifest.Object, paths []string) string {
	for _, p := range paths {
		if isSet(obj, p) {
			return p
		}
	}
	if len(paths) == 0 {
		return ""
	}
	return paths[0]
}

// isSet reports a field that exists and is not explicitly false or null.
func isSet(obj *manifest.Object, path string) bool {
	n := obj.Node(path)
	if n == nil {
		return false
	}
	return !(n.Value == "false" || n.ShortTag() == "!!null")
}
