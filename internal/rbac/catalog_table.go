package rbac

import rbacv1 "k8s.io/api/rbac/v1"

// The entries follow the permission catalog of the RBAC research note
// (rows in brackets), which cites the Kubernetes docs and the rule sets of
// rbac-police, KubiScan, krane, rbac-tool, Kubescape, Trivy and Checkov.
// Severities are cluster / privileged namespace / namespace.

func unnamed(group string, resources []string, verbs ...string) Probe {
	return Probe{APIGroup: group, Resources: resources, Verbs: verbs}
}

func named(group string, resources []string, verbs ...string) Probe {
	return Probe{APIGroup: group, Resources: resources, Verbs: verbs, Named: true}
}

func clusterScoped(p Probe) Probe { p.ClusterScoped = true; return p }

var (
	writeNamed      = []string{"update", "patch", "delete"}
	workloadRes     = []string{"deployments", "daemonsets", "statefulsets", "replicasets"}
	admissionGroup  = "admissionregistration.k8s.io"
	networkingGroup = "networking.k8s.io"
)

// writeProbes is create (unnamed) plus update, patch and delete (named).
func writeProbes(group string, resources []string, cluster bool) []Probe {
	ps := []Probe{unnamed(group, resources, "create"), named(group, resources, writeNamed...)}
	if cluster {
		for i := range ps {
			ps[i].ClusterScoped = true
		}
	}
	return ps
}

