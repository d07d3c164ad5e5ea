package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/report"
	"github.com/bulwark-dev/bulwark/internal/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

// run executes the command line as a user would, with buffers for streams,
// from the repository root, and returns stdout, stderr and the exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	s := Streams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	code := Run(context.Background(), s, args)
	return out.String(), errOut.String(), code
}

func repoRoot(t *testing.T) {
	t.Helper()
	t.Chdir(filepath.Join("..", ".."))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("internal", "cli", "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; run go test ./internal/cli -update and review the diff.\ngot:\n%s", name, got)
	}
}

func validateReport(t *testing.T, report []byte) map[string]any {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := c.Compile("docs/report-schema.json")
	if err != nil {
		t.Fatalf("compiling schema: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(report))
	if err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("report does not match docs/report-schema.json: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(report, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestScanExamplesGolden(t *testing.T) {
	repoRoot(t)
	for _, tc := range []struct{ format, file string }{
		{"table", "examples.txt"}, {"json", "examples.json"}, {"sarif", "examples.sarif"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out, errOut, code := run(t, "", "scan", "examples", "--format", tc.format)
			if code != ExitBlocked {
				t.Fatalf("exit %d, want %d; stderr: %s", code, ExitBlocked, errOut)
			}
			if tc.format == "json" {
				validateReport(t, []byte(out))
				assertEveryRule(t, []byte(out))
			}
			golden(t, tc.file, stripDuration(out))
		})
	}
}

// stripDuration removes the table summary's timing, the one varying part.
func stripDuration(s string) string {
	if i := strings.LastIndex(s, " in "); i >= 0 && strings.Contains(s[i:], ". Verdict") {
		j := strings.Index(s[i:], ". Verdict")
		if _, err := time.ParseDuration(s[i+4 : i+j]); err == nil {
			return s[:i] + s[i+j:]
		}
	}
	return s
}

// assertEveryRule demands that the bundled example exercises every rule.
func assertEveryRule(t *testing.T, report []byte) {
	t.Helper()
	var r struct {
		Findings []struct {
			ID string `json:"id"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(report, &r); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range r.Findings {
		seen[f.ID] = true
	}
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range reg.Rules() {
		if !seen[m.ID] {
			t.Errorf("examples/ does not exercise rule %s (%s)", m.ID, m.Name)
		}
	}
}

// TestEmitInternalFailure: a report with checks that failed inside Bulwark
// is written whole, then the command exits 3 (internal failure), even when
// the policy would only have blocked.
func TestEmitInternalFailure(t *testing.T) {
	for _, tc := range []struct {
		internal int
		verdict  policy.Verdict
		want     int
	}{
		{0, policy.Pass, ExitOK},
		{0, policy.Block, ExitBlocked},
		{1, policy.Pass, ExitInternal},
		{2, policy.Block, ExitInternal},
	} {
		failed := make([]manifest.Error, tc.internal)
		var out bytes.Buffer
		g := &globalOptions{streams: Streams{Out: &out, ErrOut: io.Discard}}
		rep := &report.Report{SchemaVersion: report.SchemaVersion, Summary: report.Summary{Verdict: tc.verdict}, Internal: failed}
		err := emit(g, "", func(w io.Writer, r *report.Report, _ report.TableOptions) error { return report.WriteJSON(w, r) }, rep, time.Now())
		if got := CodeOf(err); got != tc.want {
			t.Errorf("internal %d, verdict %s: exit %d, want %d", tc.internal, tc.verdict, got, tc.want)
		}
		if !strings.Contains(out.String(), `"schemaVersion"`) {
			t.Errorf("internal %d: the report was not written", tc.internal)
		}
	}
}
