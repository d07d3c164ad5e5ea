package cli

import (
	"log/slog"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// NewRoot builds the bulwark command tree.
func NewRoot(s Streams) *cobra.Command {
	g := &globalOptions{streams: s}
	root := &cobra.Command{
		Use:   "bulwark",
		Short: "Security gate for GitOps: stop risky Kubernetes configuration before it reaches a cluster",
		Long: "Bulwark checks Kubernetes manifests and GitOps repositories for insecure security contexts,\n" +
			"plaintext secrets, excessive permissions and risky deployments, and enforces one policy\n" +
			"in CI, at admission and in continuous monitoring.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log progress and decisions to standard error")
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &ExitError{Code: ExitUsage, Err: err} })
	root.AddCommand(NewCmdScan(g, nil), NewCmdRules(g), NewCmdVersion(s), NewCmdPolicy(g), NewCmdBaseline(g), NewCmdDiff(g), NewCmdRBAC(g))
	root.AddCommand(NewCmdSecrets(g, nil))
	root.AddCommand(NewCmdWebhook(g, nil))
	return root
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	streams Streams
	verbose bool
}

// logger returns a structured logger on standard error; quiet unless -v.
func (g *globalOptions) logger() *slog.Logger {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(g.streams.ErrOut, &slog.HandlerOptions{Level: level}))
}

// NewCmdVersion prints the version.
func NewCmdVersion(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the Bulwark version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write([]byte("bulwark " + version() + "\n"))
			return err
		},
	}
}
