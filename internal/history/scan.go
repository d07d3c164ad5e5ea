package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/secrets"
)

// Options select what history is read and how.
type Options struct {
	// Dir is any directory inside the repository.
	Dir string
	// Since, when set, limits the scan to commits not reachable from this
	// revision (the commits a push brings, in CI).
	Since string
	// Workers scan file diffs in parallel (0: one per CPU).
	Workers int
	// MaxBlob bounds the files read whole, at HEAD or to check a change
	// structurally (0: DefaultMaxBlob). Larger files are scanned by their
	// added lines only.
	MaxBlob int64
	// Progress, when set, is called from one goroutine as commits are read.
	Progress func(Progress)
	// Exclude holds glob patterns of paths (relative to the repository's
	// top) whose changes are not read; "dir/" or "dir/**" skips a tree.
	Exclude []string
	// scanText reads added lines (secrets.ScanText); tests replace it to
	// make a check fail.
	scanText func(path string, text []byte) []rule.Hit
}

// DefaultMaxBlob is the size limit for files read whole.
const DefaultMaxBlob = 8 << 20

// Progress is how far a scan has got.
type Progress struct {
	Commits, Total, Findings int
}

// Result is what a history scan found.
type Result struct {
	Commits  int // commits read
	Files    int // file changes scanned
	Findings []rule.Finding
	// Failed are the changes whose checks failed inside Bulwark (a panic,
	// recovered): their findings are missing.
	Failed []manifest.Error
}

// Scan reads the history and returns one finding per secret and place, at
// the oldest commit that added it.
func Scan(ctx context.Context, opts Options) (*Result, error) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxBlob <= 0 {
		opts.MaxBlob = DefaultMaxBlob
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	top, err := output(ctx, opts.Dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%s is not inside a Git repository: %w", opts.Dir, err)
	}
	revs := []string{"--all"}
	if opts.Since != "" {
		sha, err := output(ctx, top, "rev-parse", "--verify", "--quiet", "--end-of-options", opts.Since+"^{commit}")
		if err != nil || sha == "" {
			return nil, &RevisionError{Rev: opts.Since}
		}
		revs = append(revs, "^"+sha)
	}
	total := 0
	if n, err := output(ctx, top, append([]string{"rev-list", "--count"}, revs...)...); err == nil {
		fmt.Sscan(n, &total)
	}
	if total == 0 {
		return &Result{}, nil // no commit to read (an empty repository, or nothing since)
	}

	s := &scan{opts: opts, top: top, head: map[string]bool{}, found: map[string]*found{}}
	jobs := make(chan *fileDiff, opts.Workers*2)
	var workers sync.WaitGroup
	readers := make([]*blobReader, opts.Workers)
	for i := range opts.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for d := range jobs {
				s.scanDiffGuarded(ctx, &readers[i], d)
			}
		}()
	}

	var feeders sync.WaitGroup
	var headErr error
	feeders.Add(1)
	go func() {
		defer feeders.Done()
		headErr = s.feedHead(ctx, jobs)
	}()

	logArgs := append([]string{"log", "-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--full-index",
		"-M", logFormat}, revs...)
	git, err := startGit(ctx, top, false, append(append(logArgs, "--"), pathspecs(opts.Exclude)...)...)
	if err != nil {
		close(jobs)
		return nil, err
	}
	res := &Result{}
	p := newParser(git.stdout, func(d *fileDiff) {
		res.Files++
		jobs <- d
	}, func(c *Commit) {
		res.Commits++
		if opts.Progress != nil && (res.Commits%64 == 0 || res.Commits == total) {
			opts.Progress(Progress{Commits: res.Commits, Total: total, Findings: s.count()})
		}
	})
	parseErr := p.run()
	if parseErr != nil {
		cancel()
	}
	feeders.Wait()
	close(jobs)
	workers.Wait()
	for _, r := range readers {
		r.close()
	}
	if err := git.wait(); err != nil && parseErr == nil && ctx.Err() == nil {
		return nil, err
	}
	if parseErr != nil {
		return nil, fmt.Errorf("reading git log: %w", parseErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if headErr != nil {
		return nil, fmt.Errorf("reading HEAD: %w", headErr)
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Commits: res.Commits, Total: total, Findings: s.count()})
	}
	res.Findings, res.Failed = s.findings(), s.failed
	sort.Slice(res.Failed, func(i, j int) bool {
		a, b := res.Failed[i], res.Failed[j]
		return a.File < b.File || a.File == b.File && a.Msg < b.Msg
	})
	return res, nil
}

