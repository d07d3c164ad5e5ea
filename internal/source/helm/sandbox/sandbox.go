// Package sandbox renders Helm templates in child processes of the running
// binary whose address space is capped. Go cannot cap the memory of one
// goroutine, so a template that allocates without bound (`repeat` with a
// huge count, includes that double at each level) would end the whole scan
// with a fatal out-of-memory error; in a child it ends only that child, and
// the render fails with an error. A render past its deadline is stopped
// for real too: its child is killed.
//
// Only the engine's work moves: the parent sends a loaded chart and its
// render values, and gets the rendered templates back. Children serve one
// render at a time and are reused, since starting one costs tens of
// milliseconds; a child that fails is replaced.
//
// A binary that uses a Pool calls ServeIfChild first thing in main, and
// its test binaries in TestMain: the pool re-executes the binary.
package sandbox

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/bulwark-dev/bulwark/internal/capbuf"
)

// DefaultMemory is the address space one render may add to a child.
const DefaultMemory = 1 << 30

// Config says how children are started.
type Config struct {
	Executable string // the binary to re-execute (default: os.Executable)
	Children   int    // renders at once (default: GOMAXPROCS)
	Memory     int64  // bytes of address space a render may add (default: DefaultMemory)
}

// Pool hands renders to children, starting them as needed. It is safe for
// concurrent use; Close ends the idle children.
type Pool struct {
	cfg   Config
	slots chan struct{} // one per render running

	mu     sync.Mutex
	idle   []*child
	closed bool
}

// NewPool returns a pool; no child starts before the first render.
func NewPool(cfg Config) (*Pool, error) {
	if !Supported {
		return nil, errors.New("memory-capped rendering is supported on Linux only")
	}
	if cfg.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the binary to render in: %w", err)
		}
		cfg.Executable = exe
	}
	if cfg.Children <= 0 {
		cfg.Children = runtime.GOMAXPROCS(0)
	}
	if cfg.Memory <= 0 {
		cfg.Memory = DefaultMemory
	}
	return &Pool{cfg: cfg, slots: make(chan struct{}, cfg.Children)}, nil
}

// Render renders ch with the render values top, as engine.Render does, in
// a child. It stops the child when ctx ends.
func (p *Pool) Render(ctx context.Context, ch *chart.Chart, top chartutil.Values) (map[string]string, error) {
	req, err := newRequest(ch, top)
	if err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	c, err := p.take()
	if err != nil {
		return nil, err
	}
	type result struct {
		resp response
		err  error
	}
	done := make(chan result, 1)
	c.stderr.Reset()
	go func() {
		var r result
		if r.err = c.enc.Encode(req); r.err == nil {
			r.err = c.dec.Decode(&r.resp)
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, c.failed(r.err, p.cfg.Memory)
		}
		p.put(c)
		if r.resp.Err != "" {
			return nil, errors.New(r.resp.Err)
		}
		return r.resp.Out, nil
	case <-ctx.Done():
		c.stop()
		<-done
		return nil, ctx.Err()
	}
}

// Close ends the idle children; children still rendering end when their
// render does.
func (p *Pool) Close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
	return nil
}

func (p *Pool) take() (*child, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("render pool closed")
	}
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	return startChild(p.cfg)
}

func (p *Pool) put(c *child) {
	p.mu.Lock()
	if !p.closed {
		p.idle = append(p.idle, c)
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		c.close()
	}
}

// child is one render process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	enc    *gob.Encoder
	dec    *gob.Decoder
	stderr *capbuf.Buffer // what it wrote during the render: a fatal error first
}

func startChild(cfg Config) (*child, error) {
	cmd := exec.Command(cfg.Executable)
	cmd.Env = append(os.Environ(), envMarker+"="+strconv.FormatInt(cfg.Memory, 10))
	cmd.SysProcAttr = childAttr()
	stderr := &capbuf.Buffer{Max: 4096}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("starting a render process: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("starting a render process: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting a render process: %w", err)
	}
	return &child{cmd: cmd, stdin: stdin, enc: gob.NewEncoder(stdin), dec: gob.NewDecoder(stdout), stderr: stderr}, nil
}

// close lets an idle child end on its own.
func (c *child) close() {
	c.stdin.Close()
	_ = c.cmd.Wait()
}

// stop kills a child and waits for it.
func (c *child) stop() {
	_ = c.cmd.Process.Kill()
	c.stdin.Close()
	_ = c.cmd.Wait()
}

// failed stops a child whose render broke off and says why: most often the
// child ran out of the memory it may use.
func (c *child) failed(err error, memory int64) error {
	c.stop()
	msg := c.stderr.String()
	if strings.Contains(msg, "out of memory") || strings.Contains(msg, "cannot allocate memory") ||
		strings.Contains(msg, "pthread_create failed") {
		return fmt.Errorf("rendering used more than %d MiB of memory and was stopped: the templates or values expand without bound", memory>>20)
	}
	if line := firstError(msg); line != "" {
		return fmt.Errorf("render process failed (%v): %s", c.cmd.ProcessState, line)
	}
	return fmt.Errorf("render process failed (%v): %w", c.cmd.ProcessState, err)
}

// firstError is the line that says why a child failed: a fatal error
// comes before its goroutine dump.
func firstError(s string) string {
	if i := strings.Index(s, "fatal error: "); i >= 0 {
		s = s[i:]
	}
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
