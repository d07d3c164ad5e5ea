package gitops

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
	"github.com/bulwark-dev/bulwark/internal/source"
)

const repo = "testdata/repo"

// scanRepo plans and scans the test repository as `bulwark scan` does.
func scanRepo(t *testing.T, urls []string) (*source.Plan, *engine.Result) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(filepath.Join(repo, ConfigFile), data)
	if err != nil {
		t.Fatal(err)
	}
	return scanAt(t, repo, urls, cfg)
}

// scanAt plans and scans a repository at dir with a render configuration.
func scanAt(t *testing.T, dir string, urls []string, cfg *Config) (*source.Plan, *engine.Result) {
	t.Helper()
	root, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	root, _ = filepath.EvalSymlinks(root)
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	opts := source.Options{Root: root, Want: reg.WantsFile}
	inv, err := source.Discover(context.Background(), []string{root}, opts)
	if err != nil {
		t.Fatal(err)
	}
	plan := Plan(context.Background(), []string{root}, inv, Settings{Root: root, RepoURLs: urls, Config: cfg, Options: opts})
	res, err := engine.New(reg, 2).ScanFiles(context.Background(), func(yield func(source.File)) error {
		return plan.Walk(context.Background(), yield)
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan, res
}

func findings(res *engine.Result, id, name string) []rule.Finding {
	var out []rule.Finding
	for _, f := range res.Findings {
		if f.ID == id && f.Object != nil && f.Object.Name == name {
			out = append(out, f)
		}
	}
	return out
}

func where(fs []rule.Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line))
	}
	return strings.Join(s, " ")
}

