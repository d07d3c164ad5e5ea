package report

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// hostile is a message written to break every format at once.
const hostile = "Container \"app\" sets <script>alert('x')</script> & %0A, key: value | *bold* @platform-team\nsecond line\r\n`tick`"

// fixtureReport is a fixed report that exercises every branch the writers
// have: every action, object and plain-file findings, two findings of one
// rule on one object, a render chain, evidence, an exception that ignores
// and one that expired, an app origin, an unreadable
// input, a rule that found nothing, and a hostile message.
func fixtureReport() *Report {
	web := &rule.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "prod", Name: "web"}
	role := &rule.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "ops"}
	findings := []rule.Finding{
		{
			ID: "BW-PS-001", Name: "pss-privileged", Title: "Privileged container", Category: rule.SecurityContext,
			Severity: rule.High, Action: rule.Block, Message: hostile, Object: web,
			Location:    rule.Location{File: "deploy/web.yaml", Line: 21, Column: 11, FieldPath: "spec.template.spec.containers[0].securityContext.privileged"},
			Fingerprint: "fp-ps-001-a", Remediation: "Remove privileged: true.", References: []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/"},
			PSS: &rule.PSS{Level: "baseline", Check: "privileged"},
		},
		{
			ID: "BW-PS-001", Name: "pss-privileged", Title: "Privileged container", Category: rule.SecurityContext,
			Severity: rule.High, Action: rule.Block, Message: "Container \"sidecar\" is privileged.", Object: web,
			Location:    rule.Location{File: "deploy/web.yaml", Line: 34, Column: 11, FieldPath: "spec.template.spec.containers[1].securityContext.privileged"},
			Fingerprint: "fp-ps-001-b", Remediation: "Remove privileged: true.",
		},
		{
			ID: "BW-SC-003", Name: "sc-readonly-root", Title: "Writable root filesystem", Category: rule.SecurityContext,
			Severity: rule.Low, Action: rule.Warn, Message: "Container \"app\" can write to its root filesystem.", Object: web,
			Location: rule.Location{File: "charts/web/templates/deploy.yaml", Line: 5, FieldPath: "spec.template.spec.containers[0]",
				Chain: []string{"argocd Application argocd/web-prod (apps/web.yaml)", "charts/web", "values-prod.yaml"}},
			Origin:      &rule.Origin{App: "argocd/web-prod", Kind: "Application", File: "apps/web.yaml"},
			Fingerprint: "fp-sc-003", Remediation: "Set readOnlyRootFilesystem: true.",
			Exception: &rule.Exception{Source: "annotation bulwark.dev/ignore", Reason: "legacy image", Expires: "2026-01-01", Expired: true},
		},
		{
			ID: "BW-RB-002", Name: "rbac-secrets-read", Title: "Reads secrets", Category: rule.Permissions,
			Severity: rule.Critical, Action: rule.Block, Message: "ClusterRole ops can get, list, watch secrets, cluster-wide.", Object: role,
			Location:    rule.Location{File: "rbac/ops.yaml", Line: 7, FieldPath: "rules[0]"},
			Fingerprint: "fp-rb-002", Remediation: "Grant access to named secrets in one namespace.",
		},
		{
			ID: "BW-SE-010", Name: "secret-aws-key", Title: "AWS access key", Category: rule.Secrets,
			Severity: rule.Info, Action: rule.Warn, Message: "An AWS access key ID, written down in a plain file.",
			Location: rule.Location{File: "scripts/deploy.env", Line: 3, Column: 19}, Evidence: "AKIA************MPLE",
			Fingerprint: "fp-se-010", Remediation: "Move the key to a secret store and rotate it.",
		},
		{
			ID: "BW-DP-001", Name: "image-mutable-tag", Title: "Mutable image tag", Category: rule.Deployment,
			Severity: rule.Medium, Action: rule.Ignored, Message: "Image nginx:latest uses a mutable tag.", Object: web,
			Location:    rule.Location{File: "deploy/web.yaml", Line: 19, Column: 16, FieldPath: "spec.template.spec.containers[0].image"},
			Fingerprint: "fp-dp-001", Remediation: "Pin the image by digest.",
			Exception: &rule.Exception{Source: ".bulwark.yaml", Reason: "Upstream publishes no digests, tracked in OPS-12", Expires: "2027-01-31"},
		},
	}
	r := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "bulwark", Version: "1.2.3"},
		Summary:       Summary{Files: 6, Documents: 9, Objects: 7, Verdict: policy.Block},
		Findings:      findings,
		Errors:        []manifest.Error{{File: "deploy/broken.yaml", Line: 4, Msg: "mapping values are not allowed, here"}},
		Rules: []*rule.Meta{
			{ID: "BW-PS-001", Title: "Privileged container", Category: rule.SecurityContext, Severity: rule.High},
			{ID: "BW-PS-002", Title: "Host namespaces", Category: rule.SecurityContext, Severity: rule.High},
			{ID: "BW-SC-003", Title: "Writable root filesystem", Category: rule.SecurityContext, Severity: rule.Low},
			{ID: "BW-RB-002", Title: "Reads secrets", Category: rule.Permissions, Severity: rule.Critical},
			{ID: "BW-SE-010", Title: "AWS access key", Category: rule.Secrets, Severity: rule.High},
			{ID: "BW-DP-001", Title: "Mutable image tag", Category: rule.Deployment, Severity: rule.Medium},
			{ID: "BW-GO-001", Title: "Argo CD default project", Category: rule.GitOps, Severity: rule.Medium},
		},
	}
	r.Summary.Counts(findings)
	return r
}

