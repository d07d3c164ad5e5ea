package policy

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Baseline is a file of accepted findings: adopting Bulwark on a large
// repository starts at zero noise, and only new findings fail.
type Baseline struct {
	Source  string          `json:"-"`
	Version int             `json:"version"`
	Entries []BaselineEntry `json:"findings"`
	index   map[string]bool
}

// BaselineEntry identifies one accepted finding. Rule and file are for
// people reading the file; the fingerprint is what matches.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Object      string `json:"object,omitempty"`
}

// NewBaseline accepts every finding that is not already ignored.
func NewBaseline(findings []rule.Finding) *Baseline {
	b := &Baseline{Version: 1, Entries: []BaselineEntry{}}
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Action == rule.Ignored || seen[f.Fingerprint] || f.ID == rule.StaleException.ID {
			continue
		}
		seen[f.Fingerprint] = true
		e := BaselineEntry{Fingerprint: f.Fingerprint, Rule: f.ID, File: f.Location.File}
		if o := f.Object; o != nil {
			e.Object = o.Kind + "/" + o.Name
			if o.Namespace != "" {
				e.Object = o.Namespace + "/" + e.Object
			}
		}
		b.Entries = append(b.Entries, e)
	}
	sort.Slice(b.Entries, func(i, j int) bool {
		a, c := b.Entries[i], b.Entries[j]
		if a.File != c.File {
			return a.File < c.File
		}
		if a.Rule != c.Rule {
			return a.Rule < c.Rule
		}
		return a.Fingerprint < c.Fingerprint
	})
	return b
}

// ParseBaseline reads a baseline file.
func ParseBaseline(name string, data []byte) (*Baseline, error) {
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", name, err)
	}
	if b.Version != 1 {
		return nil, fmt.Errorf("baseline %s: version %d, want 1", name, b.Version)
	}
	b.Source = name
	return &b, nil
}

// Has reports whether a fingerprint is accepted.
func (b *Baseline) Has(fingerprint string) bool {
	if b.index == nil {
		b.index = make(map[string]bool, len(b.Entries))
		for _, e := range b.Entries {
			b.index[e.Fingerprint] = true
		}
	}
	return b.index[fingerprint]
}
