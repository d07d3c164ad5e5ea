package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
	rbacrules "github.com/bulwark-dev/bulwark/internal/rules/rbac"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// RBACOptions are the inputs every rbac subcommand shares.
type RBACOptions struct {
	Paths                []string
	Exclude              []string
	Format               string
	PrivilegedNamespaces []string
	// Render selects how charts, overlays and GitOps apps are rendered, as
	// scan does (a subset of its flags: -n belongs to who-can here).
	Render RenderOptions
}

func (o *RBACOptions) flags(cmd *cobra.Command, formats string) {
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", strings.SplitN(formats, ", ", 2)[0], "output format: "+formats)
	f.StringArrayVar(&o.Exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	f.StringSliceVar(&o.PrivilegedNamespaces, "privileged-namespaces", nil,
		"namespaces ranked between cluster-wide and ordinary (default kube-system,argocd,flux-system)")
	f.StringArrayVarP(&o.Render.ValueFiles, "values", "f", nil, "values file for the Helm charts read (repeatable, later files win)")
	f.StringArrayVar(&o.Render.Set, "set", nil, "set a chart value, as helm --set (repeatable)")
	f.StringVar(&o.Render.Ref, "ref", "", "read this Git revision without checking it out")
	f.BoolVar(&o.Render.NoRender, "no-render", false, "read every file as plain manifests: no Helm, Kustomize or app rendering")
}

// NewCmdRBAC builds `bulwark rbac`, the permission explorer.
func NewCmdRBAC(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rbac",
		Short: "Explore the permissions manifests grant: who can do what, and how to become cluster-admin",
		Long: "Resolve Roles, ClusterRoles and their bindings as the API server would (wildcards, subresources,\n" +
			"resourceNames, aggregation, RoleBindings to ClusterRoles) and answer questions about them.\n" +
			"The built-in roles cluster-admin, admin, edit and view are always known.",
	}
	cmd.AddCommand(NewCmdRBACWhoCan(g), NewCmdRBACExplain(g), NewCmdRBACPaths(g), NewCmdRBACGraph(g))
	return cmd
}

// WhoCanOptions are the inputs of `bulwark rbac who-can`.
type WhoCanOptions struct {
	RBACOptions
	Verb, Resource string
	Namespace      string
	Name           string
}

