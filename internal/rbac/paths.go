package rbac

import (
	"sort"
	"strings"
)

// Step is one edge of an escalation path: From can become To because of
// Grants (one grant for most kinds; bind, escalate and CSR approval need
// two or three permissions, possibly from different bindings). Grants held
// through a group carry the group in Via.
type Step struct {
	Kind   EdgeKind
	From   Subject
	To     Subject
	Grants []Grant
}

// Path is a shortest chain of steps from one identity to another, or to
// ClusterAdmin.
type Path struct {
	From  Subject
	To    Subject
	Steps []Step
}

// String renders the path on one line, e.g.
// "ServiceAccount:a/ci -[create-pods]-> ServiceAccount:a/deployer -[bind]-> ClusterAdmin:cluster-admin".
func (p Path) String() string {
	var b strings.Builder
	b.WriteString(p.From.String())
	for _, s := range p.Steps {
		b.WriteString(" -[" + string(s.Kind) + "]-> " + s.To.String())
	}
	return b.String()
}

// Subjects lists every identity the graph knows, sorted by String.
func (g *Graph) Subjects() []Subject {
	return append([]Subject(nil), g.ids.nodes[:g.ids.admin]...)
}

// EntryPoints lists where an attacker may start: every ServiceAccount (a
// compromised pod holds its token), system:anonymous,
// system:authenticated (anyone with any credential) and
// system:unauthenticated.
func (g *Graph) EntryPoints() []Subject {
	var out []Subject
	for _, s := range g.ids.nodes[:g.ids.admin] {
		if s.Kind == ServiceAccountKind {
			out = append(out, s)
		}
	}
	return append(out, UserSubject(Anonymous), GroupSubject(Authenticated), GroupSubject(Unauthenticated))
}

// Paths returns, shortest first, a shortest path from the subject to
// ClusterAdmin if one exists, and to every other identity it can become
// that holds a grant the subject does not. Equal lengths are ordered with
// ClusterAdmin first, then by target. Ties between equally short paths
// to one target are broken the same way every time: identities are
// expanded in discovery order, each one's edges strongest kind first (see
// EdgeKinds), evidence from the earliest binding.
func (g *Graph) Paths(from Subject) []Path {
	from = normalise(from)
	sr := g.search(from, -1)
	defer g.release(sr)
	held := map[*Grant]bool{}
	for _, gr := range sr.startGrants {
		held[gr] = true
	}
	var targets []int
	for _, v := range sr.order[1:] {
		if v == g.ids.admin || holdsNew(g.ids.grants[v], held) {
			targets = append(targets, v)
		}
	}
	sort.SliceStable(targets, func(i, j int) bool {
		a, b := targets[i], targets[j]
		if sr.dist[a] != sr.dist[b] {
			return sr.dist[a] < sr.dist[b]
		}
		if (a == g.ids.admin) != (b == g.ids.admin) {
			return a == g.ids.admin
		}
		return g.ids.nodes[a].String() < g.ids.nodes[b].String()
	})
	out := make([]Path, 0, len(targets))
	for _, v := range targets {
		out = append(out, sr.path(g, v))
	}
	return out
}

// PathTo returns a shortest path from one subject to another (ClusterAdmin
// included), stopping the search as soon as the target is reached.
func (g *Graph) PathTo(from, to Subject) (Path, bool) {
	from, to = normalise(from), normalise(to)
	t, ok := g.ids.index[to]
	if !ok || from == to {
		return Path{}, false
	}
	sr := g.search(from, t)
	defer g.release(sr)
	if sr.dist[t] < 0 {
		return Path{}, false
	}
	return sr.path(g, t), true
}

func holdsNew(grants []*Grant, held map[*Grant]bool) bool {
	for _, gr := range grants {
		if !held[gr] {
			return true
		}
	}
	return false
}

// searchResult is one breadth-first search over identities. Pools are
// expanded once, at the first edge that reaches them: every later edge to
// the same pool would reach its members no sooner. Its arrays are sized to
// the graph and reused across searches (see release), which keeps
// searching from thousands of entry points cheap.
type searchResult struct {
	from        Subject
	start       int
	startGrants []*Grant
	dist        []int32
	parent      []int32
	via         []*edge
	order       []int
	expanded    []bool
	expandedIDs []int
}

// search runs from the subject; a subject the graph does not know (a
// ServiceAccount no manifest mentions) starts from a virtual node holding
// only its group grants. It stops early once stop is reached (-1: never).
// The caller must release the result.
func (g *Graph) search(from Subject, stop int) *searchResult {
	ids := &g.ids
	n := len(ids.nodes) + 1
	sr, _ := g.scratch.Get().(*searchResult)
	if sr == nil {
		sr = &searchResult{dist: make([]int32, n), parent: make([]int32, n), via: make([]*edge, n), expanded: make([]bool, len(ids.pools))}
		for i := range sr.dist {
			sr.dist[i] = -1
		}
	}
	start, ok := ids.index[from]
	var startEdges []edge
	if ok {
		sr.startGrants = ids.grants[start]
		startEdges = ids.edges[start]
	} else {
		start = n - 1
		sr.startGrants = g.effective(from)
		startEdges = g.edgesOf(from, sr.startGrants)
	}
	sr.from, sr.start = from, start
	sr.dist[start] = 0
	sr.order = append(sr.order, start)
	visit := func(u, v int, e *edge) {
		if sr.dist[v] >= 0 {
			return
		}
		sr.dist[v] = sr.dist[u] + 1
		sr.parent[v] = int32(u)
		sr.via[v] = e
		sr.order = append(sr.order, v)
	}
	for head := 0; head < len(sr.order); head++ {
		u := sr.order[head]
		if u == stop {
			break
		}
		edges := startEdges
		if u != start {
			if u >= ids.admin {
				continue
			}
			edges = ids.edges[u]
		}
		for i := range edges {
			e := &edges[i]
			if e.to >= 0 {
				visit(u, e.to, e)
				continue
			}
			if sr.expanded[e.pool] {
				continue
			}
			sr.expanded[e.pool] = true
			sr.expandedIDs = append(sr.expandedIDs, e.pool)
			for _, v := range ids.pools[e.pool].members {
				visit(u, v, e)
			}
		}
	}
	return sr
}

// release resets what the search touched and returns it for reuse.
func (g *Graph) release(sr *searchResult) {
	for _, v := range sr.order {
		sr.dist[v] = -1
		sr.via[v] = nil
	}
	for _, p := range sr.expandedIDs {
		sr.expanded[p] = false
	}
	sr.order, sr.expandedIDs, sr.startGrants = sr.order[:0], sr.expandedIDs[:0], nil
	g.scratch.Put(sr)
}

func (sr *searchResult) path(g *Graph, v int) Path {
	subject := func(i int) Subject {
		if i == sr.start {
			return sr.from
		}
		return g.ids.nodes[i]
	}
	steps := make([]Step, sr.dist[v])
	for i := len(steps) - 1; v != sr.start; i-- {
		u := int(sr.parent[v])
		e := sr.via[v]
		from := subject(u)
		grants := make([]Grant, len(e.grants))
		for j, gr := range e.grants {
			grants[j] = *gr
			if gr.Subject != from {
				grants[j].Via = gr.Subject.Name
			}
		}
		steps[i] = Step{Kind: e.kind, From: from, To: g.ids.nodes[v], Grants: grants}
		v = u
	}
	return Path{From: sr.from, To: steps[len(steps)-1].To, Steps: steps}
}
