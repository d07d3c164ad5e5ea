package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/policy"
)

// Default file names, looked up at the repository root.
const (
	PolicyFile   = ".bulwark.yaml"
	BaselineFile = ".bulwark-baseline.json"
)

// loadPolicy reads an explicit policy file, else .bulwark.yaml at the root of
// the repository holding the first scanned path, else the embedded default.
func loadPolicy(explicit string, paths []string) (*policy.Policy, error) {
	path := explicit
	if path == "" {
		path = discover(PolicyFile, paths)
	}
	if path == "" {
		return policy.Default(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("policy: %v", err)
	}
	p, err := policy.Parse(filepath.ToSlash(path), data)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return p, nil
}

// loadBaseline reads an explicit baseline, else one at the repository root.
func loadBaseline(explicit string, paths []string) (*policy.Baseline, error) {
	path := explicit
	if path == "" {
		path = discover(BaselineFile, paths)
	}
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("baseline: %v", err)
	}
	b, err := policy.ParseBaseline(filepath.ToSlash(path), data)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return b, nil
}

// discover looks for name in the first scanned directory and its parents up
// to the repository root (the first directory holding .git).
func discover(name string, paths []string) string {
	start := "."
	if len(paths) > 0 && paths[0] != "-" {
		start = paths[0]
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return ""
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		dir = filepath.Dir(dir)
	}
	for {
		candidate := filepath.Join(dir, name)
		if _, err := os.Stat(candidate); err == nil {
			return relative(candidate)
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil || errors.Is(err, fs.ErrPermission) {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func relative(path string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && !filepath.IsAbs(rel) && len(rel) < len(path) {
			return rel
		}
	}
	return path
}

// coversPolicyRoot reports whether a scanned path is the policy file's
// directory or holds it: only then can an exception be called stale.
func coversPolicyRoot(policyFile string, paths []string) bool {
	if strings.HasPrefix(policyFile, "(") {
		return false // the embedded default has no exceptions
	}
	root, err := filepath.Abs(filepath.Dir(policyFile))
	if err != nil {
		return false
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(abs, root); err == nil && !strings.HasPrefix(rel, "..") {
			return true
		}
	}
	return false
}
