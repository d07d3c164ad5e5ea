package policy

import (
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Options are what a decision depends on besides the policy and findings.
type Options struct {
	Now      time.Time     // exceptions expire against it
	Baseline *Baseline     // accepted findings, ignored
	FailOn   rule.Severity // when set, overrides every family's block threshold
	// Stale asks for findings on exceptions and baseline entries that matched
	// nothing; only meaningful when the scan covered the whole repository.
	Stale bool
}

// Decision is the policy's answer for a set of findings.
type Decision struct {
	Findings []rule.Finding // with actions; disabled or below-threshold ones removed
	Verdict  Verdict
}

// Decide applies the policy: rule overrides, family thresholds, exceptions
// (expired ones reported as such), in-manifest ignores and the baseline. It
// adds a finding for every exception or baseline entry that matched nothing.
func (p *Policy) Decide(findings []rule.Finding, opts Options) Decision {
	usedExc := make([]bool, len(p.Exceptions))
	usedBase := map[string]bool{}
	out := make([]rule.Finding, 0, len(findings))
	for _, f := range findings {
		action, keep := p.classify(&f, opts)
		if !keep {
			continue
		}
		f.Action = action
		if f.ID != rule.StaleException.ID {
			p.applyExceptions(&f, opts, usedExc, usedBase)
		}
		out = append(out, f)
	}
	for i, e := range p.Exceptions {
		if opts.Stale && !usedExc[i] {
			out = append(out, p.stale(e.Line, fmt.Sprintf("exception for %s (%s) matches no finding", ruleList(e.Rules), e.Reason)))
		}
	}
	if opts.Stale && opts.Baseline != nil {
		for _, e := range opts.Baseline.Entries {
			if !usedBase[e.Fingerprint] {
				f := p.stale(0, fmt.Sprintf("baseline entry %s (%s in %s) matches no finding", e.Fingerprint, e.Rule, e.File))
				f.Location.File = opts.Baseline.Source
				out = append(out, f)
			}
		}
	}
	return Decision{Findings: out, Verdict: VerdictOf(out)}
}

// classify applies rule overrides and the family threshold.
func (p *Policy) classify(f *rule.Finding, opts Options) (rule.Action, bool) {
	var forced rule.Action
	for _, o := range p.Rules {
		if !ruleMatches(o.Rule, f) || !o.Match.matches(f, p.base()) {
			continue
		}
		if o.Disabled {
			return "", false
		}
		if o.Severity != 0 {
			f.Severity = o.Severity
		}
		if o.Action != "" {
			forced = o.Action
		}
	}
	if forced != "" {
		return forced, true
	}
	fam := p.Families[f.Category]
	block := fam.Block
	if opts.FailOn != 0 && f.Category != rule.Input {
		block = opts.FailOn
	}
	switch {
	case block != 0 && f.Severity >= block:
		return rule.Block, true
	case fam.Warn != 0 && f.Severity >= fam.Warn:
		return rule.Warn, true
	case opts.FailOn != 0 && fam.Warn == 0 && f.Category != rule.Input:
		return rule.Warn, true // --fail-on lowered the bar: keep what it now judges
	}
	return "", false
}

// applyExceptions ignores a finding that a live exception, an allowed
// in-manifest annotation or the baseline covers.
func (p *Policy) applyExceptions(f *rule.Finding, opts Options, usedExc []bool, usedBase map[string]bool) {
	for i, e := range p.Exceptions {
		if !e.covers(f, p.base()) {
			continue
		}
		usedExc[i] = true
		x := &rule.Exception{Source: fmt.Sprintf("%s:%d", p.Source, e.Line), Reason: e.Reason}
		if !e.Expires.IsZero() {
			x.Expires = e.Expires.Format("2006-01-02")
			if !opts.Now.Before(e.Expires.AddDate(0, 0, 1)) {
				x.Expired = true
				f.Exception = x
				f.Message += fmt.Sprintf(" (exception expired on %s: %s)", x.Expires, e.Reason)
				continue
			}
		}
		f.Action, f.Exception = rule.Ignored, x
		return
	}
	if f.Object != nil && f.Object.Ignore != "" && p.Annotations.Allow && !p.forbidsAnnotation(f) {
		if ign, ok := parseIgnore(f.Object.Ignore, f); ok {
			if ign.expires.IsZero() || opts.Now.Before(ign.expires.AddDate(0, 0, 1)) {
				f.Action = rule.Ignored
				f.Exception = &rule.Exception{Source: "annotation bulwark.dev/ignore", Reason: ign.reason, Expires: ign.expiresText()}
				return
			}
			f.Exception = &rule.Exception{Source: "annotation bulwark.dev/ignore", Reason: ign.reason, Expires: ign.expiresText(), Expired: true}
			f.Message += fmt.Sprintf(" (annotation exception expired on %s)", ign.expiresText())
		}
	}
	if b := opts.Baseline; b != nil && b.Has(f.Fingerprint) {
		usedBase[f.Fingerprint] = true
		f.Action = rule.Ignored
		f.Exception = &rule.Exception{Source: "baseline " + b.Source, Reason: "accepted in the baseline"}
	}
}

func (e *Exception) covers(f *rule.Finding, base string) bool {
	if len(e.Rules) > 0 {
		hit := false
		for _, r := range e.Rules {
			hit = hit || ruleMatches(r, f)
		}
		if !hit {
			return false
		}
	}
	return e.Match.matches(f, base)
}

// base is the directory of the policy file, which exception paths are relative to.
func (p *Policy) base() string {
	if p.Source == "" || strings.HasPrefix(p.Source, "(") {
		return ""
	}
	return path.Dir(p.Source)
}

func (p *Policy) forbidsAnnotation(f *rule.Finding) bool {
	for _, r := range p.Annotations.Forbid {
		if ruleMatches(r, f) {
			return true
		}
	}
	return false
}

func (p *Policy) stale(line int, msg string) rule.Finding {
	m := rule.StaleException
	f := rule.Finding{
		ID: m.ID, Name: m.Name, Title: m.Title, Category: m.Category, Severity: m.Severity,
		Message: msg, Location: rule.Location{File: p.Source, Line: line},
		Remediation: m.Remediation, References: m.References, Action: rule.Warn,
	}
	f.Fingerprint = hex.EncodeToString(hash32(m.ID + "\x00" + p.Source + "\x00" + msg))
	return f
}

func ruleList(rules []string) string {
	if len(rules) == 0 {
		return "every rule"
	}
	return strings.Join(rules, ", ")
}

// VerdictOf is block if a finding blocks, else warn if one warns, else pass.
func VerdictOf(findings []rule.Finding) Verdict {
	v := Pass
	for _, f := range findings {
		switch f.Action {
		case rule.Block:
			return Block
		case rule.Warn:
			v = Warn
		}
	}
	return v
}
