// Package source turns "where" into file contents for the engine: paths on
// disk (files and directory trees) and standard input. It streams files one
// by one and never lets one bad file stop a scan.
package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// DefaultMaxFileSize bounds what one file may cost in memory.
const DefaultMaxFileSize = 20 << 20

// Options select and bound what is read.
type Options struct {
	// Exclude holds glob patterns matched against slash-separated paths
	// relative to the scanned root and against base names; "dir/" or "dir/**"
	// excludes a whole tree.
	Exclude []string
	// MaxFileSize rejects larger files with an error (0 = DefaultMaxFileSize).
	MaxFileSize int64
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Want selects, in directory walks, files other than manifests that some
	// check reads (CI workflows, any file for secrets). Such files are
	// skipped quietly when binary or too large.
	Want func(path string) bool
	// Root, when set, makes reported paths relative to it, so two checkouts
	// of one repository (a diff's base and head) name files alike.
	Root string
	// Rendered reports files (by absolute path, symlinks resolved in the
	// root) that a renderer reads (chart templates, Kustomize inputs): their
	// objects come from the render, so walks offer them to file checks only,
	// never as manifests.
	Rendered func(path string) bool
	// Deferred makes directory walks yield files unread: the consumer calls
	// Load, so a pool of workers reads them in parallel with checking.
	Deferred bool
	// Cache, when set, holds bytes that discovery read already; directory
	// walks take them from it instead of reading the files again.
	Cache *FileCache
	// Listing, when set, holds the directory walks discovery recorded;
	// directory walks of the same roots replay them.
	Listing *Listing
}

// File is one input: its contents, or the reason it could not be read.
type File struct {
	Path string // as shown in reports: relative to the working directory when inside it
	Data []byte
	Err  error // a reason to report instead of contents
	// Manifest is set for YAML and JSON files and files named on the command
	// line; other files come only because a check wants them.
	Manifest bool
	// Rendered output only: Chain says how it was produced, outermost first,
	// and Origin places its objects' fields in the files a person edits (Path
	// is the main one). File checks do not read rendered output: they read
	// the files on disk.
	Chain  []string
	Origin manifest.Locator
	// App is the GitOps app whose render produced the file (or failed to);
	// nil for files read as they are and for charts and overlays rendered
	// on their own.
	App *manifest.App

	load func() (File, bool) // set when a Deferred walk left the reading to Load
}

// Load returns the file with its contents read, when the walk deferred that.
// It returns false for a file to skip quietly (a non-manifest file some check
// wanted that turned out binary, too large or unreadable).
func (f File) Load() (File, bool) {
	if f.load == nil {
		return f, true
	}
	return f.load()
}

// manifestExts are the extensions read when walking directories; files named
// on the command line are read whatever their name.
var manifestExts = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// Walk sends every file to fn, in lexical order per root. It returns early
// only when ctx is cancelled or a root does not exist.
func Walk(ctx context.Context, roots []string, opts Options, fn func(File)) error {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	for _, root := range roots {
		if err := ctx.Err(); err != nil {
			return err
		}
		if root == "-" {
			fn(readStdin(opts))
			continue
		}
		info, err := os.Stat(root)
		if err != nil {
			return fmt.Errorf("reading %s: %w", root, err)
		}
		if !info.IsDir() {
			fn(readFile(root, opts.display(root), opts))
			continue
		}
		if err := walkDir(ctx, root, opts, fn); err != nil {
			return err
		}
	}
	return nil
}

func walkDir(ctx context.Context, root string, opts Options, fn func(File)) error {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolving %s: %w", root, err)
	}
	if real, err := filepath.EvalSymlinks(absRoot); err == nil {
		absRoot = real
	}
	walk := func(fn fs.WalkDirFunc) error { return filepath.WalkDir(root, fn) }
	if recorded, ok := opts.Listing.get(root); ok {
		walk = func(fn fs.WalkDirFunc) error { return replay(root, recorded, fn) }
	}
	return walk(func(path string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if err != nil {
			fn(File{Path: opts.display(path), Err: fmt.Errorf("cannot read: %w", unwrapPathErr(err))})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && (d.Name() == ".git" || excluded(rel+"/", d.Name(), opts.Exclude)) {
				return fs.SkipDir
			}
			return nil
		}
		if excluded(rel, d.Name(), opts.Exclude) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return followLink(path, absRoot, opts, fn)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		abs := filepath.Join(absRoot, filepath.FromSlash(rel))
		rendered := opts.Rendered != nil && opts.Rendered(abs)
		display := opts.display(path)
		// Discovery may have read the file already.
		load := func() File {
			if data, ok := opts.Cache.take(abs); ok {
				return checked(display, data, opts)
			}
			return readFile(path, display, opts)
		}
		var read func() (File, bool)
		switch {
		case manifestExts[strings.ToLower(filepath.Ext(path))] && !rendered:
			read = func() (File, bool) { return load(), true }
		case opts.Want != nil && opts.Want(display):
			read = func() (File, bool) {
				f := load()
				f.Manifest = false
				return f, f.Err == nil
			}
		default:
			opts.Cache.take(abs) // nothing reads it: free its share of the cache
			return nil
		}
		if opts.Deferred {
			fn(File{Path: display, load: read})
		} else if f, ok := read(); ok {
			fn(f)
		}
		return nil
	})
}

