package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/cluster"
)

// WebhookOptions are the webhook command's inputs.
type WebhookOptions struct {
	Policy            string
	CertFile, KeyFile string
	SelfSigned        bool
	TLSSecret         string
	TLSHosts          []string
	Namespace         string
	ServiceName       string
	WebhookConfigName string
	Listen            string
	MetricsListen     string
	ExcludeNamespaces []string
	ExcludeUsers      []string
	ExcludeGroups     []string
	Kubeconfig        string
	Context           string
	ClusterCache      string // auto, on, off
	ReloadInterval    time.Duration
	ShutdownDelay     time.Duration
	ShutdownTimeout   time.Duration
	LogFormat         string
	LogLevel          string
}

// NewCmdWebhook builds `bulwark webhook`.
func NewCmdWebhook(g *globalOptions, runF func(context.Context, *WebhookOptions) error) *cobra.Command {
	opts := &WebhookOptions{}
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Serve the policy as a validating admission webhook",
		Long: "Serve AdmissionReview v1 requests on /validate over TLS and judge each object with the same rules and\n" +
			"policy decision as `bulwark scan`: blocking findings deny the request with their rule IDs and fields,\n" +
			"warnings come back as admission warnings. The policy file is reloaded when it changes (a mounted\n" +
			"ConfigMap), and so are the certificate files (a mounted Secret, cert-manager). With --self-signed the\n" +
			"webhook keeps its own CA and certificate in a Secret and writes the CA into its webhook configuration.\n" +
			"/healthz, /readyz and Prometheus /metrics are served over plain HTTP on --metrics-listen.",
		Example: "  bulwark webhook --policy /etc/bulwark/policy/policy.yaml --tls-cert-file /tls/tls.crt --tls-private-key-file /tls/tls.key\n" +
			"  bulwark webhook --policy policy.yaml --self-signed --namespace bulwark --service-name bulwark --webhook-config-name bulwark",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunWebhook(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Policy, "policy", "", "policy file, reloaded when it changes (default: the built-in policy)")
	f.StringVar(&opts.CertFile, "tls-cert-file", "", "serving certificate (PEM), reloaded when it changes")
	f.StringVar(&opts.KeyFile, "tls-private-key-file", "", "serving certificate's private key (PEM)")
	f.BoolVar(&opts.SelfSigned, "self-signed", false, "make and keep a CA and serving certificate in a Secret, and write the CA into the webhook configuration")
	f.StringVar(&opts.TLSSecret, "tls-secret", cluster.DefaultName+"-tls", "Secret for --self-signed")
	f.StringSliceVar(&opts.TLSHosts, "tls-host", nil, "names and addresses the --self-signed certificate is for (default: the Service's DNS names)")
	f.StringVar(&opts.Namespace, "namespace", os.Getenv("POD_NAMESPACE"), "the webhook's own namespace (default: $POD_NAMESPACE)")
	f.StringVar(&opts.ServiceName, "service-name", cluster.DefaultName, "the webhook's Service, for --self-signed certificate names")
	f.StringVar(&opts.WebhookConfigName, "webhook-config-name", cluster.DefaultName, "ValidatingWebhookConfiguration whose caBundle --self-signed keeps current")
	f.StringVar(&opts.Listen, "listen", ":8443", "TLS address for /validate")
	f.StringVar(&opts.MetricsListen, "metrics-listen", ":8080", "plain HTTP address for /metrics, /healthz and /readyz (empty: off)")
	f.StringArrayVar(&opts.ExcludeNamespaces, "exclude-namespace", nil, "allow requests in this namespace unchecked (glob, repeatable)")
	f.StringArrayVar(&opts.ExcludeUsers, "exclude-user", nil, "allow requests by this user unchecked, e.g. a GitOps controller's service account (glob, repeatable)")
	f.StringArrayVar(&opts.ExcludeGroups, "exclude-group", nil, "allow requests by members of this group unchecked (repeatable)")
	f.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else in-cluster)")
	f.StringVar(&opts.Context, "context", "", "kubeconfig context")
	f.StringVar(&opts.ClusterCache, "cluster-cache", "auto", "cache the cluster objects whole-set rules read (RBAC, GitOps objects): auto (when the cluster is reachable), on, off")
	f.DurationVar(&opts.ReloadInterval, "reload-interval", 2*time.Second, "how often the policy and certificate files are checked for changes")
	f.DurationVar(&opts.ShutdownDelay, "shutdown-delay", 5*time.Second, "on SIGTERM, keep serving this long with /readyz failing, so endpoints drop the replica first")
	f.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "then wait this long for requests in flight")
	f.StringVar(&opts.LogFormat, "log-format", "json", "log format: json or text")
	f.StringVar(&opts.LogLevel, "log-level", "info", "log level: debug (every request), info (denials, reloads), warn, error")
	return cmd
}

