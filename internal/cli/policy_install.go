package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/cluster"
	"github.com/bulwark-dev/bulwark/internal/policy"
)

// ClusterFlags select a cluster and Bulwark's installation in it.
type ClusterFlags struct {
	Kubeconfig, Context string
	Namespace, Name     string
	WebhookURL          string
	FailurePolicy       string
}

func (c *ClusterFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.Kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	f.StringVar(&c.Context, "context", "", "kubeconfig context (default: the current context)")
	f.StringVarP(&c.Namespace, "namespace", "n", cluster.DefaultNamespace, "namespace of the webhook and its policy ConfigMap")
	f.StringVar(&c.Name, "name", cluster.DefaultName, "name of the webhook configuration, Service, Deployment and ConfigMap prefix")
	f.StringVar(&c.WebhookURL, "webhook-url", "", "a webhook served outside the cluster (https://host:port/validate) instead of the in-cluster Deployment")
	f.StringVar(&c.FailurePolicy, "failure-policy", "Fail", "when no replica answers: Fail refuses covered requests, Ignore lets them through unchecked")
}

func (c *ClusterFlags) connect() (*cluster.Clients, error) {
	clients, err := cluster.Connect(cluster.Target{Kubeconfig: c.Kubeconfig, Context: c.Context}, "bulwark/"+version())
	if err != nil {
		return nil, usageError("%v", err)
	}
	return clients, nil
}

// PolicyInstallOptions are the inputs of `policy install`.
type PolicyInstallOptions struct {
	ClusterFlags
	Policy            string
	Image             string
	Replicas          int32
	WebhookOnly       bool
	CABundleFile      string
	TLS               string
	TimeoutSeconds    int32
	ExcludeNamespaces []string
	ExcludeUsers      []string
	ExcludeGroups     []string
	DryRun            bool
	Output            string
	Wait              time.Duration
}

// PolicyVerifyOptions are the inputs of `policy verify`.
type PolicyVerifyOptions struct {
	ClusterFlags
	Policy         string
	ProbeNamespace string
	Wait           time.Duration
}

// defaultImage is the webhook image of this version.
func defaultImage() string {
	v := version()
	if v == "dev" || v == "" {
		v = "main"
	}
	return "ghcr.io/bulwark-dev/bulwark:" + v
}

// newCmdPolicyInstall builds `bulwark policy install`.
func newCmdPolicyInstall(g *globalOptions) *cobra.Command {
	opts := &PolicyInstallOptions{}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install the policy and the admission webhook that enforces it into a cluster",
		Long: "Create or update, with server-side apply: the policy as a ConfigMap the webhook reloads, the webhook\n" +
			"Deployment (2 replicas), Service, ServiceAccount with least-privilege RBAC, PodDisruptionBudget and\n" +
			"NetworkPolicy, and last the ValidatingWebhookConfiguration with its CA bundle, once a replica is available.\n" +
			"--webhook-only installs only the policy and the webhook configuration; --dry-run -o yaml prints instead.",
		Example: "  bulwark policy install --policy .bulwark.yaml --context prod\n" +
			"  bulwark policy install --policy .bulwark.yaml --dry-run -o yaml > bulwark-install.yaml\n" +
			"  bulwark policy install --webhook-url https://10.0.0.5:8443/validate --ca-bundle-file ca.crt",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return RunPolicyInstall(cmd.Context(), g, opts) },
	}
	opts.ClusterFlags.add(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Policy, "policy", "", "policy file (default: .bulwark.yaml at the repository root, else the built-in policy)")
	f.StringVar(&opts.Image, "image", defaultImage(), "webhook image")
	f.Int32Var(&opts.Replicas, "replicas", 2, "webhook replicas")
	f.BoolVar(&opts.WebhookOnly, "webhook-only", false, "install only the policy ConfigMap and the webhook configuration (the webhook runs elsewhere)")
	f.StringVar(&opts.CABundleFile, "ca-bundle-file", "", "CA that signs the webhook's certificate (with --webhook-url; default: the one in the webhook's TLS Secret)")
	f.StringVar(&opts.TLS, "tls", cluster.TLSGenerate, "serving certificate: generate (made now with your credentials, kept in a Secret), cert-manager, or self-signed (the webhook makes it and updates its own webhook configuration)")
	f.Int32Var(&opts.TimeoutSeconds, "timeout-seconds", 5, "how long the API server waits for the webhook (1-30)")
	f.StringArrayVar(&opts.ExcludeNamespaces, "exclude-namespace", nil, "namespace never sent to the webhook, besides kube-system, kube-node-lease and its own (repeatable)")
	f.StringArrayVar(&opts.ExcludeUsers, "exclude-user", nil, "user whose requests are never sent, e.g. system:serviceaccount:argocd:argocd-application-controller (repeatable)")
	f.StringArrayVar(&opts.ExcludeGroups, "exclude-group", nil, "group whose members' requests are never sent (repeatable)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the objects instead of applying them (with -o yaml)")
	f.StringVarP(&opts.Output, "output", "o", "", "with --dry-run: yaml")
	f.DurationVar(&opts.Wait, "wait", 3*time.Minute, "wait this long for a webhook replica before enforcing (0: do not wait)")
	return cmd
}

