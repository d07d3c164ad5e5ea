package secret

import "github.com/bulwark-dev/bulwark/internal/rule"

// genericRules recognise secrets by where they sit rather than by their
// format. They come last, so a token with a known format is reported under
// its own rule.
func genericRules() []Rule {
	return []Rule{{
		Meta: meta("BW-SE-125", "jwt", "JSON Web Token", rule.Medium,
			"A signed JWT is a bearer credential: until it expires, whoever holds it is the subject "+
				"it names. Kubernetes service-account and OIDC tokens are JWTs, and legacy ones never expire.",
			rotate("the token", "revoke its session or delete the service-account token Secret")+
				" Use projected, short-lived service-account tokens.",
			"https://datatracker.ietf.org/doc/html/rfc7519"),
		// The payload of every JWT is a JSON object, so base64url "eyJ"
		// follows the first dot: ".eyj" is a far rarer keyword than "eyj".
		Keywords:   []string{".eyj"},
		Pattern:    `\b(?P<secret>eyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{16,})(?:[^0-9A-Za-z_.=-]|$)`,
		Window:     Window{Before: 2048, After: 8192},
		MinEntropy: 3,
		Allow: Allowlist{
			// The signature of the jwt.io sample token, in countless docs.
			Stopwords: []string{"sflkxwrjsmekkf2qt4fwpmejf36pok6yjv_adqssw5c"},
		},
	}, {
		Meta: meta("BW-SE-126", "connection-url-credentials", "Credentials in a connection URL", rule.High,
			"A URL of the form scheme://user:password@host (databases, brokers, HTTP, FTP) carries "+
				"the password in clear; such URLs also end up in logs, process lists and error messages.",
			"Change the password, remove it from the URL and pass it separately from a Secret "+
				"(for example a secretKeyRef environment variable the application joins at run time).",
			"https://datatracker.ietf.org/doc/html/rfc3986#section-3.2.1"),
		Keywords: []string{"postgres://", "postgresql://", "mysql://", "mariadb://", "mongodb://",
			"mongodb+srv://", "redis://", "rediss://", "amqp://", "amqps://", "http://", "https://",
			"ftp://", "ftps://", "sftp://", "smtp://", "smtps://", "ldap://", "ldaps://", "mssql://",
			"sqlserver://", "nats://", "mqtt://", "mqtts://", "couchdb://", "clickhouse://",
			"cockroachdb://", "neo4j://", "neo4j+s://", "bolt://"},
		Pattern: `(?i)(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|https?|s?ftps?|smtps?|` +
			`ldaps?|mssql|sqlserver|nats|mqtts?|couchdb|clickhouse|cockroachdb|neo4j(?:\+s)?|bolt)://` +
			`[^\s:@/"'\x60<>]{0,128}:(?P<secret>[^\s@/"'\x60<>]{3,128})@[0-9A-Za-z\[]`,
		Window:  Window{Before: 8, After: 512},
		Context: Userinfo,
		Allow: Allowlist{
			// Documentation's stand-ins for a password.
			Values: []string{"password", "pass", "passwd", "pwd", "pw", "secret", "yourpassword", "mypassword", "mypass"},
		},
	}, {
		Meta: meta("BW-SE-127", "generic-secret-assignment", "Hard-coded secret assigned to a secret-named key", rule.Medium,
			"A value assigned to a name like password, secret, token or api_key, with enough "+
				"randomness to be a real credential, is almost always a hard-coded secret.",
			"Move the value to a secret store and reference it (secretKeyRef, External Secrets, SOPS); "+
				"if it was ever valid, change it, since Git history keeps the old value.",
			"https://cwe.mitre.org/data/definitions/798.html"),
		Keywords: []string{"password", "passwd", "passphrase", "secret", "token", "api_key", "api-key",
			"apikey", "access_key", "access-key", "accesskey", "private_key", "private-key", "credential"},
		// A name and an assignment, or a command-line flag and a blank
		// (--password s3cr3t).
		Pattern: `(?i)(?:(?P<key>[0-9A-Za-z_.-]{0,40}(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|` +
			`access[_-]?key|private[_-]?key|credentials?)[0-9A-Za-z_.-]{0,20})` + assignOrEnv +
			`|--[0-9A-Za-z_.-]{0,40}(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key)[0-9A-Za-z_-]{0,20}[ \t]+["']?)` +
			`(?P<secret>[^\s"'\x60]{5,255}[^\s"'\x60,;)}\]])`,
		Window:     Window{After: 512},
		Context:    Assigned,
		MinEntropy: 3,
		Allow: Allowlist{
			Secrets: []string{
				// Identifiers, words and paths without digits: names of
				// things, not secrets.
				`^[A-Za-z_./:-]+$`,
				// Other URLs; credentials in them are BW-SE-126's job.
				`^[A-Za-z][A-Za-z0-9+.-]*://`,
				// JWT-shaped values are BW-SE-125's: what it does not report
				// is unsigned or a known sample.
				`^eyJ[0-9A-Za-z_-]+\.`,
				// Hashes of secrets, not secrets (bcrypt, argon2, sha-crypt).
				`^\$(?:2[abxy]?|argon2(?:id|i|d)|[156])\$`,
				// Code, not a value: a call, a composite literal or an
				// index (std.extVar('x'), os.Getenv("X"), &api.Secret{}).
				`^[&*]?[A-Za-z_][\w.]*[({\[]`,
				// Documentation's stand-in names: foo, bar, baz.
				`(?i)^(?:foo|bar|baz|qux)(?:[/:._-]|$)`,
				// Member access (k.core.v1.secret), format fields
				// ({user}/{group}) and numeric constants (-0x3f879678).
				`^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){2,}$`,
				`\{[A-Za-z_][^{}]*\}`,
				`^-?0[xX][0-9a-fA-F]+$`,
			},
			Keys: []string{
				// Names whose value points at, describes or configures a
				// secret rather than holding it.
				`(?i)(?:name|names|ref|refs|path|paths|file|files|dir|url|uri|endpoint|id|ids|type|kind|` +
					`length|size|mode|version|ttl|expiry|expires|expiration|header|field|selector|provider|` +
					`policy|format|algorithm|enabled|required|optional|source|mount|namespace|label|hash|` +
					`count|rotation|period|duration|timeout|audience|issuer|scope|scopes|prefix|suffix|` +
					`template|store|class|annotation|key_ref|keyref)$`,
				`(?i)^(?:existing|csrf|xsrf)`,
			},
			Paths: []string{
				`(?:^|/)(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|Cargo\.lock|poetry\.lock|Gemfile\.lock|composer\.lock)$`,
			},
		},
	}}
}
