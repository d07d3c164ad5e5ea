package rbacrules

import (
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

func parseInline(t *testing.T, src string) []*manifest.Object {
	t.Helper()
	f := manifest.Parse("inline.yaml", []byte(src), nil)
	if len(f.Errors) > 0 {
		t.Fatal(f.Errors[0])
	}
	return f.Objects
}

func hitsOf(c *Check, objs []*manifest.Object, id string) []rule.Hit {
	var out []rule.Hit
	for _, h := range c.CheckSet(objs) {
		if h.Rule == id {
			out = append(out, h)
		}
	}
	return out
}

const execInPayments = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: payments}
rules:
  - apiGroups: [""]
    resources: ["pods/exec"]
    verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec, namespace: payments}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects:
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: payments-oncall}
`

// The privileged namespaces are configurable and rank a RoleBinding there
// between cluster-wide and an ordinary namespace.
func TestConfigPrivilegedNamespaces(t *testing.T) {
	objs := parseInline(t, execInPayments)
	if h := hitsOf(New(Config{}), objs, podExec.Meta.ID); len(h) != 1 || h[0].Severity != rule.Medium {
		t.Fatalf("default: %+v", h)
	}
	objs = parseInline(t, execInPayments)
	h := hitsOf(New(Config{PrivilegedNamespaces: []string{"payments"}}), objs, podExec.Meta.ID)
	if len(h) != 1 || h[0].Severity != rule.Critical {
		t.Fatalf("payments privileged: %+v", h)
	}
	if pos, _ := h[0].Object.Pos(h[0].Path); h[0].Path != "rules[0]" || pos.Line != 5 {
		t.Errorf("points at %s line %d, want rules[0] line 5", h[0].Path, pos.Line)
	}
}

const vendorSecrets = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: acme:secret-sync}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: acme:secret-sync}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "acme:secret-sync"}
subjects:
  - {kind: ServiceAccount, name: sync, namespace: acme}
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:authenticated"}
`

// An allowlisted vendor role silences the rule-level finding, but neither
// the authenticated check nor the escalation path.
func TestConfigAllowlist(t *testing.T) {
	count := func(c *Check) map[string]int {
		n := map[string]int{}
		for _, h := range c.CheckSet(parseInline(t, vendorSecrets)) {
			n[h.Rule]++
		}
		return n
	}
	plain := count(New(Config{}))
	if plain[secretsRead.Meta.ID] != 1 || plain[authenticatedSubject.Meta.ID] != 1 || plain[escalationPath.Meta.ID] == 0 {
		t.Fatalf("without allowlist: %v", plain)
	}
	allowed := count(New(Config{AllowedNames: []string{"acme:*"}}))
	if allowed[secretsRead.Meta.ID] != 0 {
		t.Errorf("allowlisted role still reported: %v", allowed)
	}
	if allowed[authenticatedSubject.Meta.ID] != 1 || allowed[escalationPath.Meta.ID] == 0 {
		t.Errorf("the allowlist must not silence authenticated or path findings: %v", allowed)
	}
}

// The engine hands objects over in any order; the first definition of a
// duplicate, and so every finding, must not depend on it.
func TestOrderIndependence(t *testing.T) {
	const dup = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [""], resources: ["pods"], verbs: ["get"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["list"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: r, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: x}]
`
	key := func(objs []*manifest.Object) []string {
		var out []string
		for _, h := range New(Config{}).CheckSet(objs) {
			pos, _ := h.Object.Pos(h.Path)
			out = append(out, h.Rule+" "+h.Message+" "+string(rune('0'+pos.Line)))
		}
		return out
	}
	fwd := key(parseInline(t, dup))
	objs := parseInline(t, dup)
	for i, j := 0, len(objs)-1; i < j; i, j = i+1, j-1 {
		objs[i], objs[j] = objs[j], objs[i]
	}
	rev := key(objs)
	if len(fwd) != len(rev) {
		t.Fatalf("%v\n%v", fwd, rev)
	}
	for i := range fwd {
		if fwd[i] != rev[i] {
			t.Errorf("order changed the result:\n %s\n %s", fwd[i], rev[i])
		}
	}
}

func TestParseSubject(t *testing.T) {
	for in, want := range map[string]rbac.Subject{
		"serviceaccount:ci:deployer":           rbac.ServiceAccountSubject("ci", "deployer"),
		"sa:ci:deployer":                       rbac.ServiceAccountSubject("ci", "deployer"),
		"ServiceAccount:ci/deployer":           rbac.ServiceAccountSubject("ci", "deployer"),
		"system:serviceaccount:ci:deployer":    rbac.ServiceAccountSubject("ci", "deployer"),
		"user:alice":                           rbac.UserSubject("alice"),
		"User:system:serviceaccount:ci:deploy": rbac.ServiceAccountSubject("ci", "deploy"),
		"group:system:authenticated":           rbac.GroupSubject("system:authenticated"),
		"system:authenticated":                 rbac.GroupSubject("system:authenticated"),
		"system:anonymous":                     rbac.UserSubject("system:anonymous"),
		"system:serviceaccounts:payments":      rbac.GroupSubject("system:serviceaccounts:payments"),
		"Group:oidc:platform-team":             rbac.GroupSubject("oidc:platform-team"),
	} {
		got, err := ParseSubject(in)
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"deployer", "serviceaccount:ci", "sa::x", "system:serviceaccount:ci", "pod:x", ""} {
		if _, err := ParseSubject(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A workload without a pod template (a kustomize patch, a Rollout with a
// workloadRef) runs no pods: the analysis skips it instead of failing.
func TestWorkloadWithoutPodTemplate(t *testing.T) {
	objs := parseInline(t, execInPayments+`---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: payments}
spec:
  replicas: 3
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: payments}
spec:
  template:
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
`)
	c := New(Config{})
	for _, o := range objs {
		c.Prepare(o) // as the engine does while the objects stream by
	}
	a := Analyze(objs, Config{})
	if len(a.Workloads) != 1 || a.Workloads[0].ServiceAccount.Name != "api" || a.Workloads[0].Path != "spec.template.spec.serviceAccountName" {
		t.Fatalf("workloads: %+v", a.Workloads)
	}
}
