package cluster

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/policy"
)

func fakeClients(objs ...runtime.Object) *Clients {
	kube := fake.NewClientset(objs...)
	return &Clients{Kube: kube, Dynamic: dynamicfake.NewSimpleDynamicClient(runtime.NewScheme()), Discovery: kube.Discovery()}
}

func TestCacheFollowsTheCluster(t *testing.T) {
	c := fakeClients(
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "admin-ish", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "x"}}},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "ci", Namespace: "build"}},
	)
	res := admission.CachedResources([]string{"ClusterRole", "RoleBinding", "ServiceAccount", "Deployment", "Secret"})
	if len(res) != 3 {
		t.Fatalf("cached resources: %v", res)
	}
	ca, err := NewCache(c, res, nil, admission.NewMetrics())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if ca.Ready() == nil {
		t.Fatal("ready before sync")
	}
	ca.Start(ctx)
	if err := ca.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	snap := ca.Snapshot()
	if len(snap.Objects) != 2 || ca.Ready() != nil {
		t.Fatalf("snapshot: %d objects", len(snap.Objects))
	}
	for _, o := range snap.Objects {
		if o.APIVersion == "" || o.Kind == "" || o.File != admission.ClusterFile {
			t.Errorf("object without type or file: %+v", o)
		}
		if o.Node("metadata.managedFields") != nil {
			t.Error("managed fields kept")
		}
	}
	if ca.Snapshot() != snap {
		t.Error("snapshot rebuilt without a change")
	}
	_, err = c.Kube.RbacV1().RoleBindings("build").Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "ci-admin", Namespace: "build"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "admin-ish"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "ci", Namespace: "build"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Kube.CoreV1().ServiceAccounts("build").Delete(ctx, "ci", metav1.DeleteOptions{})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		s := ca.Snapshot()
		if len(s.Objects) == 2 && s.Objects[1].Kind == "RoleBinding" && s.Generation > snap.Generation {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("cache did not follow: %d objects", len(ca.Snapshot().Objects))
}

func TestSelfSignedBootstrap(t *testing.T) {
	vwc := testSpec(TLSSelfSigned).WebhookConfiguration()
	c := fakeClients(vwc)
	ctx := context.Background()
	newSS := func() *SelfSigned {
		return &SelfSigned{Clients: c, Namespace: "bulwark", Secret: "bulwark-tls", WebhookConfig: "bulwark",
			Hosts: ServiceHosts("bulwark", "bulwark"), Certs: admission.NewStaticCert(nil)}
	}
	first, second := newSS(), newSS()
	if err := first.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	// A second replica reads the first one's Secret.
	if err := second.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	c1, _ := first.Certs.GetCertificate(nil)
	c2, _ := second.Certs.GetCertificate(nil)
	if string(c1.Certificate[0]) != string(c2.Certificate[0]) {
		t.Fatal("replicas serve different certificates")
	}
	changed, err := first.PatchCABundle(ctx)
	if err != nil || !changed {
		t.Fatalf("patch: changed=%v err=%v", changed, err)
	}
	if changed, _ := second.PatchCABundle(ctx); changed {
		t.Fatal("second patch changed an up-to-date bundle")
	}
	got, _ := c.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, "bulwark", metav1.GetOptions{})
	sec, _ := c.Kube.CoreV1().Secrets("bulwark").Get(ctx, "bulwark-tls", metav1.GetOptions{})
	if err := admission.VerifyServing(got.Webhooks[0].ClientConfig.CABundle, sec.Data[corev1.TLSCertKey], "bulwark.bulwark.svc"); err != nil {
		t.Fatal(err)
	}
	// A tampered bundle is restored.
	got.Webhooks[0].ClientConfig.CABundle = []byte("junk")
	_, _ = c.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Update(ctx, got, metav1.UpdateOptions{})
	if changed, err := second.PatchCABundle(ctx); err != nil || !changed {
		t.Fatalf("restore: changed=%v err=%v", changed, err)
	}
	// A certificate missing a host is reissued by the same CA.
	third := newSS()
	third.Hosts = append(third.Hosts, "127.0.0.1")
	if err := third.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	sec2, _ := c.Kube.CoreV1().Secrets("bulwark").Get(ctx, "bulwark-tls", metav1.GetOptions{})
	if string(sec2.Data[SecretCACert]) != string(sec.Data[SecretCACert]) || string(sec2.Data[corev1.TLSCertKey]) == string(sec.Data[corev1.TLSCertKey]) {
		t.Fatal("certificate not reissued by the same CA")
	}
	if err := admission.VerifyServing(sec2.Data[SecretCACert], sec2.Data[corev1.TLSCertKey], "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
}

// TestRoleBindingVerdictFollowsInformers: the webhook analyses the cached
// RBAC once per change of the cache, not per request. Each change made
// through the API must reach the next RoleBinding review: a ClusterRole
// given a risky verb turns the same review from allowed to denied, and
// back.
func TestRoleBindingVerdictFollowsInformers(t *testing.T) {
	deployer := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "deployer"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}}}
	c := fakeClients(deployer, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "ci", Namespace: "team-a"}})
	ev, err := admission.LoadEvaluator("")
	if err != nil {
		t.Fatal(err)
	}
	ca, err := NewCache(c, admission.CachedResources(ev.SetKinds()), nil, admission.NewMetrics())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ca.Start(ctx)
	if err := ca.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	review := []byte(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"ci-deploy","namespace":"team-a"},` +
		`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"deployer"},` +
		`"subjects":[{"kind":"ServiceAccount","name":"ci","namespace":"team-a"}]}`)
	verdict := func() policy.Verdict {
		t.Helper()
		res, err := ev.Evaluate(admission.Input{Operation: "CREATE", Object: review, Now: time.Now()}, ca)
		if err != nil {
			t.Fatal(err)
		}
		return res.Decision.Verdict
	}
	harmless := deployer.Rules
	risky := append(append([]rbacv1.PolicyRule(nil), harmless...), rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list"}},
		rbacv1.PolicyRule{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}})
	steps := []struct {
		name  string
		rules []rbacv1.PolicyRule
		want  policy.Verdict
	}{
		{"harmless", harmless, policy.Pass},
		{"risky verbs added", risky, policy.Block},
		{"risky verbs removed", harmless, policy.Pass},
	}
	for i, st := range steps {
		if i > 0 {
			gen := ca.Snapshot().Generation
			role, err := c.Kube.RbacV1().ClusterRoles().Get(ctx, "deployer", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			role.Rules = st.rules
			if _, err := c.Kube.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(5 * time.Second); ca.Snapshot().Generation == gen; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: the cache did not see the update", st.name)
				}
			}
		}
		if got := verdict(); got != st.want {
			t.Fatalf("%s: verdict %s, want %s", st.name, got, st.want)
		}
	}
}
