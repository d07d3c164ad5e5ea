package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/report"
	"github.com/bulwark-dev/bulwark/internal/rule"
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
	top, err := git(ctx, "", "rev-parse", "--show-toplevel")
	if err != nil {
		return usageError("diff needs a Git repository: %v", err)
	}
	top = strings.TrimSpace(top)
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
	if _, err := git(ctx, top, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return "", nil, usageError("unknown revision %q", rev)
	}
	dir, err := os.MkdirTemp("", "bulwark-rev-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	cmd := exec.CommandContext(ctx, "git", "-C", top, "archive", "--format=tar", rev)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive: %w", err)
	}
	extractErr := untar(stdout, dir)
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %v: %s", rev, err, strings.TrimSpace(stderr.String()))
	}
	if extractErr != nil {
		cleanup()
		return "", nil, extractErr
	}
	return dir, cleanup, nil
}

// untar writes regular files and directories only, and never outside dir.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading revision: %w", err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(os.PathSeparator)) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, io.LimitReader(tr, 1<<30))
			f.Close()
			if err != nil {
				return err
			}
		}
	}
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
