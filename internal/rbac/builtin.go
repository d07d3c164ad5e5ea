package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The bootstrap policy every API server reconciles at start-up
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), reduced to the roles
// that matter for permission analysis of manifests: cluster-admin and its
// system:masters binding, and the user-facing admin, edit and view roles
// with what aggregates into them. Without them a RoleBinding to "edit"
// would look dangling, and a ClusterRole labelled aggregate-to-view would
// seem to feed nothing. Controller and node roles are left out: manifests
// in Git do not bind them, and their subjects are not reachable identities.

const (
	aggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
	aggregateToEdit  = "rbac.authorization.k8s.io/aggregate-to-edit"
	aggregateToView  = "rbac.authorization.k8s.io/aggregate-to-view"
)

var (
	readVerbs  = []string{"get", "list", "watch"}
	writeVerbs = []string{"create", "delete", "deletecollection", "patch", "update"}
	allVerbs   = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
)

func pr(groups, resources, verbs []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs}
}

func strs(v ...string) []string { return v }

func builtinClusterRole(name string, labels map[string]string, agg string, rules ...rbacv1.PolicyRule) rbacv1.ClusterRole {
	cr := rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Rules: rules}
	if agg != "" {
		cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
			{MatchLabels: map[string]string{agg: "true"}},
		}}
	}
	return cr
}

// builtinClusterRoles returns fresh copies, since Build takes ownership.
func builtinClusterRoles() []rbacv1.ClusterRole {
	return []rbacv1.ClusterRole{
		builtinClusterRole("cluster-admin", nil, "",
			pr(strs("*"), strs("*"), strs("*")),
			rbacv1.PolicyRule{NonResourceURLs: strs("*"), Verbs: strs("*")}),
		builtinClusterRole("admin", nil, aggregateToAdmin),
		builtinClusterRole("edit", map[string]string{aggregateToAdmin: "true"}, aggregateToEdit),
		builtinClusterRole("view", map[string]string{aggregateToEdit: "true"}, aggregateToView),
		builtinClusterRole("system:aggregate-to-admin", map[string]string{aggregateToAdmin: "true"}, "",
			pr(strs("authorization.k8s.io"), strs("localsubjectaccessreviews"), strs("create")),
			pr(strs("rbac.authorization.k8s.io"), strs("rolebindings", "roles"), allVerbs)),
		builtinClusterRole("system:aggregate-to-edit", map[string]string{aggregateToEdit: "true"}, "",
			pr(strs(""), strs("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"), readVerbs),
			pr(strs(""), strs("serviceaccounts"), strs("impersonate")),
			pr(strs(""), strs("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"), writeVerbs),
			pr(strs(""), strs("pods/eviction"), strs("create")),
			pr(strs(""), strs("configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
				"secrets", "serviceaccounts", "services", "services/proxy"), writeVerbs),
			pr(strs(""), strs("serviceaccounts/token"), strs("create")),
			pr(strs("apps"), strs("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
				"replicasets/scale", "statefulsets", "statefulsets/scale"), writeVerbs),
			pr(strs("autoscaling"), strs("horizontalpodautoscalers"), writeVerbs),
			pr(strs("batch"), strs("cronjobs", "jobs"), writeVerbs),
			pr(strs("extensions"), strs("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses",
				"networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"), writeVerbs),
			pr(strs("policy"), strs("poddisruptionbudgets"), writeVerbs),
			pr(strs("networking.k8s.io"), strs("ingresses", "networkpolicies"), writeVerbs),
			pr(strs("coordination.k8s.io"), strs("leases"), allVerbs)),
		builtinClusterRole("system:aggregate-to-view", map[string]string{aggregateToView: "true"}, "",
			pr(strs(""), strs("configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
				"replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"), readVerbs),
			pr(strs(""), strs("bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
				"replicationcontrollers/status", "resourcequotas", "resourcequotas/status"), readVerbs),
			pr(strs(""), strs("namespaces"), readVerbs),
			pr(strs("discovery.k8s.io"), strs("endpointslices"), readVerbs),
			pr(strs("apps"), strs("controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
				"deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
				"statefulsets/scale", "statefulsets/status"), readVerbs),
			pr(strs("autoscaling"), strs("horizontalpodautoscalers", "horizontalpodautoscalers/status"), readVerbs),
			pr(strs("batch"), strs("cronjobs", "cronjobs/status", "jobs", "jobs/status"), readVerbs),
			pr(strs("extensions"), strs("daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
				"ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status",
				"replicationcontrollers/scale"), readVerbs),
			pr(strs("policy"), strs("poddisruptionbudgets", "poddisruptionbudgets/status"), readVerbs),
			pr(strs("networking.k8s.io"), strs("ingresses", "ingresses/status", "networkpolicies"), readVerbs)),
	}
}

func builtinClusterRoleBindings() []rbacv1.ClusterRoleBinding {
	return []rbacv1.ClusterRoleBinding{{
		ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: Masters}},
	}}
}
