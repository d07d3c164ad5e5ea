package helm

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// How a finding in rendered output is placed (best effort, in this order):
//
//  1. The rendered line is traced to the template line that produced it by
//     a second, marked render (instrument.go). Lines written by an action
//     (toYaml, include, range) belong to the action's line.
//  2. If that template line uses values (.Values.x, or "." inside
//     `with .Values.x`), the field's path is matched against the values the
//     line uses, longest suffix first (the field spec...securityContext.privileged
//     under `toYaml .Values.securityContext` is the values key
//     securityContext.privileged); a whole scalar must also have the rendered
//     value. The finding then points at the key in the values layer that set
//     it last: the chart's values.yaml, a -f file, or values inside an app
//     definition. Values set on the command line leave it on the template.
//  3. When the marked render differs from the plain one (a template whose
//     output depends on its own text), the finding points at the first
//     template line holding the field's last key, else the template's first
//     line.

// trace is shared by the locators of one release; the marked render runs
// once, on the first finding.
type trace struct {
	rel     *release
	outputs map[string]string
	once    sync.Once
	chart   *chart.Chart         // the processed chart with marked templates
	tpls    map[string]*template // by full name
	byID    []*template
	marks   map[string][][]mark // by output name, per output line
	costly  map[string]bool     // named templates that generate keys or certificates

	mu      sync.Mutex
	byChart map[string][]valueSource // sources, by full chart path

	again againRender // a second plain render, for generated values
}

type template struct {
	name     string // full name: web/templates/deployment.yaml
	chart    string // full chart path: web, web/charts/redis
	file     string // as reports show it
	editable bool
	lines    []string
	scope    []string
}

func (t *trace) load() {
	t.once.Do(func() {
		t.tpls = map[string]*template{}
		t.costly = costlyDefines(t.rel.ch)
		t.chart = t.mark(t.rel.ch)
		marked := map[string]string{}
		err := bounded(context.Background(), t.rel.opts.Timeout, func(ctx context.Context) error {
			var err error
			marked, err = t.rel.render(ctx, markedPass)
			return err
		})
		t.marks = map[string][][]mark{}
		if err != nil {
			return
		}
		for name, plain := range t.outputs {
			if m, ok := readMarks(plain, marked[name]); ok {
				t.marks[name] = m
			}
		}
	})
}

// mark copies a chart tree with every template instrumented.
func (t *trace) mark(ch *chart.Chart) *chart.Chart {
	c := &chart.Chart{Raw: ch.Raw, Metadata: ch.Metadata, Lock: ch.Lock, Values: ch.Values, Schema: ch.Schema, Files: ch.Files}
	full := ch.ChartFullPath()
	for _, f := range ch.Templates {
		if f == nil {
			continue
		}
		name := full + "/" + f.Name
		tr := instrument(string(f.Data), len(t.byID))
		file, editable := t.rel.fileOf(name)
		tp := &template{name: name, chart: full, file: file, editable: editable,
			lines: strings.Split(string(f.Data), "\n"), scope: tr.scope}
		t.byID = append(t.byID, tp)
		t.tpls[name] = tp
		text := tr.text
		if !strings.HasPrefix(path.Base(f.Name), "_") && costly(string(f.Data), t.costly) {
			// Generating keys twice costs more than the whole scan: this
			// template is placed without tracing (the fallback).
			text = ""
		}
		c.Templates = append(c.Templates, &chart.File{Name: f.Name, Data: []byte(text)})
	}
	var deps []*chart.Chart
	for _, d := range ch.Dependencies() {
		deps = append(deps, t.mark(d))
	}
	c.SetDependencies(deps...)
	return c
}

var (
	cryptoCall = regexp.MustCompile(`\b(genCA|genCAWithKey|genPrivateKey|genSelfSignedCert|genSelfSignedCertWithKey|genSignedCert|genSignedCertWithKey|buildCustomCert|derivePassword)\b`)
	defineRE   = regexp.MustCompile(`\{\{-?\s*define\s+"([^"]+)"`)
	includeRE  = regexp.MustCompile(`\b(?:include|template)\s+"([^"]+)"`)
)

