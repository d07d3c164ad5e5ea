package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// JUnit XML, as GitLab (artifacts:reports:junit), Jenkins (junit step),
// Azure Pipelines and most CI systems read it.
//
//   - One <testsuite> per rule category, in report order.
//   - One <testcase> per (rule, object) pair, named "RULE-ID kind/namespace/name",
//     or "RULE-ID file" for findings on plain files; several findings of one
//     rule on one object (say, two containers) share a testcase and are all
//     listed in its body. classname is "bulwark.<category>"; file and line
//     point at the first finding.
//   - block: <failure type="block">. warn: <failure type="warning">. CI
//     systems render failures prominently (GitLab's merge-request test
//     widget, Jenkins' failed-test list, which marks the build unstable) and
//     <system-out> hardly at all, so a warning that nobody sees would be no
//     warning. Whether the pipeline fails is still the exit code's decision,
//     not the test report's. JUnitOptions.WarningsPass turns warnings into
//     passed testcases with a <system-out> note for systems that fail a build
//     on any failed test.
//   - ignored: <skipped> with the exception's reason.
//   - Every rule that ran without a finding is a passed testcase named
//     "RULE-ID Title", so a clean scan shows what was checked.
//   - Inputs that could not be read are <error> testcases in the input suite.
//
// Times are zero and everything is sorted, so the output is deterministic.

// JUnitOptions shape the JUnit report.
type JUnitOptions struct {
	// Name is the <testsuites> name; "bulwark" when empty.
	Name string
	// WarningsPass records warn findings as passed testcases with a
	// <system-out> note instead of failures of type "warning".
	WarningsPass bool
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string       `xml:"name,attr"`
	Classname string       `xml:"classname,attr"`
	File      string       `xml:"file,attr,omitempty"`
	Line      int          `xml:"line,attr,omitempty"`
	Time      string       `xml:"time,attr"`
	Failure   *junitResult `xml:"failure,omitempty"`
	Error     *junitResult `xml:"error,omitempty"`
	Skipped   *junitResult `xml:"skipped,omitempty"`
	SystemOut *junitOut    `xml:"system-out,omitempty"`
}

