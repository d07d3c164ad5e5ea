package rbacrules

import (
	"fmt"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
)

// The words findings and the rbac commands use for graph objects.

// SubjectName is "ServiceAccount ci/deployer", "Group system:authenticated",
// "User alice" or "cluster-admin".
func SubjectName(s rbac.Subject) string {
	switch s.Kind {
	case rbac.ServiceAccountKind:
		return "ServiceAccount " + s.Namespace + "/" + s.Name
	case rbac.ClusterAdminKind:
		return "cluster-admin"
	}
	return string(s.Kind) + " " + s.Name
}

// BindingName is "ClusterRoleBinding name" or "RoleBinding namespace/name".
func BindingName(b *rbac.Binding) string {
	if b.Kind == "RoleBinding" {
		return "RoleBinding " + b.Namespace + "/" + b.Name
	}
	return b.Kind + " " + b.Name
}

// RoleName is "ClusterRole name" or "Role namespace/name", marked when
// built in.
func RoleName(r *rbac.Role) string {
	s := r.Kind + " " + r.Name
	if r.Kind == "Role" {
		s = "Role " + r.Namespace + "/" + r.Name
	}
	if r.Builtin {
		s += " (built-in)"
	}
	return s
}

// ScopeText is "cluster-wide" or "in namespace ns".
func ScopeText(namespace string) string {
	if namespace == "" {
		return "cluster-wide"
	}
	return "in namespace " + namespace
}

// RulePath is the field path of a rule in the manifest that wrote it.
func RulePath(r *rbac.Rule) string { return "rules[" + strconv.Itoa(r.Index) + "]" }

// RuleText renders a policy rule compactly, e.g.
// `get,list secrets` or `* */* names=[cluster-admin]`; the core group is
// left out, other groups qualify the resource (deployments.apps).
func RuleText(r rbacv1.PolicyRule) string {
	verbs := strings.Join(r.Verbs, ",")
	if len(r.NonResourceURLs) > 0 {
		return verbs + " " + strings.Join(r.NonResourceURLs, ",")
	}
	var res []string
	for _, g := range orAll(r.APIGroups) {
		for _, rs := range orAll(r.Resources) {
			switch g {
			case "":
				res = append(res, rs)
			default:
				base, sub, hasSub := strings.Cut(rs, "/")
				s := base + "." + g
				if hasSub {
					s += "/" + sub
				}
				res = append(res, s)
			}
		}
	}
	s := verbs + " " + strings.Join(res, ",")
	if len(r.ResourceNames) > 0 {
		s += " names=[" + strings.Join(r.ResourceNames, ",") + "]"
	}
	return s
}

func orAll(l []string) []string {
	if len(l) == 0 {
		return []string{"(none)"}
	}
	return l
}

// RuleOrigin is where a grant's rule is written: "Role ci/pod-maker
// rules[0]", with the aggregated roles it passed through.
func RuleOrigin(r *rbac.Rule) string {
	s := RoleName(r.Origin) + " " + RulePath(r)
	if len(r.Through) > 0 {
		var via []string
		for _, t := range r.Through {
			via = append(via, t.Name)
		}
		s += " aggregated through " + strings.Join(via, ", ")
	}
	return s
}

// GrantText is the evidence of a grant: "RoleBinding ci/runner → Role
// ci/pod-maker rules[0]", with the group it is held through.
func GrantText(g rbac.Grant) string {
	s := BindingName(g.Binding) + " → "
	if g.Rule.Origin != g.Role {
		s += RoleName(g.Role) + " ← " + RuleOrigin(g.Rule)
	} else {
		s += RuleOrigin(g.Rule)
	}
	if g.Via != "" {
		s += " (via Group " + g.Via + ")"
	}
	return s
}

// PathText renders a path on one line with each step's evidence:
// "ServiceAccount ci/runner -[create-pods: RoleBinding ci/runner → Role
// ci/pod-maker rules[0]]-> ServiceAccount ci/deployer ...".
func PathText(p rbac.Path) string {
	var b strings.Builder
	b.WriteString(SubjectName(p.From))
	for _, st := range p.Steps {
		ev := StepEvidence(st)
		evidence := ""
		if len(ev) > 0 {
			evidence = ": " + strings.Join(ev, "; ")
		}
		fmt.Fprintf(&b, " -[%s%s]-> %s", st.Kind, evidence, SubjectName(st.To))
	}
	return b.String()
}

// StepEvidence lists the distinct grants that allow a step, in order (an
// escalate step names the escalate, update and bound grants, which may be
// one rule).
func StepEvidence(st rbac.Step) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range st.Grants {
		t := GrantText(g)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
