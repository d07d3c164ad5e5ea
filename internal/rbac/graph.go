package rbac

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Role is a Role or ClusterRole as the authorizer sees it: for aggregated
// ClusterRoles, Rules holds the aggregated rules, not the manifest's.
type Role struct {
	Kind        string // "Role" or "ClusterRole"
	Namespace   string // "" for a ClusterRole
	Name        string
	Labels      map[string]string
	Aggregation *rbacv1.AggregationRule
	Rules       []*Rule
	Builtin     bool // from the bootstrap policy, not from the input
	Source      any
}

// String is "ClusterRole/name" or "Role/namespace/name".
func (r *Role) String() string {
	if r.Kind == "Role" {
		return "Role/" + r.Namespace + "/" + r.Name
	}
	return r.Kind + "/" + r.Name
}

// Rule is one policy rule of a role, with where it was written. For a
// role's own rules Origin is the role itself; for aggregated rules Origin is
// the ClusterRole whose manifest declares it and Through lists the
// aggregated ClusterRoles it was copied through on the way, nearest first
// (admin gets a rule of an addon labelled aggregate-to-edit with
// Through = [edit]). Index is the rule's position in Origin's rules, so
// callers can point at rules[Index] in that manifest.
type Rule struct {
	rbacv1.PolicyRule
	Index   int
	Origin  *Role
	Through []*Role
	key     string // see dedupKey
	caps    caps   // see capsOf
}

// Binding is a RoleBinding or ClusterRoleBinding resolved to its role.
type Binding struct {
	Kind      string // "RoleBinding" or "ClusterRoleBinding"
	Namespace string // "" for a ClusterRoleBinding
	Name      string
	RoleRef   rbacv1.RoleRef
	Subjects  []Subject // normalised; invalid subjects are reported as problems
	Role      *Role     // nil when the reference is dangling or invalid
	Builtin   bool
	Source    any
	problems  []Problem // what resolving it found, for Rebuild to report again
	key       string    // String, kept for Rebuild's duplicate check
}

// String is "ClusterRoleBinding/name" or "RoleBinding/namespace/name".
func (b *Binding) String() string {
	if b.Kind == "RoleBinding" {
		return "RoleBinding/" + b.Namespace + "/" + b.Name
	}
	return b.Kind + "/" + b.Name
}

// Grant is one rule held by one subject through one binding. Namespace is
// where the rule applies: the RoleBinding's namespace, or "" for a
// ClusterRoleBinding (cluster-wide, all namespaces and cluster-scoped
// resources). Subject is the subject the binding names; Via is set by
// Effective when the queried subject holds the grant through that group.
type Grant struct {
	Subject   Subject
	Via       string
	Namespace string
	Binding   *Binding
	Role      *Role
	Rule      *Rule
	seq       int
}

// Aggregated reports whether the rule reached the bound role through
// aggregation rather than being written in it.
func (g *Grant) Aggregated() bool { return g.Rule.Origin != g.Role }

// Applies reports whether the grant's scope covers the request: non-resource
// URLs only through ClusterRoleBindings, cluster-scoped resources only
// through ClusterRoleBindings, namespaced resources through either.
func (g *Grant) Applies(req Request) bool {
	return g.Namespace == "" || (req.IsResource() && req.Namespace == g.Namespace)
}

// Allows reports whether the grant allows the request, scope included.
func (g *Grant) Allows(req Request) bool { return g.Applies(req) && Allows(&g.Rule.PolicyRule, req) }

// ProblemKind classifies what Build could not resolve.
type ProblemKind string

// Problems Build reports.
const (
	DanglingRoleRef  ProblemKind = "dangling-role-ref" // the role does not exist in the input
	InvalidRoleRef   ProblemKind = "invalid-role-ref"  // ClusterRoleBinding to a Role, unknown kind
	InvalidSubject   ProblemKind = "invalid-subject"   // unknown kind, ServiceAccount without namespace
	DuplicateObject  ProblemKind = "duplicate-object"  // same kind, namespace and name twice; first wins
	InvalidSelector  ProblemKind = "invalid-selector"  // aggregation selector that does not parse
	OverwrittenRules ProblemKind = "overwritten-rules" // aggregated ClusterRole that also declares rules
)

