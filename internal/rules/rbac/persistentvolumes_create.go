package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// persistentVolumesCreate reports rules that allow create on
// persistentvolumes. PersistentVolumes are cluster-scoped, so only
// cluster-wide placements count; PersistentVolumeClaims are not reported.
var persistentVolumesCreate = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-013", Name: "rbac-persistentvolumes-create",
		Title:    "Role creates PersistentVolumes",
		Severity: rule.High, Category: rule.Permissions,
		Why:         "A PersistentVolume of type hostPath, claimed by a pod one may create, mounts any directory of the node: the kubelet's credentials, other pods' volumes and the container runtime's state. Pod Security admission does not see the hostPath behind a claim.",
		Remediation: "Provision volumes through StorageClasses and dynamic provisioning; grant create on PersistentVolumeClaims, never on PersistentVolumes." + scopeNote,
		References:  []string{"https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation", refGoodPractices},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.9"},
	},
	Check: riskCheck(family{risks: []string{"persistentvolumes-create"}}),
}
