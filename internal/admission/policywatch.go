package admission

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/bulwark-dev/bulwark/internal/policy"
)

// LoadEvaluator reads and compiles a policy file; an empty path means the
// built-in policy.
func LoadEvaluator(path string) (*Evaluator, error) {
	if path == "" {
		return NewEvaluator(policy.Default())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return ParseEvaluator(filepath.ToSlash(path), data)
}

// ParseEvaluator compiles a policy document.
func ParseEvaluator(name string, data []byte) (*Evaluator, error) {
	p, err := policy.Parse(name, data)
	if err != nil {
		return nil, err
	}
	return NewEvaluator(p)
}

// PolicyWatcher reloads the policy file when its content changes: a mounted
// ConfigMap, which Kubernetes updates by swapping a symlinked directory.
// The new policy is compiled off the request path and swapped in
// atomically; a policy that does not parse or compile is refused and the
// one in force stays, so a bad edit never opens or closes the gate.
type PolicyWatcher struct {
	Path    string
	Judge   *Judge
	Metrics *Metrics
	Log     *slog.Logger
	// OnSwap is called after a new policy is in force.
	OnSwap func(*Evaluator)
	sum    [sha256.Size]byte
}

// Check reads the file once and swaps in a changed policy. It reports
// whether the policy changed.
func (w *PolicyWatcher) Check() (bool, error) {
	data, err := os.ReadFile(w.Path)
	if err != nil {
		w.Metrics.PolicyLoaded("", err)
		return false, fmt.Errorf("policy: %w", err)
	}
	sum := sha256.Sum256(data)
	if sum == w.sum {
		return false, nil
	}
	ev, err := ParseEvaluator(filepath.ToSlash(w.Path), data)
	if err != nil {
		w.Metrics.PolicyLoaded("", err)
		return false, err
	}
	w.sum = sum
	old := w.Judge.Swap(ev)
	w.Metrics.PolicyLoaded(ev.Policy.Digest, nil)
	if w.OnSwap != nil {
		w.OnSwap(ev)
	}
	if w.Log != nil && (old == nil || old.Policy.Digest != ev.Policy.Digest) {
		w.Log.Info("policy in force", "file", w.Path, "digest", ev.Policy.Digest)
	}
	return true, nil
}

// Prime records the file's current content as the one in force, after the
// caller loaded it at start-up.
func (w *PolicyWatcher) Prime(data []byte) { w.sum = sha256.Sum256(data) }

// Run polls the file until ctx ends.
func (w *PolicyWatcher) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := w.Check(); err != nil && w.Log != nil {
				w.Log.Error("policy not reloaded; the previous policy stays in force", "file", w.Path, "error", err)
			}
		}
	}
}
