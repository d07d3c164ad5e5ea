package admission

import "sort"

// Resource is an API resource the webhook is registered for, with the kind
// its objects have.
type Resource struct {
	Group, Version, Resource, Kind string
	Namespaced                     bool
}

// GVR is "group/version/resource" ("v1/pods" for the core group).
func (r Resource) GVR() string {
	if r.Group == "" {
		return r.Version + "/" + r.Resource
	}
	return r.Group + "/" + r.Version + "/" + r.Resource
}

// Resources lists what Bulwark's built-in rules read, by API resource. The
// webhook is registered for CREATE and UPDATE of all of them, and for
// DELETE of those whole-set rules read (see DeleteKinds). Secrets are left
// out: the secret rules find secrets written into Git, and a Secret object
// in the cluster is where a secret belongs.
var Resources = []Resource{
	{"", "v1", "pods", "Pod", true},
	{"", "v1", "replicationcontrollers", "ReplicationController", true},
	{"", "v1", "podtemplates", "PodTemplate", true},
	{"", "v1", "services", "Service", true},
	{"", "v1", "serviceaccounts", "ServiceAccount", true},
	{"", "v1", "configmaps", "ConfigMap", true},
	{"apps", "v1", "deployments", "Deployment", true},
	{"apps", "v1", "statefulsets", "StatefulSet", true},
	{"apps", "v1", "daemonsets", "DaemonSet", true},
	{"apps", "v1", "replicasets", "ReplicaSet", true},
	{"batch", "v1", "jobs", "Job", true},
	{"batch", "v1", "cronjobs", "CronJob", true},
	{"rbac.authorization.k8s.io", "v1", "roles", "Role", true},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true},
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false},
	{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false},
	{"networking.k8s.io", "v1", "ingresses", "Ingress", true},
	{"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true},
	{"argoproj.io", "v1alpha1", "applications", "Application", true},
	{"argoproj.io", "v1alpha1", "applicationsets", "ApplicationSet", true},
	{"argoproj.io", "v1alpha1", "appprojects", "AppProject", true},
	{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true},
	{"source.toolkit.fluxcd.io", "v1", "gitrepositories", "GitRepository", true},
	{"source.toolkit.fluxcd.io", "v1", "ocirepositories", "OCIRepository", true},
	{"source.toolkit.fluxcd.io", "v1", "helmrepositories", "HelmRepository", true},
	{"source.toolkit.fluxcd.io", "v1", "buckets", "Bucket", true},
	{"kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization", true},
	{"helm.toolkit.fluxcd.io", "v2", "helmreleases", "HelmRelease", true},
}

// CacheKinds are the kinds the webhook may hold in its cluster cache for
// whole-set rules: RBAC, ServiceAccounts and the GitOps objects that refer
// to each other. Workloads, Secrets and ConfigMaps are never cached: there
// are too many of them, and holding every Secret would need rights no
// admission webhook should have. Whole-set rules see those kinds only in
// the request itself.
var CacheKinds = map[string]bool{
	"Role": true, "ClusterRole": true, "RoleBinding": true, "ClusterRoleBinding": true, "ServiceAccount": true,
	"Application": true, "ApplicationSet": true, "AppProject": true,
	"GitRepository": true, "OCIRepository": true, "HelmRepository": true, "Bucket": true,
	"Kustomization": true, "HelmRelease": true,
}

// ResourceFor finds the resource of a kind in Resources.
func ResourceFor(kind string) (Resource, bool) {
	for _, r := range Resources {
		if r.Kind == kind {
			return r, true
		}
	}
	return Resource{}, false
}

// CachedResources are the resources of the kinds whole-set rules read that
// may be cached, sorted by group and resource.
func CachedResources(setKinds []string) []Resource {
	var out []Resource
	for _, k := range setKinds {
		if !CacheKinds[k] {
			continue
		}
		if r, ok := ResourceFor(k); ok {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GVR() < out[j].GVR() })
	return out
}
