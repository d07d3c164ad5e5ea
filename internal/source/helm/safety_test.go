package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeTgz(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(data))
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

const chartYAML = "apiVersion: v2\nname: evil\nversion: 0.1.0\n"

// explodeTemplate calls each level 1,024 times: 2^40 calls in all, in
// constant memory.
const explodeTemplate = `{{- define "l1" }}{{ range until 1024 }}x{{ end }}{{ end -}}
{{- define "l2" }}{{ range until 1024 }}{{ $_ := include "l1" $ }}{{ end }}{{ end -}}
{{- define "l3" }}{{ range until 1024 }}{{ $_ := include "l2" $ }}{{ end }}{{ end -}}
{{- define "l4" }}{{ range until 1024 }}{{ $_ := include "l3" $ }}{{ end }}{{ end -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: bomb
data:
  x: {{ include "l4" . | quote }}
`

// recursiveTemplate includes itself.
const recursiveTemplate = `{{- define "loop" }}{{ include "loop" . }}{{ end -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: loop
data:
  x: {{ include "loop" . | quote }}
`

// Hostile charts fail with a clear error, in bounded time and memory.
func TestHostileCharts(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Root: dir, Timeout: 2 * time.Second}

	escape := filepath.Join(dir, "escape-0.1.0.tgz")
	writeTgz(t, escape, map[string]string{"evil/Chart.yaml": chartYAML, "evil/../../../etc/cron.d/x": "boom"})

	vendored := filepath.Join(dir, "vendored")
	os.MkdirAll(filepath.Join(vendored, "charts"), 0o755)
	os.WriteFile(filepath.Join(vendored, "Chart.yaml"), []byte("apiVersion: v2\nname: vendored\nversion: 0.1.0\ndependencies: [{name: evil, version: 0.1.0}]\n"), 0o644)
	writeTgz(t, filepath.Join(vendored, "charts", "evil-0.1.0.tgz"), map[string]string{"evil/Chart.yaml": chartYAML, "evil/templates/../../x.yaml": "a: b"})

	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("kind: Secret\n"), 0o644)
	linked := filepath.Join(dir, "linked")
	os.MkdirAll(filepath.Join(linked, "templates"), 0o755)
	os.WriteFile(filepath.Join(linked, "Chart.yaml"), []byte(chartYAML), 0o644)
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(linked, "templates", "stolen.yaml")); err != nil {
		t.Skip("symlinks not supported:", err)
	}

	aliasBomb := filepath.Join(dir, "bomb-values.yaml")
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 'b'; i <= 'j'; i++ {
		b.WriteString(string(i) + ": &" + string(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + string(i-1))
		}
		b.WriteString("]\n")
	}
	os.WriteFile(aliasBomb, []byte(b.String()), 0o644)

	// Made here, not kept in testdata: scanning this repository would
	// render them.
	explode := filepath.Join(dir, "explode")
	os.MkdirAll(filepath.Join(explode, "templates"), 0o755)
	os.WriteFile(filepath.Join(explode, "Chart.yaml"), []byte("apiVersion: v2\nname: explode\nversion: 0.1.0\n"), 0o644)
	os.WriteFile(filepath.Join(explode, "templates", "bomb.yaml"), []byte(explodeTemplate), 0o644)
	recursive := filepath.Join(dir, "recursive")
	os.MkdirAll(filepath.Join(recursive, "templates"), 0o755)
	os.WriteFile(filepath.Join(recursive, "Chart.yaml"), []byte("apiVersion: v2\nname: recursive\nversion: 0.1.0\n"), 0o644)
	os.WriteFile(filepath.Join(recursive, "templates", "loop.yaml"), []byte(recursiveTemplate), 0o644)
	appDir, _ := filepath.Abs(app)
	testRoot, _ := filepath.Abs("testdata")

	for _, tc := range []struct {
		name, chart string
		rel         Release
		opts        Options
		want        string
	}{
		{"archive entry escaping the chart", escape, Release{}, opts, "illegally"},
		{"vendored archive escaping the chart", vendored, Release{}, opts, "illegally"},
		{"template symlinked out of the repository", linked, Release{}, opts, "symlink points outside the repository"},
		{"values file outside the repository", appDir, Release{Values: []Layer{FileLayer(filepath.Join(outside, "secret.yaml"))}},
			Options{Root: testRoot}, "outside the repository"},
		{"alias bomb in values", appDir, Release{Values: []Layer{FileLayer(aliasBomb)}}, Options{}, "alias"},
		{"huge index in --set", appDir, Release{Values: []Layer{{Kind: Set, Expr: "extraEnv[999999999].name=x"}}}, Options{}, "index"},
		{"recursive template", recursive, Release{}, Options{}, "nested reference"},
		{"exponential template", explode, Release{}, Options{Timeout: time.Second}, "longer than 1s"},
		{"output over the budget", appDir, Release{}, Options{Limits: Limits{MaxOutput: 1000}}, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Render(context.Background(), tc.chart, tc.rel, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}
