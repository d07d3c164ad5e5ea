package secret

import "github.com/bulwark-dev/bulwark/internal/rule"

// Rules returns the built-in content rules, most specific first (the order
// decides which rule reports bytes that two rules match; see New). Each call
// returns fresh values, so callers may append their own rules or change
// these before passing them to New.
//
// IDs BW-SE-101 to BW-SE-199 are content rules; the structural Kubernetes
// rules built on this package use the rest of the BW-SE range.
func Rules() []Rule {
	var rs []Rule
	rs = append(rs, keyRules()...)
	rs = append(rs, tokenRules()...)
	rs = append(rs, genericRules()...)
	return rs
}

// Regex fragments shared by the rule tables.
const (
	// tokenEnd ends a token of base64url characters without consuming a
	// character of it (RE2 has no look-ahead).
	tokenEnd = `(?:[^0-9A-Za-z_-]|$)`
	// b64End ends a standard-base64 value.
	b64End = `(?:[^0-9A-Za-z+/=]|$)`
	// assignOrEnv is the operator between a name and its value in YAML,
	// JSON, .env, INI, HCL, shell and most languages, with optional quotes;
	// it also accepts a Kubernetes env entry whose name is on one line and
	// value on the next ("- name: X" / "value: ...").
	assignOrEnv = `["'\x60]?(?:[ \t]*(?::|=|:=|=>|\?=)[ \t]*|[ \t]*\r?\n[ \t]*value:[ \t]*)["'\x60]?`
	// assignOrEnvValue is assignOrEnv that also accepts plain blanks, as in
	// command-line flags; only for values whose format is strict.
	assignOrEnvValue = `["'\x60]?(?:[ \t]*(?::|=|:=|=>|\?=)[ \t]*|[ \t]+|[ \t]*\r?\n[ \t]*value:[ \t]*)["'\x60]?`
)

// owasp is the reference every secret rule shares.
const owasp = "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html"

// meta builds a content rule's metadata.
func meta(id, name, title string, sev rule.Severity, why, fix string, refs ...string) rule.Meta {
	return rule.Meta{
		ID: id, Name: name, Title: title, Severity: sev, Category: rule.Secrets,
		Why: why, Remediation: fix, References: append(refs, owasp),
	}
}

// rotate is the remediation every leaked credential shares: the value is
// compromised once committed, so removing it is not enough.
func rotate(what, how string) string {
	return "Revoke " + what + " now (" + how + "), issue a new one, and deliver it " +
		"through a secret store (External Secrets, SOPS, Sealed Secrets, Vault) instead of " +
		"the repository. Deleting the line does not help: it stays in Git history."
}
