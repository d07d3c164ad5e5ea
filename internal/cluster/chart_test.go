package cluster

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	admissionregv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
	"github.com/bulwark-dev/bulwark/internal/source/helm"
)

const chartDir = "../../deploy/helm/bulwark"

// renderChart renders the chart with the Helm SDK, as `helm template
// bulwark deploy/helm/bulwark -n bulwark --set ...` does.
func renderChart(t *testing.T, sets ...string) []*manifest.Object {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	rel := helm.Release{Name: "bulwark", Namespace: "bulwark"}
	for _, s := range sets {
		rel.Values = append(rel.Values, helm.Layer{Kind: helm.Set, Expr: s})
	}
	res, err := helm.Render(context.Background(), filepath.Join(root, "deploy/helm/bulwark"), rel, helm.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	var objs []*manifest.Object
	for _, f := range res.Files {
		mf := manifest.Parse(f.Path, f.Data, nil)
		if len(mf.Errors) > 0 {
			t.Fatalf("%s: %v", f.Path, mf.Errors[0])
		}
		objs = append(objs, mf.Objects...)
	}
	return objs
}

// TestChartPassesOwnPolicy scans the rendered chart with the built-in
// restricted policy: zero findings by default and with a provided Secret;
// with self-signed TLS the bootstrap's rights are reported as ignored, with
// the reason on the objects, and nothing blocks or warns.
func TestChartPassesOwnPolicy(t *testing.T) {
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(reg, 1)
	for _, c := range []struct {
		name    string
		sets    []string
		ignored int
	}{
		{"cert-manager (default)", nil, 0},
		{"own secret", []string{"tls.mode=secret", "tls.secretName=my-tls", "tls.caBundle=Zm9v"}, 0},
		{"self-signed", []string{"tls.mode=self-signed"}, -1},
		{"argocd excluded", []string{"webhook.excludeUsers[0]=system:serviceaccount:argocd:argocd-application-controller"}, 0},
	} {
		objs := renderChart(t, c.sets...)
		dec := policy.Default().Decide(e.CheckObjects(objs), policy.Options{Now: time.Now()})
		ignored := 0
		for _, f := range dec.Findings {
			if f.Action == rule.Ignored {
				ignored++
				continue
			}
			t.Errorf("%s: %s %s %s on %s %s: %s", c.name, f.Action, f.ID, f.Location.FieldPath, f.Object.Kind, f.Object.Name, f.Message)
		}
		if c.ignored >= 0 && ignored != c.ignored {
			t.Errorf("%s: %d ignored findings, want %d", c.name, ignored, c.ignored)
		}
		if c.ignored < 0 && ignored == 0 {
			t.Errorf("%s: the self-signed bootstrap's rights were not reported", c.name)
		}
	}
}

func decodeKind[T any](t *testing.T, objs []*manifest.Object, kind, name string) *T {
	t.Helper()
	for _, o := range objs {
		if o.Kind == kind && (name == "" || o.Name() == name) {
			v := new(T)
			if err := o.Decode("", v); err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no %s %s in the rendered chart", kind, name)
	return nil
}

type op struct{ group, resource, op string }

func ops(rules []admissionregv1.RuleWithOperations) []op {
	var out []op
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, o := range r.Operations {
					out = append(out, op{g, res, string(o)})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.group != b.group {
			return a.group < b.group
		}
		if a.resource != b.resource {
			return a.resource < b.resource
		}
		return a.op < b.op
	})
	return out
}

// TestChartMatchesInstall checks that the chart and `policy install` agree
// on what reaches the webhook and what the webhook may read: the same
// rules, exclusions, cache rights and default policy.
func TestChartMatchesInstall(t *testing.T) {
	ev, err := admission.NewEvaluator(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{Policy: policy.DefaultYAML(), PolicyDigest: policy.Default().Digest, SetKinds: ev.SetKinds(),
		ExcludeUsers: []string{"system:serviceaccount:argocd:argocd-application-controller"}, ExcludeGroups: []string{"ops:break-glass"}}.WithDefaults()
	objs := renderChart(t, "webhook.excludeUsers[0]=system:serviceaccount:argocd:argocd-application-controller", "webhook.excludeGroups[0]=ops:break-glass")

	vwc := decodeKind[admissionregv1.ValidatingWebhookConfiguration](t, objs, "ValidatingWebhookConfiguration", "bulwark")
	want := spec.WebhookConfiguration().Webhooks[0]
	got := vwc.Webhooks[0]
	if g, w := ops(got.Rules), ops(want.Rules); !jsonEqual(g, w) {
		t.Errorf("chart webhook rules differ from install's:\nchart:   %v\ninstall: %v", g, w)
	}
	for _, pair := range [][2]any{
		{got.NamespaceSelector, want.NamespaceSelector},
		{got.MatchConditions, want.MatchConditions},
		{got.FailurePolicy, want.FailurePolicy},
		{got.SideEffects, want.SideEffects},
		{got.TimeoutSeconds, want.TimeoutSeconds},
		{got.ClientConfig.Service, want.ClientConfig.Service},
		{got.Name, want.Name},
	} {
		if !jsonEqual(pair[0], pair[1]) {
			t.Errorf("chart and install differ:\nchart:   %s\ninstall: %s", js(pair[0]), js(pair[1]))
		}
	}
	cache := decodeKind[rbacv1.ClusterRole](t, objs, "ClusterRole", "bulwark-cache")
	if !jsonEqual(normalize(cache.Rules), normalize(spec.cacheRules())) {
		t.Errorf("cache rights differ:\nchart:   %s\ninstall: %s", js(normalize(cache.Rules)), js(normalize(spec.cacheRules())))
	}
	cm := decodeKind[corev1.ConfigMap](t, objs, "ConfigMap", "bulwark-policy")
	p, err := policy.Parse("chart", []byte(cm.Data[PolicyKey]))
	if err != nil || p.Digest != policy.Default().Digest {
		t.Errorf("the chart's default policy is not the built-in one (err %v): update policy in deploy/helm/bulwark/values.yaml from `bulwark policy default`", err)
	}
	d := decodeKind[appsv1.Deployment](t, objs, "Deployment", "bulwark")
	if *d.Spec.Replicas < 2 || d.Spec.Template.Spec.Affinity.PodAntiAffinity == nil {
		t.Error("the Deployment needs 2 replicas and anti-affinity")
	}
	args := strings.Join(d.Spec.Template.Spec.Containers[0].Args, " ")
	for _, want := range []string{"--policy=/etc/bulwark/policy/policy.yaml", "--tls-cert-file=/etc/bulwark/tls/tls.crt",
		"--exclude-namespace=bulwark", "--exclude-user=system:serviceaccount:argocd:argocd-application-controller"} {
		if !strings.Contains(args, want) {
			t.Errorf("webhook args lack %s: %s", want, args)
		}
	}
	for _, kind := range []string{"Service", "PodDisruptionBudget", "NetworkPolicy", "ServiceAccount", "Certificate", "Issuer"} {
		found := false
		for _, o := range objs {
			found = found || o.Kind == kind
		}
		if !found {
			t.Errorf("the chart renders no %s", kind)
		}
	}
}

// normalize sorts rules by group for comparison.
func normalize(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	out := append([]rbacv1.PolicyRule(nil), rules...)
	for i := range out {
		res := append([]string(nil), out[i].Resources...)
		sort.Strings(res)
		out[i].Resources = res
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i].APIGroups, ",") < strings.Join(out[j].APIGroups, ",") })
	return out
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonEqual(a, b any) bool { return js(a) == js(b) }
