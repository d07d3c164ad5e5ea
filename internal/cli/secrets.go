package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/history"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/report"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/secrets"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// SecretsOptions are the secrets command's inputs.
type SecretsOptions struct {
	Paths       []string
	Format      string
	Output      string
	Exclude     []string
	FailOn      string
	Policy      string
	Baseline    string
	MaxFileSize int64
	Workers     int
	History     bool   // scan every commit instead of the working tree
	Since       string // with History: only commits not reachable from this revision
}

// NewCmdSecrets builds `bulwark secrets`. runF replaces the run function in tests.
func NewCmdSecrets(g *globalOptions, runF func(context.Context, *SecretsOptions) error) *cobra.Command {
	opts := &SecretsOptions{}
	cmd := &cobra.Command{
		Use:   "secrets [PATH...]",
		Short: "Find plaintext secrets in every file, or in every commit of a repository's history",
		Long: "Find plaintext secrets: Kubernetes Secrets, env literals, ConfigMaps and embedded config files,\n" +
			"kubeconfigs, Helm values, Kustomize generators, Argo CD and Flux credentials, leaks of SOPS,\n" +
			"Sealed Secrets, External Secrets, CSI and Vault, and provider tokens and keys in any text file.\n" +
			"Values are never printed: evidence is redacted and secrets are identified by a keyed fingerprint\n" +
			"(set BULWARK_FINGERPRINT_KEY to use your own key).\n\n" +
			"With --history, every commit reachable from any ref is read (--since REV: only the commits\n" +
			"not reachable from REV), each finding names the commit that added the secret and whether it\n" +
			"is still at HEAD. Silence one finding with a `bulwark:ignore <rule> <reason>` comment on its\n" +
			"line or the line above, or accept it in the baseline file.\n" +
			"Exit codes: 0 nothing blocks, 1 the policy blocks, 2 usage error, 3 internal failure.",
		Example: "  bulwark secrets .\n  bulwark secrets --history .\n  bulwark secrets --history --since origin/main .\n" +
			"  bulwark secrets . --format sarif --output secrets.sarif",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunSecrets(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.History, "history", false, "scan every commit of the repository at PATH instead of the working tree")
	f.StringVar(&opts.Since, "since", "", "with --history: only commits not reachable from this revision (implies --history)")
	f.StringVar(&opts.Format, "format", "table", "report format: "+strings.Join(Formats, ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to this file instead of standard output")
	f.StringArrayVar(&opts.Exclude, "exclude", nil, "skip paths matching this glob (repeatable; dir/ or dir/** skips a tree; with --history, relative to the repository's top)")
	f.StringVar(&opts.FailOn, "fail-on", "", "block (exit 1) on findings at or above this severity: critical, high, medium, low, info (default: the policy's threshold for secrets)")
	f.StringVar(&opts.Policy, "policy", "", "policy file (default: .bulwark.yaml at the repository root, else the built-in policy)")
	f.StringVar(&opts.Baseline, "baseline", "", "baseline file of accepted findings (default: .bulwark-baseline.json at the repository root, if present)")
	f.Int64Var(&opts.MaxFileSize, "max-file-size", source.DefaultMaxFileSize, "refuse files larger than this many bytes")
	f.IntVar(&opts.Workers, "workers", 0, "parallel workers (default: number of CPUs)")
	return cmd
}

// RunSecrets scans for secrets, decides and writes the report; it returns
// an ExitError with code 1 when the verdict is block.
func RunSecrets(ctx context.Context, g *globalOptions, opts *SecretsOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	write, err := writerFor(opts.Format)
	if err != nil {
		return err
	}
	if opts.Since != "" {
		opts.History = true
	}
	if opts.History && len(opts.Paths) != 1 {
		return usageError("--history reads one repository: give one PATH")
	}
	pol, err := loadPolicy(opts.Policy, opts.Paths)
	if err != nil {
		return err
	}
	var failOn rule.Severity
	if opts.FailOn != "" {
		if failOn, err = rule.ParseSeverity(opts.FailOn); err != nil {
			return usageError("--fail-on: %v", err)
		}
	}
	baseline, err := loadBaseline(opts.Baseline, opts.Paths)
	if err != nil {
		return err
	}
	reg, err := rule.NewRegistry(secrets.ObjectChecks(), secrets.SetChecks(), secrets.FileChecks()...)
	if err != nil {
		return err
	}
	log := g.logger()
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "bulwark", Version: version()},
		Rules:         reg.Rules(),
		Errors:        []manifest.Error{},
	}
	var findings []rule.Finding
	if opts.History {
		res, err := scanHistory(ctx, g, opts)
		if err != nil {
			return err
		}
		log.Debug("history scanned", "commits", res.Commits, "changes", res.Files, "findings", len(res.Findings))
		findings = res.Findings
		rep.Summary.Files = res.Files
		rep.Errors, rep.Internal = append(rep.Errors, res.Failed...), res.Failed
	} else {
		res, err := engine.New(reg, opts.Workers).Scan(ctx, opts.Paths, source.Options{
			Exclude: opts.Exclude, MaxFileSize: opts.MaxFileSize, Stdin: g.streams.In,
		})
		if err != nil {
			return usageError("%v", err)
		}
		log.Debug("scanned", "files", res.Files, "findings", len(res.Findings))
		findings, rep.Errors = dropGitCrypt(res.Findings, res.Errors)
		rep.Internal = res.Internal
		rep.Summary.Files, rep.Summary.Documents, rep.Summary.Objects = res.Files, res.Documents, res.Objects
		rep.Summary.Skipped, rep.Summary.Templates = res.Skipped, res.Templates
	}
	// Exceptions and baseline entries for other families match nothing
	// here, so staleness is not reported.
	dec := pol.Decide(findings, policy.Options{Now: time.Now(), Baseline: baseline, FailOn: failOn})
	if !opts.History {
		engine.Sort(dec.Findings)
	}
	rep.Findings = dec.Findings
	rep.Summary.Verdict = dec.Verdict
	rep.Summary.Counts(dec.Findings)
	return emit(g, opts.Output, write, rep, start)
}

// scanHistory runs the history scan with a progress bar on terminals.
func scanHistory(ctx context.Context, g *globalOptions, opts *SecretsOptions) (*history.Result, error) {
	hopts := history.Options{Dir: opts.Paths[0], Since: opts.Since, Workers: opts.Workers, Exclude: opts.Exclude}
	var bar *progressBar
	if g.streams.Terminal {
		bar = &progressBar{w: g.streams.ErrOut}
		hopts.Progress = bar.update
	}
	res, err := history.Scan(ctx, hopts)
	if bar != nil {
		bar.done()
	}
	if err != nil {
		var rev *history.RevisionError
		if errors.As(err, &rev) {
			return nil, usageError("--since: %v", err)
		}
		if strings.Contains(err.Error(), "not inside a Git repository") {
			return nil, usageError("%v", err)
		}
		return nil, err
	}
	return res, nil
}

// progressBar draws history progress on one terminal line of standard
// error, at most ten times a second.
type progressBar struct {
	w     io.Writer
	last  time.Time
	drawn bool
}

func (b *progressBar) update(p history.Progress) {
	now := time.Now()
	if now.Sub(b.last) < 100*time.Millisecond && p.Commits < p.Total {
		return
	}
	b.last = now
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = min(width, width*p.Commits/p.Total)
	}
	fmt.Fprintf(b.w, "\r\x1b[K[%s%s] %d/%d commits, %d secrets", strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), p.Commits, p.Total, p.Findings)
	b.drawn = true
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}

// dropGitCrypt removes the unreadable-input reports of files git-crypt has
// encrypted: binary by design, and exactly what a secrets scan wants to see.
func dropGitCrypt(findings []rule.Finding, errs []manifest.Error) ([]rule.Finding, []manifest.Error) {
	encrypted := map[string]bool{}
	keptErrs := errs[:0:0]
	for _, e := range errs {
		if gitCrypted(e.File) {
			encrypted[e.File] = true
			continue
		}
		keptErrs = append(keptErrs, e)
	}
	if len(encrypted) == 0 {
		return findings, errs
	}
	kept := findings[:0:0]
	for _, f := range findings {
		if f.ID == rule.UnreadableInput.ID && encrypted[f.Location.File] {
			continue
		}
		kept = append(kept, f)
	}
	return kept, keptErrs
}

// gitCrypted reports a file that starts with git-crypt's header.
func gitCrypted(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 10)
	n, _ := io.ReadFull(f, head)
	return n == 10 && string(head) == "\x00GITCRYPT\x00"
}
