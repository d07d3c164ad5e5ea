package policy

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

func load(t *testing.T, path string) *Policy {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultPolicy(t *testing.T) {
	p := Default()
	if p.PodSecurity.Level != "restricted" || p.PodSecurity.Version != "latest" {
		t.Errorf("pod security %+v", p.PodSecurity)
	}
	if p.Families[rule.Secrets].Block != rule.Info {
		t.Errorf("secrets must block on any known risk: %+v", p.Families[rule.Secrets])
	}
	if p.Families[rule.SecurityContext].Block != rule.High || p.Families[rule.Input].Block != 0 {
		t.Errorf("families %+v", p.Families)
	}
}

func TestParseErrorsHaveLines(t *testing.T) {
	data, _ := os.ReadFile("testdata/bad.yaml")
	_, err := Parse("bad.yaml", data)
	if err == nil {
		t.Fatal("accepted")
	}
	if !strings.Contains(err.Error(), "bad.yaml:7") || !strings.Contains(err.Error(), "acton") {
		t.Errorf("unknown field not reported with its line: %v", err)
	}
	fixed := strings.Replace(string(data), "acton", "action", 1)
	_, err = Parse("bad.yaml", []byte(fixed))
	for _, want := range []string{"families.security-context.block", "bad.yaml:9: exceptions: a reason is required", "expires \"someday\""} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if _, err := Parse("x.yaml", []byte("apiVersion: v1\nkind: ConfigMap\n")); err == nil {
		t.Error("a non-policy document was accepted")
	}
}

func finding(id, name string, sev rule.Severity, cat rule.Category, kind, ns, objName, file string) rule.Finding {
	return rule.Finding{ID: id, Name: name, Severity: sev, Category: cat, Fingerprint: id + "/" + objName,
		Object:   &rule.ObjectRef{Kind: kind, Namespace: ns, Name: objName, Labels: map[string]string{"team": "platform"}},
		Location: rule.Location{File: file}}
}

// fromApp gives a finding the origin of an Argo CD Application.
func fromApp(f rule.Finding, app string) rule.Finding {
	f.Origin = &rule.Origin{App: app, Kind: "Application", File: "apps/" + app + ".yaml"}
	return f
}

func TestDecide(t *testing.T) {
	p := load(t, "testdata/full.yaml")
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		f         rule.Finding
		opts      Options
		action    rule.Action // "" means dropped
		severity  rule.Severity
		exception string // substring of the exception source, or "expired"
	}{
		{"below block, above warn", finding("BW-PS-002", "pss-host-namespaces", rule.High, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), Options{}, rule.Warn, rule.High, ""},
		{"at block", finding("BW-PS-001", "pss-privileged", rule.Critical, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), Options{}, rule.Block, rule.Critical, ""},
		{"below warn dropped", finding("BW-SC-003", "automount", rule.Low, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), Options{}, "", 0, ""},
		{"disabled rule dropped", finding("BW-SC-007", "host-aliases", rule.Medium, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), Options{}, "", 0, ""},
		{"severity override by name", finding("BW-PS-004", "pss-host-ports", rule.Medium, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), Options{}, rule.Block, rule.Critical, ""},
		{"action override matches namespace glob", finding("BW-PS-013", "pss-allow-privilege-escalation", rule.Medium, rule.SecurityContext, "Pod", "prod-eu", "p", "x.yaml"), Options{}, rule.Block, rule.Medium, ""},
		{"action override skips other namespaces", finding("BW-PS-013", "pss-allow-privilege-escalation", rule.Medium, rule.SecurityContext, "Pod", "dev", "p", "x.yaml"), Options{}, rule.Warn, rule.Medium, ""},
		{"live exception ignores", finding("BW-PS-003", "pss-host-path-volumes", rule.High, rule.SecurityContext, "DaemonSet", "m", "node-agent", "x.yaml"), Options{Now: now}, rule.Ignored, rule.High, "full.yaml:15"},
		{"exception after expiry does not apply", finding("BW-PS-003", "pss-host-path-volumes", rule.High, rule.SecurityContext, "DaemonSet", "m", "node-agent", "x.yaml"), Options{Now: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)}, rule.Warn, rule.High, "expired"},
		{"expired path exception", finding("BW-PS-002", "pss-host-namespaces", rule.Critical, rule.SecurityContext, "Pod", "a", "p", "testdata/apps/legacy/pod.yaml"), Options{Now: now}, rule.Block, rule.Critical, "expired"},
		{"fail-on lowers the bar", finding("BW-PS-002", "pss-host-namespaces", rule.High, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), Options{FailOn: rule.High}, rule.Block, rule.High, ""},
		{"app exception matches the origin's app", fromApp(finding("BW-PS-005", "pss-host-process", rule.High, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), "argocd/legacy-billing"), Options{Now: now}, rule.Ignored, rule.High, "full.yaml:27"},
		{"app exception skips other apps", fromApp(finding("BW-PS-005", "pss-host-process", rule.High, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), "argocd/billing"), Options{Now: now}, rule.Warn, rule.High, ""},
		{"app exception skips findings of no app", finding("BW-PS-005", "pss-host-process", rule.High, rule.SecurityContext, "Pod", "a", "p", "x.yaml"), Options{Now: now}, rule.Warn, rule.High, ""},
		{"default family thresholds apply to untouched families", finding("BW-SE-001", "secret", rule.Low, rule.Secrets, "Secret", "a", "s", "x.yaml"), Options{}, rule.Block, rule.Low, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dec := p.Decide([]rule.Finding{tc.f}, tc.opts)
			var got *rule.Finding
			for i := range dec.Findings {
				if dec.Findings[i].ID == tc.f.ID {
					got = &dec.Findings[i]
				}
			}
			if tc.action == "" {
				if got != nil {
					t.Fatalf("kept with action %s", got.Action)
				}
				return
			}
			if got == nil {
				t.Fatal("dropped")
			}
			if got.Action != tc.action || got.Severity != tc.severity {
				t.Errorf("action %s severity %s, want %s %s", got.Action, got.Severity, tc.action, tc.severity)
			}
			switch {
			case tc.exception == "expired":
				if got.Exception == nil || !got.Exception.Expired || !strings.Contains(got.Message, "expired") {
					t.Errorf("want an expired exception, got %+v %q", got.Exception, got.Message)
				}
			case tc.exception != "":
				if got.Exception == nil || !strings.Contains(got.Exception.Source, tc.exception) {
					t.Errorf("exception %+v, want source %s", got.Exception, tc.exception)
				}
			}
		})
	}
}