// pathspecs turns exclusion globs into git pathspecs.
func pathspecs(exclude []string) []string {
	if len(exclude) == 0 {
		return nil
	}
	out := []string{"."}
	for _, p := range exclude {
		p = strings.TrimPrefix(filepath.ToSlash(p), "./")
		if strings.HasSuffix(p, "/") {
			p += "**"
		}
		out = append(out, ":(exclude,glob)"+p)
		if !strings.Contains(p, "/") {
			out = append(out, ":(exclude,glob)**/"+p) // a base name, at any depth
		}
	}
	return out
}

// RevisionError is a --since revision that does not name a commit.
type RevisionError struct{ Rev string }

func (e *RevisionError) Error() string {
	return fmt.Sprintf("revision %q does not name a commit in this repository", e.Rev)
}

// scan is the state the workers share.
type scan struct {
	opts Options
	top  string

	mu     sync.Mutex
	head   map[string]bool   // fingerprints of the secrets in HEAD's tree
	found  map[string]*found // by finding fingerprint
	failed []manifest.Error
}

type found struct {
	f      rule.Finding
	commit *Commit
	key    string // the secret's keyed fingerprint
}

func (s *scan) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.found)
}

// feedHead queues every text file of HEAD's tree, to learn which secrets
// are still there.
func (s *scan) feedHead(ctx context.Context, jobs chan<- *fileDiff) error {
	if _, err := output(ctx, s.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		return nil // unborn HEAD: nothing is still there
	}
	ls, err := startGit(ctx, s.top, false, "ls-tree", "-r", "-z", "--full-tree", "-l", "HEAD")
	if err != nil {
		return err
	}
	blobs, err := newBlobReader(ctx, s.top)
	if err != nil {
		ls.wait()
		return err
	}
	r := bufio.NewReaderSize(ls.stdout, 64<<10)
	var readErr error
	for {
		entry, err := r.ReadString(0)
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		// <mode> SP <type> SP <object> SP <size> TAB <path> NUL
		meta, path, ok := strings.Cut(strings.TrimSuffix(entry, "\x00"), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 || f[1] != "blob" || !secrets.TextFile(path) {
			continue
		}
		var size int64
		if _, err := fmt.Sscan(f[3], &size); err != nil || size > s.opts.MaxBlob || size == 0 {
			continue
		}
		data, err := blobs.read(f[2], s.opts.MaxBlob)
		if err != nil {
			if errors.Is(err, errTooLarge) || strings.Contains(err.Error(), "missing") {
				continue
			}
			readErr = err
			break
		}
		select {
		case jobs <- &fileDiff{path: path, whole: true, added: data}:
		case <-ctx.Done():
			readErr = ctx.Err()
		}
		if readErr != nil {
			break
		}
	}
	if err := blobs.close(); err != nil && readErr == nil && ctx.Err() == nil {
		readErr = err
	}
	if err := ls.wait(); err != nil && readErr == nil && ctx.Err() == nil {
		readErr = err
	}
	return readErr
}

// scanDiffGuarded is scanDiff, except that a check that panics costs that
// change's findings, not the scan. The worker's blob reader is started
// afresh: the panic may have left it in the middle of a blob.
func (s *scan) scanDiffGuarded(ctx context.Context, reader **blobReader, d *fileDiff) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if *reader != nil {
			(*reader).close()
			*reader = nil
		}
		where := "HEAD"
		if d.commit != nil {
			where = "commit " + d.commit.SHA
		}
		e := manifest.Error{File: d.path, Msg: where + ": " + engine.InternalError(p)}
		s.mu.Lock()
		s.failed = append(s.failed, e)
		s.mu.Unlock()
	}()
	s.scanDiff(ctx, reader, d)
}

// scanDiff scans one file change (or one HEAD file, when d.commit is nil).
func (s *scan) scanDiff(ctx context.Context, reader **blobReader, d *fileDiff) {
	if d.commit == nil {
		keys := map[string]bool{}
		for _, h := range secrets.ScanFile(d.path, d.added) {
			if secretKey(h.Key) {
				keys[h.Key] = true
			}
		}
		s.mu.Lock()
		for k := range keys {
			s.head[k] = true
		}
		s.mu.Unlock()
		return
	}
	if !secrets.TextFile(d.path) {
		return
	}
	if secrets.StructuredFile(d.path) && (d.whole || secrets.CandidatePath(d.path) || candidates(d.added)) {
		data := d.added
		if !d.whole {
			data = s.blob(ctx, reader, d.blob)
		}
		if data != nil {
			added := make(map[int]bool, len(d.lines))
			for _, l := range d.lines {
				added[l] = true
			}
			for _, h := range secrets.ScanFile(d.path, data) {
				if line := hitLine(h); added[line] {
					s.record(d, h)
				}
			}
			return
		}
	}
	scanText := s.opts.scanText
	if scanText == nil {
		scanText = secrets.ScanText
	}
	for _, h := range scanText(d.path, d.added) {
		if h.Line >= 1 && h.Line <= len(d.lines) {
			h.Line = d.lines[h.Line-1]
			s.record(d, h)
		}
	}
}

