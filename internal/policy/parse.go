package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// The policy document as written. Unknown fields are errors, so a typo never
// silently weakens a policy.
type rawPolicy struct {
	APIVersion  string               `yaml:"apiVersion"`
	Kind        string               `yaml:"kind"`
	PodSecurity *PodSecurity         `yaml:"podSecurity"`
	Families    map[string]rawFamily `yaml:"families"`
	Rules       []rawRule            `yaml:"rules"`
	Exceptions  []rawException       `yaml:"exceptions"`
	Annotations *rawAnnotations      `yaml:"annotations"`
	CustomRules []rawCustom          `yaml:"customRules"`
}

type rawFamily struct {
	Block string `yaml:"block"`
	Warn  string `yaml:"warn"`
}

type rawAnnotations struct {
	Allow  *bool    `yaml:"allow"`
	Forbid []string `yaml:"forbid"`
}

type rawRule struct {
	ID       string `yaml:"id"`
	Match    *Match `yaml:"match"`
	Enabled  *bool  `yaml:"enabled"`
	Severity string `yaml:"severity"`
	Action   string `yaml:"action"`
	line     int
}

type rawException struct {
	Rules   []string `yaml:"rules"`
	Match   Match    `yaml:"match"`
	Reason  string   `yaml:"reason"`
	Expires string   `yaml:"expires"`
	line    int
}

type rawCustom struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Title       string   `yaml:"title"`
	Severity    string   `yaml:"severity"`
	Family      string   `yaml:"family"`
	Kinds       []string `yaml:"kinds"`
	Expression  string   `yaml:"expression"`
	Message     string   `yaml:"message"`
	Remediation string   `yaml:"remediation"`
	line        int
}

// Each list item remembers its line for error messages and stale reports.
func (r *rawRule) UnmarshalYAML(n *yaml.Node) error {
	type plain rawRule
	r.line = n.Line
	return strictDecode(n, (*plain)(r))
}

func (r *rawException) UnmarshalYAML(n *yaml.Node) error {
	type plain rawException
	r.line = n.Line
	return strictDecode(n, (*plain)(r))
}

func (r *rawCustom) UnmarshalYAML(n *yaml.Node) error {
	type plain rawCustom
	r.line = n.Line
	return strictDecode(n, (*plain)(r))
}

// strictDecode decodes a node rejecting unknown fields, which yaml.v3's
// KnownFields does not carry into custom unmarshalers.
func strictDecode(n *yaml.Node, v any) error {
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		// Lines are relative to the item; shift them to the file.
		return shiftLines(err, n.Line-1)
	}
	return nil
}

var lineRef = regexp.MustCompile(`line (\d+)`)

func shiftLines(err error, by int) error {
	msg := lineRef.ReplaceAllStringFunc(err.Error(), func(m string) string {
		n, _ := strconv.Atoi(m[5:])
		return "line " + strconv.Itoa(n+by)
	})
	return errors.New(msg)
}

// Parse reads a policy document. Fields it leaves out take the embedded
// default's values. Errors carry the file and line.
func Parse(name string, data []byte) (*Policy, error) {
	var raw rawPolicy
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fileError(name, err)
	}
	if raw.APIVersion != APIVersion || raw.Kind != Kind {
		return nil, &manifest.Error{File: name, Line: 1, Msg: fmt.Sprintf("want apiVersion %s and kind %s", APIVersion, Kind)}
	}
	var base *Policy
	if name != "(default policy)" {
		base = Default()
	}
	p, err := build(name, &raw, base)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	p.Digest = "sha256:" + hex.EncodeToString(sum[:])
	return p, nil
}

func fileError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := regexp.MustCompile(`^(?:unmarshal errors:\n\s*)?line (\d+): `).FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &manifest.Error{File: name, Line: line, Msg: strings.TrimSpace(msg[len(m[0]):])}
	}
	return &manifest.Error{File: name, Msg: msg}
}

