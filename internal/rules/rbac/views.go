package rbacrules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rbac"
)

// Views are what the rbac commands print: grants, paths and subjects in
// words and file positions, ready for a table or JSON. They never carry
// object contents beyond names and rules.

// RiskView is a catalog risk where a grant applies.
type RiskView struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	severity rbac.Severity
}

// GrantView is one rule held through one binding.
type GrantView struct {
	Subject   string     `json:"subject"`
	Via       string     `json:"via,omitempty"` // the group the subject holds it through
	Scope     string     `json:"scope"`         // "cluster-wide" or the namespace
	Binding   string     `json:"binding"`
	BindingAt string     `json:"bindingAt,omitempty"` // file:line; empty for built-in bindings
	Role      string     `json:"role"`
	Rule      string     `json:"rule"` // where the rule is written: role and rules[i]
	RuleAt    string     `json:"ruleAt,omitempty"`
	Text      string     `json:"text"` // the rule, e.g. "get,list secrets"
	Risks     []RiskView `json:"risks,omitempty"`
}

// ViewGrant describes a grant, with the catalog risks it carries where it
// applies, worst first.
func (a *Analysis) ViewGrant(g rbac.Grant) GrantView {
	v := GrantView{
		Subject: SubjectName(g.Subject), Via: g.Via, Scope: "cluster-wide",
		Binding: BindingName(g.Binding), Role: RoleName(g.Role),
		Rule: RuleOrigin(g.Rule), Text: RuleText(g.Rule.PolicyRule),
	}
	if g.Namespace != "" {
		v.Scope = g.Namespace
	}
	if o := Object(g.Binding.Source); o != nil {
		v.BindingAt = Where(o, a.SubjectPath(g.Binding, g.Subject))
	}
	if o := Object(g.Rule.Origin.Source); o != nil {
		v.RuleAt = Where(o, RulePath(g.Rule))
	}
	scope := a.Scopes.Of(g.Namespace)
	for _, r := range a.risksAt(placement{g.Binding, g.Rule}) {
		s := r.SeverityAt(scope, g.Rule.PolicyRule)
		v.Risks = append(v.Risks, RiskView{ID: r.ID, Title: r.Title, Severity: s.String(), severity: s})
	}
	sort.SliceStable(v.Risks, func(i, j int) bool { return v.Risks[i].severity > v.Risks[j].severity })
	return v
}

// WhoCan lists the grants that allow the request, in binding order.
func (a *Analysis) WhoCan(req rbac.Request) []GrantView {
	var out []GrantView
	for _, g := range a.Graph.WhoCan(req) {
		out = append(out, a.ViewGrant(g))
	}
	return out
}

// StepView is one step of a path.
type StepView struct {
	Kind   string      `json:"kind"`
	From   string      `json:"from"`
	To     string      `json:"to"`
	Grants []GrantView `json:"grants"`
}

// PathView is a path with every step's evidence.
type PathView struct {
	From  string     `json:"from"`
	To    string     `json:"to"`
	Entry bool       `json:"entryPoint"` // an attacker plausibly starts here
	Steps []StepView `json:"steps"`
}

// ViewPath describes a path; evidence repeated within a step is listed once.
func (a *Analysis) ViewPath(p rbac.Path) PathView {
	v := PathView{From: SubjectName(p.From), To: SubjectName(p.To), Entry: a.entry(p.From)}
	for _, st := range p.Steps {
		sv := StepView{Kind: string(st.Kind), From: SubjectName(st.From), To: SubjectName(st.To), Grants: []GrantView{}}
		seen := map[string]bool{}
		for _, g := range st.Grants {
			gv := a.ViewGrant(g)
			if k := gv.Binding + gv.Rule; !seen[k] {
				seen[k] = true
				sv.Grants = append(sv.Grants, gv)
			}
		}
		v.Steps = append(v.Steps, sv)
	}
	return v
}

// WorkloadView is a workload that runs as a ServiceAccount.
type WorkloadView struct {
	Object  string `json:"object"`
	At      string `json:"at"`
	Mounted bool   `json:"tokenMounted"`
}

