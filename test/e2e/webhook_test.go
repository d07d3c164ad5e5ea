//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/policy"
)

const denied = `admission webhook "validate.bulwark.dev" denied the request`

const warnPolicy = `apiVersion: bulwark.dev/v1
kind: Policy
podSecurity: {level: restricted, version: latest}
families:
  security-context: {block: never, warn: info}
`

func deployment(name, ns string, privileged bool) *appsv1.Deployment {
	yes, no := true, false
	uid := int64(10001)
	labels := map[string]string{"app": name}
	sc := &corev1.SecurityContext{AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
		Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}
	if privileged {
		sc = &corev1.SecurityContext{Privileged: &yes}
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				AutomountServiceAccountToken: &no,
				SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid,
					SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
				Containers: []corev1.Container{{Name: "app", Image: "registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
					SecurityContext: sc}},
			}},
		},
	}
}

func pod(name, ns string, privileged bool) *corev1.Pod {
	d := deployment(name, ns, privileged)
	return &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: d.Spec.Template.Spec}
}

func writeYAML(t *testing.T, name string, obj any) string {
	t.Helper()
	data, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeAtomic replaces a file the way a ConfigMap or Secret volume does.
func writeAtomic(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".new", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// eventually retries f until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not after %s: %v", what, timeout, err)
}

// dryRunDeployment sends a server-side dry-run create.
func dryRunDeployment(kube kubernetes.Interface, d *appsv1.Deployment) error {
	_, err := kube.AppsV1().Deployments(d.Namespace).Create(context.Background(), d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	return err
}

func enforcing() error {
	err := dryRunDeployment(e.kube, deployment("probe-bad", "team-a", true))
	if err == nil || !strings.Contains(err.Error(), denied) {
		return fmt.Errorf("privileged Deployment not denied by Bulwark: %v", err)
	}
	return nil
}

// webhook is a running `bulwark webhook` process.
type webhook struct {
	cmd     *exec.Cmd
	url     string
	metrics string
}

// stop sends SIGTERM and expects a clean exit after draining.
func (w *webhook) stop(t *testing.T) {
	t.Helper()
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("webhook exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
		t.Error("webhook did not stop within 30s of SIGTERM")
	}
}

func (w *webhook) scrape(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(w.metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

// TestEnforcement runs the user's path in order: install, webhook,
// verify, kubectl and client-go, warn mode and hot reload, tampering, and
// certificate rotation under load.
func TestEnforcement(t *testing.T) {
	ctx := context.Background()
	for _, ns := range []string{"team-a"} {
		if _, err := e.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Before enforcement: a ClusterRole that grants everything, which the
	// webhook can only judge a new binding against through its cache.
	if _, err := e.kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "e2e-powerful"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	policyFile := filepath.Join(e.dir, "policy.yaml")
	writeAtomic(t, policyFile, policy.DefaultYAML())
	warnFile := filepath.Join(e.dir, "warn-policy.yaml")
	writeAtomic(t, warnFile, []byte(warnPolicy))

	addrA := freePort()
	urlA := "https://" + addrA + "/validate"
	var hook *webhook
	t.Run("install then webhook with self-signed TLS", func(t *testing.T) {
		out, code := e.bw(t, "policy", "install", "--policy", policyFile, "--webhook-url", urlA)
		if code != 0 {
			t.Fatalf("install: exit %d\n%s", code, out)
		}
		hook = e.startWebhookAt(t, "webhook-self-signed", addrA, "--policy", policyFile, "--self-signed",
			"--namespace", "bulwark", "--tls-host", "127.0.0.1", "--webhook-config-name", "bulwark")
		eventually(t, 60*time.Second, "enforcement", enforcing)
	})
	if hook == nil {
		t.FailNow()
	}
	defer hook.stop(t)

	t.Run("policy verify is green", func(t *testing.T) {
		out, code := e.bw(t, "policy", "verify", "--policy", policyFile, "--webhook-url", urlA, "--probe-namespace", "team-a", "--wait", "30s")
		if code != 0 || strings.Contains(out, "FAIL") || !strings.Contains(out, "the policy is installed, current and enforcing") {
			t.Fatalf("verify: exit %d\n%s", code, out)
		}
		t.Log("\n" + out)
	})

	bad := writeYAML(t, "bad.yaml", deployment("web-bad", "team-a", true))
	good := writeYAML(t, "good.yaml", deployment("web-good", "team-a", false))
	t.Run("kubectl apply", func(t *testing.T) {
		for _, dry := range []string{"--dry-run=server", ""} {
			args := []string{"apply", "-f", bad}
			if dry != "" {
				args = append(args, dry)
			}
			out, code := e.kubectl(t, args...)
			if code == 0 || !strings.Contains(out, denied) || !strings.Contains(out, "BW-PS-001 at spec.template.spec.containers[0].securityContext.privileged") {
				t.Fatalf("kubectl %v: exit %d\n%s", args, code, out)
			}
		}
		if out, code := e.kubectl(t, "get", "deployment", "-n", "team-a", "web-bad"); code == 0 {
			t.Fatalf("denied Deployment exists:\n%s", out)
		}
		if out, code := e.kubectl(t, "apply", "-f", good, "--dry-run=server"); code != 0 || !strings.Contains(out, "created (server dry run)") {
			t.Fatalf("good dry run: exit %d\n%s", code, out)
		}
		if _, code := e.kubectl(t, "get", "deployment", "-n", "team-a", "web-good"); code == 0 {
			t.Fatal("server dry run stored the Deployment")
		}
		if out, code := e.kubectl(t, "apply", "-f", good); code != 0 || strings.Contains(out, "Warning") {
			t.Fatalf("good apply: exit %d\n%s", code, out)
		}
	})

	t.Run("client-go creates", func(t *testing.T) {
		_, err := e.kube.CoreV1().Pods("team-a").Create(ctx, pod("pod-bad", "team-a", true), metav1.CreateOptions{})
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "BW-PS-001") {
			t.Fatalf("privileged Pod: %v", err)
		}
		if _, err := e.kube.CoreV1().Pods("team-a").Create(ctx, pod("pod-good", "team-a", false), metav1.CreateOptions{}); err != nil {
			t.Fatalf("restricted Pod: %v", err)
		}
		// An update that makes the good Deployment privileged is denied.
		d, err := e.kube.AppsV1().Deployments("team-a").Get(ctx, "web-good", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d.Spec.Template.Spec.Containers[0].SecurityContext = deployment("x", "team-a", true).Spec.Template.Spec.Containers[0].SecurityContext
		if _, err := e.kube.AppsV1().Deployments("team-a").Update(ctx, d, metav1.UpdateOptions{}); err == nil || !strings.Contains(err.Error(), denied) {
			t.Fatalf("privileged update: %v", err)
		}
		// Excluded namespace: not sent to the webhook.
		if _, err := e.kube.CoreV1().Pods("kube-system").Create(ctx, pod("pod-bad", "kube-system", true), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Fatalf("kube-system is not excluded: %v", err)
		}
	})

	t.Run("whole-set rules read the cluster cache", func(t *testing.T) {
		if _, err := e.kube.CoreV1().ServiceAccounts("team-a").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "deployer"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "grant", Namespace: "team-a"},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "e2e-powerful"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: "team-a"}}}
		_, err := e.kube.RbacV1().RoleBindings("team-a").Create(ctx, rb, metav1.CreateOptions{})
		if err == nil || !strings.Contains(err.Error(), denied) || !strings.Contains(err.Error(), "ClusterRole e2e-powerful") {
			t.Fatalf("binding to a wildcard ClusterRole: %v", err)
		}
		t.Log(err)
	})

	t.Run("RoleBinding reviews follow changes of the cached RBAC", func(t *testing.T) {
		// The webhook analyses the cluster's RBAC once per change of its
		// cache, not per request: a role given a risky verb must change the
		// next review of a binding to it, and so must taking the verb away.
		roles := e.kube.RbacV1().ClusterRoles()
		read := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}
		exec := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}}
		if _, err := roles.Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "e2e-deployer"},
			Rules: []rbacv1.PolicyRule{read}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "deploy", Namespace: "team-a"},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "e2e-deployer"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: "team-a"}}}
		// execWarned reviews the binding (a dry run) and reports whether the
		// webhook warned that it grants exec into pods.
		execWarned := func() (bool, error) {
			warnings := &collector{}
			cfg := e.restConfig(t)
			cfg.WarningHandler = warnings
			_, err := kubernetes.NewForConfigOrDie(cfg).RbacV1().RoleBindings("team-a").Create(ctx, rb, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return strings.Contains(strings.Join(warnings.get(), "\n"), "BW-RB-005"), err
		}
		for i, want := range []bool{false, true, false} {
			if i > 0 {
				r, err := roles.Get(ctx, "e2e-deployer", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				r.Rules = []rbacv1.PolicyRule{read}
				if want {
					r.Rules = append(r.Rules, exec)
				}
				if _, err := roles.Update(ctx, r, metav1.UpdateOptions{}); err != nil {
					t.Fatalf("updating the role: %v", err)
				}
			}
			eventually(t, 30*time.Second, fmt.Sprintf("exec warning %v after change %d", want, i), func() error {
				got, err := execWarned()
				if err != nil {
					return err
				}
				if got != want {
					return fmt.Errorf("exec warning %v", got)
				}
				return nil
			})
		}
	})

	t.Run("warn mode and hot reload", func(t *testing.T) {
		writeAtomic(t, policyFile, []byte(warnPolicy))
		eventually(t, 30*time.Second, "warn policy in force", func() error {
			return dryRunDeployment(e.kube, deployment("probe-bad", "team-a", true))
		})
		out, code := e.kubectl(t, "apply", "-f", bad, "--dry-run=server")
		if code != 0 || !strings.Contains(out, "Warning: BW-PS-001 at spec.template.spec.containers[0].securityContext.privileged") {
			t.Fatalf("warn mode: exit %d\n%s", code, out)
		}
		warnings := &collector{}
		cfg := e.restConfig(t)
		cfg.WarningHandler = warnings
		kube := kubernetes.NewForConfigOrDie(cfg)
		if err := dryRunDeployment(kube, deployment("web-bad", "team-a", true)); err != nil {
			t.Fatalf("client-go in warn mode: %v", err)
		}
		if !strings.Contains(strings.Join(warnings.get(), "\n"), "BW-PS-001") {
			t.Fatalf("client-go warnings: %v", warnings.get())
		}
		writeAtomic(t, policyFile, policy.DefaultYAML())
		eventually(t, 30*time.Second, "block policy back in force", enforcing)
		m := hook.scrape(t)
		for _, want := range []string{`bulwark_policy_reloads_total{result="ok"} 3`, `bulwark_admission_findings_total{action="block",rule="BW-PS-001"}`,
			`bulwark_admission_findings_total{action="warn",rule="BW-PS-001"}`, `bulwark_admission_request_duration_seconds_bucket`} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})

	t.Run("verify is red when the local policy differs", func(t *testing.T) {
		out, code := e.bw(t, "policy", "verify", "--policy", warnFile, "--webhook-url", urlA, "--probe-namespace", "team-a", "--wait", "0s")
		if code != 1 || !strings.Contains(out, "FAIL the policy in the cluster is the local policy") || !strings.Contains(out, "FAIL the webhook enforces the local policy") {
			t.Fatalf("verify with another policy: exit %d\n%s", code, out)
		}
	})

	t.Run("verify is red after tampering", func(t *testing.T) {
		patch := `[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"},` +
			`{"op":"replace","path":"/webhooks/0/rules","value":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}]}]`
		if out, code := e.kubectl(t, "patch", "validatingwebhookconfiguration", "bulwark", "--type=json", "-p", patch); code != 0 {
			t.Fatalf("patch: %s", out)
		}
		out, code := e.bw(t, "policy", "verify", "--policy", policyFile, "--webhook-url", urlA, "--probe-namespace", "team-a", "--wait", "0s")
		for _, want := range []string{"failurePolicy is Ignore, want Fail", "its rules leave out", "FAIL a known-bad object is denied by Bulwark", "fix: "} {
			if !strings.Contains(out, want) {
				t.Errorf("verify output lacks %q", want)
			}
		}
		if code != 1 {
			t.Fatalf("verify after tampering: exit %d\n%s", code, out)
		}
		t.Log("\n" + out)
		// Installing again restores it.
		if out, code := e.bw(t, "policy", "install", "--policy", policyFile, "--webhook-url", urlA); code != 0 {
			t.Fatalf("reinstall: %s", out)
		}
		if out, code := e.bw(t, "policy", "verify", "--policy", policyFile, "--webhook-url", urlA, "--probe-namespace", "team-a", "--wait", "30s"); code != 0 {
			t.Fatalf("verify after reinstall: exit %d\n%s", code, out)
		}
	})

	t.Run("custom rule on a custom resource", func(t *testing.T) { e.customResource(t, policyFile, urlA) })

	t.Run("certificate rotation while requests flow", func(t *testing.T) { e.rotation(t, policyFile) })
}