// Problem is something in the input that does not resolve the way its
// author probably meant. Dangling references grant nothing today, but
// whoever later creates that role grants its rules to the subjects.
type Problem struct {
	Kind    ProblemKind
	Message string
	Role    *Role
	Binding *Binding
	Source  any
}

// Graph is the resolved RBAC state of an input. It is immutable after
// Build and safe for concurrent use.
type Graph struct {
	clusterRoles map[string]*Role
	roles        map[string]*Role // namespace + "/" + name
	roleList     []*Role
	bindings     []*Binding
	grants       []*Grant
	bySubject    map[Subject][]*Grant
	problems     []Problem
	ids          idents
	scratch      sync.Pool // *searchResult, see search

	// What Rebuild needs to tell which parts of the graph a new input
	// leaves unchanged.
	roleSources  []any // Sources of the input's ClusterRoles, then Roles
	omitBuiltins bool
	roleProblems int // problems[:roleProblems] come from the roles
	reuseOnce    sync.Once
	reuse        *reuseIndex
}

// Build resolves the input. Objects without a namespace are taken to be in
// "default", as kubectl would apply them; callers that know the GitOps
// destination namespace should fill it in first.
func Build(in Input) *Graph {
	g := &Graph{clusterRoles: map[string]*Role{}, roles: map[string]*Role{}, bySubject: map[Subject][]*Grant{}}
	g.addRoles(in)
	var crs []*Role
	for _, r := range g.roleList {
		if r.Kind == "ClusterRole" {
			crs = append(crs, r)
		}
	}
	g.problems = append(g.problems, aggregate(crs)...)
	g.roleSources, g.omitBuiltins, g.roleProblems = roleSources(in), in.OmitBuiltins, len(g.problems)
	g.addBindings(in, nil)
	g.ids = buildIdents(g, in)
	g.ids.edges = deriveEdges(g)
	return g
}

func ownRules(r *Role, rules []rbacv1.PolicyRule) {
	for i := range rules {
		r.Rules = append(r.Rules, &Rule{PolicyRule: rules[i], Index: i, Origin: r, caps: capsOf(&rules[i])})
	}
}

