package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/report"
	"github.com/bulwark-dev/bulwark/internal/rule"
	gitsrc "github.com/bulwark-dev/bulwark/internal/source/git"
)

// DiffOptions are the diff command's inputs.
type DiffOptions struct {
	ScanOptions
	Base, Head string
	All        bool // judge every finding of the head, not only new ones
}

// NewCmdDiff builds `bulwark diff BASE [HEAD]`.
func NewCmdDiff(g *globalOptions) *cobra.Command {
	opts := &DiffOptions{}
	cmd := &cobra.Command{
		Use:   "diff BASE [HEAD]",
		Short: "Report only the risks a change introduces: findings of HEAD (default: the working tree) that BASE lacks",
		Example: "  bulwark diff origin/main                 # in a pull request: new risks only\n" +
			"  bulwark diff v1.2.0 v1.3.0 --format markdown",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Base = args[0]
			if len(args) == 2 {
				opts.Head = args[1]
			}
			return RunDiff(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "table", "report format: table, json, sarif, junit, markdown, github, html")
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to this file")
	f.StringVar(&opts.Policy, "policy", "", "policy file (default: .bulwark.yaml of the head)")
	f.StringArrayVar(&opts.Exclude, "exclude", nil, "skip paths matching this glob")
	f.StringVar(&opts.FailOn, "fail-on", "", "block on new findings at or above this severity in every family")
	f.BoolVar(&opts.All, "all", false, "report and judge every finding of the head, not only new ones")
	return cmd
}

// RunDiff scans both revisions with the head's policy, matches findings by
// fingerprint and reports what is new; the verdict considers new findings.
func RunDiff(ctx context.Context, g *globalOptions, opts *DiffOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	marks := &reportMarks{New: map[string]bool{}}
	write, err := writerWithMarks(opts.Format, marks)
	if err != nil {
		return err
	}
	top, err := gitsrc.Toplevel(ctx, ".")
	if err != nil {
		return usageError("diff needs a Git repository: %v", err)
	}
	baseDir, cleanup, err := checkout(ctx, top, opts.Base)
	if err != nil {
		return err
	}
	defer cleanup()
	headDir := top
	if opts.Head != "" {
		dir, cleanupHead, err := checkout(ctx, top, opts.Head)
		if err != nil {
			return err
		}
		defer cleanupHead()
		headDir = dir
	}
	if opts.Policy == "" {
		if p := filepath.Join(headDir, PolicyFile); fileExists(p) {
			opts.Policy = p
		}
	}
	scan := func(dir string) (*report.Report, error) {
		o := opts.ScanOptions
		o.Paths, o.root, o.noBaseline = []string{dir}, dir, true
		return scanAndDecide(ctx, g, &o)
	}
	head, err := scan(headDir)
	if err != nil {
		return err
	}
	base, err := scan(baseDir)
	if err != nil {
		return err
	}
	inBase := map[string]bool{}
	for _, f := range base.Findings {
		inBase[f.Fingerprint] = true
	}
	inHead := map[string]bool{}
	var kept []rule.Finding
	newCount := 0
	for _, f := range head.Findings {
		inHead[f.Fingerprint] = true
		if !inBase[f.Fingerprint] {
			newCount++
			marks.New[f.Fingerprint] = true
			kept = append(kept, f)
		} else if opts.All {
			kept = append(kept, f)
		}
	}
	fixed := 0
	for _, f := range base.Findings {
		if !inHead[f.Fingerprint] && f.Action != rule.Ignored {
			fixed++
		}
	}
	marks.Fixed = fixed
	head.Findings = kept
	head.Summary.Counts(kept)
	head.Summary.Verdict = policy.VerdictOf(kept)
	fmt.Fprintf(g.streams.ErrOut, "bulwark diff %s..%s: %d new, %d fixed, %d unchanged\n",
		opts.Base, orWorkingTree(opts.Head), newCount, fixed, len(inHead)-newCount)
	return emit(g, opts.Output, write, head, start)
}

func orWorkingTree(head string) string {
	if head == "" {
		return "working tree"
	}
	return head
}

// checkout extracts a revision into a temporary directory with git archive,
// leaving the repository and its working tree untouched.
func checkout(ctx context.Context, top, rev string) (string, func(), error) {
	dir, cleanup, err := gitsrc.Export(ctx, top, rev)
	if err != nil {
		return "", nil, usageError("%v", err)
	}
	return dir, cleanup, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
