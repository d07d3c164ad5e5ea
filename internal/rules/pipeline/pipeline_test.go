package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

func TestFixtures(t *testing.T) {
	ruletest.Fixtures(t, "testdata", nil, nil, Checks()...)
}

func TestRegistry(t *testing.T) {
	if _, err := rule.NewRegistry(nil, nil, Checks()...); err != nil {
		t.Fatal(err)
	}
	for i, r := range all {
		if want := fmt.Sprintf("BW-CI-%03d", i+1); r.meta.ID != want {
			t.Errorf("rule %d is %s, want %s", i, r.meta.ID, want)
		}
		if r.meta.Category != rule.Pipeline {
			t.Errorf("%s: category %q", r.meta.ID, r.meta.Category)
		}
	}
}

// got is a hit as a test compares it.
type got struct {
	rule      string
	line, col int
	message   string
}

func checkFile(t *testing.T, path string) []got {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []got
	for _, h := range newCheck().CheckFile(path, data, nil) {
		out = append(out, got{h.Rule, h.Line, h.Column, h.Message})
	}
	return out
}

// TestHits pins every hit of the fail fixtures: rule, line, column and
// message, so that positions stay on the offending word.
func TestHits(t *testing.T) {
	want := map[string][]got{
		"ci-tls-verify-disabled/fail/deploy.yml": {
			{"BW-CI-001", 14, 16, "job deploy: curl skips TLS verification (-k)"},
			{"BW-CI-001", 18, 11, "job deploy: kubectl skips TLS verification (--insecure-skip-tls-verify)"},
		},
		"ci-tls-verify-disabled/fail/deploy.gitlab-ci.yml": {
			{"BW-CI-001", 4, 22, "top-level environment sets GIT_SSL_NO_VERIFY, which makes git skip TLS verification"},
			{"BW-CI-001", 18, 13, "job deploy writes a kubeconfig that skips TLS verification (insecure-skip-tls-verify: true)"},
			{"BW-CI-001", 20, 43, "job deploy: helm skips TLS verification (--insecure-skip-tls-verify)"},
		},
		"ci-cluster-admin-identity/fail/bootstrap.yml": {
			{"BW-CI-002", 19, 13, "job bootstrap binds an identity to cluster-admin cluster-wide (kubectl create clusterrolebinding)"},
			{"BW-CI-002", 21, 120, "job bootstrap uses the system:masters group, which bypasses RBAC"},
		},
		"ci-cluster-admin-identity/fail/aks.gitlab-ci.yml": {
			{"BW-CI-002", 6, 68, "job deploy-aks fetches the AKS cluster's admin credentials (az aks get-credentials --admin)"},
		},
		"ci-long-lived-cluster-credential/fail/deploy.yml": {
			{"BW-CI-003", 15, 21, "job deploy uses the stored cluster credential KUBE_CONFIG_DATA"},
			{"BW-CI-003", 24, 23, "job deploy-eu gives azure/k8s-set-context a stored kubeconfig or token (kubeconfig)"},
		},
		"ci-long-lived-cluster-credential/fail/deploy.gitlab-ci.yml": {
			{"BW-CI-003", 6, 56, "job deploy uses the stored cluster credential KUBE_TOKEN"},
		},
		"ci-untrusted-checkout/fail/pr-preview.yml": {
			{"BW-CI-004", 14, 16, "pull_request_target workflow: job preview checks out the pull request's code (actions/checkout ref: ${{ github.event.pull_request.head.sha }}), then runs npm (line 18)"},
		},
		"ci-untrusted-checkout/fail/allow-unsafe.yml": {
			{"BW-CI-004", 17, 16, "workflow_run workflow: job preview checks out the pull request's code (actions/checkout ref: ${{ github.event.workflow_run.head_sha }}), then runs make (line 21)"},
		},
		"ci-untrusted-checkout/fail/workflow-run.yml": {
			{"BW-CI-004", 14, 16, "workflow_run workflow: job report checks out the pull request's code (actions/checkout ref: ${{ github.event.workflow_run.head_sha }}) with the base repository's secrets and token"},
		},
		"ci-script-injection/fail/triage.yml": {
			{"BW-CI-005", 15, 28, "job triage: run script expands github.event.issue.title, which anyone opening an issue or pull request controls"},
			{"BW-CI-005", 20, 27, "job triage: github-script expands github.event.comment.body, which anyone opening an issue or pull request controls"},
		},
		"ci-script-injection/fail/branch.yml": {
			{"BW-CI-005", 9, 29, "job echo: run script expands github.head_ref, which anyone opening an issue or pull request controls"},
		},
		"ci-excessive-permissions/fail/release.yml": {
			{"BW-CI-006", 5, 14, "workflow grants every job a token with write-all permissions"},
		},
		"ci-excessive-permissions/fail/deploy.yml": {
			{"BW-CI-006", 11, 3, "job deploy deploys (helm upgrade) but neither it nor the workflow sets permissions, so its token gets the repository's defaults"},
		},
		"ci-secrets-inherit/fail/call.yml": {
			{"BW-CI-007", 12, 5, "job deploy passes every secret to acme/platform-workflows/.github/workflows/deploy.yml@3f1a9c0e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a (secrets: inherit)"},
			{"BW-CI-007", 18, 20, "expression hands every secret to one place (toJSON(secrets))"},
		},
		"ci-unpinned-dependency/fail/deploy.yml": {
			{"BW-CI-008", 12, 14, "job deploy runs in the container ghcr.io/acme/deploy-tools:2.4 without a digest, in a workflow that deploys (aws eks update-kubeconfig)"},
			{"BW-CI-008", 15, 15, `job deploy uses azure/setup-helm, pinned to "v4" rather than a commit SHA, in a workflow that deploys (aws eks update-kubeconfig)`},
			{"BW-CI-008", 16, 15, `job deploy uses aws-actions/configure-aws-credentials, pinned to "v4" rather than a commit SHA, in a workflow that deploys (aws eks update-kubeconfig)`},
		},
		"ci-unpinned-dependency/fail/deploy.gitlab-ci.yml": {
			{"BW-CI-008", 2, 14, `pipeline that deploys includes acme/ci-templates at "main" rather than a commit SHA`},
			{"BW-CI-008", 7, 10, "job deploy deploys (kubectl apply) in the image bitnami/kubectl:1.31, which has no digest"},
		},
	}
	files, _ := filepath.Glob("testdata/*/fail/*")
	if len(files) != len(want) {
		t.Errorf("%d fail fixtures, %d pinned", len(files), len(want))
	}
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(f), "testdata/")
		hits := checkFile(t, f)
		w := want[rel]
		if len(hits) != len(w) {
			t.Errorf("%s: got %d hits, want %d: %+v", rel, len(hits), len(w), hits)
			continue
		}
		for i := range hits {
			if hits[i] != w[i] {
				t.Errorf("%s hit %d:\n got  %+v\n want %+v", rel, i, hits[i], w[i])
			}
		}
	}
}

// TestPassFixturesAreClean holds every pass fixture to all pipeline rules.
func TestPassFixturesAreClean(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/pass/*")
	for _, f := range files {
		for _, h := range checkFile(t, f) {
			t.Errorf("%s:%d:%d: %s %s", f, h.line, h.col, h.rule, h.message)
		}
	}
}
