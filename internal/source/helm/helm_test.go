package helm

import (
	"context"
	"fmt"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
	"github.com/bulwark-dev/bulwark/internal/source"
)

func testOptions(t testing.TB) Options {
	t.Helper()
	root, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	root, _ = filepath.EvalSymlinks(root)
	wd, _ := filepath.Abs(".")
	return Options{Root: root, Display: func(p string) string {
		abs, _ := filepath.Abs(p)
		rel, err := filepath.Rel(wd, abs)
		if err != nil {
			return filepath.ToSlash(p)
		}
		return filepath.ToSlash(rel)
	}}
}

func render(t *testing.T, chart string, rel Release) *Result {
	t.Helper()
	res, err := Render(context.Background(), chart, rel, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func scanFiles(t testing.TB, files ...source.File) *engine.Result {
	t.Helper()
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.New(reg, 2).ScanFiles(context.Background(), func(yield func(source.File)) error {
		for _, f := range files {
			yield(f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func findingOf(res *engine.Result, id, kind string) *rule.Finding {
	for i, f := range res.Findings {
		if f.ID == id && f.Object != nil && f.Object.Kind == kind {
			return &res.Findings[i]
		}
	}
	return nil
}

func at(f *rule.Finding) string {
	if f == nil {
		return "no finding"
	}
	return fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)
}

const app = "testdata/charts/app"

// Findings point at the line a person edits: the values file that set the
// value (the last layer that set it), else the template line.
func TestFindingsPointAtTheirSource(t *testing.T) {
	res := scanFiles(t, render(t, app, Release{Values: []Layer{FileLayer(app + "/values-prod.yaml")}}).Files...)
	for _, tc := range []struct{ id, kind, want string }{
		{"BW-PS-001", "Deployment", app + "/values-prod.yaml:3"},                          // privileged, via with + toYaml .
		{"BW-PS-013", "Deployment", app + "/values-prod.yaml:4"},                          // allowPrivilegeEscalation overrides values.yaml
		{"BW-PS-002", "Deployment", app + "/values-prod.yaml:5"},                          // hostNetwork: {{ .Values.hostNetwork }}
		{"BW-PS-017", "StatefulSet", app + "/charts/cache/values.yaml:5"},                 // runAsUser in the subchart's own values
		{"BW-PS-016", "StatefulSet", app + "/charts/cache/templates/statefulset.yaml:18"}, // absent field: the line that writes its parent
		{"BW-SC-003", "Deployment", app + "/templates/deployment.yaml:19"},                // absent pod field: the pod spec line
		{"BW-SE-001", "Secret", app + "/templates/secret.yaml:12"},                        // literal in the template
	} {
		if got := at(findingOf(res, tc.id, tc.kind)); got != tc.want {
			t.Errorf("%s on %s: at %s, want %s", tc.id, tc.kind, got, tc.want)
		}
	}
	f := findingOf(res, "BW-PS-001", "Deployment")
	if f == nil || len(f.Location.Chain) != 2 || !strings.Contains(f.Location.Chain[0], "values-prod.yaml") ||
		f.Location.Chain[1] != "template templates/deployment.yaml" {
		t.Errorf("render chain: %v", f)
	}
}

// With the chart's own values the subchart is off, the library chart's
// helper is used, lookup finds nothing, .Files are read and the
// capabilities select templates.
func TestChartFeatures(t *testing.T) {
	res := render(t, app, Release{Name: "shop", Namespace: "store", APIVersions: []string{"monitoring.coreos.com/v1"}})
	out := map[string]string{}
	for _, f := range res.Files {
		out[strings.TrimPrefix(f.Path, app+"/")] = string(f.Data)
	}
	var names []string
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	want := "templates/configmap.yaml templates/deployment.yaml templates/secret.yaml templates/service.yaml templates/servicemonitor.yaml"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("rendered %s, want %s (no NOTES, no disabled subchart)", got, want)
	}
	for file, wants := range map[string][]string{
		"templates/deployment.yaml": {"name: shop-app", "namespace: store", "team: shop", "replicas: 1"},
		"templates/configmap.yaml":  {"log.level=info"},
		"templates/secret.yaml":     {"password: Z2VuZXJhdGVkLWF0LWluc3RhbGw="},
		"templates/service.yaml":    {"kind: PodDisruptionBudget"},
	} {
		for _, w := range wants {
			if !strings.Contains(out[file], w) {
				t.Errorf("%s lacks %q:\n%s", file, w, out[file])
			}
		}
	}
	// --set and --set-string win over files; the chart requires >= 1.25.
	res = render(t, app, Release{KubeVersion: "1.29", Values: []Layer{
		FileLayer(app + "/values-prod.yaml"), {Kind: Set, Expr: "replicaCount=5"}, {Kind: SetString, Expr: "image.tag=5"},
	}})
	for _, f := range res.Files {
		if strings.HasSuffix(f.Path, "deployment.yaml") {
			if s := string(f.Data); !strings.Contains(s, "replicas: 5") || !strings.Contains(s, `app:5"`) {
				t.Errorf("--set not applied:\n%s", s)
			}
		}
	}
}

func TestRenderErrors(t *testing.T) {
	for _, tc := range []struct {
		chart string
		rel   Release
		want  string
	}{
		{"testdata/charts/library", Release{}, "library chart"},
		{"testdata/charts/missing-dep", Release{}, "dependencies missing from charts/: postgresql"},
		{"testdata/charts/broken", Release{}, "replicas is required"},
		{app, Release{KubeVersion: "1.22"}, "requires kubeVersion >=1.25.0-0"},
		{app, Release{Values: []Layer{{Kind: Set, Expr: "replicaCount=-1"}}}, "values.schema.json"},
		{app, Release{Values: []Layer{{Kind: Set, Expr: "image=null"}}}, "values.schema.json"},
		{app, Release{Values: []Layer{FileLayer("testdata/nope.yaml")}}, "values file"},
	} {
		_, err := Render(context.Background(), tc.chart, tc.rel, testOptions(t))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: error %v, want %q", tc.chart, tc.rel, err, tc.want)
		}
	}
	// A template error names the template file and line.
	_, err := Render(context.Background(), "testdata/charts/broken", Release{}, testOptions(t))
	if !strings.HasPrefix(err.Error(), "testdata/charts/broken/templates/deployment.yaml:6: ") {
		t.Errorf("template error not placed: %v", err)
	}
}

// A packaged chart renders like its directory; findings point at the
// archive, whose lines a person cannot edit, unless a values file set them.
func TestPackagedChart(t *testing.T) {
	ch, err := loader.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	archive, err := chartutil.Save(ch, dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Render(context.Background(), archive, Release{Values: []Layer{FileLayer(app + "/values-prod.yaml")}}, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	scan := scanFiles(t, res.Files...)
	if got := at(findingOf(scan, "BW-PS-001", "Deployment")); got != app+"/values-prod.yaml:3" {
		t.Errorf("privileged at %s", got)
	}
	if f := findingOf(scan, "BW-SE-001", "Secret"); f == nil || !strings.HasSuffix(f.Location.File, ".tgz") || f.Location.Line != 0 {
		t.Errorf("secret in the archive at %s", at(f))
	}
}

// Templates that generate keys or certificates are not rendered a second
// time to trace lines (it would double the cost of the whole scan); their
// findings are placed at the field's key in the template.
func TestCostlyTemplatesPlacedWithoutTracing(t *testing.T) {
	res := scanFiles(t, render(t, "testdata/charts/certs", Release{}).Files...)
	if got := at(findingOf(res, "BW-PS-002", "Deployment")); got != "testdata/charts/certs/templates/webhook.yaml:26" {
		t.Errorf("hostPID at %s", got)
	}
	defs := costlyDefines(mustLoad(t, "testdata/charts/certs"))
	if !defs["certs.ca"] || !costly(`caBundle: {{ include "certs.ca" . }}`, defs) || costly(`{{ include "other" . }}`, defs) {
		t.Errorf("costly defines: %v", defs)
	}
}

func mustLoad(t *testing.T, dir string) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// --set-file reads a file inside the repository into a value; files
// outside it are refused.
func TestSetFile(t *testing.T) {
	res := render(t, app, Release{Values: []Layer{{Kind: SetFile, Expr: "extraEnv[0].value=" + app + "/files/app.properties"}, {Kind: Set, Expr: "extraEnv[0].name=FILE"}}})
	found := false
	for _, f := range res.Files {
		if strings.HasSuffix(f.Path, "deployment.yaml") && strings.Contains(string(f.Data), `value: "log.level=info\ncache.ttl=60\n"`) {
			found = true
		}
	}
	if !found {
		t.Error("--set-file value not rendered")
	}
	_, err := Render(context.Background(), app, Release{Values: []Layer{{Kind: SetFile, Expr: "x=/etc/hostname"}}}, testOptions(t))
	if err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("--set-file outside the repository: %v", err)
	}
}
