package rbac

import "sort"

// idents is the node set of the escalation graph: every identity the input
// mentions or an attacker starts from, the ClusterAdmin sink last, and
// pools of ServiceAccounts. A pool stands for "every ServiceAccount of a
// namespace" (or of the cluster), so that "create pods in ns" is one edge
// rather than one per ServiceAccount; searches expand a pool once.
type idents struct {
	nodes  []Subject // sorted by String, ClusterAdmin last
	keys   []string  // String of each node
	index  map[Subject]int
	admin  int
	grants [][]*Grant // effective grants per node
	edges  [][]edge
	pools  []pool
	// pool ids: every ServiceAccount / those running in workloads with a
	// mounted token, per namespace ("" = all namespaces).
	allPool, runPool map[string]int
}

type pool struct {
	name    string // stable key for ordering, e.g. "ServiceAccounts:ns"
	members []int
}

// buildIdents collects ServiceAccounts from the input, from workloads and
// from binding subjects; users and groups from binding subjects; and the
// entry points and system:masters, which exist in every cluster.
func buildIdents(g *Graph, in Input) idents {
	set := map[Subject]bool{
		UserSubject(Anonymous):        true,
		GroupSubject(Authenticated):   true,
		GroupSubject(Unauthenticated): true,
		GroupSubject(Masters):         true,
	}
	running := map[Subject]bool{}
	for _, sa := range in.ServiceAccounts {
		set[ServiceAccountSubject(orDefault(sa.Namespace), sa.Name)] = true
	}
	for _, w := range in.Workloads {
		name := w.ServiceAccountName
		if name == "" {
			name = "default"
		}
		s := ServiceAccountSubject(orDefault(w.Namespace), name)
		set[s] = true
		if !w.NoAutomount {
			running[s] = true
		}
	}
	for _, b := range g.bindings {
		for _, s := range b.Subjects {
			set[s] = true
		}
	}
	ids := idents{index: make(map[Subject]int, len(set)+1), allPool: map[string]int{}, runPool: map[string]int{}}
	type keyed struct {
		key string
		s   Subject
	}
	nodes := make([]keyed, 0, len(set)+1)
	for s := range set {
		nodes = append(nodes, keyed{s.String(), s})
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].key < nodes[j].key })
	nodes = append(nodes, keyed{ClusterAdmin.String(), ClusterAdmin})
	ids.admin = len(nodes) - 1
	ids.nodes, ids.keys = make([]Subject, len(nodes)), make([]string, len(nodes))
	for i, n := range nodes {
		ids.nodes[i], ids.keys[i] = n.s, n.key
		ids.index[n.s] = i
	}
	ids.grants = make([][]*Grant, len(ids.nodes))
	for i, s := range ids.nodes[:ids.admin] {
		ids.grants[i] = g.effective(s)
	}
	ids.allPool[""] = ids.newPool("ServiceAccounts:*")
	ids.runPool[""] = ids.newPool("RunningServiceAccounts:*")
	for i, s := range ids.nodes {
		if s.Kind != ServiceAccountKind {
			continue
		}
		ids.join(ids.allPool, "ServiceAccounts:", s.Namespace, i)
		if running[s] {
			ids.join(ids.runPool, "RunningServiceAccounts:", s.Namespace, i)
		}
	}
	return ids
}

func (ids *idents) newPool(name string) int {
	ids.pools = append(ids.pools, pool{name: name})
	return len(ids.pools) - 1
}

// join adds node i to its namespace's pool and to the all-namespaces pool.
func (ids *idents) join(pools map[string]int, prefix, ns string, i int) {
	p, ok := pools[ns]
	if !ok {
		p = ids.newPool(prefix + ns)
		pools[ns] = p
	}
	ids.pools[p].members = append(ids.pools[p].members, i)
	all := pools[""]
	ids.pools[all].members = append(ids.pools[all].members, i)
}

// poolFor returns the pool of ns ("" = all namespaces), or -1 when the
// namespace has no ServiceAccounts, so the edge would lead nowhere.
func (ids *idents) poolFor(pools map[string]int, ns string) int {
	if p, ok := pools[ns]; ok && len(ids.pools[p].members) > 0 {
		return p
	}
	return -1
}

// serviceAccountsNamed lists the known ServiceAccounts with one of names,
// in namespace ns or, for ns == "", in any namespace.
func (ids *idents) serviceAccountsNamed(ns string, names []string) []int {
	p := ids.poolFor(ids.allPool, ns)
	if p < 0 {
		return nil
	}
	var out []int
	for _, i := range ids.pools[p].members {
		if contains(names, ids.nodes[i].Name) {
			out = append(out, i)
		}
	}
	return out
}
