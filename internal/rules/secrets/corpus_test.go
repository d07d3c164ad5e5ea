package secrets

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/source"
)

var (
	corpusReport = flag.Bool("corpus-report", false, "print the corpus precision and recall as a Markdown table")
	corpusOut    = flag.String("corpus-out", "", "also write the expanded corpus and its labels (labels.json) here, to score other tools")
)

// labelMarker ends every line of a positive corpus file where a secret
// must be reported; JSON files and key files, which have no comments, list
// those lines in a <file>.labels sidecar instead. A label on a YAML key
// also covers the lines of its block (a private key under tls.key: |).
const labelMarker = "# <-secret"

// formStats is the score of one form of the corpus.
type formStats struct {
	files, labels, found, tp, fp int
	missed, extra                []string
}

// TestCorpus scans the labelled corpus (testdata/corpus) end to end, as
// `bulwark secrets` does, and holds it to full recall on the positive forms
// and no false positive anywhere. Run with -corpus-report to print the
// table that docs/benchmarks.md shows.
func TestCorpus(t *testing.T) {
	dir := t.TempDir()
	if *corpusOut != "" {
		dir, _ = filepath.Abs(*corpusOut)
	}
	labels := copyCorpus(t, filepath.Join("testdata", "corpus"), dir)
	if *corpusOut != "" {
		out := map[string][]int{}
		for f, lines := range labels {
			for l, label := range lines {
				if l == label {
					out[f] = append(out[f], l)
				}
			}
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "labels.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg, err := rule.NewRegistry(ObjectChecks(), SetChecks(), FileChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	res, err := engine.New(reg, 0).Scan(context.Background(), []string{"positive", "negative"}, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stats := map[string]*formStats{}
	form := func(file string) string {
		parts := strings.SplitN(file, "/", 3)
		if len(parts) < 3 {
			return file
		}
		return parts[0] + "/" + parts[1]
	}
	for f, lines := range labels {
		s := stat(stats, form(f))
		for line, label := range lines {
			if line == label {
				s.labels++
			}
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(dir, p); err == nil && !d.IsDir() && strings.Count(filepath.ToSlash(rel), "/") >= 2 {
			stat(stats, form(filepath.ToSlash(rel))).files++
		}
		return nil
	})
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if f.Category != rule.Secrets {
			t.Errorf("%s:%d: %s %s", f.Location.File, f.Location.Line, f.ID, f.Message)
			continue
		}
		s := stat(stats, form(f.Location.File))
		at := fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)
		if label, ok := labels[f.Location.File][f.Location.Line]; ok {
			s.tp++
			if at := fmt.Sprintf("%s:%d", f.Location.File, label); !seen[at] {
				seen[at] = true
				s.found++
			}
			continue
		}
		s.fp++
		s.extra = append(s.extra, fmt.Sprintf("%s %s (%s)", at, f.ID, f.Message))
	}
	for file, lines := range labels {
		for l, label := range lines {
			if at := fmt.Sprintf("%s:%d", file, l); l == label && !seen[at] {
				s := stat(stats, form(file))
				s.missed = append(s.missed, at)
			}
		}
	}
	forms := make([]string, 0, len(stats))
	for f := range stats {
		forms = append(forms, f)
	}
	sort.Strings(forms)
	var table strings.Builder
	table.WriteString("| form | files | secrets | found | recall | findings | false positives | precision |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	var total formStats
	for _, name := range forms {
		s := stats[name]
		total.files += s.files
		total.labels += s.labels
		total.found += s.found
		total.tp += s.tp
		total.fp += s.fp
		fmt.Fprintf(&table, "| %s | %d | %d | %d | %s | %d | %d | %s |\n", name, s.files, s.labels, s.found, ratio(s.found, s.labels),
			s.tp+s.fp, s.fp, ratio(s.tp, s.tp+s.fp))
		for _, m := range s.missed {
			t.Errorf("missed: %s", m)
		}
		for _, x := range s.extra {
			t.Errorf("false positive: %s", x)
		}
	}
	fmt.Fprintf(&table, "| **all** | %d | %d | %d | %s | %d | %d | %s |\n", total.files, total.labels, total.found, ratio(total.found, total.labels),
		total.tp+total.fp, total.fp, ratio(total.tp, total.tp+total.fp))
	if *corpusReport {
		fmt.Print(table.String())
	}
	if total.labels < 100 {
		t.Errorf("the corpus has %d labelled secrets; it should keep at least 100", total.labels)
	}
}

func stat(m map[string]*formStats, form string) *formStats {
	s := m[form]
	if s == nil {
		s = &formStats{}
		m[form] = s
	}
	return s
}

func ratio(a, b int) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// copyCorpus writes the corpus into dir with fake values expanded, and
// returns the labelled lines of each file, by slash path relative to dir.
func copyCorpus(t *testing.T, from, dir string) map[string]map[int]int {
	t.Helper()
	labels := map[string]map[int]int{}
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if name, ok := strings.CutSuffix(rel, ".labels"); ok {
			for _, f := range strings.Fields(string(data)) {
				n, _ := strconv.Atoi(f)
				addLabel(labels, name, n)
			}
			return nil
		}
		if !bytes.Contains(data, []byte{0}) {
			data = []byte(encode(expand(t, rel, string(data))))
			var lines []string
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			for i, line := range lines {
				if !strings.Contains(line, labelMarker) {
					continue
				}
				addLabel(labels, rel, i+1)
				indent := len(line) - len(strings.TrimLeft(line, " "))
				for j := i + 1; j < len(lines); j++ {
					l := lines[j]
					if strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) <= indent {
						break
					}
					if _, ok := labels[rel][j+1]; !ok {
						labels[rel][j+1] = i + 1
					}
				}
			}
		}
		out := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range labels {
		if strings.HasPrefix(f, "negative/") {
			t.Errorf("%s: a negative file has labels", f)
		}
	}
	return labels
}

// encMacro base64-encodes its text (after fake values are expanded, with
// \n for line breaks): <<enc:ghp_<<alnum:36>>:enc>> is a token as Secret
// data holds it.
var encMacro = regexp.MustCompile(`<<enc:(.*?):enc>>`)

func encode(text string) string {
	return encMacro.ReplaceAllStringFunc(text, func(m string) string {
		inner := encMacro.FindStringSubmatch(m)[1]
		return base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(inner, `\n`, "\n")))
	})
}

func addLabel(labels map[string]map[int]int, file string, line int) {
	if labels[file] == nil {
		labels[file] = map[int]int{}
	}
	labels[file][line] = line
}
