package gitops

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

func TestFixtures(t *testing.T) {
	objs, sets := Checks(DefaultOptions())
	ruletest.Fixtures(t, "testdata", objs, sets)
}

func TestRegistry(t *testing.T) {
	objs, sets := Checks(DefaultOptions())
	if _, err := rule.NewRegistry(objs, sets); err != nil {
		t.Fatal(err)
	}
	for i, r := range all {
		var m rule.Meta
		switch r := r.(type) {
		case *objectRule:
			m = r.meta
		case *setRule:
			m = r.meta
		default:
			t.Fatalf("rule %d has type %T", i, r)
		}
		if want := fmt.Sprintf("BW-GO-%03d", i+1); m.ID != want {
			t.Errorf("rule %d is %s, want %s", i, m.ID, want)
		}
		if m.Category != rule.GitOps {
			t.Errorf("%s: category %q", m.ID, m.Category)
		}
	}
}

// hit is what a test expects of one finding.
type hit struct {
	rule, path string
	line       int
	message    string
}

// run checks the objects of one file with every gitops rule, as the engine
// does, and returns the hits with their lines.
func run(t *testing.T, objs []*manifest.Object) []hit {
	t.Helper()
	oc, sc := Checks(DefaultOptions())
	var got []hit
	add := func(o *manifest.Object, h rule.Hit) {
		pos, _ := o.Pos(h.Path)
		if h.Line > 0 {
			pos.Line = h.Line
		}
		got = append(got, hit{h.Rule, h.Path, pos.Line, h.Message})
	}
	for _, o := range objs {
		for _, c := range oc {
			for _, h := range c.CheckObject(o) {
				add(o, h)
			}
		}
	}
	for _, c := range sc {
		for _, h := range c.CheckSet(objs) {
			add(h.Object, h)
		}
	}
	return got
}

