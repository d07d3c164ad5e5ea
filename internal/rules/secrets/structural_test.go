package secrets

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// tokens are provider-shaped values made at test time, so that no
// realistic token is committed.
func tokens(t *testing.T) map[string]string {
	return map[string]string{
		"github": expand(t, "gh", "ghp_<<alnum:36>>"),
		"slack":  expand(t, "sl", "xoxb-<<digit:12>>-<<digit:13>>-<<alnum:24>>"),
		"stripe": expand(t, "st", "sk_live_<<alnum:24>>"),
		"pem":    expand(t, "pem", "-----BEGIN EC PRIVATE KEY-----\n<<b64:64>>\n<<b64:64>>\n<<b64:20>>==\n-----END EC PRIVATE KEY-----\n"),
		"awsid":  expand(t, "aws", "AKIA<<b32:16>>"),
		"awssec": expand(t, "awss", "<<b64:40>>"),
	}
}

type want struct {
	rule, path string
	line       int
	message    string // substring
}

func TestRouting(t *testing.T) {
	tk := tokens(t)
	cases := []struct {
		name, file, src string
		want            []want
	}{{
		name: "base64 GitHub token in Secret data is a GitHub token at its key",
		file: "secret.yaml",
		src:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  token: " + b64(tk["github"]) + "\n",
		want: []want{{"BW-SE-111", "data.token", 6, `Secret key "token" holds a GitHub token`}},
	}, {
		name: "private key in stringData is reported once, by the structural layer",
		file: "tls.yaml",
		src: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: kubernetes.io/tls\nstringData:\n  tls.key: |\n" +
			indent(tk["pem"], "    ") + "  tls.crt: \"\"\n",
		want: []want{{"BW-SE-102", "stringData['tls.key']", 8, `Secret key "tls.key" holds a private key`}},
	}, {
		name: "Slack token in an env literal, whatever its name",
		file: "pod.yaml",
		src: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bot\nspec:\n  containers:\n    - name: bot\n      image: bot:1\n" +
			"      env:\n        - name: NOTIFY_WITH\n          value: " + tk["slack"] + "\n",
		want: []want{{"BW-SE-114", "spec.containers[0].env[0].value", 11, `container "bot" env NOTIFY_WITH holds a Slack token`}},
	}, {
		name: "Stripe key inside an embedded properties file, at its line",
		file: "cm.yaml",
		src: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pay\ndata:\n  app.properties: |\n    a=b\n    stripe.key=" +
			tk["stripe"] + "\n",
		want: []want{{"BW-SE-116", "data['app.properties']", 8, `ConfigMap key "app.properties" holds a Stripe`}},
	}, {
		name: "AWS keys in a script are the content layer's",
		file: "deploy.sh",
		src:  "#!/bin/sh\nexport AWS_ACCESS_KEY_ID=" + tk["awsid"] + "\nexport AWS_SECRET_ACCESS_KEY=" + tk["awssec"] + "\n",
		want: []want{{"BW-SE-105", "", 2, "AWS access key ID"}, {"BW-SE-106", "", 3, "AWS secret access key"}},
	}, {
		name: "GitHub token in a last-applied copy of a Secret",
		file: "dump.yaml",
		src: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n" +
			`      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"ci"},"stringData":{"token":"` + tk["github"] + `"}}` + "\ndata:\n  token: " + b64(tk["github"]) + "\n",
		want: []want{
			{"BW-SE-111", "data.token", 9, "GitHub token"},
			{"BW-SE-005", "metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']", 6, `embeds a copy of Secret "ci": Secret key "token" holds a GitHub token`},
		},
	}, {
		name: "Secrets of old API versions are Secrets",
		file: "old.yaml",
		src:  "apiVersion: v1beta3\nkind: Secret\nmetadata:\n  name: ceph\ndata:\n  key: " + b64("AQB16V1VoF5mExAA5kCQs7bBj8") + "\n",
		want: []want{{"BW-SE-001", "data.key", 6, `Secret key "key" holds a plain-text credential`}},
	}, {
		name: "a config file without credentials in a Secret is for review, at low severity",
		file: "cfg.yaml",
		src:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\nstringData:\n  alertmanager.yaml: |\n    route:\n      receiver: null\n",
		want: []want{{"BW-SE-001", "stringData['alertmanager.yaml']", 6, "no credential was recognised"}},
	}, {
		name: "inline exception with a reason silences the rule",
		file: "ignored.yaml",
		src:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\nstringData:\n  password: Qx7-Lm2v-Rw9z # bulwark:ignore BW-SE-001 demo only, never deployed\n",
	}, {
		name: "inline exception by name on the line above",
		file: "ignored.yaml",
		src:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\nstringData:\n  # bulwark:ignore secret-plaintext-data,github-token demo only\n  password: Qx7-Lm2v-Rw9z\n",
	}, {
		name: "inline exception without a reason is not honoured",
		file: "ignored.yaml",
		src:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\nstringData:\n  password: Qx7-Lm2v-Rw9z # bulwark:ignore BW-SE-001\n",
		want: []want{{"BW-SE-001", "stringData.password", 6, "plain-text credential"}},
	}, {
		name: "content exception in a script",
		file: "deploy.sh",
		src:  "export GITHUB_TOKEN=" + tk["github"] + " # bulwark:ignore github-token revoked, kept for the incident report\n",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := hitsOf(t, tc.file, tc.src)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d hits, want %d:\n%s", len(got), len(tc.want), describe(got))
			}
			for i, w := range tc.want {
				h := got[i]
				if h.Rule != w.rule || h.Path != w.path || h.Line != w.line || !strings.Contains(h.Message, w.message) {
					t.Errorf("hit %d:\n got  %s line %d %s: %s\n want %s line %d %s: ...%s...", i, h.Rule, h.Line, h.Path, h.Message,
						w.rule, w.line, w.path, w.message)
				}
				assertRedacted(t, h, tk)
			}
		})
	}
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return pre + strings.Join(lines, "\n"+pre) + "\n"
}

