package rbac

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Aggregation follows the ClusterRole aggregation controller
// (pkg/controller/clusterroleaggregation): a ClusterRole with an
// aggregationRule gets, in selector order, then matched roles by name,
// then rule order, the de-duplicated rules of every other ClusterRole a
// selector matches. What its manifest says under rules is overwritten, not
// merged. The controller reads the matched roles' current rules, so at
// steady state aggregation is transitive (admin ⊇ edit ⊇ view); we compute
// that steady state as the least fixpoint, which also settles cycles. In
// a cycle of aggregated roles the set of rules is the controller's, but
// their order may differ, since the controller's order there depends on
// its history.

// maxAggregationRounds bounds the fixpoint loop. Each round settles at
// least one more level of nesting, so real inputs need depth+1 rounds; the
// bound only guards against a pathological ordering that never settles.
const maxAggregationRounds = 64

type aggregator struct {
	role      *Role
	selectors []labels.Selector
}

// aggregate replaces the rules of every aggregated ClusterRole in roles
// (sorted by name) with their steady-state rules, and reports selectors it
// cannot parse and manifest rules the controller would overwrite.
func aggregate(roles []*Role) []Problem {
	var aggs []aggregator
	var problems []Problem
	for _, r := range roles {
		if r.Aggregation == nil {
			continue
		}
		a := aggregator{role: r}
		for i := range r.Aggregation.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&r.Aggregation.ClusterRoleSelectors[i])
			if err != nil {
				problems = append(problems, Problem{Kind: InvalidSelector, Role: r, Source: r.Source,
					Message: fmt.Sprintf("%s: aggregationRule.clusterRoleSelectors[%d]: %v", r, i, err)})
				continue
			}
			a.selectors = append(a.selectors, sel)
		}
		if len(r.Rules) > 0 && !r.Builtin {
			problems = append(problems, Problem{Kind: OverwrittenRules, Role: r, Source: r.Source,
				Message: fmt.Sprintf("%s has an aggregationRule: the %d rules in its manifest are replaced by the aggregation controller", r, len(r.Rules))})
		}
		r.Rules = nil
		aggs = append(aggs, a)
	}
	for round := 0; round < maxAggregationRounds; round++ {
		changed := false
		for _, a := range aggs {
			next := a.collect(roles)
			if !sameRules(next, a.role.Rules) {
				a.role.Rules = next
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return problems
}

// collect computes one aggregated role's rules from the current rules of
// the roles its selectors match. A rule that already passed through this
// role is its own content coming back round a cycle and is skipped, which
// keeps provenance chains simple and finite.
func (a aggregator) collect(roles []*Role) []*Rule {
	var out []*Rule
	seen := map[string]bool{}
	for _, sel := range a.selectors {
		for _, src := range roles {
			if src == a.role || !sel.Matches(labels.Set(src.Labels)) {
				continue
			}
			for _, rule := range src.Rules {
				if passedThrough(rule, a.role) {
					continue
				}
				key := rule.dedupKey()
				if seen[key] {
					continue
				}
				seen[key] = true
				through := rule.Through
				if src.Aggregation != nil {
					through = append([]*Role{src}, rule.Through...)
				}
				out = append(out, &Rule{PolicyRule: rule.PolicyRule, Index: rule.Index, Origin: rule.Origin, Through: through, key: key, caps: rule.caps})
			}
		}
	}
	return out
}

func passedThrough(rule *Rule, r *Role) bool {
	for _, t := range rule.Through {
		if t == r {
			return true
		}
	}
	return false
}

func sameRules(a, b []*Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Origin != b[i].Origin || len(a[i].Through) != len(b[i].Through) ||
			a[i].dedupKey() != b[i].dedupKey() {
			return false
		}
		for j := range a[i].Through {
			if a[i].Through[j] != b[i].Through[j] {
				return false
			}
		}
	}
	return true
}

// dedupKey caches ruleKey: aggregation compares every rule of every
// matched role on every round.
func (r *Rule) dedupKey() string {
	if r.key == "" {
		r.key = ruleKey(&r.PolicyRule)
	}
	return r.key
}

// ruleKey is equal for two rules exactly when the controller's semantic
// equality holds: same lists in the same order, nil equal to empty.
func ruleKey(r *rbacv1.PolicyRule) string {
	var b strings.Builder
	for _, list := range [][]string{r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs} {
		for _, s := range list {
			b.WriteString(s)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return b.String()
}
