package rbacrules

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// The rule-level rules share one shape: a family of risk catalog entries,
// judged for every rule a manifest writes, wherever that rule is in force.
// The built-in roles' own rules are in no manifest: bindings to them are
// the built-in role binding rule's. A rule that is "*" on "*" is reported
// once, by the wildcard rule, not by every family.
// A rule is in force through every binding whose role holds it, directly or
// by aggregation; each such placement has a scope, and the finding takes
// the worst. A rule no binding in the manifests reaches is still judged:
// a Role at its namespace, a ClusterRole as if bound in an ordinary
// namespace (the least it will grant once bound).

// family is the catalog entries a rule reports, and an optional
// adjustment for permissions that only matter in combination (bind with
// write access to bindings, the whole CSR bundle, node writes with pod
// eviction).
type family struct {
	risks  []string
	adjust func(a *Analysis, h holding, sev rbac.Severity) (rbac.Severity, string, bool)
}

// holding is one place a rule is in force.
type holding struct {
	rule      *rbac.Rule
	namespace string        // where it applies; "" cluster-wide
	binding   *rbac.Binding // nil when no binding reaches the rule
	role      *rbac.Role    // the bound role, or the writing role when unbound
}

// holders are the subjects of the binding; none when unbound.
func (h holding) holders() []rbac.Subject {
	if h.binding == nil {
		return nil
	}
	return h.binding.Subjects
}

type origin struct {
	role  *rbac.Role
	index int
}

type placement struct {
	binding *rbac.Binding
	rule    *rbac.Rule
}

// placementsOf lists the bindings through which the rule at index of role
// is in force, in binding order.
func (a *Analysis) placementsOf(role *rbac.Role, index int) []placement {
	if a.placements == nil {
		a.placements = map[origin][]placement{}
		for _, b := range a.Graph.Bindings() {
			if b.Role == nil {
				continue
			}
			for _, r := range b.Role.Rules {
				k := origin{r.Origin, r.Index}
				a.placements[k] = append(a.placements[k], placement{b, r})
			}
		}
	}
	return a.placements[origin{role, index}]
}

// judgement is the worst placement of one rule for one family.
type judgement struct {
	sev    rbac.Severity
	titles []string
	note   string
	hold   holding
	count  int // placements that matched
}

func (f family) wants(id string) bool {
	for _, r := range f.risks {
		if r == id {
			return true
		}
	}
	return false
}

// coveredByWildcard reports whether the rule is "*" on "*", which the
// wildcard rule reports once instead of every family reporting it.
func (f family) coveredByWildcard(risks []rbac.Risk) bool {
	if f.wants("cluster-admin-equivalent") {
		return false
	}
	for _, r := range risks {
		if r.ID == "cluster-admin-equivalent" {
			return true
		}
	}
	return false
}

// judge evaluates one placement: the family's risks the rule carries there
// and their severity at that scope.
func (f family) judge(a *Analysis, h holding, risks []rbac.Risk, j *judgement) {
	if f.coveredByWildcard(risks) {
		return
	}
	var sev rbac.Severity
	var titles []string
	for _, r := range risks {
		if !f.wants(r.ID) {
			continue
		}
		titles = append(titles, r.Title)
		if s := r.SeverityAt(a.Scopes.Of(h.namespace), h.rule.PolicyRule); s > sev {
			sev = s
		}
	}
	if len(titles) == 0 {
		return
	}
	note := ""
	if f.adjust != nil {
		var ok bool
		if sev, note, ok = f.adjust(a, h, sev); !ok {
			return
		}
	}
	j.count++
	if sev > j.sev {
		*j = judgement{sev: sev, titles: titles, note: note, hold: h, count: j.count}
	}
}

// riskCheck builds the check function of a rule-level rule.
func riskCheck(f family) func(a *Analysis) []rule.Hit {
	return func(a *Analysis) []rule.Hit {
		var hits []rule.Hit
		for _, role := range a.Graph.Roles() {
			if role.Builtin || role.Aggregation != nil || Object(role.Source) == nil || a.AllowedRole(role) {
				continue
			}
			for _, r := range role.Rules {
				if h, ok := f.ruleHit(a, role, r); ok {
					hits = append(hits, h)
				}
			}
		}
		return hits
	}
}

// ruleHit judges a rule a manifest writes, at rules[i] of that manifest.
func (f family) ruleHit(a *Analysis, role *rbac.Role, r *rbac.Rule) (rule.Hit, bool) {
	var j judgement
	places := a.placementsOf(role, r.Index)
	skipped := 0
	for _, p := range places {
		if a.allowedBindingObject(p.binding) {
			skipped++
			continue
		}
		h := holding{rule: p.rule, namespace: p.binding.Namespace, binding: p.binding, role: p.binding.Role}
		f.judge(a, h, a.risksAt(p), &j)
	}
	unbound := len(places) == 0
	if unbound {
		h := holding{rule: r, role: role}
		if role.Kind == "Role" {
			h.namespace = role.Namespace
		}
		f.judgeUnbound(a, h, a.unboundRisks(role, r), &j)
	}
	if j.count == 0 {
		return rule.Hit{}, false
	}
	msg := fmt.Sprintf("%s grants %s", RulePath(r), strings.Join(j.titles, ", "))
	switch {
	case unbound && role.Kind == "Role":
		msg += fmt.Sprintf(" in namespace %s; no binding in these manifests references the role yet", role.Namespace)
	case unbound:
		msg += "; no binding in these manifests references the role yet, so the severity assumes a binding in an ordinary namespace"
	default:
		msg += " " + ScopeText(j.hold.namespace) + placementText(j.hold, role)
		if j.count > 1 {
			msg += fmt.Sprintf(" (and through %d more bindings)", j.count-1)
		}
	}
	if j.note != "" {
		msg += "; " + j.note
	}
	return rule.Hit{Object: Object(role.Source), Path: RulePath(r), Message: msg,
		Evidence: RuleText(r.PolicyRule), Severity: rule.Severity(j.sev)}, true
}

