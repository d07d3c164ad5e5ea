package rbacrules

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

// Every escalation-path fixture states its expected shortest paths in its
// header: "# expect: <path>" (rbac.Path's one-line form, one per reported
// subject that matters) and "# not: <subject>" for identities that must not
// be reported on their own.
func TestEscalationPathScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/rbac-escalation-path/fail/*.yaml")
	if len(files) < 10 {
		t.Fatalf("want at least 10 multi-step path scenarios, have %d", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			expect, not := readExpectations(t, file)
			if len(expect) == 0 {
				t.Fatal("no # expect: line")
			}
			got := map[string]string{} // subject -> path
			for _, h := range New(DefaultConfig()).CheckSet(ruletest.Load(t, file)) {
				if h.Rule == escalationPath.Meta.ID {
					got[h.Key] = h.Evidence
				}
			}
			multi := false
			for _, want := range expect {
				from, _, _ := strings.Cut(want, " ")
				if got[from] != want {
					t.Errorf("path from %s:\n got  %s\n want %s", from, got[from], want)
				}
				multi = multi || strings.Count(want, "]->") >= 2
			}
			if !multi {
				t.Error("a scenario needs a path of two steps or more")
			}
			for _, s := range not {
				if p, ok := got[s]; ok {
					t.Errorf("%s reported on its own: %s", s, p)
				}
			}
		})
	}
}

func readExpectations(t *testing.T, file string) (expect, not []string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "# expect: "); ok {
			expect = append(expect, strings.TrimSpace(v))
		}
		if v, ok := strings.CutPrefix(line, "# not: "); ok {
			not = append(not, strings.TrimSpace(v))
		}
	}
	return expect, not
}
