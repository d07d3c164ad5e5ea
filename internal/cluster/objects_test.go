package cluster

import (
	"bytes"
	"strings"
	"testing"
	"time"

	admissionregv1 "k8s.io/api/admissionregistration/v1"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
)

func testSpec(tls string) Spec {
	return Spec{Image: "ghcr.io/bulwark-dev/bulwark:v0.1.0", Policy: policy.DefaultYAML(), PolicyDigest: policy.Default().Digest,
		TLS: tls, SetKinds: []string{"RoleBinding", "ClusterRoleBinding", "Role", "ClusterRole", "ServiceAccount", "Deployment"},
		ExcludeUsers: []string{"system:serviceaccount:argocd:argocd-application-controller"}}.WithDefaults()
}

// TestInstallPassesOwnPolicy scans what install applies with the built-in
// restricted policy: nothing may block or warn; the self-signed mode's
// extra rights are reported as ignored, with the reason in the objects.
func TestInstallPassesOwnPolicy(t *testing.T) {
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(reg, 1)
	for _, mode := range []string{TLSGenerate, TLSCertManager, TLSSelfSigned} {
		var buf bytes.Buffer
		if err := WriteYAML(&buf, testSpec(mode).Objects()); err != nil {
			t.Fatal(err)
		}
		mf := manifest.Parse("install-"+mode+".yaml", buf.Bytes(), nil)
		if len(mf.Errors) > 0 {
			t.Fatal(mf.Errors[0])
		}
		dec := policy.Default().Decide(e.CheckObjects(mf.Objects), policy.Options{Now: time.Now()})
		for _, f := range dec.Findings {
			if f.Action != rule.Ignored || mode != TLSSelfSigned {
				t.Errorf("%s: %s %s %s on %s %s: %s", mode, f.Action, f.ID, f.Location.FieldPath, f.Object.Kind, f.Object.Name, f.Message)
			}
		}
	}
}

func TestWebhookConfiguration(t *testing.T) {
	s := testSpec(TLSGenerate)
	vwc := s.WebhookConfiguration()
	wh := FindWebhook(vwc)
	if wh == nil || *wh.FailurePolicy != admissionregv1.Fail || *wh.SideEffects != admissionregv1.SideEffectClassNone || *wh.TimeoutSeconds != 5 {
		t.Fatalf("webhook: %+v", wh)
	}
	if wh.ClientConfig.Service == nil || wh.ClientConfig.Service.Name != "bulwark" || *wh.ClientConfig.Service.Path != "/validate" {
		t.Fatalf("client config: %+v", wh.ClientConfig)
	}
	excluded := wh.NamespaceSelector.MatchExpressions[0].Values
	for _, ns := range []string{"kube-system", "bulwark"} {
		if !contains(excluded, ns) {
			t.Errorf("namespace %s not excluded: %v", ns, excluded)
		}
	}
	var conds []string
	for _, c := range wh.MatchConditions {
		conds = append(conds, c.Expression)
	}
	joined := strings.Join(conds, " ")
	for _, want := range []string{"'system:serviceaccount:argocd:argocd-application-controller'", "'system:serviceaccount:kube-system:replicaset-controller'"} {
		if !strings.Contains(joined, want) {
			t.Errorf("match conditions lack %s: %s", want, joined)
		}
	}
	// DELETE only for what whole-set rules read; CREATE and UPDATE for all.
	if !covers(wh.Rules, "rbac.authorization.k8s.io", "rolebindings", admissionregv1.Delete) {
		t.Error("DELETE of rolebindings not covered")
	}
	if covers(wh.Rules, "", "configmaps", admissionregv1.Delete) || !covers(wh.Rules, "", "configmaps", admissionregv1.Update) {
		t.Error("configmaps coverage wrong")
	}
	if covers(wh.Rules, "", "secrets", admissionregv1.Create) {
		t.Error("secrets are covered")
	}
	for _, r := range wh.Rules {
		for _, res := range r.Resources {
			if strings.Contains(res, "/") || res == "*" {
				t.Errorf("rule covers subresources or everything: %s", res)
			}
		}
	}
	if missing := uncovered(s.Rules(), wh.Rules); len(missing) > 0 {
		t.Errorf("uncovered: %v", missing)
	}
	// URL mode: no Service, no workload.
	u := Spec{URL: "https://127.0.0.1:9443/validate", Policy: []byte("x")}.WithDefaults()
	if !u.WebhookOnly || FindWebhook(u.WebhookConfiguration()).ClientConfig.URL == nil || len(u.Objects()) != 3 {
		t.Errorf("URL mode: %d objects", len(u.Objects()))
	}
	if err := (Spec{URL: "http://x/validate"}).WithDefaults().Validate(); err == nil {
		t.Error("plain http URL accepted")
	}
}

func TestCELListQuotes(t *testing.T) {
	if got := celList([]string{`a'b`, `c\d`}); got != `['a\'b', 'c\\d']` {
		t.Fatal(got)
	}
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://127.0.0.1:9443/validate":  "127.0.0.1",
		"https://[::1]:9443/validate":      "::1",
		"https://webhook.example/validate": "webhook.example",
	} {
		if got := HostOf(in); got != want {
			t.Errorf("%s: %s", in, got)
		}
	}
}