func (o *WebhookOptions) logger(g *globalOptions) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return nil, usageError("--log-level %q: want debug, info, warn or error", o.LogLevel)
	}
	if g.verbose {
		level = slog.LevelDebug
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(g.streams.ErrOut, hopts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(g.streams.ErrOut, hopts)), nil
	}
	return nil, usageError("--log-format %q: want json or text", o.LogFormat)
}

// RunWebhook serves until ctx ends (SIGTERM), then drains.
func RunWebhook(ctx context.Context, g *globalOptions, opts *WebhookOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	log, err := opts.logger(g)
	if err != nil {
		return err
	}
	switch {
	case opts.SelfSigned && (opts.CertFile != "" || opts.KeyFile != ""):
		return usageError("--self-signed and --tls-cert-file/--tls-private-key-file exclude each other")
	case !opts.SelfSigned && (opts.CertFile == "" || opts.KeyFile == ""):
		return usageError("give --tls-cert-file and --tls-private-key-file, or --self-signed")
	case opts.ClusterCache != "auto" && opts.ClusterCache != "on" && opts.ClusterCache != "off":
		return usageError("--cluster-cache %q: want auto, on or off", opts.ClusterCache)
	}
	ev, err := admission.LoadEvaluator(opts.Policy)
	if err != nil {
		return usageError("%v", err)
	}
	metrics := admission.NewMetrics()
	metrics.PolicyLoaded(ev.Policy.Digest, nil)
	judge := admission.NewJudge(ev)
	log.Info("policy in force", "file", ev.Policy.Source, "digest", ev.Policy.Digest, "version", version())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	clients, clusterErr := cluster.Connect(cluster.Target{Kubeconfig: opts.Kubeconfig, Context: opts.Context}, "bulwark-webhook/"+version())
	needCluster := opts.SelfSigned || opts.ClusterCache == "on"
	if clusterErr != nil && needCluster {
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("cluster: %w", clusterErr)}
	}

	var certs admission.CertSource
	if opts.SelfSigned {
		if opts.Namespace == "" {
			return usageError("--self-signed needs --namespace (or $POD_NAMESPACE)")
		}
		hosts := opts.TLSHosts
		if len(hosts) == 0 {
			hosts = cluster.ServiceHosts(opts.ServiceName, opts.Namespace)
		}
		static := admission.NewStaticCert(nil)
		ss := &cluster.SelfSigned{Clients: clients, Namespace: opts.Namespace, Secret: opts.TLSSecret,
			WebhookConfig: opts.WebhookConfigName, Hosts: hosts, Certs: static, Metrics: metrics, Log: log}
		if err := ss.Ensure(ctx); err != nil {
			return &ExitError{Code: ExitInternal, Err: fmt.Errorf("self-signed TLS: %w", err)}
		}
		go ss.Run(ctx, 30*time.Second)
		certs = static
	} else {
		rel, err := admission.NewCertReloader(opts.CertFile, opts.KeyFile)
		if err != nil {
			return usageError("%v", err)
		}
		rel.OnReload = metrics.CertLoaded
		metrics.CertLoaded(rel.Current().Leaf.NotAfter, nil)
		go rel.Run(ctx, opts.ReloadInterval, log)
		certs = rel
	}

	var state admission.ClusterState
	var ready func() error
	cached := admission.CachedResources(ev.SetKinds())
	switch {
	case opts.ClusterCache == "off" || len(cached) == 0:
	case clusterErr != nil:
		log.Warn("no cluster access: whole-set rules see only the object under review", "error", clusterErr.Error())
	default:
		c, err := cluster.NewCache(clients, cached, log, metrics)
		if err != nil {
			return &ExitError{Code: ExitInternal, Err: fmt.Errorf("cluster cache: %w", err)}
		}
		c.Start(ctx)
		state, ready = c, c.Ready
		var names []string
		for _, r := range c.Resources() {
			names = append(names, r.GVR())
		}
		log.Info("cluster cache for whole-set rules", "resources", strings.Join(names, ","))
	}

	if opts.Policy != "" {
		w := &admission.PolicyWatcher{Path: opts.Policy, Judge: judge, Metrics: metrics, Log: log}
		if data, err := os.ReadFile(opts.Policy); err == nil {
			w.Prime(data)
		}
		go w.Run(ctx, opts.ReloadInterval)
	}
	h := &admission.Handler{Judge: judge, State: state, Metrics: metrics, Log: log,
		Exclusions: admission.Exclusions{Namespaces: opts.ExcludeNamespaces, Users: opts.ExcludeUsers, Groups: opts.ExcludeGroups}}
	srv := &admission.Server{Addr: opts.Listen, MetricsAddr: opts.MetricsListen, Handler: h, Certs: certs, Metrics: metrics,
		Log: log, Ready: ready, ShutdownDelay: opts.ShutdownDelay, ShutdownTimeout: opts.ShutdownTimeout}
	if err := srv.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	return nil
}
