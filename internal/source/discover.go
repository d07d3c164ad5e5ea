package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bulwark-dev/bulwark/internal/bytesearch"
	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// Inventory is what a walk of the scanned roots found that is rendered as a
// whole instead of read file by file: Helm charts, Kustomize roots, and the
// files that may define GitOps apps.
type Inventory struct {
	Charts         []string // directories holding Chart.yaml; subcharts vendored in charts/ belong to their parent
	Archives       []string // packaged charts (.tgz) outside chart directories
	Kustomizations []string // directories holding a kustomization file
	Apps           []string // manifests that mention Argo CD or Flux kinds
	ConfigMaps     []string // manifests holding a ConfigMap (Flux valuesFrom)
}

var kustomizationNames = map[string]bool{"kustomization.yaml": true, "kustomization.yml": true, "Kustomization": true}

// appMarkers are the API groups of the app definitions Bulwark follows, each
// with the index of a letter rare in manifests, looked for first.
var appMarkers = []struct {
	group []byte
	rare  int
}{{[]byte("argoproj.io/"), 7}, {[]byte("fluxcd.io/"), 3}}

// Discover walks the roots (absolute paths are returned) and lists what a
// renderer reads as a whole. It reads YAML and JSON files' bytes, in
// parallel, to find app definitions and ConfigMaps, and leaves them in
// opts.Cache for the walk that scans them.
func Discover(ctx context.Context, roots []string, opts Options) (*Inventory, error) {
	inv := &Inventory{}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	// Manifests are read by a pool while the walk goes on.
	reader := inv.startReading(opts)
	err := inv.walk(ctx, roots, opts, reader.add)
	reader.wait()
	if err != nil {
		return nil, err
	}
	inv.Charts = dedupe(inv.Charts)
	inv.Archives = dedupe(inv.Archives)
	inv.Kustomizations = dedupe(inv.Kustomizations)
	inv.Apps = dedupe(inv.Apps)
	inv.ConfigMaps = dedupe(inv.ConfigMaps)
	return inv, nil
}

