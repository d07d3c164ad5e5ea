package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// tlsVerifyDisabled checks CI scripts, environment variables and action
// inputs for switched-off certificate checks on the way to clusters,
// registries and repositories:
//   - --insecure-skip-tls-verify (on) for kubectl, oc, helm, flux and other
//     cluster clients; helm and oras --plain-http; argocd --insecure and
//     --plaintext (also through ARGOCD_OPTS);
//   - curl -k/--insecure (also inside combined flags such as -sSLk), wget
//     --no-check-certificate, git http.sslVerify=false, GIT_SSL_NO_VERIFY,
//     NODE_TLS_REJECT_UNAUTHORIZED=0;
//   - skopeo, podman and buildah --tls-verify=false (and --src-/--dest-),
//     kaniko --skip-tls-verify and --insecure, crane and oras --insecure,
//     cosign --allow-insecure-registry;
//   - "insecure-skip-tls-verify: true" written into a kubeconfig by a script
//     or passed in an input, and inputs such as skip-tls-verify: true.
//
// Each is a hit at the offending word. Allowed: the same flags set to false,
// and everything with verification on (private CAs passed with
// --certificate-authority, --ca-file, --cacert).
var tlsVerifyDisabled = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-001", Name: "ci-tls-verify-disabled",
		Title:    "CI job switches off TLS verification",
		Severity: rule.High, Category: rule.Pipeline,
		Why:         "A deploy job holds the strongest credentials in the delivery chain: a cluster token or kubeconfig, registry and repository passwords. With certificate checks off, whoever can intercept the runner's traffic (a shared runner network, a compromised proxy, DNS) can pose as the API server or registry, capture those credentials, and feed the job other manifests, charts or images, which then run in the cluster as if reviewed.",
		Remediation: "Remove the flag or setting and trust the server's CA instead: kubectl --certificate-authority or certificate-authority-data in the kubeconfig, helm --ca-file, curl --cacert, git http.sslCAInfo, skopeo --cert-dir. For clusters, prefer short-lived credentials from the cloud provider's login action, which sets up the CA too.",
		References:  []string{"https://kubernetes.io/docs/reference/kubectl/generated/kubectl/", "https://helm.sh/docs/helm/helm_repo_add/", refGHHardening},
	},
	check: func(f *ciFile) []rule.Hit {
		var hits []rule.Hit
		env := func(j *ciJob, e envVar) {
			if what := insecureEnv(e.name, e.value); what != "" {
				where := "top-level environment"
				if j != nil {
					where = j.where()
				}
				hits = append(hits, hitAt(e.line, e.col, fmt.Sprintf("%s sets %s", where, what), e.name+"="+e.value, where+"|"+e.name))
			}
			for _, m := range kubeconfigInsecure.FindAllStringIndex(e.value, -1) {
				l, c := e.pos(f.lines, m[0], "insecure-skip-tls-verify")
				hits = append(hits, hitAt(l, c, fmt.Sprintf("%s passes a kubeconfig that skips TLS verification (insecure-skip-tls-verify: true)", e.name), "insecure-skip-tls-verify: true", e.name))
			}
		}
		for _, e := range f.env {
			env(nil, e)
		}
		for _, j := range f.jobs {
			for _, s := range j.scripts {
				for _, c := range s.cmds {
					if w, what := insecureTLS(c); what != "" {
						l, col := s.wordPos(w)
						hits = append(hits, hitAt(l, col, fmt.Sprintf("%s: %s", j.where(), what), c.prog()+" "+w.text, j.id+"|"+c.prog()+" "+w.text))
					}
				}
				for _, a := range s.assigns {
					if what := insecureEnv(a.name, a.value.text); what != "" {
						l, col := s.pos(a.value.offset, a.name)
						hits = append(hits, hitAt(l, col, fmt.Sprintf("%s sets %s", j.where(), what), a.name+"="+a.value.text, j.id+"|"+a.name))
					}
				}
				for _, m := range kubeconfigInsecure.FindAllStringIndex(s.text, -1) {
					l, col := s.pos(m[0], "insecure-skip-tls-verify")
					hits = append(hits, hitAt(l, col, fmt.Sprintf("%s writes a kubeconfig that skips TLS verification (insecure-skip-tls-verify: true)", j.where()), "insecure-skip-tls-verify: true", j.id+"|kubeconfig"))
				}
			}
			for _, e := range j.env {
				env(j, e)
			}
			for _, in := range j.inputs {
				n := strings.ToLower(strings.ReplaceAll(in.name, "_", "-"))
				switch {
				case (n == "insecure-skip-tls-verify" || n == "skip-tls-verify" || n == "insecure-skip-verify") && isTrue(in.value),
					(n == "tls-verify" || n == "tlsverify" || n == "verify-tls") && isFalse(in.value):
					hits = append(hits, hitAt(in.line, in.col, fmt.Sprintf("%s: %s is given %s: %s", j.where(), actionLabel(in.uses), in.name, in.value), in.name+": "+in.value, j.id+"|"+in.uses+"|"+in.name))
				default:
					env(j, in.envVar)
				}
			}
		}
		return hits
	},
}

