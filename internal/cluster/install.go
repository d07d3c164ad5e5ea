package cluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	admissionregv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

// resourceOf maps the kinds install creates to their resources.
var resourceOf = map[string]struct {
	gvr        schema.GroupVersionResource
	namespaced bool
}{
	"Namespace":                      {schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, false},
	"ConfigMap":                      {schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, true},
	"ServiceAccount":                 {schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}, true},
	"Service":                        {schema.GroupVersionResource{Version: "v1", Resource: "services"}, true},
	"Deployment":                     {schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, true},
	"PodDisruptionBudget":            {schema.GroupVersionResource{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"}, true},
	"NetworkPolicy":                  {schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}, true},
	"ClusterRole":                    {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}, false},
	"ClusterRoleBinding":             {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}, false},
	"Role":                           {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}, true},
	"RoleBinding":                    {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}, true},
	"ValidatingWebhookConfiguration": {schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingwebhookconfigurations"}, false},
	"Issuer":                         {schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "issuers"}, true},
	"Certificate":                    {schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "certificates"}, true},
}

// toUnstructured converts a typed object to the map form that is applied
// and printed, without the empty status and creation time of a new object.
func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.DeepCopy(), nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	if spec, ok := m["spec"].(map[string]any); ok && len(spec) == 0 {
		delete(m, "spec")
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	if tmpl, found, _ := unstructured.NestedMap(m, "spec", "template", "metadata"); found {
		delete(tmpl, "creationTimestamp")
		_ = unstructured.SetNestedMap(m, tmpl, "spec", "template", "metadata")
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// WriteYAML prints objects as a multi-document YAML stream, ready for
// `kubectl apply -f` or a GitOps repository.
func WriteYAML(w io.Writer, objs []runtime.Object) error {
	for i, obj := range objs {
		u, err := toUnstructured(obj)
		if err != nil {
			return err
		}
		data, err := yaml.Marshal(u.Object)
		if err != nil {
			return err
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// InstallOptions control how install waits and reports.
type InstallOptions struct {
	// Wait bounds the wait for the webhook Deployment to become available
	// before the webhook configuration is applied: enforcement starts only
	// once a replica can answer. Zero: do not wait.
	Wait time.Duration
	// CABundleFile is the CA of a webhook outside the cluster (with URL).
	CABundleFile string
	Progress     io.Writer
}

// Install applies the spec's objects with server-side apply (create or
// update, owned by the "bulwark" field manager).
func Install(ctx context.Context, c *Clients, spec Spec, opts InstallOptions) error {
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return err
	}
	objs := spec.Objects()
	say := func(format string, args ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, format+"\n", args...)
		}
	}
	say("installing into %s (context %s)", c.Host, orNone(c.Context))
	for i, obj := range objs[:len(objs)-1] {
		if err := apply(ctx, c, obj); err != nil {
			return err
		}
		say("  applied %s", describe(obj))
		if i == 0 && spec.TLS == TLSGenerate && !spec.WebhookOnly {
			// After the Namespace: the CA and certificate, made here with the
			// installer's rights so that the webhook needs none.
			ss := &SelfSigned{Clients: c, Namespace: spec.Namespace, Secret: spec.TLSSecretName(),
				Hosts: ServiceHosts(spec.Name, spec.Namespace), Certs: admission.NewStaticCert(nil)}
			if err := ss.Ensure(ctx); err != nil {
				return err
			}
			say("  ensured Secret %s/%s (CA and serving certificate)", spec.Namespace, spec.TLSSecretName())
		}
	}
	if !spec.WebhookOnly && opts.Wait > 0 {
		say("waiting up to %s for the webhook Deployment %s/%s to be available", opts.Wait, spec.Namespace, spec.Name)
		if err := waitAvailable(ctx, c, spec.Namespace, spec.Name, opts.Wait); err != nil {
			return fmt.Errorf("%w; the webhook configuration was not applied, so nothing is enforced yet", err)
		}
	}
	ca, from, err := caBundle(ctx, c, spec, opts.CABundleFile)
	if err != nil {
		return err
	}
	if spec.TLS == TLSCertManager && !spec.WebhookOnly && opts.CABundleFile == "" {
		ca, from = nil, "injected by cert-manager"
	}
	spec.CABundle = ca
	vwc := spec.WebhookConfiguration()
	if err := apply(ctx, c, vwc); err != nil {
		return err
	}
	say("  applied %s (CA bundle %s)", describe(vwc), from)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(in-cluster)"
	}
	return s
}

func describe(obj runtime.Object) string {
	m, _ := obj.(metav1.Object)
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if m == nil {
		return kind
	}
	if m.GetNamespace() != "" {
		return kind + " " + m.GetNamespace() + "/" + m.GetName()
	}
	return kind + " " + m.GetName()
}

func apply(ctx context.Context, c *Clients, obj runtime.Object) error {
	u, err := toUnstructured(obj)
	if err != nil {
		return err
	}
	r, ok := resourceOf[u.GetKind()]
	if !ok {
		return fmt.Errorf("install: no resource for kind %s", u.GetKind())
	}
	var ri interface {
		Apply(context.Context, string, *unstructured.Unstructured, metav1.ApplyOptions, ...string) (*unstructured.Unstructured, error)
	}
	if r.namespaced {
		ri = c.Dynamic.Resource(r.gvr).Namespace(u.GetNamespace())
	} else {
		ri = c.Dynamic.Resource(r.gvr)
	}
	if _, err := ri.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
		return fmt.Errorf("applying %s: %w", describe(obj), err)
	}
	return nil
}