// SubjectView is everything about one identity: its groups, where it is
// defined and runs, what it holds, the risks of that, and what it can
// become.
type SubjectView struct {
	Subject    string         `json:"subject"`
	Groups     []string       `json:"groups,omitempty"`
	DefinedAt  string         `json:"definedAt,omitempty"`
	Workloads  []WorkloadView `json:"workloads,omitempty"`
	Grants     []GrantView    `json:"grants"`
	Risks      []GrantRisk    `json:"risks"`
	HoldsAdmin bool           `json:"holdsClusterAdmin"`
	CanBecome  []PathView     `json:"canBecome"` // cluster-admin first if reachable, then shortest first
}

// GrantRisk is one risk a subject holds, with the binding that gives it.
type GrantRisk struct {
	RiskView
	Scope   string `json:"scope"`
	Binding string `json:"binding"`
	Rule    string `json:"rule"`
}

// Explain describes one identity.
func (a *Analysis) Explain(s rbac.Subject) SubjectView {
	v := SubjectView{Subject: SubjectName(s), Groups: s.Groups(), Grants: []GrantView{}, Risks: []GrantRisk{}, CanBecome: []PathView{}}
	if o := a.accounts[s]; o != nil {
		v.DefinedAt = Where(o, "")
	}
	for _, w := range a.Workloads {
		if w.ServiceAccount == s {
			name := w.Object.Kind + " " + orDefault(w.Object.Namespace()) + "/" + w.Object.Name()
			v.Workloads = append(v.Workloads, WorkloadView{Object: name, At: Where(w.Object, w.Path), Mounted: w.Mounted})
		}
	}
	seen := map[string]bool{}
	for _, g := range a.Effective(s) {
		gv := a.ViewGrant(g)
		v.Grants = append(v.Grants, gv)
		for _, r := range gv.Risks {
			k := r.ID + "\x00" + gv.Scope
			if !seen[k] {
				seen[k] = true
				v.Risks = append(v.Risks, GrantRisk{RiskView: r, Scope: gv.Scope, Binding: gv.Binding, Rule: gv.Rule})
			}
		}
	}
	sort.SliceStable(v.Risks, func(i, j int) bool { return v.Risks[i].severity > v.Risks[j].severity })
	for _, p := range a.Graph.Paths(s) {
		if p.To == rbac.ClusterAdmin && holdsAdmin(p) {
			v.HoldsAdmin = true
		}
		v.CanBecome = append(v.CanBecome, a.ViewPath(p))
	}
	return v
}

// ParseSubject reads an identity as people type it:
// serviceaccount:ns:name (or sa:ns:name, serviceaccount:ns/name),
// user:name, group:name, the graph's own ServiceAccount:ns/name form, and
// the API server's usernames and groups: system:serviceaccount:ns:name,
// system:anonymous, system:authenticated, system:unauthenticated,
// system:masters, system:serviceaccounts[:ns].
func ParseSubject(arg string) (rbac.Subject, error) {
	kind, rest, ok := strings.Cut(arg, ":")
	if ok && rest != "" {
		switch strings.ToLower(kind) {
		case "serviceaccount", "sa":
			ns, name, ok := strings.Cut(rest, ":")
			if !ok {
				ns, name, ok = strings.Cut(rest, "/")
			}
			if !ok || ns == "" || name == "" || strings.ContainsAny(name, ":/") {
				return rbac.Subject{}, fmt.Errorf("subject %q: want serviceaccount:NAMESPACE:NAME", arg)
			}
			return rbac.ServiceAccountSubject(ns, name), nil
		case "user":
			return rbac.UserSubject(rest), nil
		case "group":
			return rbac.GroupSubject(rest), nil
		}
	}
	switch {
	case strings.HasPrefix(arg, "system:serviceaccount:"):
		s := rbac.UserSubject(arg)
		if s.Kind != rbac.ServiceAccountKind {
			return rbac.Subject{}, fmt.Errorf("subject %q: want system:serviceaccount:NAMESPACE:NAME", arg)
		}
		return s, nil
	case arg == rbac.Anonymous:
		return rbac.UserSubject(arg), nil
	case arg == rbac.Authenticated, arg == rbac.Unauthenticated, arg == rbac.Masters,
		arg == rbac.AllServiceAccounts, strings.HasPrefix(arg, rbac.AllServiceAccounts+":"):
		return rbac.GroupSubject(arg), nil
	}
	return rbac.Subject{}, fmt.Errorf("subject %q: want serviceaccount:NAMESPACE:NAME, user:NAME or group:NAME", arg)
}
