package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// appArmor mirrors the baseline check "appArmorProfile": appArmor profile is unconfined or custom.
var appArmor = &pssRule{
	id: "appArmorProfile",
	meta: rule.Meta{
		ID: "BW-PS-006", Name: "pss-apparmor", Title: "AppArmor profile is unconfined or custom",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "AppArmor confines what a container may do on the node. Setting the profile to Unconfined, or to a custom profile that is not loaded everywhere, removes that layer. The Baseline standard allows only the runtime default and localhost profiles.",
		Remediation: "Remove the Unconfined AppArmor profile (field or annotation); use RuntimeDefault or a Localhost profile.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_appArmorProfile.go"},
		Frameworks:  []string{"Pod Security Standards baseline"},
		PSS:         &rule.PSS{Level: "baseline", Check: "appArmorProfile"},
	},
	container: []string{"securityContext.appArmorProfile"},
	pod:       []string{"spec.securityContext.appArmorProfile", "metadata.annotations"},
}
