package rbac

import rbacv1 "k8s.io/api/rbac/v1"

// Sourced pairs a typed object with the caller's handle for it (a file and
// line, an index into a slice of manifests). The graph never looks inside
// Source; it hands it back on every Role, Binding and Problem so findings
// can point at the manifest that caused them.
type Sourced[T any] struct {
	Object T
	Source any
}

// ServiceAccount is a ServiceAccount the manifests define.
type ServiceAccount struct {
	Namespace string
	Name      string
	Source    any
}

// Workload is a pod or pod template (Deployment, Job, ...) reduced to what
// escalation analysis needs: which ServiceAccount runs in which namespace.
// An empty ServiceAccountName means "default", as in a pod spec.
// NoAutomount is set when the pod does not mount its token, so taking over
// the running pod (exec, attach) yields no credential.
type Workload struct {
	Namespace          string
	ServiceAccountName string
	NoAutomount        bool
	Source             any
}

// Input is everything Build reads. Objects appear as decoded from the
// manifests; the graph applies the API server's defaults and semantics.
type Input struct {
	Roles               []Sourced[rbacv1.Role]
	ClusterRoles        []Sourced[rbacv1.ClusterRole]
	RoleBindings        []Sourced[rbacv1.RoleBinding]
	ClusterRoleBindings []Sourced[rbacv1.ClusterRoleBinding]
	ServiceAccounts     []ServiceAccount
	Workloads           []Workload

	// OmitBuiltins leaves out the bootstrap roles every cluster has
	// (cluster-admin, admin, edit, view and what aggregates into them,
	// and the system:masters binding). They are in by default because a
	// RoleBinding to "edit" in Git grants what edit grants in the cluster,
	// and aggregation labels in Git feed the real admin, edit and view.
	OmitBuiltins bool
}
