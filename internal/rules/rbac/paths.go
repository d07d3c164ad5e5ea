package rbacrules

import (
	"sort"

	"github.com/bulwark-dev/bulwark/internal/rbac"
)

// EscalationPath is a shortest way for an identity that does not hold
// cluster-admin to become it.
type EscalationPath struct {
	rbac.Path
	// Entry is set when an attacker plausibly starts there: a
	// ServiceAccount whose token a workload mounts, system:anonymous,
	// system:unauthenticated or system:authenticated.
	Entry bool
}

// holdsAdmin reports whether the path only says the subject already is
// cluster-admin (bound to it, or system:masters).
func holdsAdmin(p rbac.Path) bool {
	if len(p.Steps) != 1 {
		return false
	}
	k := p.Steps[0].Kind
	return k == rbac.EdgeHoldsClusterAdmin || k == rbac.EdgeSystemMasters
}

// EscalationPaths searches breadth-first from every identity the
// manifests name or run, and returns a shortest path to cluster-admin for
// each that can reach it without already holding it, shortest first, then
// by subject. A user or ServiceAccount is left out when one of its
// implicit groups (system:authenticated, system:serviceaccounts[:ns],
// system:unauthenticated) reaches cluster-admin by itself and the member's
// own path starts with what it holds through its groups: the group's path
// stands for all its members. The result is cached.
func (a *Analysis) EscalationPaths() []EscalationPath {
	if a.pathsDone {
		return a.paths
	}
	a.pathsDone = true
	groupReaches := map[string]bool{}
	var out []EscalationPath
	subjects := a.Graph.Subjects()
	// Groups first: whether one reaches decides whether its members are
	// reported one by one.
	for _, pass := range []bool{true, false} {
		for _, s := range subjects {
			if (s.Kind == rbac.GroupKind) != pass || s.Kind == rbac.ClusterAdminKind {
				continue
			}
			p, ok := a.Graph.PathTo(s, rbac.ClusterAdmin)
			if !ok {
				continue
			}
			if s.Kind == rbac.GroupKind {
				groupReaches[s.Name] = true
			}
			if holdsAdmin(p) {
				continue
			}
			covered := false
			for _, g := range s.Groups() {
				covered = covered || groupReaches[g]
			}
			if covered && viaGroups(p.Steps[0]) {
				continue
			}
			out = append(out, EscalationPath{Path: p, Entry: a.entry(s)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i].Steps) != len(out[j].Steps) {
			return len(out[i].Steps) < len(out[j].Steps)
		}
		return out[i].From.String() < out[j].From.String()
	})
	a.paths = out
	a.pathOf = make(map[rbac.Subject]int, len(out))
	for i, p := range out {
		a.pathOf[p.From] = i
	}
	return out
}

// viaGroups reports whether every grant of the step is held through a
// group.
func viaGroups(st rbac.Step) bool {
	for _, g := range st.Grants {
		if g.Via == "" {
			return false
		}
	}
	return len(st.Grants) > 0
}

// entry reports whether an attacker plausibly holds the identity.
func (a *Analysis) entry(s rbac.Subject) bool {
	switch s {
	case rbac.UserSubject(rbac.Anonymous), rbac.GroupSubject(rbac.Unauthenticated), rbac.GroupSubject(rbac.Authenticated):
		return true
	}
	return s.Kind == rbac.ServiceAccountKind && a.Mounted(s)
}

// PathTo returns the escalation path of one subject, if it has one.
func (a *Analysis) PathTo(s rbac.Subject) (EscalationPath, bool) {
	paths := a.EscalationPaths()
	if i, ok := a.pathOf[s]; ok {
		return paths[i], true
	}
	return EscalationPath{}, false
}
