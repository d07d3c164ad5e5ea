// Package cluster talks to Kubernetes clusters for Bulwark: clients from a
// kubeconfig context as kubectl picks them, the informer cache the webhook
// keeps for whole-set rules, the self-signed TLS bootstrap, and `policy
// install` and `policy verify`.
package cluster

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

// Target selects a cluster the way kubectl does: an explicit kubeconfig
// file, else $KUBECONFIG, else ~/.kube/config, else the in-cluster
// configuration; and a context, else the current one.
type Target struct {
	Kubeconfig string
	Context    string
}

// Clients are the clients for one cluster.
type Clients struct {
	Config    *rest.Config
	Kube      kubernetes.Interface
	Dynamic   dynamic.Interface
	Discovery discovery.DiscoveryInterface
	// Context names the kubeconfig context used ("" in-cluster); Host is
	// the API server's address, for messages.
	Context, Host string
	// Namespace is the context's default namespace, "" if it sets none.
	Namespace string
}

// Connect builds clients for the target.
func Connect(t Target, userAgent string) (*Clients, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if t.Kubeconfig != "" {
		rules.ExplicitPath = t.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: t.Context})
	cfg, err := cc.ClientConfig()
	if err != nil {
		if t.Context != "" {
			return nil, fmt.Errorf("kubeconfig context %q: %w", t.Context, err)
		}
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	raw, _ := cc.RawConfig()
	ctxName := t.Context
	if ctxName == "" {
		ctxName = raw.CurrentContext
	}
	ns, _, _ := cc.Namespace()
	if _, ok := raw.Contexts[ctxName]; !ok {
		ns = ""
	}
	return FromConfig(cfg, userAgent, ctxName, ns)
}

// FromConfig builds clients from a REST configuration.
func FromConfig(cfg *rest.Config, userAgent, context, namespace string) (*Clients, error) {
	cfg = rest.CopyConfig(cfg)
	if userAgent != "" {
		cfg.UserAgent = userAgent
	}
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	// Admission warnings on verify's probes are expected; they are not
	// the user's to read.
	cfg.WarningHandler = rest.NoWarnings{}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Clients{Config: cfg, Kube: kube, Dynamic: dyn, Discovery: kube.Discovery(),
		Context: context, Host: cfg.Host, Namespace: namespace}, nil
}

// ResourcesOfKind finds the resources that serve a kind, in any group, by
// the server's preferred versions. Subresources are left out.
func ResourcesOfKind(c *Clients, kind string) []admission.Resource {
	lists, _ := c.Discovery.ServerPreferredResources() // partial results are fine
	var out []admission.Resource
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if r.Kind == kind && !strings.Contains(r.Name, "/") {
				out = append(out, admission.Resource{Group: gv.Group, Version: gv.Version, Resource: r.Name, Kind: r.Kind, Namespaced: r.Namespaced})
			}
		}
	}
	return out
}
