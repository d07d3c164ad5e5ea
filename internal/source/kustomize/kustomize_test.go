package kustomize

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
	"github.com/bulwark-dev/bulwark/internal/source"
)

const repo = "testdata/repo"

func testOptions(t testing.TB) Options {
	t.Helper()
	root, err := filepath.Abs(repo)
	if err != nil {
		t.Fatal(err)
	}
	root, _ = filepath.EvalSymlinks(root)
	wd, _ := filepath.Abs(".")
	wd, _ = filepath.EvalSymlinks(wd)
	return Options{Root: root, Display: func(p string) string {
		abs, _ := filepath.Abs(p)
		if rel, err := filepath.Rel(wd, abs); err == nil {
			return filepath.ToSlash(rel)
		}
		return filepath.ToSlash(p)
	}}
}

func scan(t *testing.T, dir string, opts Options) (*Result, *engine.Result) {
	t.Helper()
	res, err := Build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	out, err := engine.New(reg, 2).ScanFiles(context.Background(), func(yield func(source.File)) error {
		for _, f := range res.Files {
			yield(f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, out
}

func at(res *engine.Result, id, name string) string {
	for _, f := range res.Findings {
		if f.ID == id && f.Object != nil && f.Object.Name == name {
			return fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)
		}
	}
	return "no finding"
}

// Findings of an overlay point at the file that set the field: the patch,
// the inline patch in the overlay, the generator literal in the base, the
// base itself; a component's patch fixes a finding of the base.
func TestOverlayFindingsPointAtTheirSource(t *testing.T) {
	res, out := scan(t, repo+"/overlays/prod", testOptions(t))
	for _, tc := range []struct{ id, name, want string }{
		{"BW-PS-001", "prod-web", repo + "/overlays/prod/debug-sidecar.yaml:11"},
		{"BW-PS-002", "prod-web", repo + "/overlays/prod/kustomization.yaml:18"},
		{"BW-SE-001", "prod-web-credentials-df5hm4c6m2", repo + "/base/kustomization.yaml:13"},
		{"BW-SC-003", "prod-web", "no finding"},
	} {
		if got := at(out, tc.id, tc.name); got != tc.want {
			t.Errorf("%s on %s: at %s, want %s", tc.id, tc.name, got, tc.want)
		}
	}
	var read []string
	for _, p := range res.Read {
		rel, _ := filepath.Rel(testOptions(t).Root, p)
		read = append(read, filepath.ToSlash(rel))
	}
	want := "base/deployment.yaml base/kustomization.yaml base/service.yaml components/hardening/kustomization.yaml overlays/prod/debug-sidecar.yaml overlays/prod/kustomization.yaml"
	if got := strings.Join(read, " "); got != want {
		t.Errorf("read %s\nwant %s", got, want)
	}
	for _, f := range out.Findings {
		if len(f.Location.Chain) == 0 || f.Location.Chain[0] != "kustomize "+repo+"/overlays/prod" {
			t.Errorf("%s: chain %v", f.ID, f.Location.Chain)
		}
		if f.Object != nil && f.Object.Namespace != "shop-prod" {
			t.Errorf("%s: namespace %q not applied", f.ID, f.Object.Namespace)
		}
	}
	for _, f := range res.Files {
		if strings.Contains(string(f.Data), "config.kubernetes.io/origin") {
			t.Errorf("%s: origin annotations left in the output", f.Path)
		}
	}
}

// helmCharts are inflated with the Helm SDK: a value from valuesInline points
// at the kustomization, a template line at the chart.
func TestHelmChartsInflated(t *testing.T) {
	_, out := scan(t, repo+"/overlays/dev", testOptions(t))
	for _, tc := range []struct{ id, name, want string }{
		{"BW-PS-017", "jobs-worker", repo + "/overlays/dev/kustomization.yaml:12"},
		{"BW-SC-003", "jobs-worker", repo + "/overlays/dev/charts/worker/templates/deployment.yaml:11"},
		{"BW-SC-003", "web", repo + "/base/deployment.yaml:16"},
	} {
		if got := at(out, tc.id, tc.name); got != tc.want {
			t.Errorf("%s on %s: at %s, want %s", tc.id, tc.name, got, tc.want)
		}
	}
}

// App edits (an Argo CD kustomize block, a Flux Kustomization) apply to the
// root kustomization; a directory without one is built as Flux builds it.
func TestEditsAndGeneratedKustomization(t *testing.T) {
	opts := testOptions(t)
	opts.Edits = map[string]any{"namePrefix": "blue-", "namespace": "canary",
		"images": []map[string]string{{"name": "ghcr.io/example/web", "newTag": "1.1.0"}}}
	opts.EditsFrom = "apps/web.yaml"
	res, out := scan(t, repo+"/base", opts)
	if got := at(out, "BW-SE-001", "blue-web-credentials-df5hm4c6m2"); got != repo+"/base/kustomization.yaml:13" {
		t.Errorf("edited build: secret at %s", got)
	}
	var all string
	for _, f := range res.Files {
		all += string(f.Data)
	}
	if !strings.Contains(all, "namespace: canary") || !strings.Contains(all, "image: ghcr.io/example/web:1.1.0") {
		t.Errorf("edits not applied:\n%s", all)
	}

	opts = testOptions(t)
	opts.Generate = true
	_, out = scan(t, repo+"/flux/apps/web", opts)
	if got := at(out, "BW-PS-001", "flux-web"); got != repo+"/flux/apps/web/deployment.yaml:16" {
		t.Errorf("generated build: privileged at %s", got)
	}
	if _, err := Build(context.Background(), repo+"/flux/apps/web", testOptions(t)); err == nil {
		t.Error("a directory without a kustomization built without Generate")
	}
}

func TestBuildRefusals(t *testing.T) {
	_, err := Build(context.Background(), repo+"/remote", testOptions(t))
	if err == nil || !strings.Contains(err.Error(), "not fetched") || !strings.Contains(err.Error(), "github.com/example/platform") {
		t.Errorf("remote base: %v", err)
	}

	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "stolen.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("resources: [stolen.yaml]\n"), 0o644)
	if err := os.Symlink(filepath.Join(outside, "stolen.yaml"), filepath.Join(dir, "stolen.yaml")); err != nil {
		t.Skip(err)
	}
	_, err = Build(context.Background(), dir, Options{Root: dir})
	if err == nil || !strings.Contains(err.Error(), "is not in or below") {
		t.Errorf("symlink out of the repository, kustomize's own restriction: %v", err)
	}
	_, err = Build(context.Background(), dir, Options{Root: dir, LoadRestrictions: types.LoadRestrictionsNone})
	if err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("symlink out of the repository, no load restriction: %v", err)
	}

	cycle := t.TempDir()
	os.MkdirAll(filepath.Join(cycle, "a"), 0o755)
	os.MkdirAll(filepath.Join(cycle, "b"), 0o755)
	os.WriteFile(filepath.Join(cycle, "a", "kustomization.yaml"), []byte("resources: [../b]\n"), 0o644)
	os.WriteFile(filepath.Join(cycle, "b", "kustomization.yaml"), []byte("resources: [../a]\n"), 0o644)
	_, err = Build(context.Background(), filepath.Join(cycle, "a"), Options{Root: cycle, LoadRestrictions: types.LoadRestrictionsNone})
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("bases in a cycle: %v", err)
	}

	os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("helmCharts:\n  - name: redis\n    repo: https://charts.example.com\n    version: 1.0.0\n"), 0o644)
	_, err = Build(context.Background(), dir, Options{Root: dir})
	if err == nil || !strings.Contains(err.Error(), "not fetched") {
		t.Errorf("remote chart: %v", err)
	}
}

