package pipeline

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMatch(t *testing.T) {
	c := newCheck()
	for p, want := range map[string]bool{
		".github/workflows/deploy.yml":           true,
		"examples/.github/workflows/deploy.yaml": true,
		"/home/ci/repo/.github/workflows/ci.yml": true,
		`repo\.github\workflows\ci.yml`:          true,
		".github/workflows/sub/ci.yml":           false, // GitHub reads no subdirectories
		".github/workflows/README.md":            false,
		".github/dependabot.yml":                 false,
		".gitlab-ci.yml":                         true,
		"services/api/.gitlab-ci.yml":            true,
		"ci/deploy.gitlab-ci.yml":                true,
		".gitlab/ci/deploy.yml":                  true,
		".gitlab/ci/jobs/build.yaml":             true,
		".gitlab/issue_templates/bug.md":         false,
		"deploy/app.yaml":                        false,
		"workflows/deploy.yml":                   false,
	} {
		if got := c.Match(p); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestCurlFlags(t *testing.T) {
	for script, want := range map[string]bool{
		"curl -k https://x":                   true,
		"curl -sSLk https://x":                true,
		"curl --insecure https://x":           true,
		"curl -sko out https://x":             true,
		"curl -o k https://x":                 false, // k is -o's value
		"curl -Hk https://x":                  false,
		"curl -sSL https://x | kubectl apply": false,
		"sudo curl -fsSk https://x":           true,
	} {
		s := newScript(&ciJob{id: "j"}, script, locator{}, "bash", -1)
		found := false
		for _, c := range s.cmds {
			if _, what := insecureTLS(c); what != "" {
				found = true
			}
		}
		if found != want {
			t.Errorf("%q: insecure = %v, want %v", script, found, want)
		}
	}
}

func TestLocatorStyles(t *testing.T) {
	src := "jobs:\n  a:\n    steps:\n      - run: \"kubectl --insecure-skip-tls-verify get pods\"\n      - run: >\n          kubectl get pods\n          --insecure-skip-tls-verify\n"
	f := parseGitHub("w.yml", []byte(src))
	var got [][2]int
	for _, j := range f.jobs {
		for _, s := range j.scripts {
			for _, c := range s.cmds {
				if w, what := insecureTLS(c); what != "" {
					l, col := s.wordPos(w)
					got = append(got, [2]int{l, col})
				}
			}
		}
	}
	want := [][2]int{{4, 23}, {7, 11}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("positions %v, want %v", got, want)
	}
}

// TestGitLabIncludes follows local includes from the root pipeline file,
// reports their hits at their own path, and never leaves the repository.
func TestGitLabIncludes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitlab-ci.yml", "include:\n  - local: /ci/deploy.yml\n  - local: 'ci/jobs/*.yml'\n  - local: ../outside.yml\n")
	write("ci/deploy.yml", "deploy:\n  script:\n    - kubectl apply -f k8s/ --insecure-skip-tls-verify\n")
	write("ci/jobs/smoke.yml", "smoke:\n  script:\n    - curl -k https://shop.example\n")
	write("../outside.yml", "x:\n  script:\n    - curl -k https://outside.example\n")
	main := filepath.Join(root, ".gitlab-ci.yml")
	data, _ := os.ReadFile(main)
	hits := newCheck().CheckFile(main, data, nil)
	files := map[string]int{}
	for _, h := range hits {
		files[h.File]++
	}
	if files[filepath.Join(root, "ci", "deploy.yml")] != 1 || files[filepath.Join(root, "ci", "jobs", "smoke.yml")] != 1 || len(hits) != 2 {
		t.Errorf("hits by file: %v", files)
	}
}

func TestDeployCommand(t *testing.T) {
	for script, want := range map[string]string{
		"kubectl apply -k deploy/prod":                                           "kubectl apply",
		"kubectl -n shop --context prod apply -f x":                              "kubectl apply",
		"kubectl -n apply get pods":                                              "", // odd namespace name, still a get
		"kubectl get pods -o yaml":                                               "",
		"helm upgrade --install web ./chart":                                     "helm upgrade",
		"helm plugin install https://example/plugin":                             "",
		"helm repo add bitnami https://charts":                                   "",
		"helm template web ./chart | kubectl apply -f -":                         "kubectl apply",
		"flux reconcile kustomization apps":                                      "flux reconcile",
		"flux install --export":                                                  "",
		"kubectl create secret generic x --from-file=a --dry-run=client -o yaml": "",
		"argocd app sync shop":                                                   "argocd app sync",
		"argocd app get shop":                                                    "",
		"gcloud container clusters get-credentials prod --region eu":             "gcloud container clusters get-credentials",
	} {
		s := newScript(&ciJob{id: "j"}, script, locator{}, "bash", -1)
		got := ""
		for _, c := range s.cmds {
			if d := deployCommand(c); d != "" && got == "" {
				got = d
			}
		}
		if got != want {
			t.Errorf("%q: deploy = %q, want %q", script, got, want)
		}
	}
}