var goldenCases = []struct {
	file  string
	write func(io.Writer, *Report) error
}{
	{"report.junit.xml", func(w io.Writer, r *Report) error { return WriteJUnit(w, r, JUnitOptions{}) }},
	{"report.junit-warnings-pass.xml", func(w io.Writer, r *Report) error {
		return WriteJUnit(w, r, JUnitOptions{Name: "gate", WarningsPass: true})
	}},
	{"report.md", func(w io.Writer, r *Report) error { return WriteMarkdown(w, r, MarkdownOptions{}) }},
	{"report-diff.md", func(w io.Writer, r *Report) error {
		return WriteMarkdown(w, r, MarkdownOptions{New: map[string]bool{"fp-se-010": true, "fp-dp-001": true}, Fixed: 2, Limit: 4})
	}},
	{"report.github.txt", func(w io.Writer, r *Report) error { return WriteGitHub(w, r, GitHubOptions{}) }},
	{"report.html", func(w io.Writer, r *Report) error { return WriteHTML(w, r, HTMLOptions{}) }},
}

func TestWritersGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tc.write(&a, fixtureReport()); err != nil {
				t.Fatal(err)
			}
			if err := tc.write(&b, fixtureReport()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two writes of the same report differ")
			}
			golden(t, tc.file, a.Bytes())
		})
	}
}

func TestWritersEmptyReport(t *testing.T) {
	r := &Report{SchemaVersion: SchemaVersion, Tool: Tool{Name: "bulwark", Version: "1.2.3"}, Summary: Summary{Verdict: policy.Pass}}
	r.Summary.Counts(nil)
	for _, tc := range goldenCases {
		var buf bytes.Buffer
		if err := tc.write(&buf, r); err != nil {
			t.Errorf("%s: %v", tc.file, err)
		}
	}
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "**Bulwark: `PASS`** · no findings") {
		t.Errorf("clean markdown verdict missing:\n%s", buf.String())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file; run go test ./internal/report -update and review the diff.\ngot:\n%s", name, got)
	}
}

func TestJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, fixtureReport(), JUnitOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type    string `xml:"type,attr"`
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				Error *struct{} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output is not XML: %v", err)
	}
	var suites []string
	cases := map[string]string{}
	for _, s := range doc.Suites {
		suites = append(suites, s.Name)
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d, has %d testcases", s.Name, s.Tests, len(s.Cases))
		}
		for _, c := range s.Cases {
			switch {
			case c.Failure != nil:
				cases[c.Name] = "failure:" + c.Failure.Type
			case c.Skipped != nil:
				cases[c.Name] = "skipped:" + c.Skipped.Message
			case c.Error != nil:
				cases[c.Name] = "error"
			default:
				cases[c.Name] = "passed"
			}
		}
	}
	if got, want := strings.Join(suites, ","), "security-context,secrets,permissions,deployment,gitops,input"; got != want {
		t.Errorf("suites %s, want %s", got, want)
	}
	want := map[string]string{
		"BW-PS-001 Deployment/prod/web":     "failure:block", // two findings, one testcase
		"BW-SC-003 Deployment/prod/web":     "failure:warning",
		"BW-RB-002 ClusterRole/ops":         "failure:block",
		"BW-SE-010 scripts/deploy.env":      "failure:warning",
		"BW-DP-001 Deployment/prod/web":     "skipped:ignored: Upstream publishes no digests, tracked in OPS-12",
		"BW-PS-002 Host namespaces":         "passed",
		"BW-GO-001 Argo CD default project": "passed",
		"input deploy/broken.yaml":          "error",
	}
	for name, outcome := range want {
		if cases[name] != outcome {
			t.Errorf("testcase %q: %q, want %q", name, cases[name], outcome)
		}
	}
	if len(cases) != len(want) {
		t.Errorf("%d testcases, want %d: %v", len(cases), len(want), cases)
	}
	if doc.Tests != 8 || doc.Failures != 4 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
}

