package report

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/bulwark-dev/bulwark/internal/jsonstr"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// appendFinding writes a finding exactly as encoding/json indents it at a
// four-space prefix. Reports hold tens of thousands of findings, and the
// reflective encoder with its second indenting pass was a tenth of a scan.
// Members that come from the rule (its names, remediation and references)
// are encoded once per rule and copied when c is given.
func appendFinding(b []byte, f *rule.Finding, c *ruleText) []byte {
	o := object{b: b, indent: "\n      "}
	c.head(&o, f)
	o.str("severity", f.Severity.String())
	o.str("action", string(f.Action))
	o.str("message", f.Message)
	if r := f.Object; r != nil {
		in := o.open("object")
		in.str("apiVersion", r.APIVersion)
		in.str("kind", r.Kind)
		in.strOmit("namespace", r.Namespace)
		in.strOmit("name", r.Name)
		o.b = in.close()
	}
	l := o.open("location")
	l.str("file", f.Location.File)
	l.intOmit("line", f.Location.Line)
	l.intOmit("column", f.Location.Column)
	l.strOmit("fieldPath", f.Location.FieldPath)
	if len(f.Location.Chain) > 0 {
		l.list("renderChain", f.Location.Chain)
	}
	o.b = l.close()
	if a := f.Origin; a != nil {
		in := o.open("origin")
		in.str("app", a.App)
		in.str("kind", a.Kind)
		in.strOmit("file", a.File)
		o.b = in.close()
	}
	o.strOmit("evidence", f.Evidence)
	o.str("fingerprint", f.Fingerprint)
	c.tail(&o, f)
	if p := f.PSS; p != nil {
		in := o.open("pss")
		in.str("level", p.Level)
		in.str("check", p.Check)
		in.strOmit("version", p.Version)
		o.b = in.close()
	}
	if c := f.Commit; c != nil {
		in := o.open("commit")
		in.str("sha", c.SHA)
		in.strOmit("author", c.Author)
		in.strOmit("date", c.Date)
		in.key("stillAtHead")
		in.b = strconv.AppendBool(in.b, c.StillAtHead)
		o.b = in.close()
	}
	if e := f.Exception; e != nil {
		in := o.open("exception")
		in.str("source", e.Source)
		in.str("reason", e.Reason)
		in.strOmit("expires", e.Expires)
		if e.Expired {
			in.key("expired")
			in.b = append(in.b, "true"...)
		}
		o.b = in.close()
	}
	return o.close()
}

// ruleText keeps, per rule ID, the encoded members a finding takes from its
// rule, with the strings they were encoded from: a finding whose strings
// differ (an overridden title) is encoded afresh. A nil *ruleText encodes
// every finding afresh. Not safe for concurrent use.
type ruleText struct {
	heads, tails map[string]encoded
}

type encoded struct {
	from []string
	refs []string
	b    []byte
}

func newRuleText() *ruleText {
	return &ruleText{heads: map[string]encoded{}, tails: map[string]encoded{}}
}

// head writes id, name, title and category.
func (c *ruleText) head(o *object, f *rule.Finding) {
	from := []string{f.ID, f.Name, f.Title, string(f.Category)}
	write := func(o *object) {
		o.str("id", f.ID)
		o.str("name", f.Name)
		o.str("title", f.Title)
		o.str("category", string(f.Category))
	}
	if c == nil {
		write(o)
		return
	}
	c.cached(c.heads, o, from, nil, write)
}

// tail writes remediation and references.
func (c *ruleText) tail(o *object, f *rule.Finding) {
	write := func(o *object) {
		o.str("remediation", f.Remediation)
		o.list("references", f.References)
	}
	if c == nil {
		write(o)
		return
	}
	c.cached(c.tails, o, []string{f.ID, f.Remediation}, f.References, write)
}

func (c *ruleText) cached(m map[string]encoded, o *object, from, refs []string, write func(*object)) {
	e, ok := m[from[0]]
	if ok && slices.Equal(e.from, from) && slices.Equal(e.refs, refs) && (e.refs == nil) == (refs == nil) {
		if o.n == 0 {
			o.b = append(o.b, '{')
		} else {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, e.b...)
		o.n++ // at least one member was written
		return
	}
	start := len(o.b)
	write(o)
	// Keep what follows the first member's separator ('{' or ','), which
	// depends on what came before.
	m[from[0]] = encoded{from: from, refs: refs, b: bytes.Clone(o.b[start+1:])}
}

// object writes the members of one JSON object; indent is the newline and
// spaces before each member.
type object struct {
	b      []byte
	indent string
	n      int
}

func (o *object) key(k string) {
	if o.n == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, o.indent...)
	o.b = jsonstr.Append(o.b, k)
	o.b = append(o.b, ": "...)
}

func (o *object) str(k, v string) {
	o.key(k)
	o.b = jsonstr.Append(o.b, v)
}

func (o *object) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *object) intOmit(k string, v int) {
	if v != 0 {
		o.key(k)
		o.b = strconv.AppendInt(o.b, int64(v), 10)
	}
}

// list writes a string array; nil is null, as encoding/json writes it.
func (o *object) list(k string, vs []string) {
	o.key(k)
	switch {
	case vs == nil:
		o.b = append(o.b, "null"...)
		return
	case len(vs) == 0:
		o.b = append(o.b, "[]"...)
		return
	}
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, o.indent...)
		o.b = append(o.b, "  "...)
		o.b = jsonstr.Append(o.b, v)
	}
	o.b = append(o.b, o.indent...)
	o.b = append(o.b, ']')
}

// open starts a nested object under key k.
func (o *object) open(k string) *object {
	o.key(k)
	return &object{b: o.b, indent: o.indent + "  "}
}

// close ends the object and returns the bytes.
func (o *object) close() []byte {
	if o.n == 0 {
		return append(o.b, "{}"...)
	}
	o.b = append(o.b, o.indent[:len(o.indent)-2]...)
	return append(o.b, '}')
}
