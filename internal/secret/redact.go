package secret

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"
)

// Value holds a secret found in the input. Its only field is unexported and
// every way of printing or marshalling it yields the redacted form, so a
// Match can go into logs, JSON or SARIF without leaking what it found. Code
// that truly needs the bytes (fingerprints, verification) calls Reveal.
type Value struct{ s string }

// NewValue wraps s, for callers (the structural rules) that find secrets
// by other means but report them the same way.
func NewValue(s string) Value { return Value{s} }

// Reveal returns the secret itself. Never print or store its result.
func (v Value) Reveal() string { return v.s }

// Len is the secret's length in bytes.
func (v Value) Len() int { return len(v.s) }

// String returns the redacted form; fmt's %v, %s and %q use it.
func (v Value) String() string { return Redact(v.s) }

// GoString returns the redacted form, so %#v does not dump the field.
func (v Value) GoString() string { return "secret.Value(" + Redact(v.s) + ")" }

// MarshalText writes the redacted form; encoding/json and YAML use it.
func (v Value) MarshalText() ([]byte, error) { return []byte(Redact(v.s)), nil }

// Fingerprint is the keyed fingerprint of the secret; see Fingerprint.
func (v Value) Fingerprint(key Key) string { return Fingerprint(key, v.s) }

// redactMask replaces everything that is not shown.
const redactMask = "****"

// Redact returns a form of secret safe to show: its first four characters
// then "****", or only "****" for secrets under 16 characters, so that at
// most a quarter of a secret is ever revealed. Four characters are enough to
// recognise a token's kind (ghp_, AKIA, sk_l) and too few to help guess it.
func Redact(secret string) string {
	const shown = 4
	if utf8.RuneCountInString(secret) < 4*shown {
		return redactMask
	}
	end := 0
	for i := 0; i < shown; i++ {
		_, size := utf8.DecodeRuneInString(secret[end:])
		end += size
	}
	return secret[:end] + redactMask
}

// KeyEnv names the environment variable that sets the fingerprint key.
const KeyEnv = "BULWARK_FINGERPRINT_KEY"

// Key is the HMAC key for fingerprints. Keying them means a fingerprint in
// a published report cannot be checked against guessed secrets by anyone
// who does not hold the key.
type Key []byte

// defaultKey is public: it keeps fingerprints stable across runs and
// machines for users who set nothing. Teams that publish reports set
// BULWARK_FINGERPRINT_KEY to their own value (see KeyFromEnv).
const defaultKey = "bulwark-secret-fingerprint-v1"

// DefaultKey returns the built-in key. It never changes, so baselines and
// ignore files written with it stay valid across versions.
func DefaultKey() Key { return Key(defaultKey) }

// KeyFromEnv returns the key named by BULWARK_FINGERPRINT_KEY, or the default
// key when it is unset or empty. getenv is os.Getenv in production and a map
// lookup in tests.
func KeyFromEnv(getenv func(string) string) Key {
	if v := getenv(KeyEnv); v != "" {
		return Key(v)
	}
	return DefaultKey()
}

// Fingerprint identifies a secret without revealing it: HMAC-SHA256 of the
// secret under key, truncated to 16 bytes, hex-encoded and prefixed with
// "sha256:". The same secret gives the same fingerprint on every run, which
// is what baselines, ignore lists and cross-file de-duplication need. A nil
// or empty key means the default key.
func Fingerprint(key []byte, secret string) string {
	if len(key) == 0 {
		key = []byte(defaultKey)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(secret))
	sum := mac.Sum(nil)
	return "sha256:" + hex.EncodeToString(sum[:16])
}