// newCmdPolicyVerify builds `bulwark policy verify`.
func newCmdPolicyVerify(g *globalOptions) *cobra.Command {
	opts := &PolicyVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Prove that the policy is installed, current and enforcing in a cluster",
		Long: "Check and report each step: the webhook configuration exists and targets the webhook; its CA bundle\n" +
			"matches the serving certificate; the webhook answers; the policy in the cluster and the one the webhook\n" +
			"enforces are the local policy; a server-side dry run of a known-bad Deployment is denied by Bulwark with\n" +
			"the rules the local policy expects, and a known-good one is allowed. Exit 0 only if every step holds.",
		Example: "  bulwark policy verify --policy .bulwark.yaml --context prod",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return RunPolicyVerify(cmd.Context(), g, opts) },
	}
	opts.ClusterFlags.add(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Policy, "policy", "", "the policy that must be enforced (default: .bulwark.yaml at the repository root, else the built-in policy)")
	f.StringVar(&opts.ProbeNamespace, "probe-namespace", "default", "namespace for the dry-run probes (must exist and not be excluded)")
	f.DurationVar(&opts.Wait, "wait", 90*time.Second, "wait up to this long for the webhook to pick up a new policy before reporting")
	return cmd
}

// readPolicy reads the policy the way scan finds it, keeping its bytes for
// the ConfigMap.
func readPolicy(explicit string) (*policy.Policy, []byte, error) {
	path := explicit
	if path == "" {
		path = discover(PolicyFile, nil)
	}
	if path == "" {
		return policy.Default(), policy.DefaultYAML(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, usageError("policy: %v", err)
	}
	p, err := policy.Parse(filepath.ToSlash(path), data)
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	return p, data, nil
}

func (c *ClusterFlags) spec(p *policy.Policy, data []byte, ev *admission.Evaluator) cluster.Spec {
	return cluster.Spec{Namespace: c.Namespace, Name: c.Name, URL: c.WebhookURL, FailurePolicy: c.FailurePolicy,
		Policy: data, PolicyDigest: p.Digest, SetKinds: ev.SetKinds()}
}

// RunPolicyInstall installs, or prints what it would install.
func RunPolicyInstall(ctx context.Context, g *globalOptions, opts *PolicyInstallOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.DryRun && opts.Output != "yaml" {
		return usageError("--dry-run needs -o yaml")
	}
	if !opts.DryRun && opts.Output != "" {
		return usageError("-o is for --dry-run")
	}
	p, data, err := readPolicy(opts.Policy)
	if err != nil {
		return err
	}
	ev, err := admission.NewEvaluator(p)
	if err != nil {
		return usageError("%v", err)
	}
	spec := opts.spec(p, data, ev)
	spec.Image, spec.Replicas, spec.WebhookOnly, spec.TimeoutSeconds, spec.TLS = opts.Image, opts.Replicas, opts.WebhookOnly, opts.TimeoutSeconds, opts.TLS
	spec.ExcludeNamespaces, spec.ExcludeUsers, spec.ExcludeGroups = opts.ExcludeNamespaces, opts.ExcludeUsers, opts.ExcludeGroups
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return usageError("%v", err)
	}
	warnPathExceptions(g, p)
	var clients *cluster.Clients
	if !opts.DryRun {
		if clients, err = opts.connect(); err != nil {
			return err
		}
	}
	spec.Extra = customResources(g, p, clients)
	if opts.DryRun {
		if opts.CABundleFile != "" {
			if spec.CABundle, err = os.ReadFile(opts.CABundleFile); err != nil {
				return usageError("--ca-bundle-file: %v", err)
			}
		}
		if spec.TLS == cluster.TLSGenerate && !spec.WebhookOnly {
			fmt.Fprintf(g.streams.ErrOut, "note: with --tls generate, install makes the Secret %s/%s and the caBundle when it runs; they are not printed (for GitOps, use --tls cert-manager)\n",
				spec.Namespace, spec.TLSSecretName())
		}
		return cluster.WriteYAML(g.streams.Out, spec.Objects())
	}
	if err := cluster.Install(ctx, clients, spec, cluster.InstallOptions{Wait: opts.Wait, CABundleFile: opts.CABundleFile, Progress: g.streams.Out}); err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	fmt.Fprintf(g.streams.Out, "installed policy %s; check enforcement with `bulwark policy verify%s`\n", p.Digest, verifyHint(opts))
	return nil
}