func (e *env) startWebhookAt(t *testing.T, name, addr string, args ...string) *webhook {
	t.Helper()
	maddr := freePort()
	all := append([]string{"webhook", "--listen", addr, "--metrics-listen", maddr, "--kubeconfig", e.kubeconfig, "--context", e.context,
		"--reload-interval", "300ms", "--shutdown-delay", "0s", "--log-level", "debug"}, args...)
	cmd, err := e.spawn(name, e.bulwark, all...)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitHTTP("http://"+maddr+"/healthz", nil, 30*time.Second); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &webhook{cmd: cmd, url: "https://" + addr + "/validate", metrics: "http://" + maddr + "/metrics"}
}

func (e *env) restConfig(t *testing.T) *rest.Config {
	t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: e.kubeconfig}, &clientcmd.ConfigOverrides{CurrentContext: e.context}).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type collector struct {
	mu sync.Mutex
	w  []string
}

func (c *collector) HandleWarningHeader(_ int, _ string, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w = append(c.w, text)
}

func (c *collector) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.w...)
}

// rotation runs a webhook from certificate files, points the webhook
// configuration at it with a CA bundle that holds two CAs, and rotates the
// serving certificate twice (same CA, then the other CA) while clients send
// requests through the API server: no request may fail.
func (e *env) rotation(t *testing.T, policyFile string) {
	dir := t.TempDir()
	ca1, _ := admission.NewCA("e2e webhook CA 1", time.Hour)
	ca2, _ := admission.NewCA("e2e webhook CA 2", time.Hour)
	certFile, keyFile, bundle := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca-bundle.crt")
	issue := func(ca *admission.CA) {
		cert, key, err := ca.Issue([]string{"127.0.0.1"}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		writeAtomic(t, keyFile, key)
		writeAtomic(t, certFile, cert)
	}
	issue(ca1)
	writeAtomic(t, bundle, append(append([]byte{}, ca1.CertPEM...), ca2.CertPEM...))
	addr := freePort()
	hook := e.startWebhookAt(t, "webhook-files", addr, "--policy", policyFile, "--tls-cert-file", certFile, "--tls-private-key-file", keyFile,
		"--cluster-cache", "off")
	defer hook.stop(t)
	if out, code := e.bw(t, "policy", "install", "--policy", policyFile, "--webhook-url", hook.url, "--ca-bundle-file", bundle); code != 0 {
		t.Fatalf("install: %s", out)
	}
	eventually(t, 30*time.Second, "requests reach the file-based webhook", func() error {
		if err := enforcing(); err != nil {
			return err
		}
		if !strings.Contains(hook.scrape(t), `bulwark_admission_requests_total{kind="Deployment",operation="CREATE",verdict="block"}`) {
			return fmt.Errorf("no request reached it yet")
		}
		return nil
	})

	serial := func() string {
		roots := x509.NewCertPool()
		roots.AddCert(ca1.Cert)
		roots.AddCert(ca2.Cert)
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
		if err != nil {
			return "error: " + err.Error()
		}
		defer conn.Close()
		c := conn.ConnectionState().PeerCertificates[0]
		return c.Issuer.CommonName + "/" + c.SerialNumber.String()
	}

	var sent, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				privileged := (i+n)%2 == 0
				err := dryRunDeployment(e.kube, deployment(fmt.Sprintf("load-%d-%d", i, n), "team-a", privileged))
				sent.Add(1)
				if privileged == (err == nil) || (err != nil && !strings.Contains(err.Error(), denied)) {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprint(err))
				}
			}
		}(i)
	}
	before := serial()
	time.Sleep(time.Second)
	issue(ca1) // renewal: same CA, new key
	eventually(t, 20*time.Second, "renewed certificate served", func() error {
		if s := serial(); s == before || strings.HasPrefix(s, "error") {
			return fmt.Errorf("still %s", s)
		}
		return nil
	})
	renewed := serial()
	time.Sleep(time.Second)
	issue(ca2) // CA change: the bundle already trusts the new CA
	eventually(t, 20*time.Second, "certificate from the new CA served", func() error {
		if s := serial(); !strings.HasPrefix(s, "e2e webhook CA 2/") {
			return fmt.Errorf("still %s", s)
		}
		return nil
	})
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	t.Logf("%d requests through the API server during two rotations (%s -> %s -> %s), %d failed", sent.Load(), before, renewed, serial(), failed.Load())
	if failed.Load() > 0 {
		t.Fatalf("%d of %d requests failed during rotation; first: %v", failed.Load(), sent.Load(), firstErr.Load())
	}
	if sent.Load() < 20 {
		t.Fatalf("only %d requests sent", sent.Load())
	}
	if !strings.Contains(hook.scrape(t), `bulwark_tls_certificate_reloads_total{result="ok"}`) {
		t.Error("no certificate reload in the metrics")
	}
}

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`

const widgetPolicy = `apiVersion: bulwark.dev/v1
kind: Policy
customRules:
  - id: ACME-001
    name: widget-public
    title: Widgets are not public
    severity: high
    kinds: [Widget]
    expression: "!has(object.spec.public) || object.spec.public == false"
    message: widget must not be public
    remediation: set spec.public to false
