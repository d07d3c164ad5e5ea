package cli

import (
	"cmp"
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
	Policy      string   // policy file; default: .bulwark.yaml found from the scanned path, else the embedded one
	Baseline    string   // baseline file of accepted fingerprints
	VAP         []string // ValidatingAdmissionPolicy files to evaluate as if bound
	Render      RenderOptions
	// Set by other commands, not flags: noBaseline ignores any baseline (when
	// creating one), root makes paths relative to a checkout (diff).
	noBaseline bool
	root       string
}

// NewCmdScan builds `bulwark scan`. runF replaces the run function in tests.
func NewCmdScan(g *globalOptions, runF func(context.Context, *ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [PATH...|URL]",
		Short: "Scan what a repository deploys (manifests, Helm charts, Kustomize overlays, Argo CD and Flux apps) and report risks",
		Long: "Scan Kubernetes manifests (YAML and JSON, multi-document, Lists) in files and directory trees,\n" +
			"or from standard input with -, and report insecure security contexts and other risks.\n" +
			"Helm charts, Kustomize roots and the Argo CD Applications and Flux Kustomizations and HelmReleases\n" +
			"found in the paths are rendered in-process, as the GitOps agent would; findings point at the\n" +
			"template, values file, base or patch to edit. A Git revision (--ref) or a repository URL is read\n" +
			"without touching the working tree.\n" +
			"Exit codes: 0 nothing blocks, 1 the policy blocks, 2 usage error, 3 internal failure.",
		Example: "  bulwark scan .                                  # charts, overlays and apps found by themselves\n" +
			"  bulwark scan charts/web -f values-prod.yaml --set replicas=3\n" +
			"  bulwark scan overlays/prod --explain\n" +
			"  bulwark scan --ref origin/main .\n" +
			"  bulwark scan https://github.com/example/platform.git --ref v1.2.0\n" +
			"  bulwark scan examples/\n  bulwark scan ./deploy ./apps --format json > report.json\n" +
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
	f.StringVar(&opts.PSSLevel, "pss-level", "", "Pod Security Standards level to hold: baseline or restricted (default: the policy's, restricted)")
	f.StringVar(&opts.PSSVersion, "pss-version", "", "Pod Security Standards version: latest or v1.N (default: the policy's, latest)")
	f.StringVar(&opts.FailOn, "fail-on", "", "block (exit 1) on findings at or above this severity in every family: critical, high, medium, low, info (default: the policy's thresholds)")
	f.StringVar(&opts.Policy, "policy", "", "policy file (default: .bulwark.yaml at the repository root, else the built-in policy)")
	f.StringVar(&opts.Baseline, "baseline", "", "baseline file of accepted findings (default: .bulwark-baseline.json at the repository root, if present)")
	f.StringArrayVar(&opts.VAP, "vap", nil, "ValidatingAdmissionPolicy manifests (file or directory) to evaluate offline against the scanned objects, as if bound with Deny (repeatable); policies and bindings in the scanned paths are evaluated too")
	f.Int64Var(&opts.MaxFileSize, "max-file-size", source.DefaultMaxFileSize, "refuse files larger than this many bytes")
	f.IntVar(&opts.Workers, "workers", 0, "parallel workers (default: number of CPUs)")
	addRenderFlags(f, &opts.Render)
	return cmd
}

// RunScan scans, decides and writes the report; it returns an ExitError with
// code 1 when the verdict is block.
func RunScan(ctx context.Context, g *globalOptions, opts *ScanOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	write, err := writerFor(opts.Format)
	if err != nil {
		return err
	}
	rep, err := scanAndDecide(ctx, g, opts)
	if err != nil {
		return err
	}
	return emit(g, opts.Output, write, rep, start)
}

// emit writes a report to standard output or --output and turns a block
// verdict into exit code 1: the end of every reporting command.
func emit(g *globalOptions, output string, write writeFunc, rep *report.Report, start time.Time) error {
	out, color := g.streams.Out, g.streams.Terminal
	if output != "" {
		file, err := os.Create(output)
		if err != nil {
			return usageError("--output: %v", err)
		}
		defer file.Close()
		out, color = file, false
	}
	if err := write(out, rep, report.TableOptions{Color: color, Duration: time.Since(start)}); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if n := len(rep.Internal); n > 0 {
		e := rep.Internal[0]
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("the report is incomplete: %d checks failed inside Bulwark, the first in %s: %s", n, cmp.Or(e.File, "the whole set"), e.Msg)}
	}
	if rep.Summary.Verdict == policy.Block {
		return &ExitError{Code: ExitBlocked}
	}
	return nil
}

