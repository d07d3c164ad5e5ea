package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/gittest"
)

type reportFinding struct {
	ID       string `json:"id"`
	Location struct {
		File        string   `json:"file"`
		Line        int      `json:"line"`
		RenderChain []string `json:"renderChain"`
	} `json:"location"`
	Object *struct {
		Kind, Name, Namespace string
	} `json:"object"`
}

func findingsOf(t *testing.T, out string) []reportFinding {
	t.Helper()
	var r struct {
		Findings []reportFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	return r.Findings
}

func hasFinding(fs []reportFinding, id, at string) bool {
	for _, f := range fs {
		if f.ID == id && (at == "" || strings.HasSuffix(f.Location.File+":"+itoa(f.Location.Line), at)) {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

const testChart = "internal/source/helm/testdata/charts/app"

// The Helm flags render a chart as helm template would; findings point at
// the values file line and carry the render chain.
func TestScanChartWithValues(t *testing.T) {
	repoRoot(t)
	out, errOut, code := run(t, "", "scan", testChart, "-f", testChart+"/values-prod.yaml", "--set", "cache.enabled=false",
		"--release-name", "shop", "-n", "store", "--kube-version", "1.30", "--format", "json", "--explain")
	if code != ExitBlocked {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	validateReport(t, []byte(out))
	fs := findingsOf(t, out)
	if !hasFinding(fs, "BW-PS-001", testChart+"/values-prod.yaml:3") {
		t.Errorf("privileged not placed in values-prod.yaml: %+v", fs)
	}
	for _, f := range fs {
		if f.Object != nil && f.Object.Kind == "StatefulSet" {
			t.Error("--set cache.enabled=false did not disable the subchart")
		}
		if f.Object != nil && len(f.Location.RenderChain) == 0 {
			t.Errorf("%s on %s: no render chain", f.ID, f.Object.Name)
		}
		if f.Object != nil && f.Object.Kind == "Deployment" && (f.Object.Name != "shop-app" || f.Object.Namespace != "store") {
			t.Errorf("release name or namespace not applied: %+v", f.Object)
		}
	}
	if !strings.Contains(errOut, "Discovered 1 render unit(s)") || !strings.Contains(errOut, "release shop in store") {
		t.Errorf("--explain: %s", errOut)
	}
	// Without rendering, the templates are reported as such.
	out, _, _ = run(t, "", "scan", testChart, "--no-render", "--format", "json")
	if !hasFinding(findingsOf(t, out), "BW-IN-002", "") {
		t.Error("--no-render: templates not reported as unrendered")
	}
	// A chart error is a finding that names the chart, not a failed scan.
	out, _, code = run(t, "", "scan", "internal/source/helm/testdata/charts/broken", "--format", "json")
	if code == ExitUsage || code == ExitInternal || !strings.Contains(out, "replicas is required") {
		t.Errorf("broken chart: exit %d\n%s", code, out)
	}
}

// chartRepo makes a repository holding a chart: committed privileged, fixed
// in the working tree only.
func chartRepo(t *testing.T) string {
	t.Helper()
	r := gittest.New(t)
	r.Write("deploy/chart/Chart.yaml", "apiVersion: v2\nname: chart\nversion: 0.1.0\n")
	r.Write("deploy/chart/values.yaml", "privileged: true\n")
	r.Write("deploy/chart/templates/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx\n      securityContext:\n        privileged: {{ .Values.privileged }}\n")
	r.Git("add", ".")
	r.Git("commit", "--quiet", "-m", "one")
	r.Git("tag", "v1")
	r.Write("deploy/chart/values.yaml", "privileged: false\n")
	return r.Dir
}

// --ref scans a revision without touching the working tree, and a URL is
// cloned and scanned; paths are the repository's.
func TestScanRevisionAndURL(t *testing.T) {
	repo := chartRepo(t)
	t.Chdir(repo)
	out, errOut, _ := run(t, "", "scan", "--ref", "HEAD", "deploy", "--format", "json")
	if !hasFinding(findingsOf(t, out), "BW-PS-001", "deploy/chart/values.yaml:1") {
		t.Errorf("--ref HEAD: committed privileged not found (stderr %s)\n%s", errOut, out)
	}
	out, _, _ = run(t, "", "scan", "deploy", "--format", "json")
	if hasFinding(findingsOf(t, out), "BW-PS-001", "") {
		t.Error("working tree: the fix is not seen")
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "deploy/chart/values.yaml")); string(b) != "privileged: false\n" {
		t.Error("--ref changed the working tree")
	}
	out, errOut, _ = run(t, "", "scan", "file://"+repo, "--ref", "v1", "--format", "json")
	if !hasFinding(findingsOf(t, out), "BW-PS-001", "deploy/chart/values.yaml:1") {
		t.Errorf("URL at v1: privileged not found (stderr %s)\n%s", errOut, out)
	}
	_, errOut, code := run(t, "", "scan", "--ref", "no-such-ref", "deploy")
	if code != ExitUsage || !strings.Contains(errOut, "unknown revision") {
		t.Errorf("unknown ref: exit %d, %s", code, errOut)
	}
	_, errOut, code = run(t, "", "scan", "https://user:t0ken-value@127.0.0.1:1/org/repo.git")
	if code != ExitUsage || strings.Contains(errOut, "t0ken-value") {
		t.Errorf("unreachable URL: exit %d, credentials printed? %s", code, errOut)
	}
}