// Apps are rendered as their agent would, with their settings, and every
// finding names the app (its origin, and first in the render chain) and
// the line to edit.
func TestAppsRenderedAsDeployed(t *testing.T) {
	plan, res := scanRepo(t, nil)
	origins := map[string]*rule.Origin{
		"argocd Application argocd/web-prod (apps/argocd/web.yaml)":           {App: "argocd/web-prod", Kind: "Application", File: "apps/argocd/web.yaml"},
		"argocd Application web-staging (apps/argocd/tenants.yaml)":           {App: "web-staging", Kind: "Application", File: "apps/argocd/tenants.yaml"},
		"argocd Application argocd/api-prod (apps/argocd/web.yaml)":           {App: "argocd/api-prod", Kind: "Application", File: "apps/argocd/web.yaml"},
		"flux Kustomization flux-system/apps (clusters/prod/flux.yaml)":       {App: "flux-system/apps", Kind: "Kustomization", File: "clusters/prod/flux.yaml"},
		"flux HelmRelease jobs/batch (clusters/prod/flux.yaml)":               {App: "jobs/batch", Kind: "HelmRelease", File: "clusters/prod/flux.yaml"},
		"argocd Application argocd/web-multi (apps/argocd/multi-source.yaml)": {App: "argocd/web-multi", Kind: "Application", File: "apps/argocd/multi-source.yaml"},
	}
	for _, tc := range []struct {
		id, name, want, app string
	}{
		// Argo CD helm: valuesObject in the Application, a values file, the template.
		{"BW-PS-017", "web-prod", "apps/argocd/web.yaml:16", "argocd Application argocd/web-prod (apps/argocd/web.yaml)"},
		{"BW-PS-002", "web-prod", "charts/web/values-prod.yaml:1", "argocd Application argocd/web-prod (apps/argocd/web.yaml)"},
		// ApplicationSet list generator, Go template: hostNetwork set false by a parameter.
		{"BW-PS-002", "web-staging", "", ""},
		{"BW-SC-003", "web-staging", "charts/web/templates/deployment.yaml:12", "argocd Application web-staging (apps/argocd/tenants.yaml)"},
		// Argo CD kustomize with a name prefix and the destination namespace; the overlay's patch.
		{"BW-PS-002", "prod-api", "overlays/prod/host-ipc.yaml:8", "argocd Application argocd/api-prod (apps/argocd/web.yaml)"},
		// Flux Kustomization of a plain directory, post-build substitution from a ConfigMap.
		{"BW-PS-001", "worker-prod", "flux/apps/worker.yaml:16", "flux Kustomization flux-system/apps (clusters/prod/flux.yaml)"},
		// Flux HelmRelease: valuesFrom a ConfigMap in the repository.
		{"BW-PS-002", "batch-report", "clusters/prod/flux.yaml:63", "flux HelmRelease jobs/batch (clusters/prod/flux.yaml)"},
		// Multi-source Application: a values file from the $values ref source.
		{"BW-PS-001", "web-multi", "env/web-values.yaml:3", "argocd Application argocd/web-multi (apps/argocd/multi-source.yaml)"},
		// Value sets of the render configuration: only prod runs with hostPID.
		{"BW-PS-002", "cron-report", "charts/cron/values-prod.yaml:1", ""},
	} {
		got := findings(res, tc.id, tc.name)
		if w := where(got); w != tc.want {
			t.Errorf("%s on %s: at %q, want %q", tc.id, tc.name, w, tc.want)
			continue
		}
		if tc.app != "" && got[0].Location.Chain[0] != tc.app {
			t.Errorf("%s on %s: chain %v, want first %q", tc.id, tc.name, got[0].Location.Chain, tc.app)
		}
		if len(got) > 0 && !reflect.DeepEqual(got[0].Origin, origins[tc.app]) {
			t.Errorf("%s on %s: origin %+v, want %+v", tc.id, tc.name, got[0].Origin, origins[tc.app])
		}
	}
	// Every finding of an app's render has the app as its origin, and only
	// those do.
	for _, f := range res.Findings {
		var first, named string
		if len(f.Location.Chain) > 0 {
			first = f.Location.Chain[0]
		}
		if o := f.Origin; o != nil {
			tool := map[string]string{"Application": "argocd", "Kustomization": "flux", "HelmRelease": "flux"}[o.Kind]
			named = tool + " " + o.Kind + " " + o.App + " (" + o.File + ")"
		}
		fromApp := strings.HasPrefix(first, "argocd ") || strings.HasPrefix(first, "flux ")
		if fromApp && named != first || !fromApp && f.Origin != nil {
			t.Errorf("%s at %s:%d, chain %v: origin %+v", f.ID, f.Location.File, f.Location.Line, f.Location.Chain, f.Origin)
		}
	}
	for name, ns := range map[string]string{"prod-api": "api", "worker-prod": "payments", "web-prod": "shop", "batch-report": "jobs"} {
		if fs := findings(res, "BW-SC-003", name); len(fs) != 1 || fs[0].Object.Namespace != ns {
			t.Errorf("%s: %d findings, namespace %v, want one in %s", name, len(fs), fs, ns)
		}
	}
	if n := len(findings(res, "BW-SC-003", "cron-report")); n != 2 {
		t.Errorf("cron chart: %d findings for two value sets", n)
	}
	// Nothing rendered is also read as plain manifests, and nothing an app
	// renders is rendered again on its own.
	for _, f := range res.Findings {
		file := f.Location.File
		plain := len(f.Location.Chain) == 0
		if plain && (strings.HasPrefix(file, "overlays/") || strings.HasPrefix(file, "charts/") || strings.HasPrefix(file, "flux/apps/") || file == "tenants/team-a/namespace.yaml") {
			t.Errorf("%s at %s:%d read as a plain file too", f.ID, file, f.Location.Line)
		}
		if !plain && strings.HasPrefix(f.Location.Chain[0], "helm chart charts/web") {
			t.Errorf("%s: charts/web rendered on its own though apps render it", f.ID)
		}
	}
	var explain bytes.Buffer
	plan.Explain(&explain)
	for _, want := range []string{
		"argocd Application argocd/grafana: source https://grafana.github.io/helm-charts chart grafana is outside this repository; not scanned",
		"charts/batch: rendered by flux HelmRelease jobs/batch",
		"overlays/prod: rendered by argocd Application argocd/api-prod",
		"argocd Application tenant-team-a: directory",
		"helm template, release cron in jobs, value set prod",
		"argocd Application argocd/web-multi: source https://charts.example.com chart redis is outside this repository; not scanned",
	} {
		if !strings.Contains(explain.String(), want) {
			t.Errorf("explain lacks %q:\n%s", want, explain.String())
		}
	}
	if strings.Contains(explain.String(), "tenant-team-b") {
		t.Error("the excluded directory generated an app")
	}
}

