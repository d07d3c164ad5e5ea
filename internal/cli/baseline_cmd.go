package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/policy"
)

// NewCmdBaseline builds `bulwark baseline`.
func NewCmdBaseline(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Accept today's findings so that only new ones fail",
	}
	opts := &ScanOptions{}
	create := &cobra.Command{
		Use:   "create [PATH...]",
		Short: "Write a baseline of the current findings (JSON) to standard output or --output",
		Example: "  bulwark baseline create > .bulwark-baseline.json\n" +
			"  bulwark scan .          # finds .bulwark-baseline.json at the repository root by itself",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			return RunBaselineCreate(cmd.Context(), g, opts)
		},
	}
	f := create.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "write the baseline to this file")
	f.StringVar(&opts.Policy, "policy", "", "policy file (default: .bulwark.yaml at the repository root)")
	f.StringArrayVar(&opts.Exclude, "exclude", nil, "skip paths matching this glob")
	cmd.AddCommand(create)
	return cmd
}

// RunBaselineCreate scans without any baseline and writes every finding
// that the policy does not already ignore.
func RunBaselineCreate(ctx context.Context, g *globalOptions, opts *ScanOptions) error {
	opts.noBaseline = true
	rep, err := scanAndDecide(ctx, g, opts)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(policy.NewBaseline(rep.Findings), "", "  ")
	if err != nil {
		return fmt.Errorf("encoding baseline: %w", err)
	}
	data = append(data, '\n')
	if opts.Output != "" {
		if err := os.WriteFile(opts.Output, data, 0o644); err != nil {
			return usageError("--output: %v", err)
		}
		return nil
	}
	_, err = g.streams.Out.Write(data)
	return err
}