func verifyHint(opts *PolicyInstallOptions) string {
	var b strings.Builder
	if opts.Policy != "" {
		b.WriteString(" --policy " + opts.Policy)
	}
	if opts.Context != "" {
		b.WriteString(" --context " + opts.Context)
	}
	if opts.WebhookURL != "" {
		b.WriteString(" --webhook-url " + opts.WebhookURL)
	}
	if opts.Namespace != cluster.DefaultNamespace {
		b.WriteString(" -n " + opts.Namespace)
	}
	return b.String()
}

// customResources are the resources of the kinds the policy's custom rules
// read that the built-in coverage leaves out, found through the cluster's
// discovery (without a cluster, only the built-in ones are known).
func customResources(g *globalOptions, p *policy.Policy, c *cluster.Clients) []admission.Resource {
	var out []admission.Resource
	seen := map[string]bool{}
	for _, cr := range p.Custom {
		for _, kind := range cr.Kinds {
			if seen[kind] {
				continue
			}
			seen[kind] = true
			if _, ok := admission.ResourceFor(kind); ok {
				continue
			}
			var found []admission.Resource
			if c != nil {
				found = cluster.ResourcesOfKind(c, kind)
			}
			switch {
			case len(found) == 0 && c == nil:
				fmt.Fprintf(g.streams.ErrOut, "warning: custom rule %s reads kind %s, whose resource is known only from a cluster; it is left out of this output\n", cr.ID, kind)
			case len(found) == 0:
				fmt.Fprintf(g.streams.ErrOut, "warning: custom rule %s reads kind %s, which the cluster does not serve; it is not sent to the webhook\n", cr.ID, kind)
			}
			out = append(out, found...)
		}
	}
	return out
}

// warnPathExceptions points out exceptions that select objects only by
// file path: at admission there is no file, so they never apply there.
func warnPathExceptions(g *globalOptions, p *policy.Policy) {
	for _, e := range p.Exceptions {
		m := e.Match
		if len(m.Paths) > 0 && len(m.Kinds)+len(m.Namespaces)+len(m.Names)+len(m.Labels) == 0 {
			fmt.Fprintf(g.streams.ErrOut, "warning: %s:%d: this exception selects only by path; at admission objects have no path, so it does not apply there (add kinds, namespaces, names or labels)\n", p.Source, e.Line)
		}
	}
}

// RunPolicyVerify checks enforcement and prints each step; it returns exit
// code 1 when a step fails.
func RunPolicyVerify(ctx context.Context, g *globalOptions, opts *PolicyVerifyOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	p, data, err := readPolicy(opts.Policy)
	if err != nil {
		return err
	}
	ev, err := admission.NewEvaluator(p)
	if err != nil {
		return usageError("%v", err)
	}
	clients, err := opts.connect()
	if err != nil {
		return err
	}
	spec := opts.spec(p, data, ev)
	spec.Extra = customResources(g, p, clients)
	rep := cluster.Verify(ctx, clients, cluster.VerifyOptions{Spec: spec, Evaluator: ev, ProbeNamespace: opts.ProbeNamespace, Wait: opts.Wait})
	out := g.streams.Out
	fmt.Fprintf(out, "verifying policy %s (%s) in %s (context %s)\n", p.Digest, p.Source, clients.Host, orInCluster(clients.Context))
	failed := 0
	for _, s := range rep.Steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(out, "%s %s: %s\n", mark, s.Name, s.Detail)
		if !s.OK && s.Fix != "" {
			fmt.Fprintf(out, "     fix: %s\n", s.Fix)
		}
	}
	if !rep.OK() {
		return &ExitError{Code: ExitBlocked, Err: fmt.Errorf("policy verify: %d of %d checks failed", failed, len(rep.Steps))}
	}
	fmt.Fprintln(out, "the policy is installed, current and enforcing")
	return nil
}

func orInCluster(s string) string {
	if s == "" {
		return "in-cluster"
	}
	return s
}
