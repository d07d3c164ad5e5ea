package cli

import (
	"bytes"
	"context"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/custom"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// evaluateVAPs runs a cluster's ValidatingAdmissionPolicies offline: it
// collects the policies and bindings (from the scanned paths and --vap), then
// evaluates them over the scanned objects in a second streaming pass, so no
// object is held in memory between files. It returns the policies' findings
// and the checks that failed inside Bulwark.
func evaluateVAPs(ctx context.Context, opts *ScanOptions, g *globalOptions, paths []string, produce func(func(source.File)) error) ([]rule.Finding, []manifest.Error, error) {
	for _, p := range paths {
		if p == "-" {
			g.logger().Warn("ValidatingAdmissionPolicies are not evaluated on standard input: it cannot be read twice")
			return nil, nil, nil
		}
	}
	var objs []*manifest.Object
	collect := func(f source.File) {
		f, ok := f.Load()
		if !ok || f.Err != nil || !f.Manifest || !bytes.Contains(f.Data, []byte("ValidatingAdmissionPolicy")) {
			return
		}
		for _, o := range manifest.Parse(f.Path, f.Data, nil).Objects {
			if o.Kind == custom.VAPKinds[0] || o.Kind == custom.VAPKinds[1] {
				objs = append(objs, o)
			}
		}
	}
	walkOpts := source.Options{Exclude: opts.Exclude, MaxFileSize: opts.MaxFileSize, Root: opts.root}
	for _, paths := range [][]string{opts.VAP, paths} {
		if len(paths) == 0 {
			continue
		}
		if err := source.Walk(ctx, paths, walkOpts, collect); err != nil {
			return nil, nil, usageError("--vap: %v", err)
		}
	}
	check, errs := custom.VAP(objs, len(opts.VAP) > 0)
	for _, err := range errs {
		g.logger().Warn("ValidatingAdmissionPolicy not evaluated", "error", err)
	}
	if check.Policies() == 0 {
		return nil, nil, nil
	}
	reg, err := rule.NewRegistry([]rule.ObjectCheck{check}, nil)
	if err != nil {
		return nil, nil, err
	}
	res, err := engine.New(reg, opts.Workers).ScanFiles(ctx, produce)
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	var out []rule.Finding
	for _, f := range res.Findings {
		if f.Category != rule.Input { // input errors were reported by the first pass
			out = append(out, f)
		}
	}
	return out, res.Internal, nil
}
