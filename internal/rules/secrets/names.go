package secrets

import (
	"regexp"
	"strings"
	"unicode"
)

// words splits a name into lower-case words at separators and case
// changes: "DB_PASSWORD" and "dbPassword" both give [db password].
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) ||
			i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// secretWords name a credential on their own; keyWords do when "key" or
// "token" follows them (api key, signing key, access token).
var (
	secretWords = set("password passwd passwort pwd pass passphrase secret secrets token tokens apikey apitoken " +
		"credential credentials creds dsn bearer privatekey secretkey accesskey clientsecret authtoken " +
		"connectionstring connstr sas hmac jwtsecret cookiesecret webhooksecret sessionsecret")
	keyWords = set("api access private secret signing encryption encrypt master session license licence account " +
		"storage shared client auth crypt crypto ssh gpg pgp aes jwt hmac cookie app integration webhook " +
		"deploy service admin root bot oauth refresh id")
	// notSecretLast are last words of names that describe, point to or
	// configure a secret instead of holding it.
	notSecretLast = set("name names ref refs keyref path paths file files filename dir directory url uri urls " +
		"endpoint endpoints id ids type kind length len size mode version ttl expiry expires expiration " +
		"header field selector provider policy format algorithm alg enabled enable disabled disable required " +
		"optional source mount namespace label labels count rotation period duration timeout audience issuer " +
		"scope scopes prefix suffix template store class annotation env var location host hostname port user " +
		"username login email min max regex pattern strategy backend manager method generator hint secretref " +
		"secretname lookup mountpath interval retries attempts reset validity lifetime ref_name key_ref schema " +
		"description")
	// notSecretFirst are first words of names that configure a secret.
	notSecretFirst = set("existing use create auto generate enable disable require allow rotate skip")
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// secretName reports whether a variable or key name says it holds a
// credential: DB_PASSWORD, apiKey, GITHUB_TOKEN, client-secret, SENTRY_DSN.
// Names that point to or describe one (secretName, tokenPath,
// passwordSecretRef, existingSecret, TOKEN_TTL) do not.
func secretName(name string) bool {
	if i := strings.LastIndexByte(name, '.'); i >= 0 && i < len(name)-1 {
		name = name[i+1:] // spring.datasource.password, auth.existingSecret
	}
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	last := ws[len(ws)-1]
	if last == "id" && len(ws) > 1 && ws[len(ws)-2] == "secret" {
		return true // an AppRole or OAuth secret ID is the secret half
	}
	if notSecretLast[last] || notSecretFirst[ws[0]] {
		return false
	}
	for _, w := range ws {
		if w == "existing" {
			return false
		}
	}
	// "passwordKey", "tokenKey": the key within a Secret that holds one.
	if last == "key" && len(ws) > 1 {
		switch ws[len(ws)-2] {
		case "password", "passwd", "token", "credentials", "creds", "pwd":
			return false
		}
	}
	// "passwordSecret", "tokenSecret": the name of a Secret holding one.
	if (last == "secret" || last == "secrets") && len(ws) > 1 {
		prev := ws[len(ws)-2]
		if prev == "password" || prev == "token" || prev == "credentials" || prev == "tls" || prev == "auth" || prev == "key" {
			return false
		}
	}
	for i, w := range ws {
		if secretWords[w] {
			return true
		}
		if (w == "key" || w == "token") && i > 0 && keyWords[ws[i-1]] {
			return true
		}
		if w == "key" && i == len(ws)-1 && len(ws) == 1 {
			return false
		}
	}
	return false
}

// passwordName reports a name for a password in particular, where a weak
// default is worth its own finding.
func passwordName(name string) bool {
	for _, w := range words(name) {
		switch w {
		case "password", "passwd", "passwort", "pwd", "pass", "passphrase":
			return true
		}
	}
	return false
}

var (
	objectName = regexp.MustCompile(`^[a-z0-9]+(?:[-.][a-z0-9]+)+$`)
	duration   = regexp.MustCompile(`^\d+(?:\.\d+)?(?:ns|us|ms|s|m|h|d|w|y|Ki|Mi|Gi|Ti|k|M|G|T|%)$`)
)

// credentialLike is the extra test a value must pass where only a name
// hints at a credential: numbers, durations, sizes, prose, object names,
// paths and plain URLs are configuration, not secrets.
func credentialLike(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 4 || strings.Count(v, " ") >= 2 || duration.MatchString(v) {
		return false
	}
	if isDigits(v) && len(v) < 6 {
		return false
	}
	switch strings.ToLower(v) {
	case "yes", "no", "on", "off", "enabled", "disabled", "auto", "default", "required", "optional", "none", "empty", "unset", "secret", "token", "password":
		return false
	}
	if objectName.MatchString(v) && strings.ContainsAny(v, "-.") && !hasDigitRun(v) {
		return false // my-db-credentials, vault.default.svc: names of things
	}
	if strings.HasPrefix(v, "/") || strings.Contains(v, "://") && !strings.Contains(v, "@") {
		return false
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// hasDigitRun reports three digits in a row, which names rarely have and
// passwords often do.
func hasDigitRun(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			if run >= 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

var hashPattern = regexp.MustCompile(`^\$(?:2[abxy]?|argon2(?:id|i|d)|[156]|pbkdf2[\w-]*|scrypt)\$`)

// passwordHash reports a password hash (bcrypt, argon2, sha-crypt, pbkdf2),
// which is what configuration should hold instead of the password.
func passwordHash(v string) bool { return hashPattern.MatchString(v) }
