package history

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/bulwark-dev/bulwark/internal/capbuf"
)

// gitCmd runs git in dir with its output streamed to the caller. Stderr is
// drained into a bounded buffer as it arrives, so git never blocks on it,
// and is quoted in the error when git fails.
type gitCmd struct {
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stdin  io.WriteCloser
	stderr *capbuf.Buffer
	done   chan struct{}
}

func startGit(ctx context.Context, dir string, withStdin bool, args ...string) (*gitCmd, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "core.quotepath=false", "-c", "log.showSignature=false"}, args...)...)
	cmd.Dir = dir
	g := &gitCmd{cmd: cmd, stderr: &capbuf.Buffer{Max: 8 << 10}, done: make(chan struct{})}
	var err error
	if g.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	if withStdin {
		if g.stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running git: %w", err)
	}
	go func() {
		_, _ = io.Copy(g.stderr, errPipe)
		close(g.done)
	}()
	return g, nil
}

// wait waits for git to exit and returns its error with what it printed.
func (g *gitCmd) wait() error {
	if g.stdin != nil {
		g.stdin.Close()
	}
	_, _ = io.Copy(io.Discard, g.stdout) // let git finish writing
	<-g.done
	if err := g.cmd.Wait(); err != nil {
		msg := strings.TrimSpace(g.stderr.String())
		if msg == "" {
			return fmt.Errorf("git %s: %w", g.cmd.Args[5], err)
		}
		return fmt.Errorf("git %s: %s", g.cmd.Args[5], firstLines(msg, 3))
	}
	return nil
}

// output runs git to completion and returns its standard output.
func output(ctx context.Context, dir string, args ...string) (string, error) {
	g, err := startGit(ctx, dir, false, args...)
	if err != nil {
		return "", err
	}
	b, readErr := io.ReadAll(io.LimitReader(g.stdout, 1<<20))
	if err := g.wait(); err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), readErr
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "; ")
}

// blobReader reads blobs through one long-lived `git cat-file --batch`.
type blobReader struct {
	mu  sync.Mutex
	git *gitCmd
	r   *bufio.Reader
	err error
}

func newBlobReader(ctx context.Context, dir string) (*blobReader, error) {
	g, err := startGit(ctx, dir, true, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	return &blobReader{git: g, r: bufio.NewReaderSize(g.stdout, 64<<10)}, nil
}

// errTooLarge reports a blob over the size limit; its bytes are skipped.
var errTooLarge = errors.New("blob too large")

// read returns the blob's contents, or errTooLarge when it exceeds limit.
func (b *blobReader) read(sha string, limit int64) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil, b.err
	}
	if _, err := io.WriteString(b.git.stdin, sha+"\n"); err != nil {
		b.err = err
		return nil, err
	}
	header, err := b.r.ReadString('\n')
	if err != nil {
		b.err = err
		return nil, err
	}
	fields := strings.Fields(header)
	if len(fields) == 2 && fields[1] == "missing" {
		return nil, fmt.Errorf("blob %s missing", sha)
	}
	if len(fields) != 3 {
		b.err = fmt.Errorf("git cat-file: unexpected header %q", header)
		return nil, b.err
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		b.err = err
		return nil, err
	}
	if size > limit {
		if _, err := b.r.Discard(int(size) + 1); err != nil {
			b.err = err
			return nil, err
		}
		return nil, errTooLarge
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(b.r, data); err != nil {
		b.err = err
		return nil, err
	}
	return data[:size], nil
}

func (b *blobReader) close() error {
	if b == nil {
		return nil
	}
	b.git.stdin.Close()
	return b.git.wait()
}