// Sources are followed only when they are this repository: a remote of the
// checkout, or a name the configuration gives.
func TestSourcesOutsideTheRepository(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"https://git.example.com/platform/fleet.git", "git@git.example.com:platform/fleet"},
		{"ssh://git@git.example.com/platform/fleet", "https://user:token@git.example.com/platform/fleet/"},
		{"https://GIT.example.com:443/platform/fleet.git", "git.example.com/platform/fleet"},
	} {
		if normalizeURL(tc.a) != normalizeURL(tc.b) {
			t.Errorf("%s and %s differ: %s, %s", tc.a, tc.b, normalizeURL(tc.a), normalizeURL(tc.b))
		}
	}
	if normalizeURL("https://git.example.com/platform/fleet") == normalizeURL("https://git.example.com/platform/fleet-other") {
		t.Error("different repositories match")
	}
	p := &planner{s: Settings{RepoURLs: []string{"git@github.com:acme/gitops.git"}}}
	if !p.inRepo("https://github.com/acme/gitops") || p.inRepo("https://github.com/acme/other") {
		t.Error("inRepo")
	}
}

func TestSubstitute(t *testing.T) {
	in := "a: ${x}\nb: ${y:=d}\nc: ${z:-e}\nd: ${empty:-f}\ne: ${empty-g}\nf: $x\n---\nmetadata:\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ng: ${x}\n"
	got := string(substitute([]byte(in), map[string]string{"x": "1", "empty": ""}))
	want := "a: 1\nb: d\nc: e\nd: f\ne: \nf: $x\n---\nmetadata:\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ng: ${x}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseImage(t *testing.T) {
	for in, want := range map[string]string{
		"nginx:1.27":                        "map[name:nginx newTag:1.27]",
		"ghcr.io/a/b=ghcr.io/a/c:2":         "map[name:ghcr.io/a/b newName:ghcr.io/a/c newTag:2]",
		"registry:5000/app@sha256:abc":      "map[digest:sha256:abc name:registry:5000/app]",
		"registry:5000/app=registry:5000/x": "map[name:registry:5000/app newName:registry:5000/x]",
	} {
		if got := fmt.Sprint(parseImage(in)); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// ConfigMaps are read for Flux Kustomizations' post-build substitution even
// where no HelmRelease needs them for values.
func TestConfigMapsForSubstitution(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "ks.yaml")
	cm := filepath.Join(dir, "vars.yaml")
	os.WriteFile(app, []byte("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a, namespace: flux-system}\nspec: {path: ./x}\n"), 0o644)
	os.WriteFile(cm, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, namespace: flux-system}\ndata: {a: b}\n"), 0o644)
	d := readDefinitions([]string{app}, []string{cm}, func(p string) string { return p }, 0)
	if len(d.configMaps) != 1 {
		t.Errorf("%d ConfigMaps read", len(d.configMaps))
	}
}

// A render that fails is reported as input that could not be read, with the
// app whose render it is as its origin.
func TestFailedRenderNamesTheApp(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(`apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: gone, namespace: argocd}
spec:
  source: {repoURL: https://git.example.com/platform/fleet.git, path: apps/gone}
  destination: {namespace: gone}
`), 0o644)
	_, res := scanAt(t, dir, []string{"https://git.example.com/platform/fleet.git"}, nil)
	var got []rule.Finding
	for _, f := range res.Findings {
		if f.ID == rule.UnreadableInput.ID {
			got = append(got, f)
		}
	}
	want := &rule.Origin{App: "argocd/gone", Kind: "Application", File: "app.yaml"}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Origin, want) {
		t.Fatalf("input findings %+v, want one with origin %+v", got, want)
	}
}

// Each secret is reported once, at the line a person edits: a
// secretGenerator literal by the kustomization check, a values key by the
// values check, not again as the Secret they render into; a value the chart
// generates at install is not reported at all.
func TestSecretsReportedOnce(t *testing.T) {
	_, res := scanAt(t, "testdata/secrets", nil, nil)
	var got []string
	for _, f := range res.Findings {
		if f.Category == rule.Secrets {
			got = append(got, fmt.Sprintf("%s %s:%d %s", f.ID, f.Location.File, f.Location.Line, f.Location.FieldPath))
		}
	}
	want := []string{
		"BW-SE-008 charts/db/values.yaml:3 ",
		"BW-SE-010 overlays/mail/kustomization.yaml:8 ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("secrets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
