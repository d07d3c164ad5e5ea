// Package rbac resolves Kubernetes RBAC the way the API server does and
// finds privilege-escalation paths through it. It does no I/O and knows
// nothing of files: callers pass typed rbac/v1 objects, ServiceAccounts and
// workloads, each with an opaque Source that comes back on every result so
// findings can point at a file and line.
//
// The pieces, in the order Build applies them:
//
//   - Matching (match.go) is a faithful copy of the authorizer's
//     evaluation helpers: Allows(rule, request).
//   - Aggregation (aggregate.go) gives aggregated ClusterRoles the rules of
//     the roles their selectors match, to a fixpoint, recording where each
//     rule was written and which aggregated roles it passed through.
//   - The graph (graph.go) resolves bindings to roles and subjects to
//     identities with their implicit groups: Effective, WhoCan, Can, and
//     the Problems (dangling or invalid references) found on the way.
//   - Escalation (edges.go, escalate.go, paths.go) derives "can become"
//     edges between identities from their grants and searches them
//     breadth-first: Paths, PathTo, EntryPoints.
//   - The risk catalog (catalog.go, catalog_table.go) names dangerous
//     permissions as data; Risks and Grant.Risks match rules against it, and
//     ScopePolicy ranks where a grant applies.
//
// A real cluster always holds the bootstrap roles (cluster-admin, admin,
// edit, view), so Build adds them unless Input.OmitBuiltins is set.
package rbac
