// Package cli holds Bulwark's commands. Each command fills an options struct
// from its flags and hands it to a run function that tests call directly.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bulwark-dev/bulwark/internal/source/helm"
)

// Streams are the command's standard streams and what else the process
// lends it; tests replace the streams with buffers.
type Streams struct {
	In       io.Reader
	Out      io.Writer
	ErrOut   io.Writer
	Terminal bool // Out is a terminal: colours and progress are allowed
	// HelmRenderer renders charts; the bulwark binary sets a pool of
	// memory-capped child processes of itself. Nil renders in-process:
	// a test binary cannot serve as the child.
	HelmRenderer helm.Renderer
}

// OSStreams returns the process's streams.
func OSStreams() Streams {
	terminal := false
	if fi, err := os.Stdout.Stat(); err == nil {
		terminal = fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	}
	return Streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Terminal: terminal}
}

// Exit codes, documented in README.md.
const (
	ExitOK       = 0 // nothing blocks
	ExitBlocked  = 1 // the policy blocks
	ExitUsage    = 2 // bad flags, arguments or policy file
	ExitInternal = 3 // Bulwark failed
)

// ExitError carries an exit code up to main, the only place that exits.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// CodeOf maps an error from a command to the process exit code.
func CodeOf(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitInternal
}

// Run executes a command line and returns the process exit code; errors are
// printed to ErrOut once, here, so every command reports them alike.
func Run(ctx context.Context, s Streams, args []string) int {
	root := NewRoot(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ee *ExitError
	if err != nil && (!errors.As(err, &ee) || ee.Err != nil) {
		fmt.Fprintln(s.ErrOut, "bulwark:", err)
	}
	return CodeOf(err)
}
