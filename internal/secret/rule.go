package secret

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Rule is one kind of secret, declared as data. The metadata is the same
// rule.Meta every Bulwark check carries, so reports, policies and the docs
// generator treat content rules like any other; the remaining fields say how
// to find the secret cheaply and how to tell it from a placeholder.
type Rule struct {
	rule.Meta

	// Keywords are lower-case strings, one of which must occur (in any case)
	// for the rule's regex to run at all. Keep them distinctive: a keyword
	// that occurs on every page costs a regex run per occurrence.
	Keywords []string
	// Boundary requires a keyword hit to start a word (the byte before it is
	// not a letter, digit or underscore). It drops "msg." for "sg." before
	// any regex runs.
	Boundary bool
	// Pattern is an RE2 expression. The secret is the first group named
	// "secret" that took part in the match, or the whole match if there is
	// none. A group named "key" holds the name the value was assigned to,
	// for Allow.Keys.
	Pattern string
	// Window bounds the bytes around a keyword hit the regex sees.
	Window Window
	// Context narrows which keyword hits count, by a hand-written check
	// that runs before the regex and also shrinks its window.
	Context Context
	// MinEntropy is the Shannon entropy, in bits per byte, below which a
	// candidate is not reported. Zero turns the check off.
	MinEntropy float64
	// Allow lists what looks like this secret but is not one.
	Allow Allowlist

	re     *regexp.Regexp
	secret []int // indexes of the groups named "secret"
	key    int   // index of the group named "key", or -1
	allow  compiledAllow
	order  int // position in the scanner: lower wins overlaps
}

// Window is how far around a keyword hit the regex looks. Searching a few
// hundred bytes instead of the whole file is what keeps regexes affordable.
type Window struct {
	// Before and After are byte counts before the keyword's start and after
	// its end. Zero means the defaults (256 and 1024).
	Before, After int
	// Multiline lets the window cross line ends; otherwise it stops at the
	// keyword's own line.
	Multiline bool
}

// Context is where a keyword must sit for a hit to count. The checks are a
// few byte comparisons: they spare the regex most hits of common keywords
// such as "secret" and "https://", which in manifests are names
// (secretName:, secretKeyRef:) and plain links far more often than secrets.
type Context int

const (
	// Anywhere runs the regex on the window around every hit.
	Anywhere Context = iota
	// Assigned requires the keyword to be part of a name that is given a
	// value on the same line (name: value, name=value, "name": "value") or,
	// for a Kubernetes env entry, on the next ("- name: X" / "value: ...").
	// The window becomes the name through the end of the value's line.
	Assigned
	// Userinfo requires the keyword to begin a URL whose authority holds
	// user:password@. The window becomes the scheme and authority.
	Userinfo
)

const (
	defaultBefore = 256
	defaultAfter  = 1024
)

// Allowlist describes candidates that match a rule's pattern but are known
// not to be secrets. Every rule also skips IsPlaceholder values.
type Allowlist struct {
	// Stopwords are lower-case substrings; a secret containing one is fake.
	Stopwords []string
	// Values are exact secrets to ignore, compared case-insensitively.
	Values []string
	// Secrets are regexes; a secret matching one is ignored.
	Secrets []string
	// Keys are regexes on the "key" group: names whose values are never
	// secrets themselves (secretName, tokenPath, ...).
	Keys []string
	// Paths are regexes on the file path given to ScanPath.
	Paths []string
}

type compiledAllow struct {
	stopwords []string
	values    map[string]bool
	secrets   []*regexp.Regexp
	keys      []*regexp.Regexp
	paths     []*regexp.Regexp
}

// compile checks the rule and prepares its regexes. The rule is a copy owned
// by the Scanner, so filling unexported fields does not touch the caller's.
func (r *Rule) compile() error {
	switch {
	case r.ID == "":
		return errors.New("secret rule without ID")
	case r.Name == "" || r.Title == "":
		return fmt.Errorf("secret rule %s: name and title are required", r.ID)
	case r.Severity < rule.Info || r.Severity > rule.Critical:
		return fmt.Errorf("secret rule %s: no severity", r.ID)
	case len(r.Keywords) == 0:
		return fmt.Errorf("secret rule %s: at least one keyword is required", r.ID)
	case r.Pattern == "":
		return fmt.Errorf("secret rule %s: no pattern", r.ID)
	}
	for _, k := range r.Keywords {
		if len(k) < 3 || k != strings.ToLower(k) || !isASCII(k) {
			return fmt.Errorf("secret rule %s: keyword %q must be lower-case ASCII of 3 bytes or more", r.ID, k)
		}
	}
	if r.Category == "" {
		r.Category = rule.Secrets
	}
	if r.Window.Before == 0 {
		r.Window.Before = defaultBefore
	}
	if r.Window.After == 0 {
		r.Window.After = defaultAfter
	}
	if r.Window.Before < 0 || r.Window.After < 0 {
		return fmt.Errorf("secret rule %s: negative window", r.ID)
	}
	re, err := regexp.Compile(r.Pattern)
	if err != nil {
		return fmt.Errorf("secret rule %s: %w", r.ID, err)
	}
	r.re, r.key, r.secret = re, -1, nil
	for i, name := range re.SubexpNames() {
		switch name {
		case "secret":
			r.secret = append(r.secret, i)
		case "key":
			if r.key < 0 {
				r.key = i
			}
		}
	}
	a := &r.allow
	a.values = make(map[string]bool, len(r.Allow.Values))
	for _, v := range r.Allow.Values {
		a.values[strings.ToLower(v)] = true
	}
	for _, w := range r.Allow.Stopwords {
		a.stopwords = append(a.stopwords, strings.ToLower(w))
	}
	for _, set := range []struct {
		src []string
		dst *[]*regexp.Regexp
	}{{r.Allow.Secrets, &a.secrets}, {r.Allow.Keys, &a.keys}, {r.Allow.Paths, &a.paths}} {
		*set.dst = nil
		for _, p := range set.src {
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("secret rule %s: allowlist: %w", r.ID, err)
			}
			*set.dst = append(*set.dst, re)
		}
	}
	return nil
}

// allowed reports whether a candidate is a known non-secret for this rule.
// It runs after the entropy check, on the few candidates that survive it.
func (r *Rule) allowed(secret, key string) bool {
	if IsPlaceholder(secret) {
		return true
	}
	a := &r.allow
	lower := strings.ToLower(secret)
	if a.values[lower] {
		return true
	}
	for _, w := range a.stopwords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	for _, re := range a.secrets {
		if re.MatchString(secret) {
			return true
		}
	}
	if key != "" {
		for _, re := range a.keys {
			if re.MatchString(key) {
				return true
			}
		}
	}
	return false
}

// pathAllowed reports whether the rule skips the file at path.
func (r *Rule) pathAllowed(path string) bool {
	for _, re := range r.allow.paths {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
