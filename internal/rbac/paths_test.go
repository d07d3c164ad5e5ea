package rbac

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// Each testdata/paths/<scenario>.yaml has <scenario>.expected.yaml beside
// it: the query (from, to), the expected shortest path with the evidence
// of every step, and identities that must not be reachable at all.

type expectedStep struct {
	Kind   string   `json:"kind"`
	To     string   `json:"to"`
	Grants []string `json:"grants"`
}

type expectedPath struct {
	From         string         `json:"from"`
	To           string         `json:"to"`
	Path         []expectedStep `json:"path"`
	NotReachable []string       `json:"notReachable,omitempty"`
}

func TestPathScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/paths/*.yaml")
	positive := 0
	for _, file := range files {
		if strings.HasSuffix(file, ".expected.yaml") {
			continue
		}
		expFile := strings.TrimSuffix(file, ".yaml") + ".expected.yaml"
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			raw, err := os.ReadFile(expFile)
			if err != nil {
				t.Fatalf("%v: every scenario needs an expected path", err)
			}
			var want expectedPath
			if err := yaml.UnmarshalStrict(raw, &want); err != nil {
				t.Fatal(err)
			}
			from, err := ParseSubject(want.From)
			if err != nil {
				t.Fatal(err)
			}
			to, err := ParseSubject(want.To)
			if err != nil {
				t.Fatal(err)
			}
			g := Build(loadInput(t, file))
			got := expectedPath{From: want.From, To: want.To, Path: []expectedStep{}, NotReachable: want.NotReachable}
			p, ok := g.PathTo(from, to)
			if ok {
				got.Path = render(p)
			}
			if *update {
				writeExpected(t, expFile, raw, got)
				return
			}
			if !reflect.DeepEqual(got.Path, want.Path) && !(len(got.Path) == 0 && len(want.Path) == 0) {
				out, _ := yaml.Marshal(got.Path)
				t.Errorf("path from %s to %s:\n%s\ngot:\n%s", want.From, want.To, p, out)
			}
			// Paths agrees with PathTo and is ordered shortest first.
			all := g.Paths(from)
			reached := map[string]Path{}
			for i, q := range all {
				reached[q.To.String()] = q
				if i > 0 && len(q.Steps) < len(all[i-1].Steps) {
					t.Errorf("Paths not shortest first: %s after %s", q, all[i-1])
				}
			}
			if q, found := reached[want.To]; ok != found || (found && len(q.Steps) != len(p.Steps)) {
				t.Errorf("Paths and PathTo disagree on %s: %v / %v", want.To, q, p)
			}
			for _, s := range want.NotReachable {
				target, err := ParseSubject(s)
				if err != nil {
					t.Fatal(err)
				}
				if q, ok := g.PathTo(from, target); ok {
					t.Errorf("%s must not be reachable, got %s", s, q)
				}
			}
		})
		if bytes.Contains(mustRead(t, expFile), []byte("kind:")) {
			positive++
		}
	}
	if positive < 10 {
		t.Errorf("only %d scenarios with an escalation path; want at least 10", positive)
	}
}

func render(p Path) []expectedStep {
	var out []expectedStep
	for _, s := range p.Steps {
		st := expectedStep{Kind: string(s.Kind), To: s.To.String()}
		for _, g := range s.Grants {
			st.Grants = append(st.Grants, grantString(g))
		}
		out = append(out, st)
	}
	return out
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeExpected(t *testing.T, path string, old []byte, got expectedPath) {
	t.Helper()
	var head []byte
	for _, line := range bytes.SplitAfter(old, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("#")) {
			break
		}
		head = append(head, line...)
	}
	out, err := yaml.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(head, out...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// An identity the manifests never mention still has its implicit groups.
func TestPathsFromUnknownServiceAccount(t *testing.T) {
	g := Build(loadInput(t, "testdata/paths/authenticated-cronjob-chain.yaml"))
	p, ok := g.PathTo(ServiceAccountSubject("elsewhere", "nobody"), ClusterAdmin)
	if !ok || len(p.Steps) != 3 || p.From != ServiceAccountSubject("elsewhere", "nobody") {
		t.Fatalf("path from an unknown ServiceAccount through system:authenticated: %v %v", p, ok)
	}
	if p.Steps[0].Grants[0].Via != Authenticated {
		t.Errorf("first step should be held through system:authenticated: %+v", p.Steps[0].Grants[0])
	}
}

func TestEntryPointsAndDeterminism(t *testing.T) {
	files, _ := filepath.Glob("testdata/paths/*[^d].yaml")
	in := loadInput(t, files...)
	g := Build(in)
	if ps := g.Problems(); len(ps) > 0 {
		t.Fatalf("scenarios must not clash when combined: %v", ps[0].Message)
	}
	entries := g.EntryPoints()
	if len(entries) < 20 || entries[len(entries)-3] != UserSubject(Anonymous) {
		t.Fatalf("entry points: %v", entries)
	}
	dump := func(g *Graph) string {
		var b strings.Builder
		for _, e := range g.EntryPoints() {
			for _, p := range g.Paths(e) {
				b.WriteString(p.String() + "\n")
			}
		}
		return b.String()
	}
	want := dump(g)
	// Reversing every input list must not change a single path.
	reverse(in.Roles)
	reverse(in.ClusterRoles)
	reverse(in.RoleBindings)
	reverse(in.ClusterRoleBindings)
	reverse(in.ServiceAccounts)
	reverse(in.Workloads)
	if got := dump(Build(in)); got != want {
		t.Errorf("paths depend on input order")
	}
	if !strings.Contains(want, "ServiceAccount:ci/runner -[create-pods]-> ServiceAccount:ci/deployer -[holds-cluster-admin]-> ClusterAdmin:cluster-admin") {
		t.Errorf("combined graph lost a scenario path:\n%s", want)
	}
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// A Graph is shared by the rules that read it; searches reuse scratch
// space, so check they do not trip over each other.
func TestConcurrentSearches(t *testing.T) {
	g := Build(generate(2000))
	entries := g.EntryPoints()
	want := make([]int, len(entries))
	for i, e := range entries {
		want[i] = len(g.Paths(e))
	}
	done := make(chan bool)
	for w := 0; w < 4; w++ {
		go func() {
			defer func() { done <- true }()
			for i, e := range entries {
				if got := len(g.Paths(e)); got != want[i] {
					t.Errorf("Paths(%s): %d paths, want %d", e, got, want[i])
					return
				}
				g.PathTo(e, ClusterAdmin)
			}
		}()
	}
	for w := 0; w < 4; w++ {
		<-done
	}
}