// scanAndDecide is the pipeline every scanning command shares: policy,
// registry, engine, decision, report.
func scanAndDecide(ctx context.Context, g *globalOptions, opts *ScanOptions) (*report.Report, error) {
	co, err := resolveSources(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer co.cleanup()
	pol, err := loadPolicy(opts.Policy, co.paths)
	if err != nil {
		return nil, err
	}
	cfg := rules.Config{PSSLevel: pol.PodSecurity.Level, PSSVersion: pol.PodSecurity.Version, Custom: pol.Custom, CustomSource: pol.Source}
	if opts.PSSLevel != "" {
		cfg.PSSLevel = opts.PSSLevel
	}
	if opts.PSSVersion != "" {
		cfg.PSSVersion = opts.PSSVersion
	}
	var failOn rule.Severity
	if opts.FailOn != "" {
		if failOn, err = rule.ParseSeverity(opts.FailOn); err != nil {
			return nil, usageError("--fail-on: %v", err)
		}
	}
	reg, err := rules.Registry(cfg)
	if err != nil {
		return nil, usageError("%v", err)
	}
	var baseline *policy.Baseline
	if !opts.noBaseline {
		if baseline, err = loadBaseline(opts.Baseline, co.paths); err != nil {
			return nil, err
		}
	}
	log := g.logger()
	log.Debug("scanning", "paths", co.paths, "rules", len(reg.Rules()), "policy", pol.Source)
	plan, err := buildPlan(ctx, g, opts, co, source.Options{
		Exclude: opts.Exclude, MaxFileSize: opts.MaxFileSize, Stdin: g.streams.In, Root: co.root, Want: reg.WantsFile,
	})
	if err != nil {
		return nil, err
	}
	produce := func(yield func(source.File)) error { return plan.Walk(ctx, yield) }
	res, err := engine.New(reg, opts.Workers).ScanFiles(ctx, produce)
	if err != nil {
		return nil, usageError("%v", err)
	}
	if len(opts.VAP) > 0 || res.Kinds["ValidatingAdmissionPolicy"] > 0 {
		vapFindings, failed, err := evaluateVAPs(ctx, opts, g, co.paths, produce)
		if err != nil {
			return nil, err
		}
		res.Findings = append(res.Findings, vapFindings...)
		res.Errors, res.Internal = append(res.Errors, failed...), append(res.Internal, failed...)
	}
	dec := pol.Decide(res.Findings, policy.Options{Now: time.Now(), Baseline: baseline, FailOn: failOn,
		Stale: coversPolicyRoot(pol.Source, co.paths)})
	engine.Sort(dec.Findings)
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "bulwark", Version: version()},
		Summary: report.Summary{
			Files: res.Files, Documents: res.Documents, Objects: res.Objects,
			Skipped: res.Skipped, Templates: res.Templates, Verdict: dec.Verdict,
		},
		Findings: dec.Findings,
		Errors:   res.Errors,
		Rules:    reg.Rules(),
		Internal: res.Internal,
	}
	rep.Summary.Counts(dec.Findings)
	log.Debug("scanned", "files", res.Files, "objects", res.Objects, "findings", len(dec.Findings), "verdict", dec.Verdict)
	return rep, nil
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
