package secrets

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// kubeconfigInsecure checks every cluster of a kubeconfig (a kubeconfig
// file, or one embedded in a Secret or ConfigMap) for
// insecure-skip-tls-verify: true. The kubeconfig rule reads the clusters
// while it reads the users; this declaration only names the risk. Allowed:
// the field absent or false, with certificate-authority(-data) set.
var kubeconfigInsecure = &objectRule{
	Meta: meta("BW-SE-007", "kubeconfig-insecure-tls", "Kubeconfig skips TLS verification of the API server", rule.High,
		"With insecure-skip-tls-verify the client accepts any certificate from whatever answers at the server "+
			"address, so anyone on the network path can impersonate the API server and capture the token or password "+
			"the kubeconfig sends, then use it against the real cluster.",
		"Remove insecure-skip-tls-verify and set certificate-authority-data to the cluster's CA bundle "+
			"(kubectl config view --raw shows it for a working context).",
		"https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/#Cluster"),
	Applies: func(obj *manifest.Object) bool { return false },
	Check:   func(*scope) {},
}
