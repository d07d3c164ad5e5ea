package pipeline

import (
	"strings"
)

// deployVerbs are the subcommands that change a cluster, per program.
var deployVerbs = map[string][]string{
	"kubectl":   {"apply", "create", "replace", "patch", "delete", "rollout", "set", "scale", "run", "expose", "label", "annotate", "edit"},
	"oc":        {"apply", "create", "replace", "patch", "delete", "rollout", "set", "scale", "new-app", "process"},
	"helm":      {"install", "upgrade", "uninstall", "rollback", "delete"},
	"helmfile":  {"apply", "sync", "deploy", "destroy"},
	"flux":      {"reconcile", "bootstrap", "create", "resume"},
	"argocd":    {"sync", "create", "set", "rollback"},
	"kapp":      {"deploy", "delete"},
	"skaffold":  {"run", "deploy", "apply"},
	"werf":      {"converge", "dismiss"},
	"tk":        {"apply"},
	"kustomize": nil, // renders only
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

// deployCommand says how a command deploys to a cluster, or "".
func deployCommand(c command) string {
	p := c.prog()
	if verbs, ok := deployVerbs[p]; ok {
		args := c.args()
		if len(args) > 8 {
			args = args[:8]
		}
		for _, a := range args {
			for _, v := range verbs {
				if a.text == v {
					return p + " " + v
				}
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

// githubDeploy says how a GitHub job deploys to a cluster, or "".
func githubDeploy(j *ciJob) string {
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
