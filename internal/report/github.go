package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// GitHub Actions workflow commands: one annotation per finding, which the
// runner shows on the pull request's changed lines and in the job summary.
//
//	block                   -> ::error
//	warn (low and above)    -> ::warning
//	warn at severity info   -> ::notice
//	ignored                 -> ::notice, with the exception's reason
//
// Blocking findings come first, because the runner keeps only the first few
// annotations of each type per step. Messages are escaped as the runner
// expects (% CR LF), property values also (: ,), so a finding can never end
// its command early or forge another one. A plain summary line closes the
// output.

// GitHubOptions shape the workflow-command output.
type GitHubOptions struct {
	// OmitIgnored leaves out findings that an exception ignored.
	OmitIgnored bool
}

// WriteGitHub writes GitHub Actions workflow commands.
func WriteGitHub(w io.Writer, r *Report, opts GitHubOptions) error {
	bw := bufio.NewWriter(w)
	for _, i := range actionOrder(r.Findings) {
		f := &r.Findings[i]
		if f.Action == rule.Ignored && opts.OmitIgnored {
			continue
		}
		props := []string{}
		if f.Location.File != "" {
			props = append(props, "file="+escapeGitHubProperty(f.Location.File))
			if f.Location.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Location.Line))
				if f.Location.Column > 0 {
					props = append(props, fmt.Sprintf("col=%d", f.Location.Column))
				}
			}
		}
		props = append(props, "title="+escapeGitHubProperty(f.ID+" "+f.Title))
		fmt.Fprintf(bw, "::%s %s::%s\n", githubCommand(f), strings.Join(props, ","), escapeGitHubData(githubMessage(f)))
	}
	for _, e := range r.Errors {
		props := "file=" + escapeGitHubProperty(e.File)
		if e.Line > 0 {
			props += fmt.Sprintf(",line=%d", e.Line)
		}
		fmt.Fprintf(bw, "::warning %s,title=%s::%s\n", props, escapeGitHubProperty("Input not scanned"), escapeGitHubData(e.Msg))
	}
	s := r.Summary
	fmt.Fprintf(bw, "bulwark: %d findings (block %d, warn %d, ignored %d) in %d files, %d objects. Verdict: %s\n",
		s.Findings, s.ByAction[string(rule.Block)], s.ByAction[string(rule.Warn)], s.ByAction[string(rule.Ignored)],
		s.Files, s.Objects, strings.ToUpper(string(s.Verdict)))
	return bw.Flush()
}

func githubCommand(f *rule.Finding) string {
	switch {
	case f.Action == rule.Block:
		return "error"
	case f.Action == rule.Warn && f.Severity > rule.Info:
		return "warning"
	}
	return "notice"
}

// githubMessage is the annotation body: the message, then where and what to do.
func githubMessage(f *rule.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	fmt.Fprintf(&b, "\nSeverity: %s, action: %s", f.Severity, f.Action)
	if o := objectPath(f.Object); o != "" {
		b.WriteString("\nObject: " + o)
	}
	if f.Location.FieldPath != "" {
		b.WriteString("\nField: " + f.Location.FieldPath)
	}
	if a := appPath(f.Origin); a != "" {
		b.WriteString("\nApp: " + a)
	}
	if len(f.Location.Chain) > 0 {
		b.WriteString("\nRendered from: " + strings.Join(f.Location.Chain, " -> "))
	}
	if f.Evidence != "" {
		b.WriteString("\nEvidence: " + f.Evidence)
	}
	if note := exceptionNote(f); note != "" {
		b.WriteString("\n" + strings.ToUpper(note[:1]) + note[1:])
	}
	if f.Remediation != "" {
		b.WriteString("\nRemediation: " + f.Remediation)
	}
	return b.String()
}

var (
	githubData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeGitHubData escapes a command's message.
func escapeGitHubData(s string) string { return githubData.Replace(s) }

// escapeGitHubProperty escapes a command's property value.
func escapeGitHubProperty(s string) string { return githubProperty.Replace(s) }
