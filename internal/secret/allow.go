package secret

import (
	"math"
	"strings"
)

// IsPlaceholder reports whether s is not a literal secret: empty, a template
// or variable reference, a SOPS-encrypted value, a pointer to a secret
// manager or a file, or an obvious stand-in such as "<changeme>",
// "REPLACE_ME", "xxxxx" or "***". Every rule skips such values, and the
// structural rules use it to decide whether a Secret field holds a real
// value. It errs toward "literal": a false "placeholder" hides a leak.
func IsPlaceholder(s string) bool {
	t := strings.Trim(strings.TrimSpace(s), "\"'`")
	if t == "" {
		return true
	}
	lower := strings.ToLower(t)
	switch lower {
	case "true", "false", "null", "nil", "none", "undefined", "~", "-", "n/a", "tbd", "<nil>":
		return true
	}
	if isTemplated(t) || isReference(lower) || strings.HasPrefix(t, "ENC[") || isElided(t) {
		return true
	}
	for _, w := range fillerWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return isFiller(t) || isSequential(lower)
}

// fillerWords mark documentation and scaffolding values. They are long enough
// that a random token contains one with negligible probability.
var fillerWords = []string{
	"changeme", "change_me", "change-me", "changeit",
	"replace_me", "replaceme", "replace-me", "replace_with",
	"example", "dummy", "placeholder", "your", "insert_", "_here",
	"redacted", "notreal", "not_real", "not-real", "fake", "sample",
	"todo", "fixme", "abcdefgh", "12345678", "qwertyui",
}

// isTemplated recognises the templating and variable syntaxes that GitOps
// repositories use to inject secrets at render or run time.
func isTemplated(t string) bool {
	switch {
	case strings.Contains(t, "{{"), // Helm, Go templates, Jinja, GitHub ${{ }}
		strings.Contains(t, "${"),       // shell, Terraform, envsubst, Flux substitute
		strings.Contains(t, "$("),       // Kubernetes env expansion, shell substitution
		strings.Contains(t, "#{"),       // Ruby, Octopus
		t[0] == '$' && isVarName(t[1:]), // $DB_PASS, not $uperS3cret
		wrapped(t, "<", ">"), wrapped(t, "((", "))"), wrapped(t, "[[", "]]"),
		wrapped(t, "%", "%") && isVarName(t[1:len(t)-1]),   // Windows %VAR%
		wrapped(t, "@", "@") && isVarName(t[1:len(t)-1]),   // autoconf @VAR@
		wrapped(t, "__", "__") && isVarName(t[2:len(t)-2]): // token replacement
		return true
	case len(t) <= 4 && t[0] == '%': // printf verbs: %s, %v, %d
		return true
	}
	return false
}

func wrapped(t, open, close string) bool {
	return len(t) > len(open)+len(close) && strings.HasPrefix(t, open) && strings.HasSuffix(t, close)
}

// isVarName reports an identifier in one case, as variable names are
// written (DB_PASS, db_pass); mixed case looks like a password.
func isVarName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	var upper, lower bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c == '_' || c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return !(upper && lower)
}

// referencePrefixes are values that name where a secret lives instead of
// holding it: secret-manager URIs and file paths.
var referencePrefixes = []string{
	"vault:", "ref+", "op://", "sm://", "akv://", "azurekeyvault://", "gcpsm://", "awssm://",
	"arn:aws:secretsmanager:", "arn:aws:ssm:", "arn:aws:kms:", "secretkeyref", "valuefrom",
	"file://", "./", "../", "~/",
	"/var/", "/etc/", "/run/", "/tmp/", "/home/", "/opt/", "/usr/", "/mnt/", "/srv/",
	"/secrets/", "/vault/", "/config/", "/data/", "/app/",
}

func isReference(lower string) bool {
	for _, p := range referencePrefixes {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	// Google Secret Manager resource names.
	return strings.HasPrefix(lower, "projects/") && strings.Contains(lower, "/secrets/")
}

// isElided reports a value cut short in documentation: "sk-...", "...abc".
func isElided(t string) bool {
	return strings.HasSuffix(t, "...") || strings.HasPrefix(t, "...") || strings.Contains(t, "…")
}

// isFiller reports a value made of one repeated character, or holding a run
// of four or more masking characters (xxxx, ****, ####, ....).
func isFiller(t string) bool {
	same := true
	run := 1
	for i := 1; i < len(t); i++ {
		if t[i] != t[0] {
			same = false
		}
		if t[i] == t[i-1] {
			run++
			if run >= 4 && strings.IndexByte("xX*#.", t[i]) >= 0 {
				return true
			}
		} else {
			run = 1
		}
	}
	return same && len(t) > 1
}

// sequences are keyboard and alphabet runs people type as stand-ins.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyz", "0123456789abcdefghijklmnopqrstuvwxyz",
	"1234567890", "qwertyuiopasdfghjklzxcvbnm", "zyxwvutsrqponmlkjihgfedcba", "9876543210",
}

func isSequential(lower string) bool {
	if len(lower) < 6 {
		return false
	}
	for _, s := range sequences {
		if strings.Contains(s, lower) {
			return true
		}
	}
	return false
}

// weakDefaults are passwords that ship as defaults or top breach lists.
var weakDefaults = setOf(`
		password passw0rd p@ssw0rd p@ssword password1 password123 pass pass123 passwd
		admin admin123 administrator root toor changeme changeme123 changeit secret secret123
		123456 1234567 12345678 123456789 1234567890 1234 12345 111111 000000
		qwerty letmein welcome default guest test test123 user demo abc123 iloveyou master
		postgres mysql redis oracle sa rabbitmq guest123 elastic kibana
		minioadmin minio123 prom-operator jenkins tomcat manager`)

// setOf builds a set from whitespace-separated words.
func setOf(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// WeakDefault reports whether s is a well-known default or trivially guessed
// password (password, admin, changeme, 123456, root, ...), compared
// case-insensitively. The structural rules flag such values even where the
// entropy filter would drop them: a weak literal is still a credential.
func WeakDefault(s string) bool {
	return weakDefaults[strings.ToLower(strings.TrimSpace(s))]
}

// Entropy is the Shannon entropy of s in bits per byte: about 6 for random
// base64, 4 for random hex, under 3 for words. Rules use it last, as the
// cheapest way to drop low-information candidates.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
