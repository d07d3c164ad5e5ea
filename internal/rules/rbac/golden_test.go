package rbacrules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

var update = flag.Bool("update", false, "rewrite testdata/hits.golden")

// TestHitsGolden records every hit of every rule on every fixture, with
// its severity, line, field path and message, so that a change in what the
// rules say or where they point shows up in review. Regenerate with
// go test ./internal/rules/rbac -update and read the diff.
func TestHitsGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*/*.yaml")
	var b strings.Builder
	c := New(DefaultConfig())
	for _, f := range files {
		fmt.Fprintf(&b, "== %s\n", strings.TrimPrefix(f, "testdata/"))
		for _, h := range c.CheckSet(ruletest.Load(t, f)) {
			line := h.Line
			if h.Object != nil && line == 0 {
				pos, _ := h.Object.Pos(h.Path)
				line = pos.Line
			}
			fmt.Fprintf(&b, "%s %s %d %s: %s\n", h.Rule, h.Severity, line, h.Path, h.Message)
		}
	}
	got := b.String()
	const golden = "testdata/hits.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/rules/rbac -update)", err)
	}
	if string(want) != got {
		t.Errorf("hits differ from %s; run go test ./internal/rules/rbac -update and review the diff", golden)
	}
}
