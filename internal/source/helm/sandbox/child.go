package sandbox

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"

	"helm.sh/helm/v3/pkg/engine"
)

// envMarker, set in a child's environment to its memory budget in bytes,
// makes the binary serve renders instead of running its command line.
const envMarker = "BULWARK_HELM_RENDER_BUDGET"

// ServeIfChild turns the process into a render child when it was started
// as one, and exits when its parent closes the pipe; otherwise it returns.
// A binary that creates a Pool calls it first thing in main (tests, in
// TestMain), before anything else reads standard input or writes output.
func ServeIfChild() {
	v, ok := os.LookupEnv(envMarker)
	if !ok {
		return
	}
	budget, err := strconv.ParseInt(v, 10, 64)
	if err != nil || budget <= 0 {
		fmt.Fprintf(os.Stderr, "%s: invalid budget %q\n", envMarker, v)
		os.Exit(2)
	}
	if err := serve(os.Stdin, os.Stdout, budget); err != nil {
		fmt.Fprintln(os.Stderr, "render process:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// serve caps the process's memory, then renders requests until in closes.
// Rendering is single-threaded, so few threads are needed; the collector
// works harder as the heap nears the budget, so that only a render that
// really needs more memory hits the cap.
func serve(in io.Reader, out io.Writer, budget int64) error {
	runtime.GOMAXPROCS(2)
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(budget / 2)
	if err := limitMemory(budget); err != nil {
		return fmt.Errorf("limiting memory: %w", err)
	}
	dec, enc := gob.NewDecoder(in), gob.NewEncoder(out)
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading a request: %w", err)
		}
		if err := enc.Encode(render(&req)); err != nil {
			return fmt.Errorf("writing a response: %w", err)
		}
	}
}

// render runs the Helm engine on one request; a panic becomes its error.
func render(req *request) (resp response) {
	defer func() {
		if p := recover(); p != nil {
			resp = response{Err: fmt.Sprintf("rendering failed: %v", p)}
		}
	}()
	ch, top, err := req.top()
	if err != nil {
		return response{Err: err.Error()}
	}
	out, err := engine.Engine{}.Render(ch, top)
	if err != nil {
		return response{Err: err.Error()}
	}
	return response{Out: out}
}
