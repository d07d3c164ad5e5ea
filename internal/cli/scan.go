package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/report"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// ScanOptions are the scan command's inputs.
type ScanOptions struct {
	Paths       []string
	Format      string
	Output      string
	Exclude     []string
	PSSLevel    string
	PSSVersion  string
	FailOn      string
	MaxFileSize int64
	Workers     int
}

// NewCmdScan builds `bulwark scan`. runF replaces the run function in tests.
func NewCmdScan(g *globalOptions, runF func(context.Context, *ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan manifests, directories or standard input (-) and report risks",
		Long: "Scan Kubernetes manifests (YAML and JSON, multi-document, Lists) in files and directory trees,\n" +
			"or from standard input with -, and report insecure security contexts and other risks.\n" +
			"Exit codes: 0 nothing blocks, 1 the policy blocks, 2 usage error, 3 internal failure.",
		Example: "  bulwark scan examples/\n  bulwark scan ./deploy ./apps --format json > report.json\n" +
			"  kubectl kustomize overlays/prod | bulwark scan -\n  bulwark scan . --format sarif --output bulwark.sarif\n" +
			"  bulwark scan . --format junit --output bulwark-junit.xml\n  bulwark scan . --format html --output bulwark.html\n" +
			"  bulwark scan . --pss-level baseline --pss-version v1.30",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunScan(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "table", "report format: table, json, sarif, junit, markdown, github, html")
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to this file instead of standard output")
	f.StringArrayVar(&opts.Exclude, "exclude", nil, "skip paths matching this glob (repeatable; dir/ or dir/** skips a tree)")
	f.StringVar(&opts.PSSLevel, "pss-level", "restricted", "Pod Security Standards level to hold: baseline or restricted")
	f.StringVar(&opts.PSSVersion, "pss-version", "latest", "Pod Security Standards version: latest or v1.N")
	f.StringVar(&opts.FailOn, "fail-on", "high", "block (exit 1) on findings at or above this severity: critical, high, medium, low, info")
	f.Int64Var(&opts.MaxFileSize, "max-file-size", source.DefaultMaxFileSize, "refuse files larger than this many bytes")
	f.IntVar(&opts.Workers, "workers", 0, "parallel workers (default: number of CPUs)")
	return cmd
}

// RunScan scans, decides and writes the report; it returns an ExitError with
// code 1 when the verdict is block.
func RunScan(ctx context.Context, g *globalOptions, opts *ScanOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	failOn, err := rule.ParseSeverity(opts.FailOn)
	if err != nil {
		return usageError("--fail-on: %v", err)
	}
	write, err := writerFor(opts.Format)
	if err != nil {
		return err
	}
	reg, err := rules.Registry(rules.Config{PSSLevel: opts.PSSLevel, PSSVersion: opts.PSSVersion})
	if err != nil {
		return usageError("%v", err)
	}
	log := g.logger()
	log.Debug("scanning", "paths", opts.Paths, "rules", len(reg.Rules()))
	res, err := engine.New(reg, opts.Workers).Scan(ctx, opts.Paths, source.Options{
		Exclude: opts.Exclude, MaxFileSize: opts.MaxFileSize, Stdin: g.streams.In,
	})
	if err != nil {
		return usageError("%v", err)
	}
	verdict := policy.Threshold{FailOn: failOn}.Decide(res.Findings)
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "bulwark", Version: version()},
		Summary: report.Summary{
			Files: res.Files, Documents: res.Documents, Objects: res.Objects,
			Skipped: res.Skipped, Templates: res.Templates, Verdict: verdict,
		},
		Findings: res.Findings,
		Errors:   res.Errors,
		Rules:    reg.Rules(),
	}
	rep.Summary.Counts(res.Findings)
	log.Debug("scanned", "files", res.Files, "objects", res.Objects, "findings", len(res.Findings), "verdict", verdict)

	out, color := g.streams.Out, g.streams.Terminal
	if opts.Output != "" {
		file, err := os.Create(opts.Output)
		if err != nil {
			return usageError("--output: %v", err)
		}
		defer file.Close()
		out, color = file, false
	}
	if err := write(out, rep, report.TableOptions{Color: color, Duration: time.Since(start)}); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if verdict == policy.Block {
		return &ExitError{Code: ExitBlocked}
	}
	return nil
}

type writeFunc func(io.Writer, *report.Report, report.TableOptions) error

// Formats lists the report formats of --format.
var Formats = []string{"table", "json", "sarif", "junit", "markdown", "github", "html"}

// reportMarks is what a command knows about a report beyond the report
// itself: which findings are new since a base revision (by fingerprint) and
// how many of the base's findings the change fixed.
type reportMarks struct {
	New   map[string]bool
	Fixed int
}

func writerFor(format string) (writeFunc, error) { return writerWithMarks(format, nil) }

// writerWithMarks is writerFor for commands that compare two scans; marks
// may be filled in after the call, up to the write.
func writerWithMarks(format string, marks *reportMarks) (writeFunc, error) {
	switch strings.ToLower(format) {
	case "table", "":
		return report.WriteTable, nil
	case "json":
		return func(w io.Writer, r *report.Report, _ report.TableOptions) error { return report.WriteJSON(w, r) }, nil
	case "sarif":
		return func(w io.Writer, r *report.Report, _ report.TableOptions) error { return report.WriteSARIF(w, r) }, nil
	case "junit":
		return func(w io.Writer, r *report.Report, _ report.TableOptions) error {
			return report.WriteJUnit(w, r, report.JUnitOptions{})
		}, nil
	case "markdown", "md":
		return func(w io.Writer, r *report.Report, _ report.TableOptions) error {
			opts := report.MarkdownOptions{}
			if marks != nil {
				opts.New, opts.Fixed = marks.New, marks.Fixed
			}
			return report.WriteMarkdown(w, r, opts)
		}, nil
	case "github":
		return func(w io.Writer, r *report.Report, _ report.TableOptions) error {
			return report.WriteGitHub(w, r, report.GitHubOptions{})
		}, nil
	case "html":
		return func(w io.Writer, r *report.Report, _ report.TableOptions) error {
			return report.WriteHTML(w, r, report.HTMLOptions{})
		}, nil
	}
	return nil, usageError("--format %q: want one of %s", format, strings.Join(Formats, ", "))
}
