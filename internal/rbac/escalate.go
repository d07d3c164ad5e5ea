package rbac

import (
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
)

// RBAC's escalation prevention (docs: "Privilege Escalation Prevention and
// Bootstrapping") means neither bind nor escalate is enough on its own:
//
//   - Creating a binding needs the role's permissions or the bind verb on
//     that role (roles/clusterroles, resourceNames limiting which). The
//     check runs in the binding's namespace, so bind granted by a
//     RoleBinding only helps RoleBindings in that namespace, and a
//     ClusterRoleBinding needs bind granted cluster-wide. bind on
//     rolebindings, which some scanners look for, is not what is checked.
//   - Updating a role needs its new permissions or the escalate verb; it
//     only pays off for a role the subject is already bound to.
//
// A ClusterRoleBinding to cluster-admin makes the subject cluster-admin; a
// RoleBinding to a role that can run pods makes it every ServiceAccount of
// the namespace.

// bindEdges adds the bind + write-binding edges.
func (g *Graph) bindEdges(e *edgeSet, grants []*Grant) {
	var binders, writers []*Grant
	for _, gr := range grants {
		c := gr.Rule.caps
		if !c.has(capRBACGroup) {
			continue
		}
		if c.has(capBindVerb) {
			binders = append(binders, gr)
		}
		if c&(capWriteRoleBindings|capWriteClusterRoleBindings) != 0 {
			writers = append(writers, gr)
		}
	}
	if len(binders) == 0 || len(writers) == 0 {
		return
	}
	bindAdmin := func(gr *Grant) bool {
		return g.bindsRole(&gr.Rule.PolicyRule, "", "clusterroles", isAdminRule)
	}
	if b, w := firstIn(binders, "", bindAdmin), firstIn(writers, "", func(gr *Grant) bool {
		return gr.Rule.caps.has(capWriteClusterRoleBindings)
	}); b != nil && w != nil {
		e.add(EdgeBind, e.ids.admin, -1, b, w)
	}
	for _, ns := range namespacesOf(binders, writers) {
		b := firstIn(binders, ns, func(gr *Grant) bool {
			r := &gr.Rule.PolicyRule
			return g.bindsRole(r, ns, "clusterroles", canRunPods) || (ns != "" && g.bindsRole(r, ns, "roles", canRunPods))
		})
		w := firstIn(writers, ns, func(gr *Grant) bool { return gr.Rule.caps.has(capWriteRoleBindings) })
		if b != nil && w != nil {
			e.add(EdgeBind, -1, e.ids.poolFor(e.ids.allPool, ns), b, w)
		}
	}
}

// writesBindings: create a binding, or rewrite any existing one.
func writesBindings(r *rbacv1.PolicyRule, resource string) bool {
	return anyVerb(r, res("", rbacGroup, resource, "", ""), false, "create", "update", "patch")
}

// bindsRole reports whether the rule allows bind, in namespace ns, on some
// role of the given resource (roles or clusterroles) that satisfies pred.
// cluster-admin exists in every cluster, so an unrestricted bind on
// clusterroles always qualifies.
func (g *Graph) bindsRole(r *rbacv1.PolicyRule, ns, resource string, pred func(*rbacv1.PolicyRule) bool) bool {
	req := res("bind", rbacGroup, resource, "", "")
	if !allowsSomeName(r, req) {
		return false
	}
	find := func(name string) *Role {
		if resource == "clusterroles" {
			return g.clusterRoles[name]
		}
		return g.roles[ns+"/"+name]
	}
	if len(r.ResourceNames) == 0 {
		if resource == "clusterroles" {
			return true
		}
		for _, role := range g.roleList {
			if role.Kind == "Role" && role.Namespace == ns && roleHas(role, pred) {
				return true
			}
		}
		return false
	}
	for _, name := range r.ResourceNames {
		if (resource == "clusterroles" && name == "cluster-admin") || roleHas(find(name), pred) {
			return true
		}
	}
	return false
}

// escalateEdges adds escalate + update on a role the subject is bound to.
// Updating a ClusterRole is a cluster-scoped request; updating a Role is a
// request in its namespace. The gain lands where the binding applies.
func (g *Graph) escalateEdges(e *edgeSet, grants []*Grant) {
	var escalators []*Grant
	for _, gr := range grants {
		if gr.Rule.caps&(capEscalateVerb|capRBACGroup) == capEscalateVerb|capRBACGroup {
			escalators = append(escalators, gr)
		}
	}
	if len(escalators) == 0 {
		return
	}
	type bound struct {
		role *Role
		ns   string
	}
	done := map[bound]bool{}
	for _, held := range grants {
		k := bound{held.Role, held.Namespace}
		if done[k] {
			continue
		}
		done[k] = true
		resource := "clusterroles"
		if held.Role.Kind == "Role" {
			resource = "roles"
		}
		req := res("", rbacGroup, resource, "", held.Role.Name)
		scope := held.Role.Namespace
		esc := firstIn(escalators, scope, func(gr *Grant) bool { return anyVerb(&gr.Rule.PolicyRule, req, false, "escalate") })
		upd := firstIn(grants, scope, func(gr *Grant) bool { return anyVerb(&gr.Rule.PolicyRule, req, false, "update", "patch") })
		if esc == nil || upd == nil {
			continue
		}
		if held.Namespace == "" {
			e.add(EdgeEscalate, e.ids.admin, -1, esc, upd, held)
		} else {
			e.add(EdgeEscalate, -1, e.ids.poolFor(e.ids.allPool, held.Namespace), esc, upd, held)
		}
	}
}

// firstIn returns the first grant that applies in namespace ns ("" means
// cluster-wide grants only) and satisfies pred.
func firstIn(grants []*Grant, ns string, pred func(*Grant) bool) *Grant {
	for _, gr := range grants {
		if (gr.Namespace == "" || gr.Namespace == ns) && pred(gr) {
			return gr
		}
	}
	return nil
}

// namespacesOf lists the namespaces the grants apply in, "" (all
// namespaces, for cluster-wide grants) first.
func namespacesOf(lists ...[]*Grant) []string {
	set := map[string]bool{}
	for _, l := range lists {
		for _, gr := range l {
			set[gr.Namespace] = true
		}
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}