// walk lists the roots' charts, archives and kustomizations and passes
// the manifests to read to add.
func (inv *Inventory) walk(ctx context.Context, roots []string, opts Options, add func(string)) error {
	for _, root := range roots {
		if root == "-" {
			continue
		}
		abs, err := filepath.Abs(root)
		if err != nil {
			return err
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		info, err := os.Stat(abs)
		if err != nil {
			return fmt.Errorf("reading %s: %w", root, err)
		}
		if !info.IsDir() {
			if inv.file(abs, filepath.Base(abs)) {
				add(abs)
			}
			continue
		}
		// The walk is recorded for the scan's walk of the same root, which
		// replays it instead of listing every directory again; a root that is
		// a symbolic link is walked as the scan walks it, so not recorded.
		var listing []entry
		record := false
		if li, err := os.Lstat(root); err == nil && li.IsDir() && opts.Listing != nil {
			record = true
		}
		chart := "" // the chart directory being walked: its files are the chart's
		err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			rel, _ := filepath.Rel(abs, path)
			if record {
				listing = append(listing, entry{rel: rel, d: d, err: err})
			}
			if err != nil {
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			rel = filepath.ToSlash(rel)
			if chart != "" && !strings.HasPrefix(path, chart) {
				chart = ""
			}
			if d.IsDir() {
				if path != abs && (d.Name() == ".git" || excluded(rel+"/", d.Name(), opts.Exclude)) {
					return fs.SkipDir
				}
				if chart == "" && isFile(filepath.Join(path, "Chart.yaml")) {
					inv.Charts = append(inv.Charts, path)
					chart = path + string(filepath.Separator) // templates and subcharts are the chart's
					if !record {
						return fs.SkipDir
					}
				}
				return nil
			}
			if chart != "" || excluded(rel, d.Name(), opts.Exclude) || !d.Type().IsRegular() {
				return nil
			}
			if kustomizationNames[d.Name()] && !fluxObject(path) {
				inv.Kustomizations = append(inv.Kustomizations, filepath.Dir(path))
			}
			if inv.file(path, d.Name()) {
				add(path)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if record {
			opts.Listing.put(root, listing)
		}
	}
	return nil
}

// file classifies one file: a chart archive, or a manifest to read.
func (inv *Inventory) file(path, name string) bool {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".tgz") {
		inv.Archives = append(inv.Archives, path)
		return false
	}
	return manifestExts[filepath.Ext(lower)]
}

// reading looks into manifests for app definitions and ConfigMaps while
// the walk goes on, a worker per CPU, keeping their bytes in opts.Cache for
// the scan. The lists it fills are sorted when discovery ends.
type reading struct {
	next chan string
	wg   sync.WaitGroup
}

func (inv *Inventory) startReading(opts Options) *reading {
	r := &reading{next: make(chan string, 64)}
	var mu sync.Mutex
	for range runtime.GOMAXPROCS(0) {
		r.wg.Go(func() {
			for path := range r.next {
				f := readFile(path, path, opts)
				if f.Err != nil {
					continue // the scan's walk reports it
				}
				app := false
				for _, m := range appMarkers {
					app = app || bytesearch.Contains(f.Data, m.group, m.rare)
				}
				cm := bytesearch.Contains(f.Data, []byte("ConfigMap"), 6)
				opts.Cache.put(path, f.Data)
				mu.Lock()
				if app {
					inv.Apps = append(inv.Apps, path)
				}
				if cm {
					inv.ConfigMaps = append(inv.ConfigMaps, path)
				}
				mu.Unlock()
			}
		})
	}
	return r
}

// add queues a file; the walk's goroutine calls it.
func (r *reading) add(path string) { r.next <- path }

// wait lets the workers finish.
func (r *reading) wait() {
	close(r.next)
	r.wg.Wait()
}

// fluxObject reports whether a file named like a kustomization holds a Flux
// Kustomization object instead: a definition to follow, not a root to build.
func fluxObject(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && bytes.Contains(data, []byte("kustomize.toolkit.fluxcd.io/"))
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Unit is something rendered as a whole: a Helm release, a Kustomize
// build, or what an app definition deploys.
type Unit struct {
	Kind  string // helm, kustomize, argocd, flux, directory
	Path  string // absolute: the chart, kustomization directory or app file
	Label string // one line for --explain
	Files []File // the rendered output
	Err   error  // why it could not be rendered
	// App is the GitOps app the unit renders for, given to every file of
	// its output (and to its error); nil for charts and overlays on their own.
	App *manifest.App
	// Claims are the files (absolute) and directories (absolute, ending in
	// a separator) whose objects the output stands for; the plan does not
	// read them as manifests again.
	Claims []string
}

// Plan is what a scan reads: plain files, and the output of every unit.
type Plan struct {
	Roots   []string // walked for plain files (as given)
	Options Options
	Units   []*Unit
	Notes   []string // what was discovered but not rendered, and why
}

// Walk streams the plan: the plain files no unit claims (claimed files are
// still offered to file checks), then each unit's output or error.
func (p *Plan) Walk(ctx context.Context, yield func(File)) error {
	opts := p.Options
	opts.Deferred = true // its files go to ScanFiles, whose workers read them
	claims := p.claims()
	if len(claims.files) > 0 || len(claims.dirs) > 0 {
		opts.Rendered = claims.has
	}
	if err := Walk(ctx, p.Roots, opts, yield); err != nil {
		return err
	}
	for _, u := range p.Units {
		if err := ctx.Err(); err != nil {
			return err
		}
		if u.Err != nil {
			yield(File{Path: opts.display(u.Path), Err: u.Err, App: u.App})
			continue
		}
		for _, f := range u.Files {
			if f.App == nil {
				f.App = u.App
			}
			yield(f)
		}
	}
	return nil
}

type claimSet struct {
	files map[string]bool
	dirs  []string
}

func (p *Plan) claims() claimSet {
	c := claimSet{files: map[string]bool{}}
	for _, u := range p.Units {
		for _, cl := range u.Claims {
			if strings.HasSuffix(cl, string(filepath.Separator)) {
				c.dirs = append(c.dirs, cl)
			} else {
				c.files[cl] = true
			}
		}
	}
	return c
}

func (c claimSet) has(path string) bool {
	if c.files[path] {
		return true
	}
	for _, d := range c.dirs {
		if strings.HasPrefix(path, d) {
			return true
		}
	}
	return false
}

// Explain writes what the plan renders and why, for --explain.
func (p *Plan) Explain(w io.Writer) {
	fmt.Fprintf(w, "Discovered %d render unit(s):\n", len(p.Units))
	for _, u := range p.Units {
		status := fmt.Sprintf("%d file(s)", len(u.Files))
		if u.Err != nil {
			status = "error: " + firstLine(u.Err.Error())
		}
		fmt.Fprintf(w, "  %-10s %s\n             %s; %s\n", u.Kind, p.Options.display(u.Path), u.Label, status)
	}
	if len(p.Notes) > 0 {
		fmt.Fprintln(w, "Not rendered:")
		for _, n := range p.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	fmt.Fprintln(w, "Every other YAML or JSON file under the scanned paths is read as plain manifests.")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
