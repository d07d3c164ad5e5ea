package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// longLivedClusterCredential checks how CI jobs authenticate to clusters.
// Stored cluster credentials, where the platform offers short-lived ones,
// are hits:
//   - a CI secret or variable whose name says it holds a kubeconfig or a
//     cluster token (KUBECONFIG, KUBE_CONFIG_DATA, KUBE_TOKEN, K8S_TOKEN,
//     CLUSTER_TOKEN, SERVICE_ACCOUNT_TOKEN...), where it is used: at the
//     secrets.NAME reference (GitHub) or the $NAME expansion (GitLab);
//   - a kubeconfig-style action input fed from a secret;
//   - kubectl, oc or helm given --token from a variable;
//   - in jobs that deploy, static cloud keys given to the cloud login action
//     (aws-secret-access-key, credentials_json, creds) instead of OIDC.
//
// One hit per job and credential, at its first use. Allowed: OIDC-based
// logins (role-to-assume, workload_identity_provider, client-id without
// creds), the GitLab agent's own KUBECONFIG, and literal tokens, which are
// the secrets family's to report.
var longLivedClusterCredential = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-003", Name: "ci-long-lived-cluster-credential",
		Title:    "CI authenticates to the cluster with a stored long-lived credential",
		Severity: rule.Medium, Category: rule.Pipeline,
		Why: "A kubeconfig, service-account token or cloud key stored as a CI secret stays valid for months or forever, works from anywhere, and is readable by every workflow and person that can run code in the job; one leak (a debug print, a compromised action, a pull-request workflow) gives lasting access to the cluster. " +
			"GitHub Actions can instead mint a short-lived OIDC token per job that the cloud (AWS, Google Cloud, Azure) exchanges for cluster access scoped to one repository and branch, and GitLab's agent for Kubernetes gives each authorised project a per-job kubecontext without any stored cluster secret.",
		Remediation: "On GitHub, grant id-token: write and log in with the cloud's OIDC action (aws-actions/configure-aws-credentials with role-to-assume, google-github-actions/auth with workload_identity_provider, azure/login with client-id, tenant-id and subscription-id), then fetch cluster credentials with it; on GitLab, install the agent for Kubernetes and authorise the project with ci_access. Delete and revoke the stored credential.",
		References:  []string{refGHOIDC, refGitLabAgent, "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-cloud-providers"},
	},
	check: func(f *ciFile) []rule.Hit {
		var hits []rule.Hit
		seen := map[string]bool{}
		add := func(j *ciJob, what, line, col string, l, c int) {
			k, at := j.id+"|"+what, fmt.Sprintf("%s|%d", j.id, l)
			if seen[k] || seen[at] {
				return
			}
			seen[k], seen[at] = true, true
			hits = append(hits, hitAt(l, c, fmt.Sprintf("%s %s", j.where(), line), col, k))
		}
		envRefs := func(j *ciJob, vars []envVar, byName bool) {
			for _, e := range vars {
				refs := credRefs(f.dialect, e.value)
				for _, r := range refs {
					l, c := e.pos(f.lines, r.offset, r.token)
					add(j, r.name, fmt.Sprintf("uses the stored cluster credential %s", r.name), r.token, l, c)
				}
				if byName && len(refs) == 0 && f.dialect == githubActions && clusterCredName(e.name) && strings.Contains(e.value, "secrets.") {
					add(j, e.name, fmt.Sprintf("sets %s from a stored secret", e.name), e.name, e.line, e.col)
				}
			}
		}
		envRefs(&ciJob{id: "(workflow)"}, f.env, true)
		for _, j := range f.jobs {
			for _, s := range j.scripts {
				for _, r := range credRefs(f.dialect, s.text) {
					l, c := s.pos(r.offset, r.token)
					add(j, r.name, fmt.Sprintf("uses the stored cluster credential %s", r.name), r.token, l, c)
				}
				for _, c := range s.cmds {
					switch c.prog() {
					case "kubectl", "oc", "helm":
						if w, v, _, ok := c.flag("--token"); ok && strings.Contains(v, "$") {
							l, col := s.wordPos(w)
							add(j, "--token", fmt.Sprintf("passes a stored cluster token to %s --token", c.prog()), "--token", l, col)
						}
					}
				}
			}
			envRefs(j, j.env, true)
			var inputs []envVar
			for _, in := range j.inputs {
				inputs = append(inputs, in.envVar)
			}
			envRefs(j, inputs, false)
			for _, in := range j.inputs {
				n := strings.ToLower(in.name)
				if (n == "kubeconfig" || n == "kube-config" || n == "kube_config" || n == "k8s-secret") && strings.Contains(in.value, "secrets.") {
					add(j, "input "+n, fmt.Sprintf("gives %s a stored kubeconfig or token (%s)", actionLabel(in.uses), in.name), in.name, in.line, in.col)
				}
				if j.deploy == "" {
					continue
				}
				switch action := actionName(in.uses); {
				case action == "aws-actions/configure-aws-credentials" && n == "aws-secret-access-key",
					action == "google-github-actions/auth" && n == "credentials_json",
					action == "azure/login" && n == "creds":
					add(j, "cloud "+action, fmt.Sprintf("deploys with stored cloud keys (%s: %s) instead of OIDC", action, in.name), in.name, in.line, in.col)
				}
			}
		}
		return hits
	},
}

// credRef is a reference to a stored cluster credential in some text.
type credRef struct {
	name, token string
	offset      int
}

var (
	ghSecretRef = regexp.MustCompile(`secrets\.([A-Za-z0-9_-]+)|secrets\[\s*'([^']+)'\s*\]`)
	shellVarRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
)

// credRefs finds references to secrets or variables named like cluster
// credentials: secrets.NAME inside expressions on GitHub, $NAME on GitLab.
func credRefs(d dialect, text string) []credRef {
	var out []credRef
	if d == githubActions {
		for _, m := range ghSecretRef.FindAllStringSubmatchIndex(text, -1) {
			var name string
			if m[2] >= 0 {
				name = text[m[2]:m[3]]
			} else {
				name = text[m[4]:m[5]]
			}
			if clusterCredName(name) {
				out = append(out, credRef{name: name, token: text[m[0]:m[1]], offset: m[0]})
			}
		}
		return out
	}
	for _, m := range shellVarRef.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		// The GitLab agent for Kubernetes provides KUBECONFIG itself.
		if name != "KUBECONFIG" && clusterCredName(name) {
			out = append(out, credRef{name: name, token: text[m[0]:m[1]], offset: m[0]})
		}
	}
	return out
}

// credNameParts are what cluster credential names contain, once upper-cased
// and stripped of "_" and "-".
var credNameParts = []string{"KUBECONFIG", "KUBECONF", "KUBETOKEN", "K8STOKEN", "K8SCONFIG", "K8SSECRET",
	"KUBERNETESTOKEN", "KUBERNETESCONFIG", "CLUSTERTOKEN", "SERVICEACCOUNTTOKEN", "OPENSHIFTTOKEN", "KUBESATOKEN"}

func clusterCredName(name string) bool {
	n := strings.NewReplacer("_", "", "-", "").Replace(strings.ToUpper(name))
	for _, p := range credNameParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}
