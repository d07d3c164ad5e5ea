package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	rbacrules "github.com/bulwark-dev/bulwark/internal/rules/rbac"
)

const rbacExamples = "examples/platform/rbac"

func TestRBACWhoCan(t *testing.T) {
	repoRoot(t)
	out, errOut, code := run(t, "", "rbac", "who-can", "get", "secrets", "-n", "payments", rbacExamples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"SUBJECT", "ServiceAccount payments/default", "RoleBinding payments/default-edit",
		"ServiceAccount backup/operator", "ClusterRole backup-operator rules[0]: get,list,watch secrets",
		"examples/platform/rbac/operators.yaml:39", "Group system:masters", "(built-in)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("who-can output lacks %q:\n%s", want, out)
		}
	}
	// A RoleBinding in payments does not answer for kube-system.
	out, _, _ = run(t, "", "rbac", "who-can", "get", "secrets", "-n", "kube-system", rbacExamples)
	if strings.Contains(out, "payments/default") {
		t.Errorf("a RoleBinding in payments answered for kube-system:\n%s", out)
	}
}

func TestRBACWhoCanJSONAndURLs(t *testing.T) {
	repoRoot(t)
	out, errOut, code := run(t, "", "rbac", "who-can", "get", "/debug/pprof", rbacExamples, "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []rbacrules.GrantView
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	found := false
	for _, r := range rows {
		if r.Subject == "User system:anonymous" && r.Binding == "ClusterRoleBinding public-metrics" && r.BindingAt != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("anonymous may get /debug/pprof through public-metrics:\n%s", out)
	}
}

func TestRBACUsageErrors(t *testing.T) {
	repoRoot(t)
	for _, args := range [][]string{
		{"rbac", "who-can", "get"},
		{"rbac", "who-can", "get", "pods/exec/x", rbacExamples},
		{"rbac", "who-can", "get", "/healthz", "-n", "x", rbacExamples},
		{"rbac", "who-can", "get", "pods", "--format", "yaml", rbacExamples},
		{"rbac", "explain", "deployer", rbacExamples},
		{"rbac", "paths", "--from", "serviceaccount:ci", rbacExamples},
		{"rbac", "graph", "--format", "svg", rbacExamples},
		{"rbac", "paths", "does-not-exist"},
	} {
		if _, _, code := run(t, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

func TestRBACExplain(t *testing.T) {
	repoRoot(t)
	out, errOut, code := run(t, "", "rbac", "explain", "serviceaccount:ci:runner", rbacExamples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"ServiceAccount ci/runner\n", "groups: system:serviceaccounts, system:serviceaccounts:ci, system:authenticated",
		"runs Deployment ci/runner (examples/platform/rbac/ci.yaml:", "token mounted",
		"via group system:authenticated", "Risks (", "high     Create pods, in namespace ci",
		"ServiceAccount ci/runner → cluster-admin in 2 steps [entry point]",
		"1. create-pods: ServiceAccount ci/runner → ServiceAccount ci/deployer",
		"2. holds-cluster-admin: ServiceAccount ci/deployer → cluster-admin",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = run(t, "", "rbac", "explain", "serviceaccount:ci:deployer", rbacExamples, "--format", "json")
	var v rbacrules.SubjectView
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if !v.HoldsAdmin || v.Subject != "ServiceAccount ci/deployer" || len(v.Grants) == 0 {
		t.Errorf("deployer: %+v", v)
	}
	out, _, _ = run(t, "", "rbac", "explain", "user:nobody", rbacExamples)
	if !strings.Contains(out, "cannot become cluster-admin") || !strings.Contains(out, "via group system:authenticated") {
		t.Errorf("an unknown user holds what system:authenticated holds:\n%s", out)
	}
}

func TestRBACPaths(t *testing.T) {
	repoRoot(t)
	out, errOut, code := run(t, "", "rbac", "paths", rbacExamples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "rbac-paths.txt", out)
	out, _, _ = run(t, "", "rbac", "paths", rbacExamples, "--format", "json")
	var views []rbacrules.PathView
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		t.Fatal(err)
	}
	for i, v := range views {
		if v.To != "cluster-admin" || len(v.Steps) == 0 {
			t.Errorf("path %d: %+v", i, v)
		}
		if i > 0 && len(v.Steps) < len(views[i-1].Steps) {
			t.Errorf("paths not shortest first: %s after %s", v.From, views[i-1].From)
		}
	}
	// --from lists every identity one subject can become; --all adds holders.
	out, _, _ = run(t, "", "rbac", "paths", "--from", "serviceaccount:ci:runner", rbacExamples)
	if !strings.Contains(out, "ServiceAccount ci/runner → ServiceAccount ci/deployer in 1 step") {
		t.Errorf("--from:\n%s", out)
	}
	out, _, _ = run(t, "", "rbac", "paths", "--all", rbacExamples)
	if !strings.Contains(out, "ServiceAccount ci/deployer → cluster-admin in 1 step") {
		t.Errorf("--all should list holders:\n%s", out)
	}
}

func TestRBACGraph(t *testing.T) {
	repoRoot(t)
	out, errOut, code := run(t, "", "rbac", "graph", rbacExamples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "digraph rbac {") || !strings.Contains(out, "color=red") || !strings.Contains(out, `label="aggregated into", style=dashed`) {
		t.Errorf("dot:\n%s", out)
	}
	out, _, _ = run(t, "", "rbac", "graph", "--format", "mermaid", "--risky-only", rbacExamples)
	golden(t, "rbac-graph.mmd", out)
}

func TestRBACFromStdin(t *testing.T) {
	const in = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: oops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:authenticated"}
`
	out, errOut, code := run(t, in, "rbac", "paths", "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != "" && !strings.Contains(out, "No escalation path") {
		t.Errorf("system:authenticated holds cluster-admin: nothing to climb:\n%s", out)
	}
	out, _, _ = run(t, in, "rbac", "explain", "serviceaccount:apps:web", "-")
	if !strings.Contains(out, "holds cluster-admin") {
		t.Errorf("every ServiceAccount holds cluster-admin through system:authenticated:\n%s", out)
	}
}

func TestParseRequest(t *testing.T) {
	for in, want := range map[string]rbac.Request{
		"pods/exec":                   {Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "ns"},
		"deployments.apps":            {Verb: "create", Resource: "deployments", APIGroup: "apps", Namespace: "ns"},
		"ingresses.networking.k8s.io": {Verb: "create", Resource: "ingresses", APIGroup: "networking.k8s.io", Namespace: "ns"},
		"deployments.apps/scale":      {Verb: "create", Resource: "deployments", APIGroup: "apps", Subresource: "scale", Namespace: "ns"},
		"certificatesigningrequests.certificates.k8s.io/approval": {Verb: "create", Resource: "certificatesigningrequests",
			APIGroup: "certificates.k8s.io", Subresource: "approval", Namespace: "ns"},
	} {
		got, err := parseRequest("create", in, "ns", "")
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v", in, got, err)
		}
	}
}
