// Package rbacrules judges the permissions a repository grants the way the
// API server would: it decodes Roles, ClusterRoles, their bindings,
// ServiceAccounts and the workloads that run as them, resolves them with
// the rbac package (matching, aggregation, effective permissions,
// escalation paths), and reports three kinds of findings.
//
//   - Rule level: a rule of a Role or ClusterRole that grants a dangerous
//     permission from the risk catalog. The finding points at rules[i] of
//     the manifest that wrote the rule (for aggregated rules too), or at the
//     roleRef of a binding to a built-in role. Its severity is the worst
//     place the rule applies: cluster-wide through a ClusterRoleBinding, a
//     privileged namespace, or an ordinary one; resourceNames lower it one
//     step unless they name the prize itself.
//   - Binding level: bindings to cluster-admin, to the anonymous,
//     unauthenticated, authenticated, all-ServiceAccounts and masters
//     groups, grants to a namespace's default ServiceAccount, subjects from
//     other namespaces, and workloads that mount the token of a powerful
//     ServiceAccount. They point at the binding's roleRef or subject, or at
//     the workload's serviceAccountName.
//   - Graph level: identities that can become cluster-admin without
//     holding it, with the shortest path, and references that do not
//     resolve the way they read.
//
// Every rule is one file declaring a value; Rules lists them in ID order.
package rbacrules

