package helm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/getter"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// helmTemplate is `helm template` through the SDK's install action, dry-run
// and client-only, as the helm command runs it.
func helmTemplate(t *testing.T, chartDir string, rel Release, valueFiles, set, setString []string) string {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	opts := values.Options{ValueFiles: valueFiles, Values: set, StringValues: setString}
	vals, err := opts.MergeValues(getter.Providers{})
	if err != nil {
		t.Fatal(err)
	}
	inst := action.NewInstall(&action.Configuration{})
	// CRDs are plain files of the chart: the scan reads them as they are.
	inst.DryRun, inst.ClientOnly, inst.Replace = true, true, true
	inst.ReleaseName, inst.Namespace = rel.Name, rel.Namespace
	kv, err := chartutil.ParseKubeVersion("v" + rel.KubeVersion + ".0")
	if err != nil {
		t.Fatal(err)
	}
	inst.KubeVersion = kv
	inst.APIVersions = rel.APIVersions
	r, err := inst.Run(ch, vals)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(r.Manifest)
	for _, h := range r.Hooks {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	return b.String()
}

// identities lists findings on objects by what they are about, ignoring
// where they point: rule, object and field. Findings of file checks are
// left out: they read the chart's files on disk, not rendered output.
func identities(res *engine.Result) []string {
	var out []string
	for _, f := range res.Findings {
		if f.Object == nil {
			continue
		}
		id := f.ID + " " + f.Location.FieldPath
		if o := f.Object; o != nil {
			id += " " + o.Kind + "/" + o.Namespace + "/" + o.Name
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// The findings of a rendered chart are those of `helm template` output
// scanned as plain YAML: rendering changes where findings point, not what
// is found.
func TestSameFindingsAsHelmTemplate(t *testing.T) {
	for _, tc := range []struct {
		name              string
		files, set, sets_ []string
		apis              []string
	}{
		{name: "chart values"},
		{name: "prod values", files: []string{app + "/values-prod.yaml"}},
		{name: "prod values and --set", files: []string{app + "/values-prod.yaml"}, set: []string{"cache.enabled=false", "hostNetwork=false"},
			sets_: []string{"image.tag=2.5"}, apis: []string{"monitoring.coreos.com/v1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel := Release{Name: "shop", Namespace: "store", KubeVersion: "1.31", APIVersions: tc.apis}
			for _, f := range tc.files {
				rel.Values = append(rel.Values, FileLayer(f))
			}
			for _, s := range tc.set {
				rel.Values = append(rel.Values, Layer{Kind: Set, Expr: s})
			}
			for _, s := range tc.sets_ {
				rel.Values = append(rel.Values, Layer{Kind: SetString, Expr: s})
			}
			rendered := identities(scanFiles(t, render(t, app, rel).Files...))
			plain := helmTemplate(t, app, rel, tc.files, tc.set, tc.sets_)
			reference := identities(scanFiles(t, source.File{Path: "helm-template.yaml", Data: []byte(plain), Manifest: true}))
			if strings.Join(rendered, "\n") != strings.Join(reference, "\n") {
				t.Errorf("rendered chart:\n%s\n\nhelm template:\n%s", strings.Join(rendered, "\n"), strings.Join(reference, "\n"))
			}
			if len(rendered) == 0 {
				t.Error("no findings at all")
			}
		})
	}
}

// TestSameFindingsOnMoreCharts runs the parity check on charts named in
// BULWARK_PARITY_CHARTS (a list separated by the OS path list separator),
// with their default values: public charts with vendored dependencies
// catch what small fixtures miss.
func TestSameFindingsOnMoreCharts(t *testing.T) {
	list := os.Getenv("BULWARK_PARITY_CHARTS")
	if list == "" {
		t.Skip("BULWARK_PARITY_CHARTS not set")
	}
	for _, dir := range filepath.SplitList(list) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rel := Release{Name: "parity", Namespace: "parity", KubeVersion: "1.31"}
			res, err := Render(context.Background(), dir, rel, Options{})
			if err != nil {
				t.Skipf("not renderable: %v", err)
			}
			rendered := identities(scanFiles(t, res.Files...))
			plain := helmTemplate(t, dir, rel, nil, nil, nil)
			reference := identities(scanFiles(t, source.File{Path: "helm-template.yaml", Data: []byte(plain), Manifest: true}))
			if strings.Join(rendered, "\n") != strings.Join(reference, "\n") {
				t.Errorf("%d findings rendered, %d from helm template:\n%s", len(rendered), len(reference), diffLines(rendered, reference))
			}
			t.Logf("%d templates, %d findings, same as helm template", len(res.Files), len(rendered))
		})
	}
}

func diffLines(a, b []string) string {
	in := map[string]int{}
	for _, s := range b {
		in[s]++
	}
	var out []string
	for _, s := range a {
		if in[s] > 0 {
			in[s]--
			continue
		}
		out = append(out, "+ "+s)
	}
	for s, n := range in {
		for ; n > 0; n-- {
			out = append(out, "- "+s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