func TestHTMLEscapesAndBalances(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, fixtureReport(), HTMLOptions{Title: "<script>alert(1)</script>"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(strings.ToLower(out), "<script"); n != 1 {
		t.Errorf("%d <script> tags, want only the report's own", n)
	}
	for _, asset := range []string{"<link", " src=", "@import", "url("} {
		if strings.Contains(out, asset) {
			t.Errorf("report loads an external asset (%s)", asset)
		}
	}
	// Tags balance, and the hostile message survives as text.
	z := html.NewTokenizer(strings.NewReader(out))
	var stack []string
	void := map[string]bool{"meta": true, "br": true, "input": true}
	var text strings.Builder
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken:
			if !void[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("unbalanced </%s>; open: %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		case html.TextToken:
			text.WriteString(tok.Data)
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed tags: %v", stack)
	}
	if !strings.Contains(text.String(), "<script>alert('x')</script> & %0A") {
		t.Error("the finding message is not shown as text")
	}
	if _, err := html.Parse(strings.NewReader(out)); err != nil {
		t.Fatal(err)
	}
}

func TestGitHubEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, fixtureReport(), GitHubOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 8 { // six findings, one input error, the summary
		t.Fatalf("%d lines, want 8:\n%s", len(lines), buf.String())
	}
	first := lines[0]
	if !strings.HasPrefix(first, "::error file=rbac/ops.yaml,line=7,title=BW-RB-002 Reads secrets::") {
		t.Errorf("critical blocking finding not first: %s", first)
	}
	for _, l := range lines[:7] {
		cmd, msg, ok := strings.Cut(l[2:], "::")
		if !ok {
			t.Fatalf("not a workflow command: %s", l)
		}
		if strings.ContainsAny(msg, "\r") || strings.Contains(cmd, ": ") {
			t.Errorf("unescaped text in %s", l)
		}
	}
	hostileLine := lines[1]
	for _, want := range []string{
		"::error file=deploy/web.yaml,line=21,col=11,title=BW-PS-001 Privileged container::",
		"& %250A, key: value", // in the message, % is escaped, commas and colons are kept
		"second line%0D%0A`tick`%0ASeverity: high",
	} {
		if !strings.Contains(hostileLine, want) {
			t.Errorf("missing %q in %s", want, hostileLine)
		}
	}
	if got := escapeGitHubProperty("a,b:c%d\ne\rf"); got != "a%2Cb%3Ac%25d%0Ae%0Df" {
		t.Errorf("property escape: %s", got)
	}
	if got := escapeGitHubData("a,b:c%d\ne\rf"); got != "a,b:c%25d%0Ae%0Df" {
		t.Errorf("data escape: %s", got)
	}
	buf.Reset()
	if err := WriteGitHub(&buf, fixtureReport(), GitHubOptions{OmitIgnored: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "BW-DP-001") {
		t.Error("ignored finding written with OmitIgnored")
	}
}

func TestMarkdownCapsAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, fixtureReport(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script>", "@platform-team", "*bold*"} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in markdown", bad)
		}
	}
	// Blocking findings come first, the critical one before the high ones.
	rb, ps, sc := strings.Index(out, "| **block** | critical"), strings.Index(out, "| **block** | high"), strings.Index(out, "| warn |")
	if rb < 0 || ps < rb || sc < ps {
		t.Errorf("findings out of order:\n%s", out)
	}

	// A huge report stays under the limit and says how many it left out.
	r := fixtureReport()
	base := r.Findings[0]
	r.Findings = nil
	for i := 0; i < 5000; i++ {
		f := base
		f.Message = strings.Repeat("long message ", 200)
		f.Evidence = strings.Repeat("x", 5000)
		r.Findings = append(r.Findings, f)
	}
	r.Summary.Counts(r.Findings)
	for _, opts := range []MarkdownOptions{{}, {Limit: 10000}, {MaxChars: 4000}} {
		buf.Reset()
		if err := WriteMarkdown(&buf, r, opts); err != nil {
			t.Fatal(err)
		}
		max := opts.MaxChars
		if max == 0 {
			max = GitHubCommentLimit
		}
		if buf.Len() > max {
			t.Errorf("%+v: %d bytes, over %d", opts, buf.Len(), max)
		}
		if !strings.Contains(buf.String(), "more findings not listed here") {
			t.Errorf("%+v: no \"and N more\" line", opts)
		}
		if !strings.HasSuffix(buf.String(), "</details>\n") {
			t.Errorf("%+v: output cut short", opts)
		}
	}
}
