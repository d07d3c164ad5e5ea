package rule

import (
	"fmt"
	"regexp"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// Meta is everything a rule declares about itself. It is data: reports, the
// docs generator and the policy read it; checks never change it.
type Meta struct {
	ID          string   `json:"id"`          // stable, e.g. BW-PS-001
	Name        string   `json:"name"`        // slug, e.g. pss-privileged
	Title       string   `json:"title"`       // one line, sentence case
	Severity    Severity `json:"severity"`    // default severity
	Category    Category `json:"category"`    // family
	Why         string   `json:"why"`         // one paragraph: the risk
	Remediation string   `json:"remediation"` // what to change
	References  []string `json:"references"`  // PSS, CIS, NSA, docs
	Frameworks  []string `json:"frameworks,omitempty"`
	// PSS is set for rules that mirror a Pod Security Standards check.
	PSS *PSS `json:"pss,omitempty"`
}

// PSS names the Pod Security Standards level and pod-security-admission
// check a finding corresponds to.
type PSS struct {
	Level   string `json:"level"`
	Check   string `json:"check"`
	Version string `json:"version,omitempty"`
}

// Hit is what a check observed. The engine turns it into a Finding by adding
// the rule's metadata, the object's identity and the position of Path.
type Hit struct {
	Rule     string           // rule ID; must be one the check declares
	Object   *manifest.Object // set by set checks; object checks leave it nil
	Path     string           // field path in the object, e.g. spec.containers[0].image
	Message  string           // object-specific reason
	Evidence string           // already redacted; never a secret value
	Severity Severity         // zero keeps the rule's severity
	Key      string           // extra fingerprint discriminator, for several hits on one path
	PSS      *PSS             // the exact PSA check, level and version evaluated
	// File, Line and Column place hits that are not on an object field
	// (plain files, history).
	File         string
	Line, Column int
}

// ObjectCheck runs on one object at a time; the engine runs many in parallel.
type ObjectCheck interface {
	Rules() []*Meta
	CheckObject(obj *manifest.Object) []Hit
}

// SetCheck needs many objects of a scan at once (RBAC graphs, an Argo CD
// app with its project). Kinds bounds what the engine keeps for it in memory.
type SetCheck interface {
	Rules() []*Meta
	Kinds() []string // nil: every kind
	CheckSet(objs []*manifest.Object) []Hit
}

// Preparer is a set check that derives what it needs from each object while
// the object streams through the parallel pass (with Object.Memo); the
// engine then lets go of the object's tree before CheckSet runs.
type Preparer interface {
	Prepare(obj *manifest.Object)
}

// Rebaser is a set check that can prepare a base: a fixed set of objects
// it will be asked about many times with a few objects added, replaced or
// removed, as the admission webhook asks about the cluster's objects with
// each request's. The base keeps what the check derives from those objects,
// so a request pays only for what it changes.
type Rebaser interface {
	NewBase(objs []*manifest.Object) SetBase
}

// SetBase is a set check's work on a fixed set of objects. It is safe for
// concurrent use.
type SetBase interface {
	// CheckSet returns what the check's CheckSet returns for objs. Objects
	// that were in the base must not have changed since it was prepared.
	CheckSet(objs []*manifest.Object) []Hit
}

// FileCheck reads whole files chosen by path: CI workflow definitions,
// secrets in any file. The engine hands it the parsed manifest file too when
// the file is YAML or JSON (nil otherwise), so nothing is parsed twice.
type FileCheck interface {
	Rules() []*Meta
	Match(path string) bool
	CheckFile(path string, data []byte, parsed *manifest.File) []Hit
}

var (
	// Built-in rules are BW-XX-000; custom rules may use their own prefix.
	idPattern   = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)
	namePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Validate reports the first missing or malformed piece of metadata.
func (m *Meta) Validate() error {
	switch {
	case !idPattern.MatchString(m.ID):
		return fmt.Errorf("rule %q: ID must look like BW-XX-000 (upper-case words joined by dashes)", m.ID)
	case !namePattern.MatchString(m.Name):
		return fmt.Errorf("rule %s: name %q is not a slug", m.ID, m.Name)
	case m.Title == "":
		return fmt.Errorf("rule %s: no title", m.ID)
	case m.Severity < Info || m.Severity > Critical:
		return fmt.Errorf("rule %s: no severity", m.ID)
	case m.Category == "":
		return fmt.Errorf("rule %s: no category", m.ID)
	case len(m.Why) < 40:
		return fmt.Errorf("rule %s: why must be a real paragraph", m.ID)
	case m.Remediation == "":
		return fmt.Errorf("rule %s: no remediation", m.ID)
	case len(m.References) == 0:
		return fmt.Errorf("rule %s: no references", m.ID)
	}
	return nil
}

// ObjectRule is a single rule whose check is one function: the common case.
// Declare it as a value in the rule's own file.
type ObjectRule struct {
	Meta  Meta
	Check func(obj *manifest.Object) []Hit
}

// Rules returns the rule's metadata.
func (r *ObjectRule) Rules() []*Meta { return []*Meta{&r.Meta} }

// CheckObject runs the check and stamps the rule ID on its hits.
func (r *ObjectRule) CheckObject(obj *manifest.Object) []Hit {
	hits := r.Check(obj)
	for i := range hits {
		if hits[i].Rule == "" {
			hits[i].Rule = r.Meta.ID
		}
	}
	return hits
}
