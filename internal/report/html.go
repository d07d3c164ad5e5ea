package report

import (
	"bufio"
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// A self-contained HTML report: one file with inline CSS, inline SVG charts
// and a little inline script, and no external asset, so it can be archived
// as a CI artifact and opened offline. It shows the verdict and counts,
// bar charts of findings by family (category) and by severity, and a table
// that a text filter and severity, category and action selects narrow and
// that sorts by any column header. Without script the table is still all
// there, in the writer's order: blocking first, then by severity.
//
// Every string from a finding goes through html/template, which escapes it
// for its context (text, attribute, URL). The output has no timestamps and
// only ordered iteration, so the same report gives the same bytes.

// HTMLOptions shape the HTML report.
type HTMLOptions struct {
	// Title heads the page; "Bulwark report" when empty.
	Title string
	// RulesURL is the rules reference that rule IDs link to, with the
	// lowercased ID as anchor; DefaultRulesURL when empty.
	RulesURL string
}

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"chartHeight": func(bars []htmlBar) int { return len(bars) * 24 },
}).Parse(htmlSource))

type htmlView struct {
	Title      string
	Tool       Tool
	Verdict    string
	Summary    Summary
	Block      int
	Warn       int
	Ignored    int
	ByCategory []htmlBar
	BySeverity []htmlBar
	Categories []string
	Severities []string
	Actions    []string
	Findings   []htmlFinding
	Errors     []manifest.Error
}

// htmlBar is one bar of a chart; Width is in SVG units.
type htmlBar struct {
	Label string
	Count int
	Width int
	Y     int
	TextY int
	Class string
}

type htmlFinding struct {
	Order       int
	Action      string
	ActionRank  int
	Severity    string
	SevRank     int
	Category    string
	ID          string
	RuleURL     string
	Title       string
	Message     string
	Object      string
	Position    string
	FieldPath   string
	App         string
	Chain       string
	Evidence    string
	Remediation string
	Exception   string
}

// htmlBarMax is the width of the longest bar.
const htmlBarMax = 240

// WriteHTML writes the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report, opts HTMLOptions) error {
	v := htmlView{Title: opts.Title, Tool: r.Tool, Verdict: string(r.Summary.Verdict), Summary: r.Summary, Errors: r.Errors}
	if v.Title == "" {
		v.Title = "Bulwark report"
	}
	if v.Verdict == "" {
		v.Verdict = "pass"
	}
	rulesURL := opts.RulesURL
	if rulesURL == "" {
		rulesURL = DefaultRulesURL
	}
	bySev := map[string]int{}
	byCat := map[string]int{}
	for _, f := range r.Findings {
		bySev[f.Severity.String()]++
		byCat[string(f.Category)]++
		switch f.Action {
		case rule.Block:
			v.Block++
		case rule.Warn:
			v.Warn++
		case rule.Ignored:
			v.Ignored++
		}
	}
	for _, s := range rule.Severities() {
		v.Severities = append(v.Severities, s.String())
		v.BySeverity = append(v.BySeverity, htmlBar{Label: s.String(), Count: bySev[s.String()], Class: "sev-" + s.String()})
	}
	present := map[string]bool{}
	for c := range byCat {
		present[c] = true
	}
	v.Categories = categoryOrder(present)
	for _, c := range v.Categories {
		v.ByCategory = append(v.ByCategory, htmlBar{Label: c, Count: byCat[c], Class: "cat"})
	}
	scaleBars(v.BySeverity)
	scaleBars(v.ByCategory)
	v.Actions = []string{string(rule.Block), string(rule.Warn), string(rule.Ignored)}
	for n, i := range actionOrder(r.Findings) {
		f := &r.Findings[i]
		hf := htmlFinding{
			Order: n, Action: string(f.Action), ActionRank: actionRank(f.Action),
			Severity: f.Severity.String(), SevRank: int(rule.Critical - f.Severity),
			Category: string(f.Category), ID: f.ID, Title: f.Title, Message: f.Message,
			Object: objectPath(f.Object), Position: position(f.Location), FieldPath: f.Location.FieldPath, App: appPath(f.Origin),
			Chain: strings.Join(f.Location.Chain, " → "), Evidence: f.Evidence, Remediation: f.Remediation,
			Exception: exceptionNote(f),
		}
		if validAnchor(f.ID) {
			hf.RuleURL = rulesURL + "#" + strings.ToLower(f.ID)
		}
		v.Findings = append(v.Findings, hf)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := htmlTemplate.Execute(bw, v); err != nil {
		return err
	}
	return bw.Flush()
}

// scaleBars sets widths relative to the largest count, and vertical places.
func scaleBars(bars []htmlBar) {
	most := 0
	for _, b := range bars {
		most = max(most, b.Count)
	}
	for i := range bars {
		if most > 0 {
			bars[i].Width = bars[i].Count * htmlBarMax / most
			if bars[i].Count > 0 && bars[i].Width < 2 {
				bars[i].Width = 2
			}
		}
		bars[i].Y = i * 24
		bars[i].TextY = i*24 + 15
	}
}

// validAnchor reports whether id can be used as a link anchor as it is.
func validAnchor(id string) bool {
	if id == "" {
		return false
	}
	for _, c := range id {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