// costlyDefines lists the named templates of a chart tree that generate
// keys or certificates, directly or through other named templates.
func costlyDefines(ch *chart.Chart) map[string]bool {
	bodies := map[string]string{}
	var collect func(c *chart.Chart)
	collect = func(c *chart.Chart) {
		for _, f := range c.Templates {
			if f == nil {
				continue
			}
			text := string(f.Data)
			locs := defineRE.FindAllStringSubmatchIndex(text, -1)
			for i, l := range locs {
				end := len(text)
				if i+1 < len(locs) {
					end = locs[i+1][0]
				}
				bodies[text[l[2]:l[3]]] += text[l[1]:end]
			}
		}
		for _, d := range c.Dependencies() {
			collect(d)
		}
	}
	collect(ch)
	out := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, body := range bodies {
			if !out[name] && costly(body, out) {
				out[name], changed = true, true
			}
		}
	}
	return out
}

// costly reports whether template text generates keys or certificates.
func costly(text string, defines map[string]bool) bool {
	if cryptoCall.MatchString(text) {
		return true
	}
	for _, m := range includeRE.FindAllStringSubmatch(text, -1) {
		if defines[m[1]] {
			return true
		}
	}
	return false
}

// locator places the objects of one template's output.
type locator struct {
	trace *trace
	name  string // template full name
	file  string // template file as reports show it
}

func (l *locator) Locate(o *manifest.Object, path string, pos manifest.Position) (manifest.Place, bool) {
	t := l.trace
	t.load()
	tp := t.tpls[l.name]
	if tp == nil {
		return manifest.Place{File: l.file}, true
	}
	marks := t.marks[l.name]
	if marks == nil || pos.Line < 1 || pos.Line > len(marks) || len(marks[pos.Line-1]) == 0 {
		return l.fallback(tp, path), true
	}
	ms := marks[pos.Line-1]
	if o != nil && path != "" {
		for _, m := range ms {
			if p, ok := t.valuePlace(t.byID[m.id], m.line, o, path); ok {
				return p, true
			}
		}
	}
	first := t.byID[ms[0].id]
	if !first.editable {
		return manifest.Place{File: first.file}, true
	}
	return manifest.Place{File: first.file, Line: ms[0].line, Column: keyColumn(first.line(ms[0].line), lastKey(path))}, true
}

// fallback places a field when lines could not be traced.
func (l *locator) fallback(tp *template, path string) manifest.Place {
	if !tp.editable {
		return manifest.Place{File: tp.file}
	}
	if key := lastKey(path); key != "" {
		re := regexp.MustCompile(`^\s*(?:-\s+)?` + regexp.QuoteMeta(key) + `\s*:`)
		for i, line := range tp.lines {
			if re.MatchString(line) {
				return manifest.Place{File: tp.file, Line: i + 1, Column: keyColumn(line, key)}
			}
		}
	}
	return manifest.Place{File: tp.file, Line: 1, Column: 1}
}

func (tp *template) line(n int) string {
	if n < 1 || n > len(tp.lines) {
		return ""
	}
	return tp.lines[n-1]
}

// valuePlace finds the values key a field came from, for a field the
// template line tl of tp wrote.
func (t *trace) valuePlace(tp *template, tl int, o *manifest.Object, path string) (manifest.Place, bool) {
	text := tp.line(tl)
	if !strings.Contains(text, "{{") {
		return manifest.Place{}, false
	}
	var refs [][]manifest.Segment
	for _, m := range valuesRef.FindAllStringSubmatch(text, -1) {
		refs = append(refs, manifest.SplitPath(strings.TrimPrefix(m[1], ".")))
	}
	if tl < len(tp.scope) && tp.scope[tl] != "" && dotUse.MatchString(actionsOf(text)) {
		refs = append(refs, manifest.SplitPath(tp.scope[tl]))
	}
	if len(refs) == 0 {
		return manifest.Place{}, false
	}
	field := manifest.SplitPath(path)
	var rendered *yaml.Node
	if n := o.Node(path); n != nil {
		rendered = n
	}
	for k := len(field); k >= 0; k-- {
		suffix := field[len(field)-k:]
		if k > 0 && suffix[0].Index >= 0 {
			continue // a values key, not a list position, starts the match
		}
		for _, ref := range refs {
			want := append(append([]manifest.Segment{}, ref...), suffix...)
			if p, ok := t.definedAt(tp.chart, want, rendered, k == 0, len(refs)); ok {
				return p, true
			}
		}
	}
	return manifest.Place{}, false
}

