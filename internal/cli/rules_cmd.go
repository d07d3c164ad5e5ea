package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/report"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
)

// RulesOptions are the rules command's inputs.
type RulesOptions struct {
	Format     string
	Categories []string
}

// NewCmdRules builds `bulwark rules`.
func NewCmdRules(g *globalOptions) *cobra.Command {
	opts := &RulesOptions{}
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule: ID, severity, category and what it checks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return RunRules(g.streams.Out, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", "output format: table, json, markdown")
	cmd.Flags().StringSliceVar(&opts.Categories, "category", nil, "only these categories (comma-separated)")
	return cmd
}

// RunRules writes the rule list.
func RunRules(w io.Writer, opts *RulesOptions) error {
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		return err
	}
	var list []*rule.Meta
	for _, m := range reg.Rules() {
		if len(opts.Categories) == 0 || contains(opts.Categories, string(m.Category)) {
			list = append(list, m)
		}
	}
	switch opts.Format {
	case "table", "":
		for _, m := range list {
			if _, err := fmt.Fprintf(w, "%-10s %-9s %-17s %s\n", m.ID, m.Severity, m.Category, m.Title); err != nil {
				return err
			}
		}
		return nil
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	case "markdown":
		return report.WriteRulesMarkdown(w, list)
	}
	return usageError("--format %q: want table, json or markdown", opts.Format)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}
