package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
)

// NewCmdPolicy builds `bulwark policy`.
func NewCmdPolicy(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Validate, test and show policies",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate FILE",
		Short: "Check a policy file: schema, rule references and CEL, with file:line errors",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return RunPolicyValidate(g, args[0])
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "test DIR|FILE...",
		Short: "Run policy tests: objects with the verdict and findings a policy must give them",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return RunPolicyTest(cmd.Context(), g, args)
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "default",
		Short: "Print the built-in policy, a starting point for .bulwark.yaml",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := g.streams.Out.Write(policy.DefaultYAML())
			return err
		},
	})
	cmd.AddCommand(newCmdPolicyInstall(g), newCmdPolicyVerify(g))
	return cmd
}

// loadAndCheckPolicy parses a policy, compiles its rules and checks that
// every rule it names exists.
func loadAndCheckPolicy(path string) (*policy.Policy, *rule.Registry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, usageError("policy: %v", err)
	}
	p, err := policy.Parse(filepath.ToSlash(path), data)
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	reg, err := rules.Registry(rules.Config{PSSLevel: p.PodSecurity.Level, PSSVersion: p.PodSecurity.Version,
		Custom: p.Custom, CustomSource: p.Source})
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	var errs []string
	unknown := func(line int, where, ref string) {
		if _, ok := reg.Lookup(ref); !ok {
			errs = append(errs, fmt.Sprintf("%s:%d: %s: no rule %q (see `bulwark rules`)", p.Source, line, where, ref))
		}
	}
	for _, o := range p.Rules {
		unknown(o.Line, "rules", o.Rule)
	}
	for _, e := range p.Exceptions {
		for _, r := range e.Rules {
			unknown(e.Line, "exceptions", r)
		}
	}
	for _, r := range p.Annotations.Forbid {
		unknown(0, "annotations.forbid", r)
	}
	if len(errs) > 0 {
		return nil, nil, usageError("%s", strings.Join(errs, "\n"))
	}
	return p, reg, nil
}

// RunPolicyValidate reports whether a policy file is valid.
func RunPolicyValidate(g *globalOptions, path string) error {
	p, reg, err := loadAndCheckPolicy(path)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(g.streams.Out, "%s: valid (pod security %s:%s, %d rule overrides, %d exceptions, %d custom rules, %d rules in all; %s)\n",
		p.Source, p.PodSecurity.Level, p.PodSecurity.Version, len(p.Rules), len(p.Exceptions), len(p.Custom), len(reg.Rules()), p.Digest)
	return err
}

// policyTest is a file of policy unit tests.
type policyTest struct {
	APIVersion string           `yaml:"apiVersion"`
	Kind       string           `yaml:"kind"`
	Policy     string           `yaml:"policy"`
	Cases      []policyTestCase `yaml:"cases"`
}

type policyTestCase struct {
	Name     string   `yaml:"name"`
	Objects  string   `yaml:"objects"` // inline manifests
	File     string   `yaml:"file"`    // or a manifest file, relative to the test file
	Verdict  string   `yaml:"verdict"`
	Findings []string `yaml:"findings"` // rules that must be reported, not ignored
	Absent   []string `yaml:"absent"`   // rules that must not be reported (or only ignored)
}

// RunPolicyTest runs every PolicyTest file found in the arguments.
func RunPolicyTest(ctx context.Context, g *globalOptions, args []string) error {
	var files []string
	for _, a := range args {
		_ = filepath.WalkDir(a, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				if data, err := os.ReadFile(path); err == nil && strings.Contains(string(data), "kind: PolicyTest") {
					files = append(files, path)
				}
			}
			return nil
		})
	}
	sort.Strings(files)
	if len(files) == 0 {
		return usageError("no PolicyTest files in %s", strings.Join(args, ", "))
	}
	passed, failed := 0, 0
	for _, file := range files {
		p, f, err := runPolicyTestFile(g, file)
		if err != nil {
			return err
		}
		passed += p
		failed += f
	}
	fmt.Fprintf(g.streams.Out, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return &ExitError{Code: ExitBlocked}
	}
	return nil
}

func runPolicyTestFile(g *globalOptions, file string) (passed, failed int, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, usageError("%v", err)
	}
	var t policyTest
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return 0, 0, usageError("%s: %v", file, err)
	}
	dir := filepath.Dir(file)
	pol, reg, err := loadAndCheckPolicy(filepath.Join(dir, t.Policy))
	if err != nil {
		return 0, 0, err
	}
	e := engine.New(reg, 1)
	out := g.streams.Out
	for _, c := range t.Cases {
		input, name := []byte(c.Objects), file+"#"+c.Name
		if c.File != "" {
			if input, err = os.ReadFile(filepath.Join(dir, c.File)); err != nil {
				return passed, failed, usageError("%s: case %q: %v", file, c.Name, err)
			}
			name = filepath.ToSlash(filepath.Join(dir, c.File))
		}
		mf := manifest.Parse(name, input, nil)
		if len(mf.Errors) > 0 {
			return passed, failed, usageError("%s: case %q: %v", file, c.Name, mf.Errors[0])
		}
		d := pol.Decide(e.CheckObjects(mf.Objects), policy.Options{Now: time.Now()})
		problems := judge(c, d)
		if len(problems) == 0 {
			passed++
			fmt.Fprintf(out, "PASS %s: %s\n", file, c.Name)
			continue
		}
		failed++
		fmt.Fprintf(out, "FAIL %s: %s: %s\n", file, c.Name, strings.Join(problems, "; "))
	}
	return passed, failed, nil
}

// judge compares a decision with a case's expectations.
func judge(c policyTestCase, d policy.Decision) []string {
	var problems []string
	if c.Verdict != "" && string(d.Verdict) != c.Verdict {
		problems = append(problems, fmt.Sprintf("verdict %s, want %s", d.Verdict, c.Verdict))
	}
	reported := map[string]bool{}
	for _, f := range d.Findings {
		if f.Action != rule.Ignored {
			reported[f.ID], reported[f.Name] = true, true
		}
	}
	for _, r := range c.Findings {
		if !reported[r] {
			problems = append(problems, "missing "+r)
		}
	}
	for _, r := range c.Absent {
		if reported[r] {
			problems = append(problems, "unexpected "+r)
		}
	}
	return problems
}