func TestReferences(t *testing.T) {
	refs, err := References(repo + "/overlays/prod")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, filepath.Base(r))
	}
	if strings.Join(got, " ") != "base hardening" {
		t.Errorf("references %v", got)
	}
	for entry, remote := range map[string]bool{
		"../../base": false, "deployment.yaml": false, "https://example.com/x.yaml": true,
		"github.com/org/repo//deploy?ref=v1": true, "git@github.com:org/repo.git": true, "example.com/org/repo": true,
	} {
		if IsRemote(entry, repo+"/overlays/prod") != remote {
			t.Errorf("IsRemote(%q) = %v", entry, !remote)
		}
	}
	_ = rule.Input
}

// A generated Secret's keys point at the input a person edits: the
// literal in the kustomization, the line of the env file, the file read.
func TestGeneratorInputsPlaced(t *testing.T) {
	_, out := scan(t, repo+"/generators", testOptions(t))
	for _, tc := range []struct{ field, want string }{
		{"data.SMTP_PASSWORD", repo + "/generators/kustomization.yaml:7:9"},
		{"data.API_TOKEN", repo + "/generators/api.env:3:1"},
		{"data['db-password.txt']", repo + "/generators/db-password.txt:1:1"},
	} {
		got := "no finding"
		for _, f := range out.Findings {
			if f.ID == "BW-SE-001" && f.Location.FieldPath == tc.field {
				got = fmt.Sprintf("%s:%d:%d", f.Location.File, f.Location.Line, f.Location.Column)
			}
		}
		if got != tc.want {
			t.Errorf("%s: at %s, want %s", tc.field, got, tc.want)
		}
	}
}

// Values an inflated chart makes at install are not reported, unless the
// build replaces them with committed ones.
func TestInflatedChartGeneratedValues(t *testing.T) {
	_, out := scan(t, repo+"/inflated-secrets", testOptions(t))
	var got []string
	for _, f := range out.Findings {
		if f.Category == rule.Secrets {
			got = append(got, f.Location.FieldPath+" "+fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line))
		}
	}
	want := []string{"stringData.admin-password " + repo + "/inflated-secrets/kustomization.yaml:9"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("secrets %v, want %v", got, want)
	}
}