// assertRedacted fails when a hit shows more than a token's first four
// characters.
func assertRedacted(t *testing.T, h rule.Hit, tk map[string]string) {
	t.Helper()
	for _, v := range tk {
		for _, s := range []string{h.Message, h.Evidence, h.Key, h.Path} {
			if len(v) > 8 && strings.Contains(s, v[:8]) {
				t.Errorf("%s leaks a secret: %q", h.Rule, s)
			}
		}
	}
}

// TestEncryptedFilesAreQuiet holds the quiet forms to no finding from any
// check, structural or content.
func TestEncryptedFilesAreQuiet(t *testing.T) {
	for _, f := range []string{
		"testdata/sops-plaintext-value/pass/sops-secret.yaml",
		"testdata/sealed-secret-cluster-wide/pass/sealed.yaml",
		"testdata/sealed-secret-template-plaintext/pass/sealed.yaml",
		"testdata/external-secrets-inline-credentials/pass/secretstore.yaml",
		"testdata/secret-plaintext-data/pass/tls-public.yaml",
	} {
		src := readFile(t, f)
		if hs := hitsOf(t, f, src); len(hs) > 0 {
			t.Errorf("%s:\n%s", f, describe(hs))
		}
	}
}

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"DB_PASSWORD": true, "dbPassword": true, "password": true, "API_KEY": true, "apiKey": true,
		"GITHUB_TOKEN": true, "client-secret": true, "SENTRY_DSN": true, "spring.datasource.password": true,
		"AWS_SECRET_ACCESS_KEY": true, "id-token": true, "secretId": true, "_authToken": true, "secretKey": true,
		"secretName": false, "tokenPath": false, "passwordSecretRef": false, "existingSecret": false,
		"auth.existingSecret": false, "TOKEN_TTL": false, "PASSWORD_MIN_LENGTH": false, "passwordKey": false,
		"AWS_ACCESS_KEY_ID": false, "SECRET_NAME": false, "key": false, "username": false, "tokenSecret": false,
		"LOG_LEVEL": false, "db.password.file": false,
	} {
		if got := secretName(name); got != want {
			t.Errorf("secretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