// blob reads a file as a commit left it, or returns nil.
func (s *scan) blob(ctx context.Context, reader **blobReader, sha string) []byte {
	if sha == "" || strings.Trim(sha, "0") == "" {
		return nil
	}
	if *reader == nil {
		r, err := newBlobReader(ctx, s.top)
		if err != nil {
			return nil
		}
		*reader = r
	}
	data, err := (*reader).read(sha, s.opts.MaxBlob)
	if err != nil {
		return nil
	}
	return data
}

// candidates reports added lines worth reading the whole file for.
func candidates(added []byte) bool {
	for len(added) > 0 {
		line := added
		if i := bytes.IndexByte(added, '\n'); i >= 0 {
			line, added = added[:i], added[i+1:]
		} else {
			added = nil
		}
		if secrets.CandidateLine(line) {
			return true
		}
	}
	return false
}

// hitLine is the file line of a hit.
func hitLine(h rule.Hit) int {
	if h.Line > 0 || h.Object == nil {
		return h.Line
	}
	pos, _ := h.Object.Pos(h.Path)
	return pos.Line
}

// secretKey reports a hit's key that is a secret's fingerprint, as opposed
// to a risk that is not a leaked value (insecure TLS, a cluster-wide seal).
func secretKey(k string) bool { return strings.HasPrefix(k, "sha256:") }

// record turns a hit into a finding and keeps the oldest commit per
// finding fingerprint.
func (s *scan) record(d *fileDiff, h rule.Hit) {
	if !secretKey(h.Key) {
		return
	}
	f, ok := toFinding(d.path, h)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.found[f.Fingerprint]; ok && old.commit.Index >= d.commit.Index {
		return
	}
	f.Commit = &rule.Commit{SHA: d.commit.SHA, Author: d.commit.Author, Date: d.commit.Date}
	s.found[f.Fingerprint] = &found{f: f, commit: d.commit, key: h.Key}
}

// findings returns the findings with StillAtHead set, in a stable order:
// by file, line, rule, then commit.
func (s *scan) findings() []rule.Finding {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]rule.Finding, 0, len(s.found))
	for _, fd := range s.found {
		f := fd.f
		f.Commit.StillAtHead = s.head[fd.key]
		state := "removed since"
		if f.Commit.StillAtHead {
			state = "still at HEAD"
		}
		date := f.Commit.Date
		if len(date) >= 10 {
			date = date[:10]
		}
		f.Message = fmt.Sprintf("%s; added in commit %s by %s on %s, %s", f.Message, short(f.Commit.SHA), f.Commit.Author, date, state)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Location.File != b.Location.File {
			return a.Location.File < b.Location.File
		}
		if a.Location.Line != b.Location.Line {
			return a.Location.Line < b.Location.Line
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Commit.SHA < b.Commit.SHA
	})
	return out
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// toFinding completes a hit the way the engine does, so that a secret still
// at HEAD has the same finding fingerprint in a history scan as in a scan
// of the working tree, and one baseline serves both.
func toFinding(file string, h rule.Hit) (rule.Finding, bool) {
	m, ok := secrets.Meta(h.Rule)
	if !ok {
		return rule.Finding{}, false
	}
	f := rule.Finding{
		ID: m.ID, Name: m.Name, Title: m.Title, Category: m.Category, Severity: m.Severity,
		Message: h.Message, Evidence: h.Evidence, Remediation: m.Remediation, References: m.References,
	}
	if h.Severity != 0 {
		f.Severity = h.Severity
	}
	f.Location = rule.Location{File: file, Line: h.Line, Column: h.Column}
	if o := h.Object; o != nil {
		f.Object = &rule.ObjectRef{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace(), Name: o.Name()}
		f.Location.FieldPath = h.Path
		if h.Line == 0 {
			pos, _ := o.Pos(h.Path)
			f.Location.Line, f.Location.Column = pos.Line, pos.Column
		}
	}
	f.Fingerprint = engine.Fingerprint(f, h.Key) // the same as working-tree findings
	return f, true
}