`

// customResource installs a policy whose CEL rule reads a custom
// resource: install finds the resource through discovery and sends it to
// the webhook, which denies a bad one.
func (e *env) customResource(t *testing.T, policyFile, url string) {
	crd := filepath.Join(e.dir, "widget-crd.yaml")
	writeAtomic(t, crd, []byte(widgetCRD))
	if out, code := e.kubectl(t, "apply", "-f", crd); code != 0 {
		t.Fatal(out)
	}
	if out, code := e.kubectl(t, "wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=30s"); code != 0 {
		t.Fatal(out)
	}
	writeAtomic(t, policyFile, []byte(widgetPolicy))
	if out, code := e.bw(t, "policy", "install", "--policy", policyFile, "--webhook-url", url); code != 0 || strings.Contains(out, "warning") {
		t.Fatalf("install: exit %d\n%s", code, out)
	}
	bad := filepath.Join(e.dir, "widget.yaml")
	writeAtomic(t, bad, []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: team-a}\nspec: {public: true}\n"))
	eventually(t, 30*time.Second, "the custom rule enforced", func() error {
		out, code := e.kubectl(t, "apply", "--dry-run=server", "-f", bad)
		if code == 0 || !strings.Contains(out, "ACME-001") {
			return fmt.Errorf("exit %d: %s", code, out)
		}
		return nil
	})
	writeAtomic(t, bad, []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: team-a}\nspec: {public: false}\n"))
	if out, code := e.kubectl(t, "apply", "-f", bad); code != 0 {
		t.Fatalf("good widget: %s", out)
	}
	writeAtomic(t, policyFile, policy.DefaultYAML())
	if out, code := e.bw(t, "policy", "install", "--policy", policyFile, "--webhook-url", url); code != 0 {
		t.Fatalf("reinstall: %s", out)
	}
	eventually(t, 30*time.Second, "the default policy back in force", enforcing)
}
