package rbac

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected files under testdata")

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func ruleString(r *Rule) string {
	var parts []string
	for _, f := range []struct {
		name string
		list []string
	}{{"verbs", r.Verbs}, {"groups", r.APIGroups}, {"resources", r.Resources}, {"names", r.ResourceNames}, {"urls", r.NonResourceURLs}} {
		if len(f.list) > 0 {
			parts = append(parts, fmt.Sprintf("%s=%q", f.name, f.list))
		}
	}
	s := strings.Join(parts, " ") + fmt.Sprintf(" from %s[%d]", r.Origin, r.Index)
	for _, th := range r.Through {
		s += " via " + th.String()
	}
	return s
}

func TestAggregation(t *testing.T) {
	files, _ := filepath.Glob("testdata/aggregate/*.yaml")
	n := 0
	for _, file := range files {
		if strings.HasSuffix(file, ".expected.yaml") {
			continue
		}
		n++
		t.Run(filepath.Base(file), func(t *testing.T) {
			in := loadInput(t, file)
			in.OmitBuiltins = !strings.HasPrefix(filepath.Base(file), "builtin-")
			g := Build(in)
			var b strings.Builder
			for _, r := range g.Roles() {
				if r.Aggregation == nil {
					continue
				}
				fmt.Fprintf(&b, "%s:\n", r.Name)
				for _, rule := range r.Rules {
					fmt.Fprintf(&b, "- %s\n", ruleString(rule))
				}
			}
			if ps := g.Problems(); len(ps) > 0 {
				b.WriteString("problems:\n")
				for _, p := range ps {
					fmt.Fprintf(&b, "- %s: %s (%v)\n", p.Kind, p.Message, p.Source)
				}
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".expected.yaml", b.String())
		})
	}
	if n < 4 {
		t.Fatalf("only %d aggregation fixtures", n)
	}
}

// Aggregation is deterministic: the same input in another order gives the
// same rules in the same order.
func TestAggregationDeterministic(t *testing.T) {
	in := loadInput(t, "testdata/aggregate/selectors.yaml", "testdata/aggregate/cycle.yaml")
	in.OmitBuiltins = true
	render := func(g *Graph) string {
		var b strings.Builder
		for _, r := range g.Roles() {
			for _, rule := range r.Rules {
				b.WriteString(r.Name + " " + ruleString(rule) + "\n")
			}
		}
		return b.String()
	}
	want := render(Build(in))
	for i, j := 0, len(in.ClusterRoles)-1; i < j; i, j = i+1, j-1 {
		in.ClusterRoles[i], in.ClusterRoles[j] = in.ClusterRoles[j], in.ClusterRoles[i]
	}
	if got := render(Build(in)); got != want {
		t.Errorf("order-dependent aggregation:\n%s\nvs\n%s", want, got)
	}
}