var catalog = []Risk{
	{ID: "cluster-admin-equivalent", Title: "Every verb on every resource",
		Why:     "\"*\" verbs on \"*\" resources is cluster-admin when bound cluster-wide, and full control of the namespace, including the Namespace object, through a RoleBinding. [1]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High,
		match: func(r *rbacv1.PolicyRule) bool {
			return contains(r.Verbs, "*") && contains(r.Resources, "*") && (contains(r.APIGroups, "*") || contains(r.APIGroups, ""))
		}},
	{ID: "wildcard", Title: "Wildcard in verbs, resources or API groups",
		Why:     "A wildcard also grants every verb, resource or API group added later, by an upgrade or a CRD. [2]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Medium,
		match: func(r *rbacv1.PolicyRule) bool {
			return contains(r.Verbs, "*") || contains(r.Resources, "*") || contains(r.APIGroups, "*")
		}},
	{ID: "nonresource-wildcard", Title: "Wildcard non-resource URLs",
		Why:     "\"*\" or a trailing-\"*\" URL covers /debug, /logs and metrics endpoints that leak internals; effective only through a ClusterRoleBinding. [nonResourceURLs]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Medium, clusterScopedMatch: true,
		match: func(r *rbacv1.PolicyRule) bool {
			for _, u := range r.NonResourceURLs {
				if u == "*" || (len(u) > 0 && u[len(u)-1] == '*') {
					return true
				}
			}
			return false
		}},
	{ID: "secrets-read", Title: "Read Secrets",
		Why:     "list and watch return every Secret in full, legacy ServiceAccount tokens included; get needs a name, which can be guessed. [3]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High,
		Probes: []Probe{unnamed("", []string{"secrets"}, "list", "watch"), named("", []string{"secrets"}, "get")}},
	{ID: "secrets-write", Title: "Create or modify Secrets",
		Why:     "A Secret of type kubernetes.io/service-account-token makes the token controller mint a token for any ServiceAccount of the namespace. [4]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: Medium,
		Probes: []Probe{unnamed("", []string{"secrets"}, "create"), named("", []string{"secrets"}, "update", "patch")}},
	{ID: "pods-create", Title: "Create pods",
		Why:     "A new pod can run as any ServiceAccount of the namespace, mount any of its Secrets, and reach the node when privileged. [5]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High,
		Probes: []Probe{unnamed("", []string{"pods"}, "create")}},
	{ID: "workloads-write", Title: "Create or modify workload controllers",
		Why:     "A Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job or CronJob creates pods on your behalf, with the ServiceAccount you choose. [6]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High,
		Probes: []Probe{
			unnamed("apps", workloadRes, "create"), named("apps", workloadRes, "update", "patch"),
			unnamed("", []string{"replicationcontrollers"}, "create"), named("", []string{"replicationcontrollers"}, "update", "patch"),
			unnamed("batch", []string{"jobs", "cronjobs"}, "create"), named("batch", []string{"jobs", "cronjobs"}, "update", "patch"),
		}},
	{ID: "pods-update", Title: "Modify running pods",
		Why:     "Swapping a running pod's image runs your code with its ServiceAccount; relabelling pods can make controllers delete the real replicas. [7]",
		Cluster: High, PrivilegedNS: High, Namespace: Medium,
		Probes: []Probe{named("", []string{"pods"}, "update", "patch")}},
	{ID: "pods-exec", Title: "Exec into pods",
		Why:     "Runs commands in existing pods, including powerful ones, with their tokens. Older API servers authorized WebSocket exec with get, so get is flagged too. [8]",
		Cluster: High, PrivilegedNS: Critical, Namespace: Medium,
		Probes: []Probe{named("", []string{"pods/exec"}, "create", "get")}},
	{ID: "pods-attach", Title: "Attach to pods",
		Why:     "Reads and writes the stdin and stdout of running containers. [9]",
		Cluster: High, PrivilegedNS: High, Namespace: Medium,
		Probes: []Probe{named("", []string{"pods/attach"}, "create", "get")}},
	{ID: "pods-portforward", Title: "Port-forward to pods",
		Why:     "Reaches pod-local ports, bypassing Services and NetworkPolicies. [10]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Medium,
		Probes: []Probe{named("", []string{"pods/portforward"}, "create", "get")}},
	{ID: "ephemeral-containers", Title: "Add ephemeral containers",
		Why:     "Injects a container, optionally privileged, into any running pod: code execution with its token, possibly the node. [11]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: []Probe{named("", []string{"pods/ephemeralcontainers"}, "update", "patch")}},
	{ID: "nodes-proxy", Title: "Proxy to the kubelet API",
		Why:     "nodes/proxy is the whole kubelet API, exec into every pod of the node included, bypassing audit and admission; get is enough because WebSocket upgrades use GET. [12]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: Critical,
		Probes: []Probe{clusterScoped(named("", []string{"nodes/proxy"}, "get", "create"))}},
	{ID: "roles-escalate", Title: "Escalate roles",
		Why:     "escalate lifts escalation prevention: together with update on a role one is bound to, it grants any permission. [13]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High, DangerousNames: []string{"cluster-admin", "admin"},
		Probes: []Probe{named(rbacv1.GroupName, []string{"roles", "clusterroles"}, "escalate")}},
	{ID: "roles-bind", Title: "Bind roles",
		Why:     "bind lets one create bindings to roles one does not hold, cluster-admin included; resourceNames limits which. [14]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High, DangerousNames: []string{"cluster-admin", "admin", "edit"},
		Probes: []Probe{named(rbacv1.GroupName, []string{"roles", "clusterroles"}, "bind")}},
	{ID: "rbac-write", Title: "Manage roles and bindings",
		Why:     "Not escalation by itself, since the API server checks escalation, but it is RBAC management and grants anything one already holds to others. [15]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Low,
		Probes: writeProbes(rbacv1.GroupName, []string{"roles", "clusterroles", "rolebindings", "clusterrolebindings"}, false)},
	{ID: "impersonate", Title: "Impersonate identities",
		Why:     "Act as another user, group or ServiceAccount, system:masters included; resourceNames limits the targets. [16]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High, DangerousNames: []string{Masters, "system:admin"},
		Probes: []Probe{
			clusterScoped(named("", []string{"users", "groups"}, "impersonate")),
			named("", []string{"serviceaccounts"}, "impersonate"),
			clusterScoped(named("authentication.k8s.io", []string{"uids"}, "impersonate")),
			{APIGroup: "authentication.k8s.io", Resources: []string{"userextras"}, Verbs: []string{"impersonate"}, Named: true, AnySubresource: true, ClusterScoped: true},
		}},
	{ID: "serviceaccount-token-create", Title: "Request ServiceAccount tokens",
		Why:     "TokenRequest mints a token for any ServiceAccount in scope; resourceNames limits which. [17]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: High,
		Probes: []Probe{named("", []string{"serviceaccounts/token"}, "create")}},
	{ID: "csr-approve", Title: "Approve certificate signing requests",
		Why:     "With create on CSRs and approve on a client signer, one issues certificates for any user and group, system:masters included; approval alone is still high. [18]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: []Probe{clusterScoped(named("certificates.k8s.io", []string{"certificatesigningrequests/approval"}, "update", "patch"))}},
	{ID: "csr-signers-approve", Title: "Approve for certificate signers",
		Why:     "approve on signers is the other half of CSR approval; kubernetes.io/kube-apiserver-client issues client certificates the API server trusts. [18]",
		Cluster: High, PrivilegedNS: High, Namespace: High, DangerousNames: []string{"kubernetes.io/kube-apiserver-client", "kubernetes.io/*"},
		Probes: []Probe{clusterScoped(named("certificates.k8s.io", []string{"signers"}, "approve"))}},
	{ID: "mutating-webhooks-write", Title: "Manage mutating admission webhooks",
		Why:     "A mutating webhook sees every admitted object, Secrets included, and can rewrite pod specs cluster-wide; deleting one disables a guardrail. [19]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: Critical,
		Probes: writeProbes(admissionGroup, []string{"mutatingwebhookconfigurations"}, true)},
	{ID: "validating-webhooks-write", Title: "Manage validating admission webhooks",
		Why:     "A validating webhook sees every admitted object, Secrets included; deleting or loosening one disables a guardrail. [19]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: writeProbes(admissionGroup, []string{"validatingwebhookconfigurations"}, true)},
	{ID: "admission-policies-write", Title: "Manage admission policies",
		Why:     "ValidatingAdmissionPolicies and MutatingAdmissionPolicies and their bindings are guardrails; writing them weakens or bypasses enforcement, and mutation injects content. [20]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: writeProbes(admissionGroup, []string{"validatingadmissionpolicies", "validatingadmissionpolicybindings",
			"mutatingadmissionpolicies", "mutatingadmissionpolicybindings"}, true)},
	{ID: "kyverno-policies-write", Title: "Manage Kyverno policies",
		Why:     "Kyverno policies and exceptions enforce or mutate what the cluster admits; writing them disables guardrails or injects content. [20]",
		Cluster: High, PrivilegedNS: High, Namespace: Medium,
		Probes: append(writeProbes("kyverno.io", []string{"clusterpolicies", "policies", "policyexceptions", "clustercleanuppolicies", "cleanuppolicies"}, false),
			writeProbes("policies.kyverno.io", []string{"validatingpolicies", "mutatingpolicies", "generatingpolicies", "imagevalidatingpolicies",
				"deletingpolicies", "namespacedvalidatingpolicies", "policyexceptions"}, false)...)},
	{ID: "gatekeeper-write", Title: "Manage OPA Gatekeeper policies",
		Why:     "Constraint templates, constraints, mutators and the Gatekeeper config decide what is admitted; writing them disables guardrails or injects content. [20]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: append(append(writeProbes("templates.gatekeeper.sh", []string{"constrainttemplates"}, true),
			writeProbes("mutations.gatekeeper.sh", []string{"assign", "assignmetadata", "modifyset", "assignimage"}, true)...),
			Probe{APIGroup: "constraints.gatekeeper.sh", Verbs: []string{"create", "update", "patch", "delete"}, Named: true, AnyResource: true, ClusterScoped: true},
			Probe{APIGroup: "config.gatekeeper.sh", Resources: []string{"configs"}, Verbs: []string{"create", "update", "patch", "delete"}, Named: true})},
	{ID: "persistentvolumes-create", Title: "Create PersistentVolumes",
		Why:     "A hostPath PersistentVolume exposes the node's filesystem, kubelet credentials included. [21]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: []Probe{clusterScoped(unnamed("", []string{"persistentvolumes"}, "create"))}},
	{ID: "nodes-write", Title: "Modify nodes",
		Why:     "Taints, labels and cordons move workloads; with pod deletion they steal powerful pods onto a compromised node. [22]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Medium,
		Probes: []Probe{clusterScoped(named("", []string{"nodes"}, "update", "patch"))}},
	{ID: "nodes-status-write", Title: "Modify node status",
		Why:     "A forged node status misleads the scheduler and controllers about capacity and conditions. [22]",
		Cluster: Low, PrivilegedNS: Low, Namespace: Low,
		Probes: []Probe{clusterScoped(named("", []string{"nodes/status"}, "update", "patch"))}},
	{ID: "pods-status-write", Title: "Modify pod status",
		Why:     "Spoofed pod IPs and conditions redirect Service traffic. [23]",
		Cluster: Low, PrivilegedNS: Low, Namespace: Low,
		Probes: []Probe{named("", []string{"pods/status"}, "update", "patch")}},
	{ID: "services-status-write", Title: "Modify Service status",
		Why:     "Setting status.loadBalancer.ingress.ip intercepts traffic to that IP cluster-wide (CVE-2020-8554, unfixed). [24]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Medium,
		Probes: []Probe{named("", []string{"services/status"}, "update", "patch")}},
	{ID: "networking-write", Title: "Modify traffic routing",
		Why:     "Services, Endpoints, EndpointSlices, Ingresses, NetworkPolicies and Gateway API routes decide where traffic goes and what may reach what. [25]",
		Cluster: High, PrivilegedNS: High, Namespace: Medium,
		Probes: append(append(append(writeProbes("", []string{"services", "endpoints"}, false),
			writeProbes("discovery.k8s.io", []string{"endpointslices"}, false)...),
			writeProbes(networkingGroup, []string{"ingresses", "networkpolicies"}, false)...),
			writeProbes("gateway.networking.k8s.io", []string{"gateways", "httproutes", "grpcroutes", "tlsroutes", "tcproutes", "udproutes", "referencegrants"}, false)...)},
	{ID: "aws-auth-write", Title: "Modify the aws-auth ConfigMap",
		Why:     "On EKS, kube-system/aws-auth maps IAM identities to Kubernetes groups: writing it is cluster-admin. [26]",
		Cluster: Critical, PrivilegedNS: Critical, Namespace: Low, DangerousNames: []string{"aws-auth"},
		match: func(r *rbacv1.PolicyRule) bool {
			return anyVerb(r, res("", "", "configmaps", "", "aws-auth"), false, "update", "patch")
		}},
	{ID: "events-delete", Title: "Delete events",
		Why:     "Deleting events removes the trail of what happened. [27]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Low,
		Probes: []Probe{unnamed("", []string{"events"}, "deletecollection"), named("", []string{"events"}, "delete"),
			unnamed("events.k8s.io", []string{"events"}, "deletecollection"), named("events.k8s.io", []string{"events"}, "delete")}},
	{ID: "namespaces-write", Title: "Modify namespaces",
		Why:     "Namespace labels carry Pod Security Admission levels and NetworkPolicy selectors: relabelling lifts both. [30]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: []Probe{clusterScoped(named("", []string{"namespaces"}, "update", "patch"))}},
	{ID: "crd-write", Title: "Manage CustomResourceDefinitions",
		Why:     "CRDs install or alter cluster extensions; a conversion webhook sees every custom resource of its kind. [31]",
		Cluster: Medium, PrivilegedNS: Medium, Namespace: Medium,
		Probes: writeProbes("apiextensions.k8s.io", []string{"customresourcedefinitions"}, true)},
	{ID: "apiservices-write", Title: "Manage aggregated API services",
		Why:     "An APIService routes a whole API group to a server of one's choosing, which then receives those requests and their credentials. [33]",
		Cluster: High, PrivilegedNS: High, Namespace: High,
		Probes: writeProbes("apiregistration.k8s.io", []string{"apiservices"}, true)},
}
