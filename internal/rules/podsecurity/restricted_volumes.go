package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// restrictedVolumes mirrors the restricted check "restrictedVolumes": pod uses a volume type outside the restricted set.
var restrictedVolumes = &pssRule{
	id: "restrictedVolumes",
	meta: rule.Meta{
		ID: "BW-PS-015", Name: "pss-restricted-volumes", Title: "Pod uses a volume type outside the restricted set",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "Volume types other than ConfigMap, Secret, emptyDir, projected, downward API, CSI, ephemeral and PersistentVolumeClaim reach node or network storage directly and bypass the storage administrator's controls. The Restricted standard allows only the listed types.",
		Remediation: "Replace the volume with a PersistentVolumeClaim or one of the allowed volume types.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_restrictedVolumes.go"},
		Frameworks:  []string{"Pod Security Standards restricted"},
		PSS:         &rule.PSS{Level: "restricted", Check: "restrictedVolumes"},
	},
	pod:     []string{"spec.volumes"},
	volumes: true,
}
