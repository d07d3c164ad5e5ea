package custom

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

func TestVAPFixtures(t *testing.T) {
	for _, want := range []string{"fail", "pass"} {
		files, _ := filepath.Glob(filepath.Join("testdata", vapViolation.Name, want, "*.yaml"))
		if len(files) == 0 {
			t.Fatalf("no %s fixtures", want)
		}
		for _, path := range files {
			objs := ruletest.Load(t, path)
			check, errs := VAP(objs, false)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var hits []rule.Hit
			for _, o := range objs {
				hits = append(hits, check.CheckObject(o)...)
			}
			if want == "fail" {
				if len(hits) != 1 || hits[0].Severity != rule.Medium || !strings.Contains(hits[0].Message, "two replicas") {
					t.Errorf("%s: hits %+v; want one medium (Warn binding) violation", path, hits)
				}
			} else if len(hits) != 0 {
				t.Errorf("%s: unexpected %+v", path, hits)
			}
		}
	}
}

func TestVAPNeedsBinding(t *testing.T) {
	objs := ruletest.Load(t, "testdata/vap-violation/fail/replicas.yaml")
	unbound := []*manifest.Object{objs[0], objs[2]} // policy and deployment, no binding
	if c, _ := VAP(unbound, false); c.Policies() != 0 {
		t.Error("an unbound policy was evaluated")
	}
	c, _ := VAP(unbound, true)
	hits := c.CheckObject(objs[2])
	if len(hits) != 1 || hits[0].Severity != rule.High {
		t.Errorf("--vap policies count as bound with Deny: %+v", hits)
	}
}

func TestResource(t *testing.T) {
	for kind, want := range map[string]string{"Deployment": "deployments", "Ingress": "ingresses", "NetworkPolicy": "networkpolicies",
		"Endpoints": "endpoints", "Gateway": "gateways", "Policy": "policies", "Proxy": "proxies", "Pod": "pods"} {
		if got := Resource(kind); got != want {
			t.Errorf("Resource(%s) = %s, want %s", kind, got, want)
		}
	}
}

func TestCustomRules(t *testing.T) {
	specs := []policy.CustomRule{{
		ID: "ACME-001", Name: "team-label", Severity: rule.Low, Category: rule.Custom, Kinds: []string{"Deployment"},
		Expression: "has(object.metadata.labels) && 'team' in object.metadata.labels", Message: "no team label", Line: 7,
	}, {
		ID: "ACME-002", Severity: rule.High, Category: rule.Deployment,
		Expression: "object.spec.replicas >= 2", Message: "too few replicas", Line: 12, Kinds: []string{"Deployment"},
	}}
	checks, err := Compile("policy.yaml", specs)
	if err != nil {
		t.Fatal(err)
	}
	objs := ruletest.Load(t, "testdata/vap-violation/pass/replicas.yaml")
	got := map[string][]string{}
	for _, c := range checks {
		for _, o := range objs {
			for _, h := range c.CheckObject(o) {
				got[h.Rule] = append(got[h.Rule], o.Name()+": "+h.Message)
			}
		}
	}
	if len(got["ACME-001"]) != 3 { // three Deployments, none labelled with a team
		t.Errorf("ACME-001: %v", got["ACME-001"])
	}
	if strings.Join(got["ACME-002"], "|") != "scratch: too few replicas|web-canary: too few replicas" {
		t.Errorf("ACME-002: %v", got["ACME-002"])
	}
	_, err = Compile("policy.yaml", []policy.CustomRule{{ID: "ACME-003", Expression: "object.spec.", Message: "m", Line: 3}})
	if err == nil || !strings.Contains(err.Error(), "policy.yaml:3") {
		t.Errorf("bad CEL not reported with its line: %v", err)
	}
}
