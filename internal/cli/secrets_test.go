package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// planted are values shaped like real credentials, made at test time so
// that none is committed, and planted in every form the secrets rules read.
type planted struct {
	github, slack, stripe, password, kubeToken, registryPass, pem string
}

func plant(t *testing.T, dir string) planted {
	t.Helper()
	rng := rand.New(rand.NewPCG(42, 42))
	pick := func(class string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = class[rng.IntN(len(class))]
		}
		return string(b)
	}
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const b64 = alnum + "+/"
	p := planted{
		github:       "ghp_" + pick(alnum, 36),
		slack:        "xoxb-" + pick("0123456789", 12) + "-" + pick("0123456789", 13) + "-" + pick(alnum, 24),
		stripe:       "sk_live_" + pick(alnum, 24),
		password:     "Pw-" + pick(alnum, 14),
		kubeToken:    pick(alnum, 40),
		registryPass: "Rg-" + pick(alnum, 16),
		pem:          "-----BEGIN RSA PRIVATE KEY-----\n" + pick(b64, 64) + "\n" + pick(b64, 64) + "\n" + pick(b64, 64) + "\n-----END RSA PRIVATE KEY-----\n",
	}
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	files := map[string]string{
		"apps/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: " + p.password +
			"\ndata:\n  token: " + enc(p.github) + "\n  key.pem: " + enc(p.pem) + "\n",
		"apps/deploy.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bot\nspec:\n  containers:\n    - name: bot\n      image: bot:1\n" +
			"      env:\n        - name: SLACK_TOKEN\n          value: " + p.slack + "\n        - name: DB_PASSWORD\n          value: " + p.password + "\n",
		"apps/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pay\ndata:\n  app.properties: |\n    stripe.key=" + p.stripe +
			"\n    db.password=" + p.password + "\n",
		"apps/regcred.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: reg\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: " +
			enc(`{"auths":{"ghcr.io":{"auth":"`+enc("ci:"+p.registryPass)+`"}}}`) + "\n",
		"ci/kubeconfig":      "apiVersion: v1\nkind: Config\nusers:\n  - name: ci\n    user:\n      token: " + p.kubeToken + "\n",
		"ci/kubeconfig.yaml": "apiVersion: v1\nkind: Config\nusers:\n  - name: ci\n    user:\n      token: " + p.kubeToken + "\n",
		"chart/values.yaml":  "auth:\n  password: " + p.password + "\n",
		"scripts/release.sh": "#!/bin/sh\nexport GITHUB_TOKEN=" + p.github + "\ncurl -H \"Authorization: Bearer " + p.stripe + "\" https://api\n",
		".env":               "STRIPE_KEY=" + p.stripe + "\nDB_PASSWORD=" + p.password + "\n",
	}
	for name, content := range files {
		full := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// forms are the strings that must never appear in any output: each value,
// the value without the four characters redaction may show, and its base64.
func (p planted) forms() []string {
	var out []string
	for _, v := range []string{p.github, p.slack, p.stripe, p.password, p.kubeToken, p.registryPass, p.pem} {
		out = append(out, v, v[4:], base64.StdEncoding.EncodeToString([]byte(v)))
		for _, line := range strings.Split(v, "\n") {
			if len(line) > 16 {
				out = append(out, line[4:])
			}
		}
	}
	return out
}

func runIn(t *testing.T, terminal bool, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Terminal: terminal}, args)
	return out.String(), errOut.String(), code
}

// TestNoOutputRevealsASecret plants known values in every form and holds
// every report format of scan and secrets, working tree and history, to
// never printing them.
func TestNoOutputRevealsASecret(t *testing.T) {
	dir := t.TempDir()
	p := plant(t, dir)
	gitInit(t, dir)
	t.Chdir(dir)
	// The test is only as good as its forms: they must be in the input.
	var input strings.Builder
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(path, "/.git/") {
			b, _ := os.ReadFile(path)
			input.Write(b)
		}
		return nil
	})
	for _, v := range []string{p.github, p.slack, p.stripe, p.password, p.kubeToken} {
		if !strings.Contains(input.String(), v) {
			t.Fatalf("planted value %.4s... is not in the input", v)
		}
	}
	for _, cmd := range [][]string{{"scan", "."}, {"secrets", "."}, {"secrets", "--history", "."}} {
		for _, format := range Formats {
			args := append(append([]string{}, cmd...), "--format", format, "-v")
			out, errOut, code := runIn(t, true, args...)
			if code != ExitBlocked {
				t.Fatalf("%v: exit %d, want %d; stderr: %s", args, code, ExitBlocked, errOut)
			}
			if !strings.Contains(out, "BW-SE-") && format != "html" {
				t.Errorf("%v: no secrets finding in the report", args)
			}
			for _, v := range p.forms() {
				if strings.Contains(out, v) || strings.Contains(errOut, v) {
					t.Errorf("%v: output reveals a planted secret (%.4s...)", args, v)
				}
			}
		}
	}
}