type junitResult struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",innerxml"` // escaped by xmlText
}

// junitOut is a <system-out> note.
type junitOut struct {
	Text string `xml:",innerxml"` // escaped by xmlText
}

// xmlText escapes s as XML character data by hand, keeping newlines and
// tabs (encoding/xml writes them as character references, which CI systems
// decode alike but people reading the file do not) and replacing characters
// XML cannot hold.
func xmlText(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '&':
			b.WriteString("&amp;")
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '\r':
			b.WriteString("&#xD;")
		case c == '\n' || c == '\t' || c >= 0x20 && c < 0xD800 || c >= 0xE000 && c < 0xFFFE || c >= 0x10000 && c <= 0x10FFFF:
			b.WriteRune(c)
		default:
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}

// WriteJUnit writes the report as JUnit XML.
func WriteJUnit(w io.Writer, r *Report, opts JUnitOptions) error {
	name := opts.Name
	if name == "" {
		name = "bulwark"
	}
	// Group findings by (category, rule, object or file).
	type group struct {
		category, id, label, file string
		findings                  []*rule.Finding
	}
	groups := map[string]*group{}
	var keys []string
	fired := map[string]bool{}
	for i := range r.Findings {
		f := &r.Findings[i]
		fired[f.ID] = true
		label := objectPath(f.Object)
		if label == "" {
			label = f.Location.File
		}
		key := strings.Join([]string{string(f.Category), f.ID, label, f.Location.File}, "\x00")
		g := groups[key]
		if g == nil {
			g = &group{category: string(f.Category), id: f.ID, label: label, file: f.Location.File}
			groups[key] = g
			keys = append(keys, key)
		}
		g.findings = append(g.findings, f)
	}

	cases := map[string][]junitCase{}
	// Names must be unique in a suite: the same object name in two files
	// gets the file appended.
	names := map[string]int{}
	for _, k := range keys {
		g := groups[k]
		names[g.category+"\x00"+g.id+" "+g.label]++
	}
	for _, k := range keys {
		g := groups[k]
		c := junitCase{Name: g.id + " " + g.label, Classname: "bulwark." + g.category, File: g.file, Time: "0"}
		if names[g.category+"\x00"+c.Name] > 1 && g.label != g.file {
			c.Name += " (" + g.file + ")"
		}
		junitOutcome(&c, g.findings, opts)
		cases[g.category] = append(cases[g.category], c)
	}
	for _, m := range r.Rules {
		if fired[m.ID] {
			continue
		}
		cat := string(m.Category)
		cases[cat] = append(cases[cat], junitCase{Name: m.ID + " " + m.Title, Classname: "bulwark." + cat, Time: "0"})
	}
	for _, e := range r.Errors {
		cat := string(rule.Input)
		c := junitCase{Name: "input " + e.File, Classname: "bulwark." + cat, File: e.File, Line: e.Line, Time: "0"}
		c.Error = &junitResult{Message: oneLine(e.Msg), Type: "input", Text: xmlText(e.Error())}
		cases[cat] = append(cases[cat], c)
	}

	present := map[string]bool{}
	for cat := range cases {
		present[cat] = true
	}
	out := junitSuites{Name: name, Time: "0"}
	for _, cat := range categoryOrder(present) {
		cs := cases[cat]
		sort.SliceStable(cs, func(i, j int) bool {
			if cs[i].Name != cs[j].Name {
				return cs[i].Name < cs[j].Name
			}
			return cs[i].File < cs[j].File
		})
		s := junitSuite{Name: cat, Tests: len(cs), Time: "0", Cases: cs}
		for _, c := range cs {
			if c.Failure != nil {
				s.Failures++
			}
			if c.Error != nil {
				s.Errors++
			}
			if c.Skipped != nil {
				s.Skipped++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitOutcome sets the failure, skip or note of one testcase from the
// findings it groups, by the most severe action among them.
func junitOutcome(c *junitCase, fs []*rule.Finding, opts JUnitOptions) {
	sort.SliceStable(fs, func(i, j int) bool { return actionRank(fs[i].Action) < actionRank(fs[j].Action) })
	first := fs[0]
	if first.Location.Line > 0 {
		c.Line = first.Location.Line
	}
	msg := oneLine(first.Title + ": " + first.Message)
	if len(fs) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(fs)-1)
	}
	var body strings.Builder
	for _, f := range fs {
		junitFinding(&body, f)
	}
	if first.Remediation != "" {
		body.WriteString("Remediation: " + first.Remediation + "\n")
	}
	res := &junitResult{Message: msg, Text: xmlText(body.String())}
	switch first.Action {
	case rule.Block:
		res.Type = "block"
		c.Failure = res
	case rule.Warn:
		if opts.WarningsPass {
			c.SystemOut = &junitOut{Text: xmlText("warning: " + msg + "\n" + body.String())}
			return
		}
		res.Type = "warning"
		c.Failure = res
	default:
		if first.Exception != nil {
			res.Message = oneLine("ignored: " + first.Exception.Reason)
		}
		c.Skipped = res
	}
}

// junitFinding writes one finding of a testcase body.
func junitFinding(b *strings.Builder, f *rule.Finding) {
	b.WriteString(f.Location.File)
	if f.Location.Line > 0 {
		fmt.Fprintf(b, ":%d", f.Location.Line)
		if f.Location.Column > 0 {
			fmt.Fprintf(b, ":%d", f.Location.Column)
		}
	}
	if f.Location.FieldPath != "" {
		b.WriteString(" " + f.Location.FieldPath)
	}
	fmt.Fprintf(b, "\n  [%s, %s] %s\n", f.Severity, f.Action, f.Message)
	if a := appPath(f.Origin); a != "" {
		b.WriteString("  app: " + a + "\n")
	}
	if len(f.Location.Chain) > 0 {
		b.WriteString("  rendered from: " + strings.Join(f.Location.Chain, " -> ") + "\n")
	}
	if f.Evidence != "" {
		b.WriteString("  evidence: " + f.Evidence + "\n")
	}
	if note := exceptionNote(f); note != "" {
		b.WriteString("  " + note + "\n")
	}
	if f.Fingerprint != "" {
		b.WriteString("  fingerprint: " + f.Fingerprint + "\n")
	}
}
