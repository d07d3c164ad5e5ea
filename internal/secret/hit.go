package secret

import "github.com/bulwark-dev/bulwark/internal/rule"

// Hit turns a match in file into the engine's Hit: redacted evidence, the
// position, and the secret's keyed fingerprint as the discriminator, so two
// different secrets on one line stay two findings and the same secret keeps
// its identity across runs.
func (m Match) Hit(file string, key Key) rule.Hit {
	return rule.Hit{
		Rule:     m.Rule.ID,
		Message:  m.Rule.Title + " in plain text",
		Evidence: m.Secret.String(),
		Key:      m.Secret.Fingerprint(key),
		File:     file,
		Line:     m.Line,
		Column:   m.Column,
	}
}