func TestStaleExceptionsAndVerdict(t *testing.T) {
	p := load(t, "testdata/full.yaml")
	dec := p.Decide(nil, Options{Stale: true})
	stale := 0
	for _, f := range dec.Findings {
		if f.ID == rule.StaleException.ID {
			stale++
			if f.Location.Line == 0 {
				t.Errorf("stale exception without a line: %+v", f)
			}
		}
	}
	if stale != 4 || dec.Verdict != Warn {
		t.Errorf("%d stale findings, verdict %s; want 4 and warn", stale, dec.Verdict)
	}
	if d := p.Decide(nil, Options{}); len(d.Findings) != 0 || d.Verdict != Pass {
		t.Errorf("stale reported without being asked: %+v", d)
	}
}

func TestAnnotations(t *testing.T) {
	p := load(t, "testdata/full.yaml")
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, ignore, id, ruleName string
		want                       rule.Action
	}{
		{"ignored with reason", "BW-PS-002: uses the node network on purpose", "BW-PS-002", "pss-host-namespaces", rule.Ignored},
		{"by name, several lines", "x: y\npss-host-namespaces, BW-PS-003: documented", "BW-PS-002", "pss-host-namespaces", rule.Ignored},
		{"no reason, not honoured", "BW-PS-002:", "BW-PS-002", "pss-host-namespaces", rule.Warn},
		{"expired", "BW-PS-002: temporary (expires=2026-01-01)", "BW-PS-002", "pss-host-namespaces", rule.Warn},
		{"still valid", "BW-PS-002: temporary (expires=2027-01-01)", "BW-PS-002", "pss-host-namespaces", rule.Ignored},
		{"forbidden for this rule", "BW-PS-001: we like it", "BW-PS-001", "pss-privileged", rule.Block},
		{"other rule", "BW-PS-003: not this one", "BW-PS-002", "pss-host-namespaces", rule.Warn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sev := rule.High
			if tc.id == "BW-PS-001" {
				sev = rule.Critical
			}
			f := finding(tc.id, tc.ruleName, sev, rule.SecurityContext, "Pod", "a", "p", "x.yaml")
			f.Object.Ignore = tc.ignore
			dec := p.Decide([]rule.Finding{f}, Options{Now: now})
			if got := dec.Findings[0].Action; got != tc.want {
				t.Errorf("action %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBaseline(t *testing.T) {
	p := Default()
	a := finding("BW-PS-001", "pss-privileged", rule.Critical, rule.SecurityContext, "Pod", "a", "p", "x.yaml")
	b := finding("BW-PS-002", "pss-host-namespaces", rule.High, rule.SecurityContext, "Pod", "a", "q", "x.yaml")
	first := p.Decide([]rule.Finding{a}, Options{})
	base := NewBaseline(first.Findings)
	data := []byte(`{"version":1,"findings":[{"fingerprint":"` + a.Fingerprint + `","rule":"BW-PS-001","file":"x.yaml"},{"fingerprint":"gone","rule":"BW-PS-009","file":"y.yaml"}]}`)
	parsed, err := ParseBaseline(".bulwark-baseline.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(base.Entries) != 1 || base.Entries[0].Fingerprint != a.Fingerprint {
		t.Fatalf("baseline %+v", base)
	}
	dec := p.Decide([]rule.Finding{a, b}, Options{Baseline: parsed, Stale: true})
	var actions []string
	for _, f := range dec.Findings {
		actions = append(actions, f.ID+"="+string(f.Action))
	}
	want := "BW-PS-001=ignored BW-PS-002=block BW-IN-003=warn"
	if strings.Join(actions, " ") != want {
		t.Errorf("got %v, want %s", actions, want)
	}
}