func TestHits(t *testing.T) {
	tests := []struct {
		file string
		want []hit
	}{
		{"argo-default-project/fail/applicationset-no-project.yaml", []hit{
			{"BW-GO-001", "spec.template.spec.project", 13, "ApplicationSet template sets no project, so it runs in the default project, which allows any source, destination and resource kind"}}},
		{"argo-control-plane-destination/fail/project-and-application.yaml", []hit{
			{"BW-GO-002", "spec.destinations[1].namespace", 14, `tenant project "team-payments" may deploy into control-plane namespace argocd`},
			{"BW-GO-002", "spec.destination.namespace", 29, `application of tenant project "team-payments" deploys into control-plane namespace argocd`}}},
		{"argo-auto-sync-sensitive/fail/default-project-prune.yaml", []hit{
			{"BW-GO-001", "spec.project", 7, "application runs in the default project, which allows any source, destination and resource kind"},
			{"BW-GO-003", "spec.syncPolicy.automated", 16, "application runs in the default project and syncs automatically with prune and selfHeal"}}},
		{"argo-project-any-destination/fail/project.yaml", []hit{
			{"BW-GO-005", "spec.destinations[1]", 12, `project "team-data" may deploy to any cluster (server '*') and any namespace`}}},
		{"argo-project-namespaced-resources/fail/project.yaml", []hit{
			{"BW-GO-007", "spec.namespaceResourceWhitelist[0]", 13, `project "team-data" allows every namespaced kind and does not deny Secret, Role, RoleBinding`}}},
		{"argo-project-unverified-sources/fail/project-prod-destination.yaml", []hit{
			{"BW-GO-009", "spec.signatureKeys", 6, `project "team-web" deploys to production (production-us) but sets neither signatureKeys nor sourceIntegrity`}}},
		{"argo-appset-generator-credentials/fail/pull-request-insecure-matrix.yaml", []hit{
			{"BW-GO-011", "spec.generators[0].matrix.generators[1].pullRequest.gitea.insecure", 19, "pullRequest generator (gitea) sends a token from a Secret without verifying the server's TLS certificate"}}},
		{"argo-insecure-repository/fail/repository-secret-http.yaml", []hit{
			{"BW-GO-012", `stringData["url"]`, 11, "repository http://charts.internal.acme.example is fetched over plain HTTP with forceHttpBasicAuth, which sends the password in clear"}}},
		{"argo-insecure-repository/fail/argocd-cm.yaml", []hit{
			{"BW-GO-012", `data["repositories"]`, 12, "repository git@git.acme.example:platform/config.git in argocd-cm repositories skips SSH host-key verification (insecureIgnoreHostKey: true)"}}},
		{"argo-insecure-repository/fail/repo-creds-insecure.yaml", []hit{
			{"BW-GO-012", `data["insecure"]`, 10, "repository credentials skip TLS certificate and SSH host-key verification (insecure: true)"}}},
		{"argo-cluster-insecure-tls/fail/cluster.yaml", []hit{
			{"BW-GO-013", `stringData["config"]`, 22, "cluster https://edge.k8s.acme.example:6443 is reached without TLS verification (tlsClientConfig.insecure: true)"}}},
		{"argo-secret-client-side-apply/fail/repo-last-applied.yaml", []hit{
			{"BW-GO-014", `metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]`, 10, "Argo CD repository Secret carries a last-applied-configuration annotation, which copies a credential (sshPrivateKey) where metadata readers see it"}}},
		{"flux-unverified-source/fail/gotk-sync.yaml", []hit{
			{"BW-GO-016", "spec.verify", 7, "GitRepository flux-system feeds production (Kustomization flux-system, path ./clusters/production) but does not verify commit signatures (no spec.verify)"}}},
		{"flux-cross-namespace-ref/fail/helmrelease.yaml", []hit{
			{"BW-GO-018", "spec.chart.spec.sourceRef.namespace", 16, "HelmRelease podinfo in namespace podinfo reads HelmRepository podinfo from namespace flux-system"}}},
		{"flux-sops-without-decryption/fail/kustomization-and-secret.yaml", []hit{
			{"BW-GO-019", "spec.decryption", 6, "Kustomization apps applies SOPS-encrypted Secret app-db (testdata/flux-sops-without-decryption/fail/kustomization-and-secret.yaml) but sets no spec.decryption"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := run(t, ruletest.Load(t, filepath.Join("testdata", tt.file)))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d hits, want %d:\n%+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("hit %d:\n got  %+v\n want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestPassFixturesAreClean holds each pass fixture to its own rule and to
// the rules it is not about, except where a fixture shows a neighbouring
// rule's case on purpose.
func TestPassFixturesAreClean(t *testing.T) {
	allowed := map[string][]string{
		"argo-default-project/pass/applicationset-templated-project.yaml": {"BW-GO-010"},
		"argo-control-plane-destination/pass/platform-project.yaml":       nil,
		"argo-auto-sync-sensitive/pass/kube-system-manual.yaml":           nil,
		"flux-unverified-source/pass/staging.yaml":                        nil,
	}
	files, _ := filepath.Glob("testdata/*/pass/*.yaml")
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(f), "testdata/")
		for _, h := range run(t, ruletest.Load(t, f)) {
			ok := false
			for _, id := range allowed[rel] {
				ok = ok || id == h.rule
			}
			if !ok {
				t.Errorf("%s: %s %s: %s", rel, h.rule, h.path, h.message)
			}
		}
	}
}

// TestSecureExample holds the well-configured example repository to every
// gitops rule: restricted projects, verified sources and tenant accounts.
func TestSecureExample(t *testing.T) {
	var objs []*manifest.Object
	err := filepath.Walk(filepath.Join("..", "..", "..", "examples", "secure"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		objs = append(objs, ruletest.Load(t, p)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range run(t, objs) {
		t.Errorf("%s %s: %s", h.rule, h.path, h.message)
	}
}

// TestFragmentsAreNotJudged: kustomize patches carry only the fields they
// change, so rules about missing fields leave them to their base.
func TestFragmentsAreNotJudged(t *testing.T) {
	src := `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: dev-team
  namespace: apps
spec:
  path: ./production
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
spec:
  values:
    replicaCount: 2
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec:
  syncPolicy:
    automated: {}
`
	f := manifest.Parse("patch.yaml", []byte(src), nil)
	for _, h := range run(t, f.Objects) {
		t.Errorf("%s %s: %s", h.rule, h.path, h.message)
	}
}

// TestNearestSource: in a repository with one flux-system source per
// cluster, the production Kustomization is joined with its own cluster's.
func TestNearestSource(t *testing.T) {
	load := func(file, src string) []*manifest.Object {
		f := manifest.Parse(file, []byte(src), nil)
		if len(f.Errors) > 0 {
			t.Fatal(f.Errors[0])
		}
		return f.Objects
	}
	source := func(verify string) string {
		return "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: ssh://git@github.com/acme/fleet\n" + verify
	}
	sync := "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  path: ./clusters/production\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
	var objs []*manifest.Object
	objs = append(objs, load("clusters/staging/flux-system/gotk-sync.yaml", source(""))...)
	objs = append(objs, load("clusters/production/flux-system/gotk-sync.yaml", source("  verify:\n    mode: HEAD\n    secretRef:\n      name: keys\n")+"---\n"+sync)...)
	for _, h := range run(t, objs) {
		t.Errorf("%s %s: %s", h.rule, h.path, h.message)
	}
}