// definedAt finds the layer that set values path want last, for templates
// of chart (a full chart path), and the place of its key there.
func (t *trace) definedAt(chartPath string, want []manifest.Segment, rendered *yaml.Node, whole bool, refs int) (manifest.Place, bool) {
	sources := t.sources(chartPath)
	for i := len(sources) - 1; i >= 0; i-- {
		s := sources[i]
		full := append(append([]manifest.Segment{}, s.prefix...), want...)
		v, ok := lookup(s.values, full)
		if !ok {
			continue
		}
		if whole {
			// The template line wrote this value itself: it must be the
			// rendered scalar, and the line must use no other value.
			if refs != 1 || rendered == nil || rendered.Kind != yaml.ScalarNode || fmt.Sprint(v) != rendered.Value {
				return manifest.Place{}, false
			}
		}
		if s.tree == nil || s.display == "" {
			return manifest.Place{}, false // set on the command line, or inside an archive
		}
		key, val := find(s.tree, full)
		n := key
		if n == nil {
			n = val
		}
		if n == nil {
			return manifest.Place{}, false
		}
		return manifest.Place{File: s.display, Line: n.Line + s.dLine, Column: n.Column + s.dCol}, true
	}
	return manifest.Place{}, false
}

// valueSource is one layer of values as a chart sees it.
type valueSource struct {
	values  map[string]any
	tree    *yaml.Node
	display string
	dLine   int
	dCol    int
	prefix  []manifest.Segment // where this chart's values sit in the layer
}

// sources lists, lowest precedence first, where the values of a chart (a
// full chart path) come from: its own values.yaml, each parent's under the
// subchart's key, then the release's layers under that key.
func (t *trace) sources(chartPath string) []valueSource {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.byChart[chartPath]; ok {
		return s
	}
	if t.byChart == nil {
		t.byChart = map[string][]valueSource{}
	}
	s := t.chartSources(chartPath)
	t.byChart[chartPath] = s
	return s
}

func (t *trace) chartSources(chartPath string) []valueSource {
	names := strings.Split(chartPath, "/charts/")
	var out []valueSource
	// Charts from the deepest to the root: a parent's values override.
	ch := t.rel.ch
	chain := []*chart.Chart{ch}
	pl := t.rel.place
	places := []*place{pl}
	for _, n := range names[1:] {
		var next *chart.Chart
		for _, d := range ch.Dependencies() {
			if d.Name() == n {
				next = d
			}
		}
		if next == nil {
			break
		}
		ch = next
		chain = append(chain, ch)
		if pl != nil {
			pl = pl.subs[depName(chain[len(chain)-2], n)]
		}
		places = append(places, pl)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		var prefix []manifest.Segment
		for _, n := range names[i+1 : len(chain)] {
			prefix = append(prefix, manifest.Segment{Key: n, Index: -1})
		}
		// The file as written: chart.Values also holds what coalescing
		// merged in from subcharts.
		src := valueSource{values: map[string]any{}, prefix: prefix}
		for _, f := range chain[i].Raw {
			if f.Name != "values.yaml" {
				continue
			}
			_ = yamlUnmarshal(f.Data, &src.values)
			if p := places[i]; p != nil && p.dir != "" {
				var doc yaml.Node
				if yaml.Unmarshal(f.Data, &doc) == nil {
					src.tree = manifest.Resolve(&doc)
				}
				src.display = t.rel.opts.Display(filepath.Join(p.dir, "values.yaml"))
			}
		}
		out = append(out, src)
	}
	var prefix []manifest.Segment
	for _, n := range names[1:len(chain)] {
		prefix = append(prefix, manifest.Segment{Key: n, Index: -1})
	}
	for _, l := range t.rel.layers {
		out = append(out, valueSource{values: l.values, tree: l.tree, display: l.display, dLine: l.dLine, dCol: l.dCol, prefix: prefix})
	}
	return out
}

// actionsOf returns the text inside a line's actions.
func actionsOf(line string) string {
	var b strings.Builder
	for {
		i := strings.Index(line, "{{")
		if i < 0 {
			return b.String()
		}
		j := strings.Index(line[i:], "}}")
		if j < 0 {
			b.WriteString(line[i+2:])
			return b.String()
		}
		b.WriteString(strings.Trim(line[i+2:i+j], "- "))
		b.WriteByte(' ')
		line = line[i+j+2:]
	}
}

func lastKey(path string) string {
	segs := manifest.SplitPath(path)
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].Index < 0 {
			return segs[i].Key
		}
	}
	return ""
}

// keyColumn is the 1-based column of key on a template line, else of its
// first non-blank character.
func keyColumn(line, key string) int {
	if key != "" {
		if i := strings.Index(line, key+":"); i >= 0 {
			return i + 1
		}
	}
	for i, c := range line {
		if c != ' ' && c != '\t' && c != '-' {
			return i + 1
		}
	}
	return 1
}