func TestSecretsCommand(t *testing.T) {
	dir := t.TempDir()
	plant(t, dir)
	gitInit(t, dir)
	t.Chdir(dir)

	out, errOut, code := runIn(t, false, "secrets", ".", "--format", "json")
	if code != ExitBlocked {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	var r struct {
		Findings []struct {
			ID       string `json:"id"`
			Category string `json:"category"`
			Location struct {
				File string `json:"file"`
			} `json:"location"`
			Commit *struct {
				SHA         string `json:"sha"`
				StillAtHead bool   `json:"stillAtHead"`
			} `json:"commit"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, f := range r.Findings {
		if f.Category != "secrets" {
			t.Errorf("%s: category %s in a secrets-only scan", f.ID, f.Category)
		}
		ids[f.ID] = true
	}
	for _, id := range []string{"BW-SE-001", "BW-SE-002", "BW-SE-003", "BW-SE-006", "BW-SE-008", "BW-SE-102", "BW-SE-111", "BW-SE-114", "BW-SE-116"} {
		if !ids[id] {
			t.Errorf("working tree: no %s finding", id)
		}
	}

	out, errOut, code = runIn(t, false, "secrets", "--history", ".", "--format", "json")
	if code != ExitBlocked || errOut != "" {
		t.Fatalf("history: exit %d, stderr %q (no progress off a terminal)", code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("history: no findings")
	}
	for _, f := range r.Findings {
		if f.Commit == nil || len(f.Commit.SHA) != 40 || !f.Commit.StillAtHead {
			t.Errorf("%s %s: commit %+v", f.ID, f.Location.File, f.Commit)
		}
	}
	_, errOut, _ = runIn(t, true, "secrets", "--history", ".")
	if !strings.Contains(errOut, "commits") {
		t.Errorf("no progress on a terminal: %q", errOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"secrets", "--history", ".", "apps"}, "one PATH"},
		{[]string{"secrets", "--since", "no-such-revision", "."}, "does not name a commit"},
		{[]string{"secrets", "--history", t.TempDir()}, "not inside a Git repository"},
		{[]string{"secrets", "--format", "yaml", "."}, "--format"},
	} {
		_, errOut, code := runIn(t, false, tc.args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, ExitUsage, tc.want)
		}
	}
}

// TestSecretsHistoryReportMatchesSchema validates a history report, with
// its commit fields, against the JSON schema.
func TestSecretsHistoryReportMatchesSchema(t *testing.T) {
	dir := t.TempDir()
	plant(t, dir)
	gitInit(t, dir)
	out, errOut, code := runIn(t, false, "secrets", "--history", dir, "--format", "json")
	if code != ExitBlocked {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	repoRoot(t)
	validateReport(t, []byte(out))
}

func gitInit(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"-c", "commit.gpgsign=false", "commit", "-q", "-m", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// TestSecretsBaseline accepts today's secrets in a baseline file: the same
// fingerprints silence them in the working tree and in history, and a new
// secret still blocks.
func TestSecretsBaseline(t *testing.T) {
	dir := t.TempDir()
	plant(t, dir)
	gitInit(t, dir)
	t.Chdir(dir)
	out, _, _ := runIn(t, false, "secrets", ".", "--format", "json")
	var r struct {
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
			ID          string `json:"id"`
			Action      string `json:"action"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, f := range r.Findings {
		entries = append(entries, `{"fingerprint":"`+f.Fingerprint+`","rule":"`+f.ID+`","file":"x"}`)
	}
	baseline := `{"version":1,"findings":[` + strings.Join(entries, ",") + `]}`
	if err := os.WriteFile(".bulwark-baseline.json", []byte(baseline), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"secrets", "."}, {"secrets", "--history", "."}} {
		out, errOut, code := runIn(t, false, append(args, "--format", "json")...)
		if code != ExitOK {
			t.Errorf("%v with every finding in the baseline: exit %d, stderr %s", args, code, errOut)
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Findings {
			if f.Action != "ignored" {
				t.Errorf("%v: %s not ignored (%s)", args, f.ID, f.Action)
			}
		}
	}
	if err := os.WriteFile("new.env", []byte("DB_PASSWORD=Nw7-Lq2x-Vm9z-Tb4k\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runIn(t, false, "secrets", "."); code != ExitBlocked {
		t.Errorf("a new secret outside the baseline: exit %d, want %d", code, ExitBlocked)
	}
}

// TestSecretsGitCrypt: files git-crypt encrypted are quiet (not even
// unreadable input), files it should have encrypted are reported.
func TestSecretsGitCrypt(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	files := map[string]string{
		".gitattributes":      "secrets/** filter=git-crypt diff=git-crypt\n",
		"secrets/prod.yaml":   "\x00GITCRYPT\x00\x01\x02\x03 encrypted bytes",
		"secrets/staging.env": "LOG_LEVEL=debug\n",
	}
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(".git", 0o755); err != nil { // the repository's top
		t.Fatal(err)
	}
	out, errOut, code := runIn(t, false, "secrets", ".", "--format", "json")
	if code != ExitBlocked {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Findings []struct {
			ID       string `json:"id"`
			Location struct {
				File string `json:"file"`
			} `json:"location"`
		} `json:"findings"`
		Errors []any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || r.Findings[0].ID != "BW-SE-021" || r.Findings[0].Location.File != "secrets/staging.env" || len(r.Errors) != 0 {
		t.Errorf("got %+v, errors %v; want one BW-SE-021 on secrets/staging.env", r.Findings, r.Errors)
	}
}