// kubeconfigInsecure finds the kubeconfig field written out in text.
var kubeconfigInsecure = regexp.MustCompile(`(?i)insecure-skip-tls-verify:\s*["']?(true|yes|on)\b`)

// clusterClients take kubectl's --insecure-skip-tls-verify flag.
var clusterClients = map[string]bool{
	"kubectl": true, "oc": true, "helm": true, "helmfile": true, "flux": true, "kubeseal": true, "velero": true,
	"istioctl": true, "linkerd": true, "kustomize": true, "kubelogin": true, "skaffold": true, "kapp": true,
	"stern": true, "vcluster": true, "kubectl-argo-rollouts": true, "cilium": true, "tkn": true, "kn": true,
}

// curlArgLetters are curl's short options that take a value: in a cluster
// such as -sSo, what follows one of them is its value.
const curlArgLetters = "AbcCdDeEFHKmoPQrtTuUwxXyYz"

// insecureTLS finds a flag that turns certificate checks off, and says what.
func insecureTLS(c command) (word, string) {
	p := c.prog()
	if clusterClients[p] {
		if w, ok := c.boolFlag("--insecure-skip-tls-verify"); ok {
			return w, fmt.Sprintf("%s skips TLS verification (--insecure-skip-tls-verify)", p)
		}
	}
	switch p {
	case "helm", "oras":
		if w, ok := c.boolFlag("--plain-http"); ok {
			return w, p + " talks to the registry over plain HTTP (--plain-http)"
		}
	}
	switch p {
	case "argocd":
		for _, f := range []string{"--insecure", "--plaintext"} {
			if w, ok := c.boolFlag(f); ok {
				return w, fmt.Sprintf("argocd skips TLS verification of the Argo CD server (%s)", f)
			}
		}
	case "curl":
		for _, a := range c.args() {
			if a.text == "--insecure" {
				return a, "curl skips TLS verification (--insecure)"
			}
			if len(a.text) > 1 && a.text[0] == '-' && a.text[1] != '-' {
				for _, r := range a.text[1:] {
					if r == 'k' {
						return a, "curl skips TLS verification (-k)"
					}
					if strings.ContainsRune(curlArgLetters, r) {
						break
					}
				}
			}
		}
	case "wget":
		if w, ok := c.boolFlag("--no-check-certificate"); ok {
			return w, "wget skips TLS verification (--no-check-certificate)"
		}
	case "git":
		args := c.args()
		for i, a := range args {
			t := strings.ToLower(a.text)
			if v, ok := strings.CutPrefix(t, "http.sslverify="); ok && isFalse(v) {
				return a, "git skips TLS verification (http.sslVerify=false)"
			}
			if t == "http.sslverify" && i+1 < len(args) && isFalse(args[i+1].text) {
				return a, "git skips TLS verification (http.sslVerify false)"
			}
		}
	case "skopeo", "podman", "buildah":
		for _, f := range []string{"--tls-verify", "--src-tls-verify", "--dest-tls-verify"} {
			if w, v, eq, ok := c.flag(f); ok && eq && isFalse(v) {
				return w, fmt.Sprintf("%s skips TLS verification of the registry (%s=false)", p, f)
			}
		}
	case "executor": // kaniko
		for _, f := range []string{"--skip-tls-verify", "--skip-tls-verify-pull", "--insecure", "--insecure-pull"} {
			if w, ok := c.boolFlag(f); ok {
				return w, fmt.Sprintf("kaniko skips TLS verification of the registry (%s)", f)
			}
		}
	case "crane":
		if w, ok := c.boolFlag("--insecure"); ok {
			return w, "crane skips TLS verification of the registry (--insecure)"
		}
	case "cosign":
		for _, f := range []string{"--allow-insecure-registry", "--allow-http-registry"} {
			if w, ok := c.boolFlag(f); ok {
				return w, fmt.Sprintf("cosign talks to the registry without TLS verification (%s)", f)
			}
		}
	}
	if p == "oras" {
		if w, ok := c.boolFlag("--insecure"); ok {
			return w, "oras skips TLS verification of the registry (--insecure)"
		}
	}
	return word{}, ""
}

// insecureEnv recognises environment variables that switch checks off.
func insecureEnv(name, value string) string {
	switch strings.ToUpper(name) {
	case "GIT_SSL_NO_VERIFY":
		if isTrue(value) {
			return "GIT_SSL_NO_VERIFY, which makes git skip TLS verification"
		}
	case "NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY":
		if strings.TrimSpace(value) == "0" {
			return name + "=0, which switches off TLS verification"
		}
	case "ARGOCD_OPTS":
		for _, f := range strings.Fields(value) {
			if f == "--insecure" || f == "--plaintext" {
				return "ARGOCD_OPTS with " + f + ", which makes argocd skip TLS verification"
			}
		}
	}
	return ""
}