func orDefault(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

func (g *Graph) addRoles(in Input) {
	add := func(r *Role, key string, m map[string]*Role) {
		if prev, dup := m[key]; dup {
			if !prev.Builtin {
				g.problems = append(g.problems, Problem{Kind: DuplicateObject, Role: r, Source: r.Source,
					Message: fmt.Sprintf("%s is defined more than once; the first definition is used", r)})
				return
			}
		}
		m[key] = r
	}
	if !in.OmitBuiltins {
		for _, cr := range builtinClusterRoles() {
			r := &Role{Kind: "ClusterRole", Name: cr.Name, Labels: cr.Labels, Aggregation: cr.AggregationRule, Builtin: true}
			ownRules(r, cr.Rules)
			g.clusterRoles[r.Name] = r
		}
	}
	// A manifest that redefines a bootstrap role replaces it: it is what
	// the repository asks the cluster to hold.
	for _, it := range in.ClusterRoles {
		cr := it.Object
		r := &Role{Kind: "ClusterRole", Name: cr.Name, Labels: cr.Labels, Aggregation: cr.AggregationRule, Source: it.Source}
		ownRules(r, cr.Rules)
		add(r, cr.Name, g.clusterRoles)
	}
	for _, it := range in.Roles {
		ro := it.Object
		r := &Role{Kind: "Role", Namespace: orDefault(ro.Namespace), Name: ro.Name, Labels: ro.Labels, Source: it.Source}
		ownRules(r, ro.Rules)
		add(r, r.Namespace+"/"+r.Name, g.roles)
	}
	for _, r := range g.clusterRoles {
		g.roleList = append(g.roleList, r)
	}
	for _, r := range g.roles {
		g.roleList = append(g.roleList, r)
	}
	sort.Slice(g.roleList, func(i, j int) bool { return roleLess(g.roleList[i], g.roleList[j]) })
}

// roleLess orders ClusterRoles before Roles, then by namespace and name:
// the aggregation controller's by-name order for ClusterRoles.
func roleLess(a, b *Role) bool {
	if a.Kind != b.Kind {
		return a.Kind == "ClusterRole"
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Name < b.Name
}

// addBindings resolves the input's bindings and derives their grants.
// With old, bindings that the earlier graph resolved from the same Source
// (or, for built-in ones, the same name) are taken from it: the roles they
// resolve against are the same.
func (g *Graph) addBindings(in Input, old *reuseIndex) {
	seen := map[string]bool{}
	var bs []*Binding
	add := func(b *Binding, subjects []rbacv1.Subject) {
		b.key = b.String()
		if seen[b.key] {
			g.problems = append(g.problems, Problem{Kind: DuplicateObject, Binding: b, Source: b.Source,
				Message: fmt.Sprintf("%s is defined more than once; the first definition is used", b)})
			return
		}
		seen[b.key] = true
		start := len(g.problems)
		for i, s := range subjects {
			sub, err := SubjectOf(s, b.Namespace)
			if err != nil {
				g.problems = append(g.problems, Problem{Kind: InvalidSubject, Binding: b, Source: b.Source,
					Message: fmt.Sprintf("%s: subjects[%d]: %v", b, i, err)})
				continue
			}
			b.Subjects = append(b.Subjects, sub)
		}
		g.resolve(b)
		if len(g.problems) > start {
			b.problems = append([]Problem(nil), g.problems[start:]...)
		}
		bs = append(bs, b)
	}
	// reused takes the earlier graph's binding unless it would now be a
	// duplicate, which add reports on a fresh, unresolved binding.
	reused := func(b *Binding) bool {
		if b == nil || seen[b.key] {
			return false
		}
		seen[b.key] = true
		g.problems = append(g.problems, b.problems...)
		bs = append(bs, b)
		return true
	}
	for _, it := range in.ClusterRoleBindings {
		if old != nil && reused(old.binding(it.Source, "ClusterRoleBinding")) {
			continue
		}
		o := it.Object
		add(&Binding{Kind: "ClusterRoleBinding", Name: o.Name, RoleRef: o.RoleRef, Source: it.Source}, o.Subjects)
	}
	if !in.OmitBuiltins {
		for _, o := range builtinClusterRoleBindings() {
			if seen["ClusterRoleBinding/"+o.Name] {
				continue
			}
			if old != nil && reused(old.builtins[o.Name]) {
				continue
			}
			add(&Binding{Kind: "ClusterRoleBinding", Name: o.Name, RoleRef: o.RoleRef, Builtin: true}, o.Subjects)
		}
	}
	for _, it := range in.RoleBindings {
		if old != nil && reused(old.binding(it.Source, "RoleBinding")) {
			continue
		}
		o := it.Object
		add(&Binding{Kind: "RoleBinding", Namespace: orDefault(o.Namespace), Name: o.Name, RoleRef: o.RoleRef, Source: it.Source}, o.Subjects)
	}
	slices.SortStableFunc(bs, func(a, b *Binding) int {
		if a.Kind != b.Kind {
			if a.Kind == "ClusterRoleBinding" {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	g.bindings = bs
	n := 0
	for _, b := range bs {
		if b.Role != nil {
			n += len(b.Subjects) * len(b.Role.Rules)
		}
	}
	// One allocation for every grant: a cluster's bindings grant thousands.
	grants := make([]Grant, 0, n)
	g.grants = make([]*Grant, 0, n)
	for _, b := range bs {
		if b.Role == nil {
			continue
		}
		for _, sub := range b.Subjects {
			for _, rule := range b.Role.Rules {
				grants = append(grants, Grant{Subject: sub, Namespace: b.Namespace, Binding: b, Role: b.Role, Rule: rule, seq: len(g.grants)})
				gr := &grants[len(grants)-1]
				g.grants = append(g.grants, gr)
				g.bySubject[sub] = append(g.bySubject[sub], gr)
			}
		}
	}
}

// resolve finds the binding's role with the authorizer's rules: a
// RoleBinding's Role is looked up in the binding's namespace, its
// ClusterRole cluster-wide (and then grants only in the namespace); a
// ClusterRoleBinding can only reference a ClusterRole.
func (g *Graph) resolve(b *Binding) {
	ref := b.RoleRef
	switch {
	case ref.Kind == "ClusterRole":
		b.Role = g.clusterRoles[ref.Name]
	case ref.Kind == "Role" && b.Kind == "RoleBinding":
		b.Role = g.roles[b.Namespace+"/"+ref.Name]
	case ref.Kind == "Role":
		g.problems = append(g.problems, Problem{Kind: InvalidRoleRef, Binding: b, Source: b.Source,
			Message: fmt.Sprintf("%s references Role %q: a ClusterRoleBinding can only reference a ClusterRole", b, ref.Name)})
		return
	default:
		g.problems = append(g.problems, Problem{Kind: InvalidRoleRef, Binding: b, Source: b.Source,
			Message: fmt.Sprintf("%s references unknown role kind %q", b, ref.Kind)})
		return
	}
	if b.Role == nil {
		g.problems = append(g.problems, Problem{Kind: DanglingRoleRef, Binding: b, Source: b.Source,
			Message: fmt.Sprintf("%s references %s %q, which is not defined", b, ref.Kind, ref.Name)})
	}
}

// ClusterRole returns the ClusterRole with that name, or nil.
func (g *Graph) ClusterRole(name string) *Role { return g.clusterRoles[name] }

// Role returns the Role namespace/name, or nil.
func (g *Graph) Role(namespace, name string) *Role { return g.roles[namespace+"/"+name] }

// Roles lists every role: ClusterRoles by name, then Roles by namespace and
// name.
func (g *Graph) Roles() []*Role { return append([]*Role(nil), g.roleList...) }

// Bindings lists every binding: ClusterRoleBindings by name, then
// RoleBindings by namespace and name.
func (g *Graph) Bindings() []*Binding { return append([]*Binding(nil), g.bindings...) }

// Problems lists what did not resolve, in input order.
func (g *Graph) Problems() []Problem { return append([]Problem(nil), g.problems...) }

// Effective lists every grant the subject holds: bound to it directly or to
// one of its implicit groups (Via names the group). Groups hold only what
// is bound to them. The order is the binding order of Bindings.
func (g *Graph) Effective(s Subject) []Grant {
	s = normalise(s)
	var out []Grant
	for _, gr := range g.effective(s) {
		v := *gr
		if gr.Subject != s {
			v.Via = gr.Subject.Name
		}
		out = append(out, v)
	}
	return out
}

func (g *Graph) effective(s Subject) []*Grant {
	out := append([]*Grant(nil), g.bySubject[s]...)
	groups := s.Groups()
	for _, name := range groups {
		out = append(out, g.bySubject[GroupSubject(name)]...)
	}
	if len(groups) > 0 {
		slices.SortFunc(out, func(a, b *Grant) int { return a.seq - b.seq })
	}
	return out
}

// WhoCan lists every grant that allows the request, in binding order. The
// request's namespace selects which RoleBindings count.
func (g *Graph) WhoCan(req Request) []Grant {
	var out []Grant
	for _, gr := range g.grants {
		if gr.Allows(req) {
			out = append(out, *gr)
		}
	}
	return out
}

// Can reports whether the subject may make the request. Members of
// system:masters may make every request: that group bypasses RBAC.
func (g *Graph) Can(s Subject, req Request) bool {
	s = normalise(s)
	if s == GroupSubject(Masters) {
		return true
	}
	for _, gr := range g.effective(s) {
		if gr.Allows(req) {
			return true
		}
	}
	return false
}

func normalise(s Subject) Subject {
	if s.Kind == UserKind {
		return UserSubject(s.Name)
	}
	return s
}