// judgeUnbound evaluates a rule no binding reaches: a ClusterRole's rule
// at the severity of an ordinary namespace, a Role's at its namespace.
func (f family) judgeUnbound(a *Analysis, h holding, risks []rbac.Risk, j *judgement) {
	if h.role.Kind == "Role" {
		f.judge(a, h, risks, j)
		return
	}
	// Judge at namespace scope, but keep cluster-scoped entries matched.
	if f.coveredByWildcard(risks) {
		return
	}
	var sev rbac.Severity
	var titles []string
	for _, r := range risks {
		if f.wants(r.ID) {
			titles = append(titles, r.Title)
			if s := r.SeverityAt(rbac.NamespaceScope, h.rule.PolicyRule); s > sev {
				sev = s
			}
		}
	}
	if len(titles) == 0 {
		return
	}
	note := ""
	if f.adjust != nil {
		var ok bool
		if sev, note, ok = f.adjust(a, h, sev); !ok {
			return
		}
	}
	*j = judgement{sev: sev, titles: titles, note: note, hold: h, count: 1}
}

// placementText names the binding (and the aggregated role between) of a
// placement and its first subjects.
func placementText(h holding, writer *rbac.Role) string {
	s := ""
	if h.role != writer {
		s += " through " + RoleName(h.role)
	}
	s += ", bound by " + BindingName(h.binding) + " to " + subjectList(h.binding.Subjects)
	return s
}

func subjectList(subjects []rbac.Subject) string {
	if len(subjects) == 0 {
		return "no subject"
	}
	var names []string
	for i, s := range subjects {
		if i == 2 {
			names = append(names, fmt.Sprintf("%d more", len(subjects)-2))
			break
		}
		names = append(names, SubjectName(s))
	}
	return strings.Join(names, ", ")
}

// allowedBindingObject reports whether the binding itself (by name or
// labels) is a known system or vendor binding (cached).
func (a *Analysis) allowedBindingObject(b *rbac.Binding) bool {
	if v, ok := a.allowedObj[b]; ok {
		return v
	}
	o := Object(b.Source)
	v := o != nil && a.cfg.allowed(b.Name, o.StringMap("metadata.labels"))
	a.allowedObj[b] = v
	return v
}

// unboundRisks lists the catalog entries of a rule no binding reaches: a
// Role's at its namespace, a ClusterRole's wherever it may be bound
// (cached).
func (a *Analysis) unboundRisks(role *rbac.Role, r *rbac.Rule) []rbac.Risk {
	p := placement{rule: r}
	if risks, ok := a.risks[p]; ok {
		return risks
	}
	risks := rbac.Risks(r.PolicyRule)
	if role.Kind == "Role" {
		risks = (&rbac.Grant{Namespace: role.Namespace, Role: role, Rule: r}).Risks()
	}
	a.risks[p] = risks
	return risks
}

// risksAt lists the catalog entries a rule matches where the binding puts
// it (cached: every family asks).
func (a *Analysis) risksAt(p placement) []rbac.Risk {
	if r, ok := a.risks[p]; ok {
		return r
	}
	gr := rbac.Grant{Namespace: p.binding.Namespace, Binding: p.binding, Role: p.binding.Role, Rule: p.rule}
	r := gr.Risks()
	a.risks[p] = r
	return r
}

// compatible reports whether a grant at namespace g can act together with
// a permission in force at namespace h: either is cluster-wide, or both
// are in the same namespace.
func compatible(g, h string) bool { return g == "" || h == "" || g == h }

// holdersCan reports whether a holder of the placement holds a rule that
// satisfies pred at a compatible scope. An unbound rule is paired with the
// other rules of its own role, since whoever is bound to it gets both.
func (a *Analysis) holdersCan(h holding, pred func(r *rbacv1.PolicyRule, ns string) bool) bool {
	if h.binding == nil {
		for _, r := range h.role.Rules {
			if pred(&r.PolicyRule, h.namespace) {
				return true
			}
		}
		return false
	}
	for _, s := range h.holders() {
		for _, g := range a.Effective(s) {
			if compatible(g.Namespace, h.namespace) && pred(&g.Rule.PolicyRule, g.Namespace) {
				return true
			}
		}
	}
	return false
}

// someName reports whether the rule allows the verb on the resource for at
// least one object name (resourceNames aside): rewriting one existing
// object is enough for the combinations we look for.
func someName(r *rbacv1.PolicyRule, verb, group, resource, sub string) bool {
	combined := resource
	if sub != "" {
		combined += "/" + sub
	}
	return rbac.VerbMatches(r, verb) && rbac.APIGroupMatches(r, group) && rbac.ResourceMatches(r, combined, sub)
}

// creates reports whether the rule allows creating the resource: a request
// without a name, which resourceNames never allow.
func creates(r *rbacv1.PolicyRule, group, resource, sub string) bool {
	return rbac.Allows(r, rbac.Request{Verb: "create", APIGroup: group, Resource: resource, Subresource: sub})
}
