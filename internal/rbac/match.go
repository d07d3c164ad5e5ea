package rbac

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// The matchers below reproduce the API server's RBAC evaluation helpers
// (k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go) line for line.
// Every surveyed scanner that re-derived these rules by hand got at least one
// of them wrong (apiGroups ignored, "pods/*" taken as a wildcard, "core"
// taken for the core group, resourceNames applied per object), so we keep
// the upstream shape and test the corner cases against it.

// Request is one authorization question, in the terms the RBAC authorizer
// sees it. A request with a NonResourceURL is a non-resource request and the
// resource fields are ignored; otherwise it is a resource request. Name is
// empty for requests that carry no object name (list, watch, create,
// deletecollection); Namespace is empty for cluster-scoped resources.
type Request struct {
	Verb           string `json:"verb"`
	APIGroup       string `json:"apiGroup,omitempty"`
	Resource       string `json:"resource,omitempty"`
	Subresource    string `json:"subresource,omitempty"`
	Name           string `json:"name,omitempty"`
	Namespace      string `json:"namespace,omitempty"`
	NonResourceURL string `json:"nonResourceURL,omitempty"`
}

// IsResource reports whether the request is for an API resource rather than
// a non-resource URL such as /healthz.
func (r Request) IsResource() bool { return r.NonResourceURL == "" }

// combinedResource is "resource/subresource", the form rules spell
// subresources in.
func (r Request) combinedResource() string {
	if r.Subresource == "" {
		return r.Resource
	}
	return r.Resource + "/" + r.Subresource
}

// VerbMatches reports whether the rule lists the verb or "*".
func VerbMatches(rule *rbacv1.PolicyRule, verb string) bool {
	for _, v := range rule.Verbs {
		if v == rbacv1.VerbAll || v == verb {
			return true
		}
	}
	return false
}

// APIGroupMatches reports whether the rule lists the group or "*". The core
// group is the empty string; "core" is a convention of some tools, not RBAC,
// and matches only a group literally named "core".
func APIGroupMatches(rule *rbacv1.PolicyRule, group string) bool {
	for _, g := range rule.APIGroups {
		if g == rbacv1.APIGroupAll || g == group {
			return true
		}
	}
	return false
}

// ResourceMatches reports whether the rule covers combined ("pods" or
// "pods/exec") with subresource sub ("" or "exec"). "*" covers every
// resource and every subresource; "*/exec" covers the exec subresource of
// any resource. "pods/*" and "*/*" are not wildcards: they only match a
// subresource literally named "*", which no API serves.
func ResourceMatches(rule *rbacv1.PolicyRule, combined, sub string) bool {
	for _, r := range rule.Resources {
		if r == rbacv1.ResourceAll || r == combined {
			return true
		}
		if sub == "" {
			continue
		}
		if len(r) == len(sub)+2 && strings.HasPrefix(r, "*/") && strings.HasSuffix(r, sub) {
			return true
		}
	}
	return false
}

// ResourceNameMatches reports whether the rule allows the named object. An
// empty resourceNames list allows every name. A non-empty list never allows
// a request without a name, which is why resourceNames cannot restrict list,
// watch, create or deletecollection: such a rule simply grants none of them.
func ResourceNameMatches(rule *rbacv1.PolicyRule, name string) bool {
	if len(rule.ResourceNames) == 0 {
		return true
	}
	for _, n := range rule.ResourceNames {
		if n == name {
			return true
		}
	}
	return false
}

// NonResourceURLMatches reports whether the rule covers the URL: "*", the
// exact URL, or a prefix ending in "*" ("/healthz/*" matches "/healthz/etcd"
// but not "/healthz").
func NonResourceURLMatches(rule *rbacv1.PolicyRule, url string) bool {
	for _, u := range rule.NonResourceURLs {
		if u == rbacv1.NonResourceAll || u == url {
			return true
		}
		if strings.HasSuffix(u, "*") && strings.HasPrefix(url, strings.TrimRight(u, "*")) {
			return true
		}
	}
	return false
}

// Allows reports whether one rule grants the request, as the RBAC
// authorizer's RuleAllows does. It does not know where the rule is bound:
// namespace scope is the graph's business (see Graph.WhoCan).
func Allows(rule *rbacv1.PolicyRule, req Request) bool {
	if !req.IsResource() {
		return VerbMatches(rule, req.Verb) && NonResourceURLMatches(rule, req.NonResourceURL)
	}
	return VerbMatches(rule, req.Verb) &&
		APIGroupMatches(rule, req.APIGroup) &&
		ResourceMatches(rule, req.combinedResource(), req.Subresource) &&
		ResourceNameMatches(rule, req.Name)
}

// allowsSomeName reports whether the rule grants the request for at least
// one object name: the verb, group and resource match, whatever the
// resourceNames. Escalation analysis uses it where one named object is
// enough (rewriting one webhook configuration, proxying to one node).
func allowsSomeName(rule *rbacv1.PolicyRule, req Request) bool {
	return VerbMatches(rule, req.Verb) &&
		APIGroupMatches(rule, req.APIGroup) &&
		ResourceMatches(rule, req.combinedResource(), req.Subresource)
}

// isAdminRule reports whether the rule alone is cluster-admin's resource
// rule: every verb on every resource of every group, for any name.
func isAdminRule(rule *rbacv1.PolicyRule) bool {
	return len(rule.ResourceNames) == 0 &&
		contains(rule.Verbs, rbacv1.VerbAll) &&
		contains(rule.APIGroups, rbacv1.APIGroupAll) &&
		contains(rule.Resources, rbacv1.ResourceAll)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
