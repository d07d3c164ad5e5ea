package rbac

// Rebuild returns the graph Build(in) returns, reusing what g, the graph
// of an earlier input, already resolved. The admission webhook judges each
// RBAC request against the cluster's RBAC with one object added, replaced
// or removed; resolving and aggregating every role again for each request
// would cost more than the rest of the analysis together.
//
// What is reused: when in has the same ClusterRoles and Roles as g's
// input (the same Sources in the same order, and the same OmitBuiltins),
// the roles with their aggregated rules; then every binding whose Source
// is that of a binding g resolved. Grants, identities and escalation edges
// are derived again, since one binding can change them for the whole
// cluster (a binding to system:authenticated reaches every identity).
// With other roles Rebuild is Build.
//
// The graph cannot look inside a Source, so the caller must give an object
// the same Source only while its content is unchanged: a pointer to an
// immutable object, as the webhook's cache snapshots hold. Sources must be
// comparable; nil Sources are never taken for the same object.
func (g *Graph) Rebuild(in Input) *Graph {
	if !g.sameRoles(in) {
		return Build(in)
	}
	n := &Graph{
		clusterRoles: g.clusterRoles,
		roles:        g.roles,
		roleList:     g.roleList,
		bySubject:    map[Subject][]*Grant{},
		problems:     append([]Problem(nil), g.problems[:g.roleProblems]...),
		roleSources:  g.roleSources,
		omitBuiltins: g.omitBuiltins,
		roleProblems: g.roleProblems,
	}
	n.addBindings(in, g.reusable())
	n.ids = buildIdents(n, in)
	n.ids.edges = deriveEdges(n)
	return n
}

// roleSources lists the Sources of the input's roles, ClusterRoles first,
// in input order: what decides whether Rebuild may keep the roles.
func roleSources(in Input) []any {
	out := make([]any, 0, len(in.ClusterRoles)+len(in.Roles))
	for _, it := range in.ClusterRoles {
		out = append(out, it.Source)
	}
	for _, it := range in.Roles {
		out = append(out, it.Source)
	}
	return out
}

// sameRoles reports whether in holds the roles g was built from. Roles
// are resolved together (aggregation reads every ClusterRole's labels),
// so a single changed role means building them all again.
func (g *Graph) sameRoles(in Input) bool {
	if in.OmitBuiltins != g.omitBuiltins || len(in.ClusterRoles)+len(in.Roles) != len(g.roleSources) {
		return false
	}
	i := 0
	for _, it := range in.ClusterRoles {
		if it.Source == nil || it.Source != g.roleSources[i] {
			return false
		}
		i++
	}
	for _, it := range in.Roles {
		if it.Source == nil || it.Source != g.roleSources[i] {
			return false
		}
		i++
	}
	return true
}

// reuseIndex finds the bindings a graph resolved, by Source and, for the
// built-in ones, by name.
type reuseIndex struct {
	bySource map[any]*Binding
	builtins map[string]*Binding
}

// reusable indexes g's bindings on first use; Build does not pay for it.
func (g *Graph) reusable() *reuseIndex {
	g.reuseOnce.Do(func() {
		ix := &reuseIndex{bySource: map[any]*Binding{}, builtins: map[string]*Binding{}}
		for _, b := range g.bindings {
			switch {
			case b.Builtin:
				ix.builtins[b.Name] = b
			case b.Source != nil:
				ix.bySource[b.Source] = b
			}
		}
		g.reuse = ix
	})
	return g.reuse
}

// binding returns the binding of that kind resolved from source, or nil.
func (ix *reuseIndex) binding(source any, kind string) *Binding {
	if source == nil {
		return nil
	}
	if b := ix.bySource[source]; b != nil && b.Kind == kind {
		return b
	}
	return nil
}
