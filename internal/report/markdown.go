package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Markdown for a pull-request or merge-request comment (or a GitHub job
// summary): a one-line verdict, a table of counts by severity and action,
// then the findings, new ones first (when the caller knows which are new),
// then blocking before warnings before ignored, each with its rule linked to
// the rules reference, file:line and message; object, field, evidence and
// remediation are folded into one <details> section. The list is capped
// (MarkdownOptions.Limit) with "and N more", and the whole text never exceeds
// MarkdownOptions.MaxChars, GitHub's comment limit by default.
//
// Text from findings is escaped: HTML is turned into entities, Markdown
// punctuation is backslash-escaped, and "@" is followed by a zero-width space
// so that a message can neither inject markup nor mention people or teams.
// A first-line HTML comment lets a bot find and update its own comment.

// GitHubCommentLimit is the largest comment GitHub accepts, in characters.
const GitHubCommentLimit = 65536

// MarkdownOptions shape the pull-request comment.
type MarkdownOptions struct {
	// New holds the fingerprints of findings the change introduces; they
	// are listed first and marked "new". Nil when unknown.
	New map[string]bool
	// Fixed is how many findings of the base the change removes.
	Fixed int
	// Limit caps the findings listed; 50 when zero.
	Limit int
	// MaxChars caps the whole text, counted in bytes (never fewer than the
	// characters GitHub counts); GitHubCommentLimit when zero.
	MaxChars int
	// RulesURL is the rules reference that rule IDs link to, with the
	// lowercased ID as anchor; the project's docs/rules.md when empty.
	RulesURL string
}

// DefaultRulesURL is the published rules reference.
const DefaultRulesURL = "https://github.com/bulwark-dev/bulwark/blob/main/docs/rules.md"

// MarkdownMarker opens every comment, so a bot can find and update its own.
const MarkdownMarker = "<!-- bulwark-report -->"

// mdCellRunes caps one table cell, so a huge message cannot crowd out the rest.
const mdCellRunes = 300

// WriteMarkdown writes the report as a Markdown comment.
func WriteMarkdown(w io.Writer, r *Report, opts MarkdownOptions) error {
	limit, maxChars, rulesURL := opts.Limit, opts.MaxChars, opts.RulesURL
	if limit <= 0 {
		limit = 50
	}
	if maxChars <= 0 {
		maxChars = GitHubCommentLimit
	}
	if rulesURL == "" {
		rulesURL = DefaultRulesURL
	}
	var b strings.Builder
	b.WriteString(MarkdownMarker + "\n")
	b.WriteString(markdownVerdict(r, opts) + "\n")
	if len(r.Findings) > 0 {
		b.WriteString("\n" + markdownCounts(r.Findings))
	}

	order := markdownOrder(r.Findings, opts.New)
	errs := markdownErrors(r)
	const footerReserve = 200 // the "and N more" line and closing tags
	budget := maxChars - b.Len() - len(errs) - footerReserve
	var rows, details strings.Builder
	shown := 0
	for _, i := range order {
		if shown == limit {
			break
		}
		f := &r.Findings[i]
		row := markdownRow(f, opts.New[f.Fingerprint], rulesURL)
		det := markdownDetail(f)
		if rows.Len()+details.Len()+len(row)+len(det)+300 > budget {
			break
		}
		rows.WriteString(row)
		details.WriteString(det)
		shown++
	}
	if shown > 0 {
		b.WriteString("\n| Action | Severity | Rule | Location | Message |\n|---|---|---|---|---|\n")
		b.WriteString(rows.String())
	}
	if more := len(order) - shown; more > 0 {
		fmt.Fprintf(&b, "\n…and %d more %s not listed here; the full report has them all.\n", more, plural(more, "finding", "findings"))
	}
	if shown > 0 {
		b.WriteString("\n<details><summary>Details of the findings above</summary>\n\n")
		b.WriteString(details.String())
		b.WriteString("</details>\n")
	}
	b.WriteString(errs)
	out := b.String()
	if len(out) > maxChars { // only when MaxChars is tiny
		out = truncateBytes(out, maxChars)
	}
	_, err := io.WriteString(w, out)
	return err
}

// markdownVerdict is the one-line verdict with text badges.
func markdownVerdict(r *Report, opts MarkdownOptions) string {
	s := r.Summary
	v := strings.ToUpper(string(s.Verdict))
	if v == "" {
		v = "PASS"
	}
	parts := []string{"**Bulwark: `" + v + "`**"}
	if len(r.Findings) == 0 {
		parts = append(parts, "no findings")
	} else {
		parts = append(parts,
			fmt.Sprintf("`%d blocking`", s.ByAction[string(rule.Block)]),
			fmt.Sprintf("`%d %s`", s.ByAction[string(rule.Warn)], plural(s.ByAction[string(rule.Warn)], "warning", "warnings")),
			fmt.Sprintf("`%d ignored`", s.ByAction[string(rule.Ignored)]))
	}
	if opts.New != nil {
		n := 0
		for _, f := range r.Findings {
			if opts.New[f.Fingerprint] {
				n++
			}
		}
		parts = append(parts, fmt.Sprintf("`%d new`", n))
	}
	if opts.New != nil || opts.Fixed > 0 {
		parts = append(parts, fmt.Sprintf("`%d fixed`", opts.Fixed))
	}
	parts = append(parts, fmt.Sprintf("%d %s, %d %s scanned", s.Files, plural(s.Files, "file", "files"),
		s.Objects, plural(s.Objects, "object", "objects")))
	return strings.Join(parts, " · ")
}

// markdownCounts is the table of findings by severity and action.
func markdownCounts(findings []rule.Finding) string {
	actions := []rule.Action{rule.Block, rule.Warn, rule.Ignored}
	counts := map[rule.Severity]map[rule.Action]int{}
	for _, f := range findings {
		if counts[f.Severity] == nil {
			counts[f.Severity] = map[rule.Action]int{}
		}
		counts[f.Severity][f.Action]++
	}
	var b strings.Builder
	b.WriteString("| Severity | Block | Warn | Ignored | Total |\n|:--|--:|--:|--:|--:|\n")
	totals := map[rule.Action]int{}
	for _, sev := range rule.Severities() {
		row, sum := counts[sev], 0
		b.WriteString("| " + sev.String())
		for _, a := range actions {
			fmt.Fprintf(&b, " | %d", row[a])
			sum += row[a]
			totals[a] += row[a]
		}
		fmt.Fprintf(&b, " | %d |\n", sum)
	}
	b.WriteString("| **Total**")
	for _, a := range actions {
		fmt.Fprintf(&b, " | **%d**", totals[a])
	}
	fmt.Fprintf(&b, " | **%d** |\n", len(findings))
	return b.String()
}

// markdownOrder lists new findings first, then by action and severity.
func markdownOrder(findings []rule.Finding, isNew map[string]bool) []int {
	order := actionOrder(findings)
	if len(isNew) == 0 {
		return order
	}
	var fresh, old []int
	for _, i := range order {
		if isNew[findings[i].Fingerprint] {
			fresh = append(fresh, i)
		} else {
			old = append(old, i)
		}
	}
	return append(fresh, old...)
}

func markdownRow(f *rule.Finding, isNew bool, rulesURL string) string {
	action := "**" + string(f.Action) + "**"
	if f.Action != rule.Block {
		action = string(f.Action)
	}
	if isNew {
		action += " `new`"
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", action, f.Severity, markdownRuleLink(f.ID, rulesURL),
		mdCode(position(f.Location), true), mdText(truncateRunes(f.Title+": "+f.Message, mdCellRunes)))
}

func markdownDetail(f *rule.Finding) string {
	var b strings.Builder
	b.WriteString("**" + mdText(f.ID) + "** " + mdCode(position(f.Location), false))
	if o := objectPath(f.Object); o != "" {
		b.WriteString(" " + mdCode(o, false))
	}
	b.WriteString("\n")
	if f.Location.FieldPath != "" {
		b.WriteString("- Field: " + mdCode(f.Location.FieldPath, false) + "\n")
	}
	if a := appPath(f.Origin); a != "" {
		b.WriteString("- App: " + mdCode(a, false) + "\n")
	}
	if len(f.Location.Chain) > 0 {
		b.WriteString("- Rendered from: " + mdCode(strings.Join(f.Location.Chain, " -> "), false) + "\n")
	}
	if f.Evidence != "" {
		b.WriteString("- Evidence: " + mdCode(truncateRunes(f.Evidence, mdCellRunes), false) + "\n")
	}
	if note := exceptionNote(f); note != "" {
		b.WriteString("- " + mdText(truncateRunes(strings.ToUpper(note[:1])+note[1:], 2*mdCellRunes)) + "\n")
	}
	if f.Remediation != "" {
		b.WriteString("- Remediation: " + mdText(truncateRunes(f.Remediation, 2*mdCellRunes)) + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// markdownErrors lists up to ten inputs that could not be read.
func markdownErrors(r *Report) string {
	if len(r.Errors) == 0 {
		return ""
	}
	var b strings.Builder
	n := len(r.Errors)
	fmt.Fprintf(&b, "\n<details><summary>%d %s could not be read</summary>\n\n", n, plural(n, "input", "inputs"))
	for i, e := range r.Errors {
		if i == 10 {
			fmt.Fprintf(&b, "- …and %d more\n", n-10)
			break
		}
		b.WriteString("- " + mdCode(position(rule.Location{File: e.File, Line: e.Line}), false) + " " +
			mdText(truncateRunes(e.Msg, mdCellRunes)) + "\n")
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func markdownRuleLink(id, rulesURL string) string {
	if !validAnchor(id) {
		return mdText(id)
	}
	return "[" + id + "](" + rulesURL + "#" + strings.ToLower(id) + ")"
}

// position is file:line:column, as far as it is known.
func position(l rule.Location) string {
	s := l.File
	if l.Line > 0 {
		s += fmt.Sprintf(":%d", l.Line)
		if l.Column > 0 {
			s += fmt.Sprintf(":%d", l.Column)
		}
	}
	return s
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`, "~", `\~`, "#", `\#`, "!", `\!`,
	"@", "@\u200b",
)

// mdText escapes text for Markdown on one line.
func mdText(s string) string { return mdEscaper.Replace(oneLine(s)) }

// mdCode puts s in a code span that its own backticks cannot close; in a
// table a pipe must still be escaped.
func mdCode(s string, inTable bool) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 {
		s = " " + s + " "
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return fence + s + fence
}

// oneLine folds every run of whitespace, newlines included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// truncateBytes cuts s to at most n bytes on a rune boundary.
func truncateBytes(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
