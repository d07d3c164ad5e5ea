package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// TableOptions shape the human-readable report.
type TableOptions struct {
	Color    bool          // ANSI colours, for terminals only
	Duration time.Duration // printed in the summary line when non-zero
}

var severityColor = map[rule.Severity]string{
	rule.Critical: "\x1b[1;35m", rule.High: "\x1b[1;31m", rule.Medium: "\x1b[33m",
	rule.Low: "\x1b[36m", rule.Info: "\x1b[2m",
}

// WriteTable writes findings grouped by file and object, then a summary line.
func WriteTable(w io.Writer, r *Report, opts TableOptions) error {
	p := &printer{w: w, color: opts.Color}
	var lastFile, lastObj string
	for _, f := range r.Findings {
		if f.Location.File != lastFile {
			if lastFile != "" {
				p.printf("\n")
			}
			p.printf("%s\n", p.paint("\x1b[1m", f.Location.File))
			lastFile, lastObj = f.Location.File, ""
		}
		obj := objectLabel(f.Object)
		if a := appPath(f.Origin); a != "" {
			obj = strings.TrimPrefix(obj+", deployed by "+a, ", ")
		}
		if obj != lastObj && obj != "" {
			p.printf("  %s\n", p.paint("\x1b[1m", obj))
		}
		lastObj = obj
		pos := fmt.Sprintf("%d:%d", f.Location.Line, f.Location.Column)
		if f.Location.Column == 0 {
			pos = fmt.Sprintf("%d", f.Location.Line)
		}
		sev := strings.ToUpper(f.Severity.String())
		p.printf("    %-8s %s %-7s %-10s %s\n", pos, p.paint(severityColor[f.Severity], fmt.Sprintf("%-8s", sev)),
			strings.ToUpper(string(f.Action)), f.ID, f.Title)
		p.printf("    %-8s %s\n", "", f.Message)
		if f.Location.FieldPath != "" {
			p.printf("    %-8s %s\n", "", p.paint("\x1b[2m", f.Location.FieldPath))
		}
		if f.Evidence != "" {
			p.printf("    %-8s evidence: %s\n", "", f.Evidence)
		}
		if f.Exception != nil && f.Action == rule.Ignored {
			p.printf("    %-8s ignored: %s (%s)\n", "", f.Exception.Reason, f.Exception.Source)
		}
	}
	if len(r.Findings) > 0 {
		p.printf("\n")
	}
	s := r.Summary
	var sevs []string
	for _, sev := range rule.Severities() {
		sevs = append(sevs, fmt.Sprintf("%s %d", sev, s.BySeverity[sev.String()]))
	}
	line := fmt.Sprintf("%d findings (block %d, warn %d, ignored %d; %s) in %d files, %d objects",
		s.Findings, s.ByAction[string(rule.Block)], s.ByAction[string(rule.Warn)], s.ByAction[string(rule.Ignored)],
		strings.Join(sevs, ", "), s.Files, s.Objects)
	if opts.Duration > 0 {
		line += fmt.Sprintf(" in %s", opts.Duration.Round(time.Millisecond))
	}
	p.printf("%s. Verdict: %s\n", line, p.paint(verdictColor(string(s.Verdict)), strings.ToUpper(string(s.Verdict))))
	return p.err
}

func verdictColor(v string) string {
	switch v {
	case "block":
		return "\x1b[1;31m"
	case "warn":
		return "\x1b[1;33m"
	}
	return "\x1b[1;32m"
}

func objectLabel(o *rule.ObjectRef) string {
	if o == nil {
		return ""
	}
	s := o.Kind + " " + o.Name
	if o.Namespace != "" {
		s += " (namespace " + o.Namespace + ")"
	}
	return s
}

// printer remembers the first write error so callers check once.
type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return code + s + "\x1b[0m"
}
