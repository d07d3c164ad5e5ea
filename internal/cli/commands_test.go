package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestScanStdinAndExitCodes(t *testing.T) {
	repoRoot(t)
	priv, err := os.ReadFile("examples/apps/monitoring/daemonset-node-agent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	secure, err := os.ReadFile("examples/secure/deployment-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string // substring of stdout or stderr
	}{
		{"stdin with a privileged pod blocks", string(priv), []string{"scan", "-"}, ExitBlocked, "stdin"},
		{"stdin with a good deployment passes", string(secure), []string{"scan", "-"}, ExitOK, "Verdict: PASS"},
		{"fail-on critical still blocks privileged", string(priv), []string{"scan", "-", "--fail-on", "critical"}, ExitBlocked, "BW-PS-001"},
		{"baseline level drops restricted findings", string(secure), []string{"scan", "-", "--pss-level", "baseline"}, ExitOK, "0 findings"},
		{"unknown format is a usage error", "", []string{"scan", "examples", "--format", "xml"}, ExitUsage, "--format"},
		{"bad severity is a usage error", "", []string{"scan", "examples", "--fail-on", "severe"}, ExitUsage, "fail-on"},
		{"bad pss version is a usage error", "", []string{"scan", "examples", "--pss-version", "1.30"}, ExitUsage, "version"},
		{"missing path is a usage error", "", []string{"scan", "does-not-exist"}, ExitUsage, "does-not-exist"},
		{"unknown flag is a usage error", "", []string{"scan", "--nope"}, ExitUsage, "nope"},
		{"version", "", []string{"version"}, ExitOK, "bulwark "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.out) {
				t.Errorf("output lacks %q:\n%s%s", tc.out, out, errOut)
			}
		})
	}
}

func TestScanOutputFile(t *testing.T) {
	repoRoot(t)
	path := t.TempDir() + "/bulwark.sarif"
	out, _, code := run(t, "", "scan", "examples", "--format", "sarif", "--output", path)
	if code != ExitBlocked || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID              string            `json:"ruleId"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("unexpected SARIF: %s", data[:200])
	}
	for _, r := range log.Runs[0].Results {
		if r.PartialFingerprints["bulwarkFingerprint/v1"] == "" {
			t.Errorf("result %s without a partial fingerprint", r.RuleID)
		}
	}
}

func TestRulesCommand(t *testing.T) {
	out, _, code := run(t, "", "rules", "--category", "security-context")
	if code != ExitOK || !strings.Contains(out, "BW-PS-001") || strings.Contains(out, "BW-IN-001") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, _, _ = run(t, "", "rules", "--format", "json")
	var rules []map[string]any
	if err := json.Unmarshal([]byte(out), &rules); err != nil || len(rules) < 20 {
		t.Fatalf("rules JSON: %v (%d rules)", err, len(rules))
	}
}
