package pipeline

import (
	"strings"
)

// deployVerbs are the subcommands that change a cluster, per program.
var deployVerbs = map[string][]string{
	"kubectl":  {"apply", "create", "replace", "patch", "delete", "rollout", "set", "scale", "run", "expose", "label", "annotate", "edit"},
	"oc":       {"apply", "create", "replace", "patch", "delete", "rollout", "set", "scale", "new-app", "process", "expose", "label", "annotate"},
	"helm":     {"install", "upgrade", "uninstall", "rollback", "delete"},
	"helmfile": {"apply", "sync", "deploy", "destroy"},
	"flux":     {"reconcile", "bootstrap", "create", "resume"},
	"kapp":     {"deploy", "delete"},
	"skaffold": {"run", "deploy", "apply"},
	"werf":     {"converge", "dismiss"},
	"tk":       {"apply"},
	// GitLab's Auto DevOps deploy image.
	"auto-deploy": {"deploy", "delete"},
}

// otherVerbs are the programs' other subcommands: the first subcommand
// decides, so "helm plugin install" installs a plugin, not a release.
var otherVerbs = map[string][]string{
	"kubectl":  {"get", "describe", "logs", "exec", "port-forward", "cp", "config", "auth", "cluster-info", "top", "wait", "diff", "kustomize", "version", "api-resources", "api-versions", "explain", "debug", "proxy", "attach", "plugin", "events", "certificate", "drain", "cordon", "uncordon", "taint", "completion"},
	"oc":       {"get", "describe", "logs", "exec", "login", "logout", "whoami", "project", "projects", "config", "version", "adm", "start-build", "wait", "debug"},
	"helm":     {"plugin", "repo", "dependency", "dep", "template", "lint", "package", "push", "pull", "fetch", "registry", "search", "show", "inspect", "status", "history", "list", "ls", "get", "env", "version", "completion", "create", "verify", "test", "diff", "secrets", "unittest", "docs"},
	"helmfile": {"template", "lint", "diff", "build", "list", "status", "deps", "repos", "fetch", "write-values", "test", "init"},
	"flux":     {"get", "export", "install", "uninstall", "check", "build", "diff", "trace", "tree", "logs", "version", "push", "pull", "tag", "stats", "suspend", "events", "completion", "migrate"},
	"kapp":     {"inspect", "list", "ls", "logs", "app-change", "version"},
	"skaffold": {"build", "dev", "debug", "render", "diagnose", "fix", "init", "test", "verify", "version", "config", "delete"},
	"werf":     {"build", "render", "plan", "lint", "version", "helm", "cleanup"},
	"tk":       {"show", "diff", "eval", "export", "init", "env", "fmt", "lint", "status", "prune", "delete", "tool"},
}

// clusterLogins are the commands that fetch cluster credentials.
var clusterLogins = [][]string{
	{"gcloud", "container", "clusters", "get-credentials"},
	{"az", "aks", "get-credentials"},
	{"aws", "eks", "update-kubeconfig"},
	{"doctl", "kubernetes", "cluster", "kubeconfig"},
	{"oc", "login"},
}

// deployActions are actions that deploy to, or log in to, a cluster.
var deployActions = []string{
	"azure/k8s-deploy", "azure/k8s-set-context", "azure/aks-set-context", "azure/k8s-create-secret",
	"google-github-actions/get-gke-credentials", "google-github-actions/deploy-gke",
	"deliverybot/helm", "bitovi/github-actions-deploy-eks-helm", "koslib/helm-eks-action",
	"wahyd4/kubectl-helm-action", "actions-hub/kubectl", "steebchen/kubectl", "tale/kubectl-action",
	"ianbelcher/eks-kubectl-action", "kodermax/kubectl-aws-eks", "nickgronow/kubectl",
	"redhat-actions/oc-login", "redhat-actions/oc-new-app", "digitalocean/action-doctl",
}

// localClusterActions start a throwaway cluster on the runner itself.
var localClusterActions = []string{
	"helm/kind-action", "engineerd/setup-kind", "container-tools/kind-action", "medyagh/setup-minikube",
	"manusa/actions-setup-minikube", "absaoss/k3d-action", "nolar/setup-k3d-k3s", "debianmaster/actions-k3s",
	"jupyterhub/action-k3s-helm", "balchua/microk8s-actions",
}

// localClusterCommand reports whether a command starts a throwaway cluster
// on the runner (kind, k3d, minikube, k3s).
func localClusterCommand(c command) bool {
	switch c.prog() {
	case "kind":
		return c.has("create", "cluster")
	case "k3d":
		return c.has("cluster", "create")
	case "minikube":
		return c.has("start")
	case "ctlptl":
		return c.has("create")
	}
	return false
}

// globalValueFlags are the cluster clients' global flags that take a value
// as the next word.
var globalValueFlags = map[string]bool{
	"-n": true, "--namespace": true, "--context": true, "--kube-context": true, "--kubeconfig": true,
	"-s": true, "--server": true, "--cluster": true, "--user": true, "--token": true, "--as": true,
	"--as-group": true, "--kube-apiserver": true, "--kube-token": true, "--request-timeout": true,
	"-e": true, "--environment": true, "--file": true,
}

// deployCommand says how a command deploys to a cluster, or "".
func deployCommand(c command) string {
	p := c.prog()
	if _, v, eq, ok := c.flag("--dry-run"); ok && (!eq || v != "none" && v != "false") {
		return "" // renders or validates only
	}
	if verbs, ok := deployVerbs[p]; ok {
		// The first word that is one of the program's subcommands decides;
		// flags and their values before it are skipped.
		args := c.args()
		for i := 0; i < len(args); i++ {
			a := args[i]
			if strings.HasPrefix(a.text, "-") {
				if globalValueFlags[a.text] {
					i++ // its value
				}
				continue
			}
			if oneOf(a.text, verbs) {
				return p + " " + a.text
			}
			if oneOf(a.text, otherVerbs[p]) {
				break
			}
		}
	}
	if p == "argocd" {
		for _, v := range []string{"sync", "create", "set", "rollback", "delete"} {
			if c.has("app", v) {
				return "argocd app " + v
			}
		}
	}
	for _, l := range clusterLogins {
		if p == l[0] && c.has(l[1:]...) {
			return strings.Join(l, " ")
		}
	}
	return ""
}

// githubDeploy says how a GitHub job deploys to a cluster, or "". A job
// that starts its own cluster on the runner (an end-to-end test) deploys
// nowhere that matters.
func githubDeploy(j *ciJob) string {
	if localCluster(j) {
		return ""
	}
	for i, st := range j.gh.Steps {
		if ex := usesOf(st); ex != nil {
			name := actionName(ex.Uses.Value)
			for _, a := range deployActions {
				if name == a {
					return "uses " + a
				}
			}
		}
		for _, s := range j.scripts {
			if s.step != i {
				continue
			}
			for _, c := range s.cmds {
				if d := deployCommand(c); d != "" {
					return d
				}
			}
		}
	}
	return ""
}

// localCluster reports whether a job starts a throwaway cluster on the runner.
func localCluster(j *ciJob) bool {
	if j.gh != nil {
		for _, st := range j.gh.Steps {
			if ex := usesOf(st); ex != nil {
				name := actionName(ex.Uses.Value)
				for _, a := range localClusterActions {
					if name == a {
						return true
					}
				}
			}
		}
	}
	for _, s := range j.scripts {
		for _, c := range s.cmds {
			if localClusterCommand(c) {
				return true
			}
		}
	}
	return false
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}