func waitAvailable(ctx context.Context, c *Clients, ns, name string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last *appsv1.Deployment
	for {
		d, err := c.Kube.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			last = d
			if d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas > 0 && d.Status.UpdatedReplicas == d.Status.Replicas {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("the webhook Deployment %s/%s has %d of %d replicas available after %s (check `kubectl -n %s get pods,events`)",
					ns, name, last.Status.AvailableReplicas, last.Status.Replicas, timeout, ns)
			}
			return fmt.Errorf("the webhook Deployment %s/%s is not available after %s", ns, name, timeout)
		case <-time.After(time.Second):
		}
	}
}

// caBundle picks the CA the webhook configuration trusts: a file given by
// the user, else the self-signed bootstrap's Secret, else what the
// installed configuration already has (the webhook writes it itself).
func caBundle(ctx context.Context, c *Clients, spec Spec, file string) ([]byte, string, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, "", fmt.Errorf("CA bundle: %w", err)
		}
		if _, err := parseFirstCert(data); err != nil {
			return nil, "", fmt.Errorf("CA bundle %s: %w", file, err)
		}
		return data, "from " + file, nil
	}
	sec, err := c.Kube.CoreV1().Secrets(spec.Namespace).Get(ctx, spec.TLSSecretName(), metav1.GetOptions{})
	if err == nil && len(sec.Data[SecretCACert]) > 0 {
		return sec.Data[SecretCACert], "from Secret " + spec.Namespace + "/" + spec.TLSSecretName(), nil
	}
	vwc, err := c.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, spec.Name, metav1.GetOptions{})
	if err == nil {
		for _, wh := range vwc.Webhooks {
			if wh.Name == WebhookName && len(wh.ClientConfig.CABundle) > 0 {
				return wh.ClientConfig.CABundle, "kept from the installed configuration", nil
			}
		}
	} else if !apierrors.IsNotFound(err) {
		return nil, "", err
	}
	return nil, "to be written by the webhook's self-signed bootstrap", nil
}

// FindWebhook returns Bulwark's webhook in a configuration.
func FindWebhook(vwc *admissionregv1.ValidatingWebhookConfiguration) *admissionregv1.ValidatingWebhook {
	for i := range vwc.Webhooks {
		if vwc.Webhooks[i].Name == WebhookName {
			return &vwc.Webhooks[i]
		}
	}
	return nil
}

// HostOf returns the host part of a webhook URL, for certificates.
func HostOf(rawURL string) string {
	rest := strings.TrimPrefix(rawURL, "https://")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if strings.HasPrefix(rest, "[") {
		if i := strings.Index(rest, "]"); i > 0 {
			return rest[1:i]
		}
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		return rest[:i]
	}
	return rest
}