// followLink reads a symlinked manifest only when it stays inside the root;
// a link that leaves it is reported, never read, so a repository cannot make
// the scanner read files elsewhere on the machine.
func followLink(path, absRoot string, opts Options, fn func(File)) error {
	if !manifestExts[strings.ToLower(filepath.Ext(path))] {
		return nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		fn(File{Path: opts.display(path), Err: fmt.Errorf("broken symlink: %w", unwrapPathErr(err))})
		return nil
	}
	if !within(absRoot, target) {
		fn(File{Path: opts.display(path), Err: errors.New("symlink points outside the scanned root; not followed")})
		return nil
	}
	// Inside the root: the target is scanned on its own, so skip the alias.
	return nil
}

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

func excluded(rel, base string, patterns []string) bool {
	for _, p := range patterns {
		p = filepath.ToSlash(p)
		if dir, ok := strings.CutSuffix(p, "/**"); ok {
			p = dir + "/"
		}
		if strings.HasSuffix(p, "/") {
			if strings.HasPrefix(rel, p) || strings.Contains("/"+rel, "/"+p) {
				return true
			}
			continue
		}
		if m, _ := filepath.Match(p, strings.TrimSuffix(rel, "/")); m {
			return true
		}
		if m, _ := filepath.Match(p, base); m {
			return true
		}
	}
	return false
}

func readFile(path, display string, opts Options) File {
	f, err := os.Open(path)
	if err != nil {
		return File{Path: display, Err: fmt.Errorf("cannot read: %w", unwrapPathErr(err))}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return File{Path: display, Err: fmt.Errorf("cannot read: %w", unwrapPathErr(err))}
	}
	if info.IsDir() {
		return File{Path: display, Err: errors.New("is a directory")}
	}
	if info.Size() > opts.MaxFileSize {
		return File{Path: display, Err: tooLarge(info.Size(), opts.MaxFileSize)}
	}
	data, err := readSized(f, info.Size(), opts.MaxFileSize)
	if err != nil {
		return File{Path: display, Err: fmt.Errorf("cannot read: %w", unwrapPathErr(err))}
	}
	return checked(display, data, opts)
}

// readSized reads an open file whose size Stat gave, in one allocation
// unless it grew since; at most limit+1 bytes, so checked can refuse more.
func readSized(f *os.File, size, limit int64) ([]byte, error) {
	data := make([]byte, 0, min(size, limit)+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF || int64(len(data)) > limit {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

func readStdin(opts Options) File {
	if opts.Stdin == nil {
		return File{Path: "stdin", Err: errors.New("no standard input")}
	}
	data, err := io.ReadAll(io.LimitReader(opts.Stdin, opts.MaxFileSize+1))
	if err != nil {
		return File{Path: "stdin", Err: fmt.Errorf("cannot read: %w", err)}
	}
	return checked("stdin", data, opts)
}

func checked(display string, data []byte, opts Options) File {
	if int64(len(data)) > opts.MaxFileSize {
		return File{Path: display, Err: tooLarge(int64(len(data)), opts.MaxFileSize)}
	}
	head := data
	if len(head) > 8000 {
		head = head[:8000]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return File{Path: display, Err: errors.New("binary file (contains NUL bytes); not a manifest")}
	}
	return File{Path: display, Data: data, Manifest: true}
}

func tooLarge(size, limit int64) error {
	return fmt.Errorf("file is %.1f MiB, over the %.0f MiB limit (--max-file-size)", float64(size)/(1<<20), float64(limit)/(1<<20))
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Display is the path reports show for a file on disk.
func (o Options) Display(path string) string { return o.display(path) }

// display shows paths relative to the working directory when they are
// inside it, with forward slashes, so reports are the same on every machine.
func (o Options) display(path string) string {
	if o.Root != "" {
		if rel, err := filepath.Rel(o.Root, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	if filepath.IsAbs(path) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
				path = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}