import (
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Config tunes the permission rules. The policy file fills it; the zero
// value of a field means "use the default".
type Config struct {
	// PrivilegedNamespaces rank between cluster-wide and an ordinary
	// namespace: their ServiceAccounts are usually admin-equivalent.
	// Default: kube-system, argocd, flux-system.
	PrivilegedNamespaces []string
	// AllowedNames are known system and vendor roles and bindings, by exact
	// name or by a prefix ending in "*", whose own rules are not reported.
	// They never silence the anonymous, unauthenticated, authenticated and
	// masters checks, nor escalation paths. Default: DefaultAllowedNames.
	AllowedNames []string
	// AllowedLabels mark roles and bindings as system or vendor ones, as
	// "key" (any value) or "key=value". Default: DefaultAllowedLabels.
	AllowedLabels []string
}

// DefaultAllowedNames are the names and name prefixes of roles Kubernetes
// and the managed distributions install and reconcile themselves (the
// bootstrap Role extension-apiserver-authentication-reader has no
// system: prefix).
func DefaultAllowedNames() []string {
	return []string{"system:*", "kubeadm:*", "eks:*", "gce:*", "aks-*", "openshift-*", "extension-apiserver-authentication-reader"}
}

// DefaultAllowedLabels are the labels Kubernetes and managed distributions
// put on the RBAC objects they install.
func DefaultAllowedLabels() []string {
	return []string{
		"kubernetes.io/bootstrapping=rbac-defaults",
		"addonmanager.kubernetes.io/mode",
		"eks.amazonaws.com/component",
		"kubernetes.azure.com/managedby",
	}
}

// DefaultConfig is the configuration the scanner uses when the policy says
// nothing.
func DefaultConfig() Config {
	return Config{
		PrivilegedNamespaces: rbac.DefaultPrivilegedNamespaces(),
		AllowedNames:         DefaultAllowedNames(),
		AllowedLabels:        DefaultAllowedLabels(),
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.PrivilegedNamespaces == nil {
		c.PrivilegedNamespaces = d.PrivilegedNamespaces
	}
	if c.AllowedNames == nil {
		c.AllowedNames = d.AllowedNames
	}
	if c.AllowedLabels == nil {
		c.AllowedLabels = d.AllowedLabels
	}
	return c
}

// allowed reports whether a role or binding with that name and labels is a
// known system or vendor object.
func (c Config) allowed(name string, labels map[string]string) bool {
	for _, n := range c.AllowedNames {
		if prefix, ok := strings.CutSuffix(n, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if n == name {
			return true
		}
	}
	for _, l := range c.AllowedLabels {
		key, value, hasValue := strings.Cut(l, "=")
		if v, ok := labels[key]; ok && (!hasValue || v == value) {
			return true
		}
	}
	return false
}

// Rule is one permission rule: its metadata and the function that finds
// it in an analysis. The check stamps the rule's ID on the hits.
type Rule struct {
	Meta  rule.Meta
	Check func(a *Analysis) []rule.Hit
}

// Rules lists every permission rule in ID order.
func Rules() []*Rule {
	return []*Rule{
		wildcard,
		secretsRead,
		secretsWrite,
		workloadCreate,
		podExec,
		nodesProxy,
		escalate,
		bind,
		impersonate,
		serviceAccountToken,
		csrApprove,
		admissionControl,
		persistentVolumesCreate,
		nodesWrite,
		trafficInterception,
		clusterExtensions,
		namespacesWrite,
		awsAuth,
		clusterAdminBinding,
		builtinRoleBinding,
		unauthenticatedSubject,
		authenticatedSubject,
		serviceAccountsGroup,
		mastersSubject,
		defaultServiceAccount,
		crossNamespaceSubject,
		workloadToken,
		aggregation,
		escalationPath,
		unresolved,
	}
}

// Check is the set check that runs every permission rule over the RBAC
// objects, ServiceAccounts and workloads of one scan.
type Check struct {
	cfg   Config
	rules []*Rule
}

// New builds the check; zero fields of cfg take their defaults.
func New(cfg Config) *Check { return &Check{cfg: cfg.withDefaults(), rules: Rules()} }

// Rules returns every rule's metadata.
func (c *Check) Rules() []*rule.Meta {
	out := make([]*rule.Meta, len(c.rules))
	for i, r := range c.rules {
		out[i] = &r.Meta
	}
	return out
}

// Kinds are the RBAC kinds, ServiceAccounts, and every kind that runs pods
// with a ServiceAccount's token.
func (c *Check) Kinds() []string { return Kinds() }

// Kinds lists what the analysis reads.
func Kinds() []string {
	return append([]string{"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount"}, workloadKinds...)
}

var workloadKinds = []string{"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
	"ReplicationController", "Job", "CronJob", "Rollout"}

// Prepare decodes an object's typed form while it streams by, on the
// engine's workers, so its tree need not be kept for CheckSet.
func (c *Check) Prepare(obj *manifest.Object) { typedView(obj) }

// CheckSet analyses the objects and runs every rule.
func (c *Check) CheckSet(objs []*manifest.Object) []rule.Hit {
	return c.run(Analyze(objs, c.cfg))
}

func (c *Check) run(a *Analysis) []rule.Hit {
	var out []rule.Hit
	for _, r := range c.rules {
		for _, h := range r.Check(a) {
			if h.Rule == "" {
				h.Rule = r.Meta.ID
			}
			out = append(out, h)
		}
	}
	return out
}

// Base is the analysis of a fixed set of objects, the RBAC a cluster
// holds, kept for analysing that set with a few objects added, replaced or
// removed: the admission webhook does so for every RBAC request. Its
// objects are decoded once, and its graph is the start of each request's
// (rbac.Graph.Rebuild), so a RoleBinding costs its own decoding and the
// grants and edges it may change, not the cluster's roles again.
type Base struct {
	check   *Check
	decoded map[*manifest.Object]decoded
	graph   *rbac.Graph
}

// NewBase analyses objs. They must not change afterwards.
func (c *Check) NewBase(objs []*manifest.Object) rule.SetBase {
	b := &Base{check: c, decoded: make(map[*manifest.Object]decoded, len(objs))}
	objs = fileOrder(objs)
	dec := make([]decoded, len(objs))
	// decode, not typedView: the objects may be shared with requests in
	// flight (the webhook's cluster objects come parsed), so the base keeps
	// their typed form itself instead of writing it into them.
	parallel(len(objs), func(i int) { dec[i] = decode(objs[i]) })
	for i, o := range objs {
		b.decoded[o] = dec[i]
	}
	b.graph = rbac.Build(newAnalysis(c.cfg).input(objs, dec))
	return b
}

// CheckSet returns what the check's CheckSet returns for objs.
func (b *Base) CheckSet(objs []*manifest.Object) []rule.Hit {
	return b.check.run(analyze(objs, b.check.cfg, b))
}
