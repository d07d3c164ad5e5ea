package rule

import (
	"fmt"
	"sort"
	"strings"
)

// Registry is a validated set of checks and the rules they report.
type Registry struct {
	objectChecks []ObjectCheck
	setChecks    []SetCheck
	fileChecks   []FileCheck
	byID         map[string]*Meta
	byName       map[string]*Meta
}

// NewRegistry validates every rule's metadata and rejects duplicate IDs and
// names, so a broken rule fails at start-up rather than in a report.
func NewRegistry(objectChecks []ObjectCheck, setChecks []SetCheck, fileChecks ...FileCheck) (*Registry, error) {
	r := &Registry{
		objectChecks: objectChecks,
		setChecks:    setChecks,
		fileChecks:   fileChecks,
		byID:         map[string]*Meta{},
		byName:       map[string]*Meta{},
	}
	add := func(rules []*Meta) error {
		for _, m := range rules {
			if err := m.Validate(); err != nil {
				return err
			}
			if _, dup := r.byID[m.ID]; dup {
				return fmt.Errorf("rule %s declared twice", m.ID)
			}
			if other, dup := r.byName[m.Name]; dup {
				return fmt.Errorf("rules %s and %s share the name %q", other.ID, m.ID, m.Name)
			}
			r.byID[m.ID] = m
			r.byName[m.Name] = m
		}
		return nil
	}
	if err := add(InputRules()); err != nil {
		return nil, err
	}
	for _, c := range objectChecks {
		if err := add(c.Rules()); err != nil {
			return nil, err
		}
	}
	for _, c := range setChecks {
		if err := add(c.Rules()); err != nil {
			return nil, err
		}
	}
	for _, c := range fileChecks {
		if err := add(c.Rules()); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ObjectChecks returns the per-object checks in registration order.
func (r *Registry) ObjectChecks() []ObjectCheck { return r.objectChecks }

// SetChecks returns the whole-set checks in registration order.
func (r *Registry) SetChecks() []SetCheck { return r.setChecks }

// FileChecks returns the whole-file checks in registration order.
func (r *Registry) FileChecks() []FileCheck { return r.fileChecks }

// WantsFile reports whether some file check reads this path.
func (r *Registry) WantsFile(path string) bool {
	for _, c := range r.fileChecks {
		if c.Match(path) {
			return true
		}
	}
	return false
}

// Lookup finds a rule by ID or name.
func (r *Registry) Lookup(idOrName string) (*Meta, bool) {
	if m, ok := r.byID[strings.ToUpper(idOrName)]; ok {
		return m, true
	}
	m, ok := r.byName[idOrName]
	return m, ok
}

// Rules lists every rule sorted by ID.
func (r *Registry) Rules() []*Meta {
	out := make([]*Meta, 0, len(r.byID))
	for _, m := range r.byID {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
