package hygiene

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// automountServiceAccountToken checks that a pod running as its namespace's
// default service account sets spec.automountServiceAccountToken: false. The
// default account is taken to mean the pod needs no API access: workloads
// that call the API are expected to have their own account. The account is
// spec.serviceAccountName, else the deprecated spec.serviceAccount, else
// "default". Unset and true are reported, at the field. Allowed: false; and
// any pod with a named service account, whose token is governed by that
// ServiceAccount and its RBAC. A ServiceAccount's own
// automountServiceAccountToken: false is not seen here (this rule looks at one
// object at a time), so an unset pod field is reported even then.
var automountServiceAccountToken = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-003", Name: "automount-service-account-token",
		Title:    "Pod mounts a service account token it does not need",
		Severity: rule.Low, Category: rule.SecurityContext,
		Why:         "Unless told otherwise, Kubernetes mounts a token for the pod's service account into every container at /var/run/secrets/kubernetes.io/serviceaccount. A pod that runs as the namespace's default account usually never calls the API, so the token only serves an attacker who gets code execution or file read in the pod: it authenticates to the API server as the default account, which often holds more RBAC than anyone intended.",
		Remediation: "Set spec.automountServiceAccountToken: false in the pod template. If the workload does call the Kubernetes API, give it a dedicated ServiceAccount with only the RBAC it needs and set serviceAccountName.",
		References: []string{
			"https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
			"https://kubernetes.io/docs/concepts/security/service-accounts/",
			nsaGuide,
		},
		Frameworks: []string{
			"NSA/CISA Kubernetes Hardening Guide: protecting Pod service account tokens",
			"CIS Kubernetes Benchmark 5.1.5, 5.1.6",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil {
			return nil
		}
		sa := pt.Spec.ServiceAccountName
		if sa == "" {
			sa = pt.Spec.DeprecatedServiceAccount
		}
		if sa != "" && sa != "default" {
			return nil
		}
		auto := pt.Spec.AutomountServiceAccountToken
		if auto != nil && !*auto {
			return nil
		}
		msg := "pod runs as the default service account and does not set automountServiceAccountToken=false"
		if auto != nil {
			msg = "pod runs as the default service account and sets automountServiceAccountToken=true"
		}
		return []rule.Hit{{Path: fmt.Sprintf("%s.automountServiceAccountToken", pt.SpecPath), Message: msg}}
	},
}
