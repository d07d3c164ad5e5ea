package rbac

import (
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
)

// EdgeKind names how one identity can become another (or cluster-admin).
type EdgeKind string

// Edge kinds, strongest first; paths prefer them in this order when several
// edges of equal length exist.
const (
	// The subject holds "*" verbs on "*" resources in "*" groups cluster-wide.
	EdgeHoldsClusterAdmin EdgeKind = "holds-cluster-admin"
	// system:masters bypasses RBAC altogether.
	EdgeSystemMasters EdgeKind = "system-masters"
	// bind on a role plus write on bindings: grant oneself the role.
	EdgeBind EdgeKind = "bind"
	// escalate plus update on a role one is bound to: add any permission.
	EdgeEscalate EdgeKind = "escalate"
	// impersonate users, groups or ServiceAccounts.
	EdgeImpersonate EdgeKind = "impersonate"
	// create and approve a CSR for any user and group, system:masters included.
	EdgeCSR EdgeKind = "csr-approve"
	// write a mutating or validating webhook configuration: see and rewrite
	// every admitted object, Secrets and pod specs included.
	EdgeAdmissionWebhook EdgeKind = "admission-webhook"
	// nodes/proxy reaches the kubelet API, which runs commands in every pod.
	EdgeNodesProxy EdgeKind = "nodes-proxy"
	// read Secrets: ServiceAccount tokens in the namespace (every token when
	// cluster-wide, so cluster-admin).
	EdgeReadSecrets EdgeKind = "read-secrets"
	// TokenRequest: mint a token for a ServiceAccount.
	EdgeTokenRequest EdgeKind = "token-request"
	// create a pod that runs as any ServiceAccount of the namespace.
	EdgeCreatePods EdgeKind = "create-pods"
	// write a workload controller, which creates such pods for you.
	EdgeWriteWorkloads EdgeKind = "write-workloads"
	// run commands in, attach to, inject into, or swap the image of a pod
	// that runs with the target's token.
	EdgePodExec    EdgeKind = "pod-exec"
	EdgePodAttach  EdgeKind = "pod-attach"
	EdgeEphemeral  EdgeKind = "ephemeral-containers"
	EdgeUpdatePods EdgeKind = "update-pods"
)

// EdgeKinds lists every edge kind, strongest first.
func EdgeKinds() []EdgeKind {
	return []EdgeKind{EdgeHoldsClusterAdmin, EdgeSystemMasters, EdgeBind, EdgeEscalate, EdgeImpersonate,
		EdgeCSR, EdgeAdmissionWebhook, EdgeNodesProxy, EdgeReadSecrets, EdgeTokenRequest, EdgeCreatePods,
		EdgeWriteWorkloads, EdgePodExec, EdgePodAttach, EdgeEphemeral, EdgeUpdatePods}
}

var edgeRank = func() map[EdgeKind]int {
	m := map[EdgeKind]int{}
	for i, k := range EdgeKinds() {
		m[k] = i
	}
	return m
}()

type edge struct {
	kind   EdgeKind
	to     int // node id, or -1 for a pool
	pool   int
	grants []*Grant
}

const rbacGroup = rbacv1.GroupName

var workloadResources = []struct{ group, resource string }{
	{"apps", "deployments"}, {"apps", "daemonsets"}, {"apps", "statefulsets"}, {"apps", "replicasets"},
	{"", "replicationcontrollers"}, {"batch", "jobs"}, {"batch", "cronjobs"},
}

func res(verb, group, resource, sub, name string) Request {
	return Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: name}
}

// anyVerb reports whether the rule allows the request with one of verbs.
func anyVerb(r *rbacv1.PolicyRule, req Request, someName bool, verbs ...string) bool {
	for _, v := range verbs {
		req.Verb = v
		if (someName && allowsSomeName(r, req)) || (!someName && Allows(r, req)) {
			return true
		}
	}
	return false
}

// canRunPods reports whether the rule lets its holder start a pod with a
// ServiceAccount of its choosing: create pods, or create a workload
// controller, or rewrite one (one named Deployment is enough).
func canRunPods(r *rbacv1.PolicyRule) bool {
	return Allows(r, res("create", "", "pods", "", "")) || writesWorkloads(r)
}

func writesWorkloads(r *rbacv1.PolicyRule) bool {
	for _, w := range workloadResources {
		req := res("", w.group, w.resource, "", "")
		if anyVerb(r, req, false, "create") || anyVerb(r, req, true, "update", "patch") {
			return true
		}
	}
	return false
}

func roleHas(role *Role, pred func(*rbacv1.PolicyRule) bool) bool {
	if role == nil {
		return false
	}
	for _, r := range role.Rules {
		if pred(&r.PolicyRule) {
			return true
		}
	}
	return false
}

// edgeSet collects one node's out-edges, keeping the first evidence for
// each (kind, target).
type edgeSet struct {
	ids   *idents
	seen  map[[3]int]bool
	edges []edge
}

func (e *edgeSet) add(kind EdgeKind, to, pool int, grants ...*Grant) {
	if to < 0 && pool < 0 {
		return
	}
	key := [3]int{edgeRank[kind], to, pool}
	if e.seen[key] {
		return
	}
	e.seen[key] = true
	e.edges = append(e.edges, edge{kind: kind, to: to, pool: pool, grants: grants})
}

func (e *edgeSet) sorted() []edge {
	key := func(x edge) string {
		if x.to >= 0 {
			return e.ids.keys[x.to]
		}
		return e.ids.pools[x.pool].name
	}
	sort.SliceStable(e.edges, func(i, j int) bool {
		a, b := e.edges[i], e.edges[j]
		if a.kind != b.kind {
			return edgeRank[a.kind] < edgeRank[b.kind]
		}
		return key(a) < key(b)
	})
	return e.edges
}