// NewCmdRBACWhoCan builds `bulwark rbac who-can VERB RESOURCE [PATH...]`.
func NewCmdRBACWhoCan(g *globalOptions) *cobra.Command {
	opts := &WhoCanOptions{}
	cmd := &cobra.Command{
		Use:   "who-can VERB RESOURCE [PATH...]",
		Short: "List the subjects that may make a request, with the binding and rule that allow it",
		Long: "RESOURCE is a resource (secrets), a subresource (pods/exec), a resource of an API group\n" +
			"(deployments.apps, ingresses.networking.k8s.io) or a non-resource URL (/metrics).\n" +
			"Without --namespace the request is cluster-wide: only ClusterRoleBindings answer it.",
		Example: "  bulwark rbac who-can get secrets -n payments .\n  bulwark rbac who-can create pods/exec -n kube-system deploy/\n" +
			"  bulwark rbac who-can bind clusterroles.rbac.authorization.k8s.io --name cluster-admin .",
		Args: minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Verb, opts.Resource, opts.Paths = args[0], args[1], orHere(args[2:])
			return RunWhoCan(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Namespace, "namespace", "n", "", "namespace of the request")
	cmd.Flags().StringVar(&opts.Name, "name", "", "name of the object the request is for (resourceNames)")
	opts.flags(cmd, "table, json")
	return cmd
}

// RunWhoCan answers who may make the request.
func RunWhoCan(ctx context.Context, g *globalOptions, opts *WhoCanOptions) error {
	req, err := parseRequest(opts.Verb, opts.Resource, opts.Namespace, opts.Name)
	if err != nil {
		return err
	}
	a, err := loadRBAC(ctx, g, &opts.RBACOptions)
	if err != nil {
		return err
	}
	rows := a.WhoCan(req)
	out := g.streams.Out
	switch opts.Format {
	case "json":
		if rows == nil {
			rows = []rbacrules.GrantView{}
		}
		return writeJSON(out, rows)
	case "table", "":
	default:
		return usageError("--format %q: want table or json", opts.Format)
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintf(out, "No subject in these manifests may %s.\n", describeRequest(req))
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tSCOPE\tBINDING\tRULE\tWHERE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s: %s\t%s\n", r.Subject, r.Scope, r.Binding, r.Rule, r.Text, orDash(r.BindingAt))
	}
	return tw.Flush()
}

// parseRequest reads RESOURCE as kubectl does: resource[.group][/subresource],
// or a non-resource URL starting with "/".
func parseRequest(verb, resource, namespace, name string) (rbac.Request, error) {
	req := rbac.Request{Verb: verb, Namespace: namespace, Name: name}
	if strings.HasPrefix(resource, "/") {
		if namespace != "" || name != "" {
			return req, usageError("a non-resource URL takes no --namespace or --name")
		}
		req.NonResourceURL = resource
		return req, nil
	}
	base, sub, _ := strings.Cut(resource, "/")
	res, group, _ := strings.Cut(base, ".")
	if res == "" || strings.Contains(sub, "/") {
		return req, usageError("resource %q: want RESOURCE[.GROUP][/SUBRESOURCE] or /URL", resource)
	}
	req.Resource, req.APIGroup, req.Subresource = res, group, sub
	return req, nil
}

func describeRequest(r rbac.Request) string {
	if !r.IsResource() {
		return r.Verb + " " + r.NonResourceURL
	}
	s := r.Verb + " " + r.Resource
	if r.APIGroup != "" {
		s += "." + r.APIGroup
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	if r.Name != "" {
		s += " " + r.Name
	}
	if r.Namespace != "" {
		return s + " in namespace " + r.Namespace
	}
	return s + " cluster-wide"
}

// ExplainOptions are the inputs of `bulwark rbac explain`.
type ExplainOptions struct {
	RBACOptions
	Subject string
}

// NewCmdRBACExplain builds `bulwark rbac explain SUBJECT [PATH...]`.
func NewCmdRBACExplain(g *globalOptions) *cobra.Command {
	opts := &ExplainOptions{}
	cmd := &cobra.Command{
		Use:   "explain SUBJECT [PATH...]",
		Short: "Show one subject's effective permissions, their risks, and what it can become",
		Long: "SUBJECT is serviceaccount:NAMESPACE:NAME, user:NAME or group:NAME (system:anonymous,\n" +
			"system:authenticated and system:serviceaccount:NAMESPACE:NAME are understood too).\n" +
			"Permissions include those held through the subject's implicit groups.",
		Example: "  bulwark rbac explain serviceaccount:ci:deployer .\n  bulwark rbac explain group:system:authenticated . --format json",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Subject, opts.Paths = args[0], orHere(args[1:])
			return RunExplain(cmd.Context(), g, opts)
		},
	}
	opts.flags(cmd, "text, json")
	return cmd
}

// RunExplain describes one subject.
func RunExplain(ctx context.Context, g *globalOptions, opts *ExplainOptions) error {
	s, err := rbacrules.ParseSubject(opts.Subject)
	if err != nil {
		return usageError("%v", err)
	}
	if opts.Format != "text" && opts.Format != "json" && opts.Format != "" {
		return usageError("--format %q: want text or json", opts.Format)
	}
	a, err := loadRBAC(ctx, g, &opts.RBACOptions)
	if err != nil {
		return err
	}
	v := a.Explain(s)
	if opts.Format == "json" {
		return writeJSON(g.streams.Out, v)
	}
	return writeExplain(g.streams.Out, v)
}

func writeExplain(w io.Writer, v rbacrules.SubjectView) error {
	var b strings.Builder
	b.WriteString(v.Subject + "\n")
	if len(v.Groups) > 0 {
		b.WriteString("  groups: " + strings.Join(v.Groups, ", ") + "\n")
	}
	if v.DefinedAt != "" {
		b.WriteString("  defined at " + v.DefinedAt + "\n")
	}
	for _, wl := range v.Workloads {
		token := "token mounted"
		if !wl.Mounted {
			token = "token not mounted"
		}
		fmt.Fprintf(&b, "  runs %s (%s), %s\n", wl.Object, wl.At, token)
	}
	fmt.Fprintf(&b, "\nPermissions (%d):\n", len(v.Grants))
	if len(v.Grants) == 0 {
		b.WriteString("  none in these manifests\n")
	}
	for _, gr := range v.Grants {
		via := ""
		if gr.Via != "" {
			via = ", via group " + gr.Via
		}
		fmt.Fprintf(&b, "  %-14s %s%s\n", gr.Scope, gr.Text, via)
		fmt.Fprintf(&b, "  %-14s %s (%s) → %s%s\n", "", gr.Binding, orDash(gr.BindingAt), gr.Rule, at(gr.RuleAt))
	}
	fmt.Fprintf(&b, "\nRisks (%d):\n", len(v.Risks))
	if len(v.Risks) == 0 {
		b.WriteString("  none from the catalog\n")
	}
	for _, r := range v.Risks {
		fmt.Fprintf(&b, "  %-8s %s, %s (%s)\n", r.Severity, r.Title, scopeWords(r.Scope), r.Binding)
	}
	b.WriteString("\nEscalation:\n")
	var admin *rbacrules.PathView
	var others []string
	for i, p := range v.CanBecome {
		if p.To == "cluster-admin" {
			admin = &v.CanBecome[i]
		} else {
			others = append(others, fmt.Sprintf("%s (%d %s)", p.To, len(p.Steps), plural(len(p.Steps), "step")))
		}
	}
	switch {
	case v.HoldsAdmin:
		b.WriteString("  holds cluster-admin\n")
	case admin != nil:
		writePath(&b, *admin, "  ")
	default:
		b.WriteString("  cannot become cluster-admin\n")
		if len(others) > 0 {
			b.WriteString("  can become: " + strings.Join(others, ", ") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// PathsOptions are the inputs of `bulwark rbac paths`.
type PathsOptions struct {
	RBACOptions
	From string
	All  bool
}

// NewCmdRBACPaths builds `bulwark rbac paths [PATH...]`.
func NewCmdRBACPaths(g *globalOptions) *cobra.Command {
	opts := &PathsOptions{}
	cmd := &cobra.Command{
		Use:   "paths [PATH...]",
		Short: "Print the escalation paths to cluster-admin, shortest first, with the evidence of each step",
		Long: "Search breadth-first from every identity the manifests name or run (ServiceAccounts,\n" +
			"users, groups, system:anonymous and system:authenticated) for a way to become cluster-admin:\n" +
			"running pods as another ServiceAccount, exec, reading token Secrets, TokenRequest,\n" +
			"impersonation, bind, escalate, CSR approval, admission webhooks, the kubelet proxy.\n" +
			"Identities that already hold cluster-admin, and members of a group that has a path of its\n" +
			"own, are left out unless --all is given. With --from, every identity one subject can become.",
		Example: "  bulwark rbac paths .\n  bulwark rbac paths --from serviceaccount:ci:runner .\n  bulwark rbac paths --format json . > paths.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = orHere(args)
			return RunPaths(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "only paths from this subject, to every identity it can become")
	cmd.Flags().BoolVar(&opts.All, "all", false, "include identities that hold cluster-admin, and group members")
	opts.flags(cmd, "text, json")
	return cmd
}

// RunPaths prints escalation paths.
func RunPaths(ctx context.Context, g *globalOptions, opts *PathsOptions) error {
	if opts.Format != "text" && opts.Format != "json" && opts.Format != "" {
		return usageError("--format %q: want text or json", opts.Format)
	}
	var from rbac.Subject
	if opts.From != "" {
		var err error
		if from, err = rbacrules.ParseSubject(opts.From); err != nil {
			return usageError("--from: %v", err)
		}
	}
	a, err := loadRBAC(ctx, g, &opts.RBACOptions)
	if err != nil {
		return err
	}
	views := []rbacrules.PathView{}
	switch {
	case opts.From != "":
		for _, p := range a.Graph.Paths(from) {
			views = append(views, a.ViewPath(p))
		}
	case opts.All:
		for _, s := range a.Graph.Subjects() {
			if p, ok := a.Graph.PathTo(s, rbac.ClusterAdmin); ok {
				views = append(views, a.ViewPath(p))
			}
		}
		sortPaths(views)
	default:
		for _, p := range a.EscalationPaths() {
			views = append(views, a.ViewPath(p.Path))
		}
	}
	if opts.Format == "json" {
		return writeJSON(g.streams.Out, views)
	}
	var b strings.Builder
	if len(views) == 0 {
		b.WriteString("No escalation path to cluster-admin in these manifests.\n")
	}
	for i, v := range views {
		if i > 0 {
			b.WriteString("\n")
		}
		writePath(&b, v, "")
	}
	_, err = io.WriteString(g.streams.Out, b.String())
	return err
}

func sortPaths(v []rbacrules.PathView) {
	for i := 1; i < len(v); i++ { // stable insertion sort: short lists
		for j := i; j > 0 && len(v[j].Steps) < len(v[j-1].Steps); j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// writePath prints a path step by step with the binding and rule of each.
func writePath(b *strings.Builder, v rbacrules.PathView, indent string) {
	entry := ""
	if v.Entry {
		entry = " [entry point]"
	}
	fmt.Fprintf(b, "%s%s → %s in %d %s%s\n", indent, v.From, v.To, len(v.Steps), plural(len(v.Steps), "step"), entry)
	for i, st := range v.Steps {
		fmt.Fprintf(b, "%s  %d. %s: %s → %s\n", indent, i+1, st.Kind, st.From, st.To)
		for _, g := range st.Grants {
			via := ""
			if g.Via != "" {
				via = " (via group " + g.Via + ")"
			}
			fmt.Fprintf(b, "%s       %s%s → %s%s: %s\n", indent, g.Binding, at(g.BindingAt), g.Rule, at(g.RuleAt), g.Text+via)
		}
		if len(st.Grants) == 0 {
			fmt.Fprintf(b, "%s       members of system:masters bypass RBAC\n", indent)
		}
	}
}

// GraphOptions are the inputs of `bulwark rbac graph`.
type GraphOptions struct {
	RBACOptions
	RiskyOnly bool
}

// NewCmdRBACGraph builds `bulwark rbac graph [PATH...]`.
func NewCmdRBACGraph(g *globalOptions) *cobra.Command {
	opts := &GraphOptions{}
	cmd := &cobra.Command{
		Use:     "graph [PATH...]",
		Short:   "Draw the subject → binding → role graph (Graphviz DOT or Mermaid), risky edges marked",
		Example: "  bulwark rbac graph . | dot -Tsvg > rbac.svg\n  bulwark rbac graph --format mermaid --risky-only . > rbac.mmd",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = orHere(args)
			return RunGraph(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.RiskyOnly, "risky-only", false, "draw only bindings whose role grants a medium or higher risk")
	opts.flags(cmd, "dot, mermaid")
	return cmd
}

// RunGraph writes the graph.
func RunGraph(ctx context.Context, g *globalOptions, opts *GraphOptions) error {
	if opts.Format != "dot" && opts.Format != "mermaid" && opts.Format != "" {
		return usageError("--format %q: want dot or mermaid", opts.Format)
	}
	a, err := loadRBAC(ctx, g, &opts.RBACOptions)
	if err != nil {
		return err
	}
	if opts.Format == "mermaid" {
		return a.WriteMermaid(g.streams.Out, opts.RiskyOnly)
	}
	return a.WriteDOT(g.streams.Out, opts.RiskyOnly)
}

// loadRBAC reads what the paths deploy the way scan does (charts,
// overlays and GitOps apps rendered, a revision or a repository URL
// fetched), through the engine, and resolves its RBAC. Documents that do
// not parse are logged and skipped; `bulwark scan` reports them.
func loadRBAC(ctx context.Context, g *globalOptions, opts *RBACOptions) (*rbacrules.Analysis, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	c := &rbacCollector{}
	reg, err := rule.NewRegistry(nil, []rule.SetCheck{c})
	if err != nil {
		return nil, err
	}
	so := &ScanOptions{Paths: opts.Paths, Exclude: opts.Exclude, Render: opts.Render}
	co, err := resolveSources(ctx, so)
	if err != nil {
		return nil, err
	}
	defer co.cleanup()
	plan, err := buildPlan(ctx, g, so, co, source.Options{Exclude: opts.Exclude, Stdin: g.streams.In, Root: co.root})
	if err != nil {
		return nil, err
	}
	res, err := engine.New(reg, 0).ScanFiles(ctx, func(yield func(source.File)) error { return plan.Walk(ctx, yield) })
	if err != nil {
		return nil, usageError("%v", err)
	}
	log := g.logger()
	for _, e := range res.Errors {
		log.Warn("skipped", "error", e.Error())
	}
	log.Debug("resolving RBAC", "objects", len(c.objs))
	return rbacrules.Analyze(c.objs, rbacrules.Config{PrivilegedNamespaces: opts.PrivilegedNamespaces}), nil
}

// rbacCollector is a set check that only keeps the objects the permission
// analysis reads.
type rbacCollector struct{ objs []*manifest.Object }

func (c *rbacCollector) Rules() []*rule.Meta { return nil }
func (c *rbacCollector) Kinds() []string     { return rbacrules.Kinds() }
func (c *rbacCollector) CheckSet(objs []*manifest.Object) []rule.Hit {
	c.objs = objs
	return nil
}

// minArgs is cobra.MinimumNArgs with the usage exit code.
func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usageError("%s: want %s", cmd.CommandPath(), cmd.Use)
		}
		return nil
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func orHere(paths []string) []string {
	if len(paths) == 0 {
		return []string{"."}
	}
	return paths
}

func orDash(s string) string {
	if s == "" {
		return "(built-in)"
	}
	return s
}

func at(where string) string {
	if where == "" {
		return ""
	}
	return " (" + where + ")"
}

func scopeWords(scope string) string {
	if scope == "cluster-wide" {
		return scope
	}
	return "in namespace " + scope
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
