package report

import (
	"sort"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// actionRank orders actions as the CI-facing writers list them: what blocks
// first, then warnings, then what an exception ignored.
func actionRank(a rule.Action) int {
	switch a {
	case rule.Block:
		return 0
	case rule.Warn:
		return 1
	case rule.Ignored:
		return 2
	}
	return 3
}

// actionOrder returns the indexes of findings ordered by action, then by
// severity (highest first), keeping the scan's order among equals.
func actionOrder(findings []rule.Finding) []int {
	idx := make([]int, len(findings))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		fa, fb := &findings[idx[a]], &findings[idx[b]]
		if ra, rb := actionRank(fa.Action), actionRank(fb.Action); ra != rb {
			return ra < rb
		}
		return fa.Severity > fb.Severity
	})
	return idx
}

// objectPath names an object as kind/namespace/name (kind/name when it has
// no namespace), or "" for findings on plain files.
func objectPath(o *rule.ObjectRef) string {
	if o == nil {
		return ""
	}
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

// appPath names the app a finding's object comes from as objectPath names
// objects: Application/argocd/web, HelmRelease/flux-system/podinfo.
func appPath(o *rule.Origin) string {
	if o == nil {
		return ""
	}
	return o.Kind + "/" + o.App
}

// categoryOrder lists the categories that occur in counts, in report order,
// then any others alphabetically.
func categoryOrder(present map[string]bool) []string {
	var out []string
	known := map[string]bool{}
	for _, c := range rule.Categories() {
		known[string(c)] = true
		if present[string(c)] {
			out = append(out, string(c))
		}
	}
	var rest []string
	for c := range present {
		if !known[c] {
			rest = append(rest, c)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// exceptionNote describes the exception on a finding: why it is ignored, or
// that the exception which would ignore it has expired. "" when none applies.
func exceptionNote(f *rule.Finding) string {
	e := f.Exception
	if e == nil {
		return ""
	}
	s := e.Reason + " (" + e.Source
	if e.Expires != "" {
		s += ", expires " + e.Expires
	}
	s += ")"
	switch {
	case f.Action == rule.Ignored:
		return "ignored: " + s
	case e.Expired:
		return "exception expired: " + s
	}
	return ""
}