// deriveEdges computes every node's out-edges from its effective grants.
func deriveEdges(g *Graph) [][]edge {
	ids := &g.ids
	out := make([][]edge, len(ids.nodes))
	for i, s := range ids.nodes[:ids.admin] {
		out[i] = g.edgesOf(s, ids.grants[i])
	}
	return out
}

// edgesOf derives the "can become" edges of a subject holding grants. A
// grant counts for namespaced resources in its namespace (all of them when
// cluster-wide) and for cluster-scoped resources only when cluster-wide,
// as the authorizer evaluates it.
func (g *Graph) edgesOf(s Subject, grants []*Grant) []edge {
	ids := &g.ids
	e := &edgeSet{ids: ids, seen: map[[3]int]bool{}}
	if s == GroupSubject(Masters) {
		e.add(EdgeSystemMasters, ids.admin, -1)
	}
	for _, gr := range grants {
		c := gr.Rule.caps
		ns, cluster := gr.Namespace, gr.Namespace == ""
		if cluster && c.has(capAdmin) {
			e.add(EdgeHoldsClusterAdmin, ids.admin, -1, gr)
		}
		if c.has(capReadSecrets) {
			if cluster {
				e.add(EdgeReadSecrets, ids.admin, -1, gr)
			} else {
				e.add(EdgeReadSecrets, -1, ids.poolFor(ids.allPool, ns), gr)
			}
		}
		if cluster && c.has(capNodesProxy) {
			e.add(EdgeNodesProxy, ids.admin, -1, gr)
		}
		if cluster && c.has(capWebhook) {
			e.add(EdgeAdmissionWebhook, ids.admin, -1, gr)
		}
		g.namedEdges(e, gr, EdgeTokenRequest, c.has(capTokenAll), c.has(capTokenSome))
		g.namedEdges(e, gr, EdgeImpersonate, c.has(capImpersonateSAAll), c.has(capImpersonateSASome))
		if cluster {
			g.impersonateUsersGroups(e, gr)
		}
		if c.has(capCreatePods) {
			e.add(EdgeCreatePods, -1, ids.poolFor(ids.allPool, ns), gr)
		}
		if c.has(capWriteWorkloads) {
			e.add(EdgeWriteWorkloads, -1, ids.poolFor(ids.allPool, ns), gr)
		}
		if c&(capExec|capAttach|capEphemeral|capUpdatePods) == 0 {
			continue
		}
		run := ids.poolFor(ids.runPool, ns)
		if c.has(capExec) {
			e.add(EdgePodExec, -1, run, gr)
		}
		if c.has(capAttach) {
			e.add(EdgePodAttach, -1, run, gr)
		}
		if c.has(capEphemeral) {
			e.add(EdgeEphemeral, -1, run, gr)
		}
		if c.has(capUpdatePods) {
			e.add(EdgeUpdatePods, -1, run, gr)
		}
	}
	g.bindEdges(e, grants)
	g.escalateEdges(e, grants)
	csrEdge(e, grants)
	return e.sorted()
}

// namedEdges adds edges for a per-ServiceAccount permission (TokenRequest,
// impersonation): to the namespace's pool when the rule names no
// ServiceAccount (all), otherwise to each named one that exists (some).
func (g *Graph) namedEdges(e *edgeSet, gr *Grant, kind EdgeKind, all, some bool) {
	if all {
		e.add(kind, -1, e.ids.poolFor(e.ids.allPool, gr.Namespace), gr)
		return
	}
	if some {
		for _, i := range e.ids.serviceAccountsNamed(gr.Namespace, gr.Rule.ResourceNames) {
			e.add(kind, i, -1, gr)
		}
	}
}

// impersonateUsersGroups: impersonating any group includes system:masters,
// so it is cluster-admin; named users and groups are edges to those
// identities. Impersonating a ServiceAccount's username is authorized
// against serviceaccounts, not users, so users rules never reach one.
func (g *Graph) impersonateUsersGroups(e *edgeSet, gr *Grant) {
	r, c := &gr.Rule.PolicyRule, gr.Rule.caps
	ids := e.ids
	if c.has(capImpersonateGroupsAll) {
		e.add(EdgeImpersonate, ids.admin, -1, gr)
	} else if c.has(capImpersonateGroupsSome) {
		for _, name := range r.ResourceNames {
			if i, ok := ids.index[GroupSubject(name)]; ok {
				e.add(EdgeImpersonate, i, -1, gr)
			}
		}
	}
	if !c.has(capImpersonateUsersSome) {
		return
	}
	all := c.has(capImpersonateUsersAll)
	for i, s := range ids.nodes[:ids.admin] {
		if s.Kind == UserKind && (all || contains(r.ResourceNames, s.Name)) {
			e.add(EdgeImpersonate, i, -1, gr)
		}
	}
}

// csrEdge needs three cluster-wide permissions, possibly from different
// grants: create a CSR, approve it, and approve for a client signer.
func csrEdge(e *edgeSet, grants []*Grant) {
	create := first(grants, true, capCSRCreate)
	approval := first(grants, true, capCSRApproval)
	signer := first(grants, true, capCSRSigner)
	if create != nil && approval != nil && signer != nil {
		e.add(EdgeCSR, e.ids.admin, -1, create, approval, signer)
	}
}

// first returns the first grant whose rule has the capability, among
// cluster-wide grants only when clusterOnly.
func first(grants []*Grant, clusterOnly bool, bit caps) *Grant {
	for _, gr := range grants {
		if (!clusterOnly || gr.Namespace == "") && gr.Rule.caps.has(bit) {
			return gr
		}
	}
	return nil
}
