package rbac

import "fmt"

// Severity orders risks from informational to critical. The values are
// those of the rule package's Severity (Info = 1 ... Critical = 5), so a
// caller converts with a plain type conversion; this package stays free of
// the scanner's other packages.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Scope ranks where a permission applies: a ClusterRoleBinding reaches
// everything; a RoleBinding in a privileged namespace reaches the
// credentials of the cluster's controllers; an ordinary namespace only
// itself.
type Scope int

// Scopes, narrowest first.
const (
	NamespaceScope Scope = iota + 1
	PrivilegedNamespaceScope
	ClusterScope
)

func (s Scope) String() string {
	switch s {
	case NamespaceScope:
		return "namespace"
	case PrivilegedNamespaceScope:
		return "privileged-namespace"
	case ClusterScope:
		return "cluster"
	}
	return fmt.Sprintf("scope(%d)", int(s))
}

// DefaultPrivilegedNamespaces are namespaces whose ServiceAccounts are
// usually admin-equivalent: the control plane's, and the GitOps
// controllers' (which apply whatever the repository says, cluster-wide).
func DefaultPrivilegedNamespaces() []string {
	return []string{"kube-system", "argocd", "flux-system"}
}

// ScopePolicy classifies namespaces. The zero value knows no privileged
// namespace; NewScopePolicy(DefaultPrivilegedNamespaces()) is the usual one.
type ScopePolicy struct {
	privileged map[string]bool
}

// NewScopePolicy treats the given namespaces as privileged.
func NewScopePolicy(privileged []string) ScopePolicy {
	p := ScopePolicy{privileged: map[string]bool{}}
	for _, ns := range privileged {
		p.privileged[ns] = true
	}
	return p
}

// Of classifies a grant namespace: "" is cluster-wide.
func (p ScopePolicy) Of(namespace string) Scope {
	switch {
	case namespace == "":
		return ClusterScope
	case p.privileged[namespace]:
		return PrivilegedNamespaceScope
	}
	return NamespaceScope
}