func build(name string, raw *rawPolicy, base *Policy) (*Policy, error) {
	p := &Policy{Source: name, Families: map[rule.Category]Family{}, Annotations: Annotations{Allow: true}}
	if base != nil {
		p.PodSecurity = base.PodSecurity
		for k, v := range base.Families {
			p.Families[k] = v
		}
		p.Annotations = base.Annotations
	}
	if raw.PodSecurity != nil {
		if raw.PodSecurity.Level != "" {
			p.PodSecurity.Level = raw.PodSecurity.Level
		}
		if raw.PodSecurity.Version != "" {
			p.PodSecurity.Version = raw.PodSecurity.Version
		}
	}
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &manifest.Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	known := map[rule.Category]bool{}
	for _, c := range rule.Categories() {
		known[c] = true
	}
	for fam, f := range raw.Families {
		c := rule.Category(fam)
		if !known[c] {
			fail(0, "families: unknown family %q", fam)
			continue
		}
		cur := p.Families[c]
		var err error
		if f.Block != "" {
			if cur.Block, err = severityOrNever(f.Block); err != nil {
				fail(0, "families.%s.block: %v", fam, err)
			}
		}
		if f.Warn != "" {
			if cur.Warn, err = severityOrNever(f.Warn); err != nil {
				fail(0, "families.%s.warn: %v", fam, err)
			}
		}
		p.Families[c] = cur
	}
	if a := raw.Annotations; a != nil {
		if a.Allow != nil {
			p.Annotations.Allow = *a.Allow
		}
		p.Annotations.Forbid = append(p.Annotations.Forbid, a.Forbid...)
	}
	for _, r := range raw.Rules {
		o := RuleOverride{Rule: r.ID, Match: r.Match, Line: r.line}
		if r.ID == "" {
			fail(r.line, "rules: an entry needs an id")
		}
		if r.Enabled != nil && !*r.Enabled {
			o.Disabled = true
		}
		if r.Severity != "" {
			s, err := rule.ParseSeverity(r.Severity)
			if err != nil {
				fail(r.line, "rules: %s: %v", r.ID, err)
			}
			o.Severity = s
		}
		switch rule.Action(r.Action) {
		case "", rule.Block, rule.Warn, rule.Ignored:
			o.Action = rule.Action(r.Action)
		default:
			fail(r.line, "rules: %s: action %q: want block, warn or ignored", r.ID, r.Action)
		}
		p.Rules = append(p.Rules, o)
	}
	for _, e := range raw.Exceptions {
		x := Exception{Rules: e.Rules, Match: e.Match, Reason: strings.TrimSpace(e.Reason), Line: e.line}
		if x.Reason == "" {
			fail(e.line, "exceptions: a reason is required")
		}
		switch e.Expires {
		case "":
			fail(e.line, `exceptions: an expiry date is required (YYYY-MM-DD, or "never")`)
		case "never":
		default:
			t, err := time.Parse("2006-01-02", e.Expires)
			if err != nil {
				fail(e.line, "exceptions: expires %q: want YYYY-MM-DD or never", e.Expires)
			}
			x.Expires = t
		}
		p.Exceptions = append(p.Exceptions, x)
	}
	for _, c := range raw.CustomRules {
		cr := CustomRule{ID: c.ID, Name: c.Name, Title: c.Title, Category: rule.Custom, Kinds: c.Kinds,
			Expression: c.Expression, Message: c.Message, Remediation: c.Remediation, Line: c.line}
		if c.Family != "" {
			cr.Category = rule.Category(c.Family)
			if !known[cr.Category] {
				fail(c.line, "customRules: %s: unknown family %q", c.ID, c.Family)
			}
		}
		sev := c.Severity
		if sev == "" {
			sev = "medium"
		}
		s, err := rule.ParseSeverity(sev)
		if err != nil {
			fail(c.line, "customRules: %s: %v", c.ID, err)
		}
		cr.Severity = s
		if c.ID == "" || c.Expression == "" || c.Message == "" {
			fail(c.line, "customRules: id, expression and message are required")
		}
		p.Custom = append(p.Custom, cr)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func severityOrNever(s string) (rule.Severity, error) {
	if s == "never" {
		return 0, nil
	}
	return rule.ParseSeverity(s)
}
