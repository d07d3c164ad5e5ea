package helm

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"
)

// Limits bound what one chart may cost; zero fields take the defaults.
// They bound what is read and what is kept, not what a template allocates
// while it runs: Go cannot cap one goroutine's memory, and in-process one
// call such as `repeat` or `until` with a huge count ends the process with
// an out-of-memory error. Options.Renderer bounds that memory by rendering
// in a capped child process (see the sandbox package).
type Limits struct {
	MaxChartSize int64 // all files of a chart directory together (default 100 MiB, Helm's own archive limit)
	MaxFileSize  int64 // one file (default 5 MiB, Helm's own limit)
	MaxOutput    int64 // all rendered output of one release, checked once it is rendered (default 64 MiB)
}

func (l Limits) withDefaults() Limits {
	if l.MaxChartSize <= 0 {
		l.MaxChartSize = loader.MaxDecompressedChartSize
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = loader.MaxDecompressedFileSize
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = 64 << 20
	}
	return l
}

// IsChartDir reports whether dir holds a Chart.yaml.
func IsChartDir(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil && info.Mode().IsRegular()
}

// IsLibrary reports whether the chart in dir is a library chart, which is
// rendered only as a dependency of another chart.
func IsLibrary(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return false
	}
	var md chart.Metadata
	return yamlUnmarshal(data, &md) == nil && strings.EqualFold(md.Type, "library")
}

// IsArchive reports whether a path names a packaged chart.
func IsArchive(p string) bool {
	return strings.HasSuffix(p, ".tgz") || strings.HasSuffix(p, ".tar.gz")
}

// place is where a chart (or a subchart) lives on disk: a directory, or a
// packaged archive whose files a person cannot edit line by line.
type place struct {
	dir     string            // absolute directory, "" inside an archive
	archive string            // absolute archive path, when packaged
	subs    map[string]*place // subcharts by chart name
}

// loadChart reads a chart directory or archive without following links out
// of root, and records where each subchart came from.
func loadChart(chartPath, root string, lim Limits) (*chart.Chart, *place, error) {
	abs, err := filepath.Abs(chartPath)
	if err != nil {
		return nil, nil, err
	}
	if IsArchive(abs) {
		data, err := readBounded(abs, lim.MaxChartSize)
		if err != nil {
			return nil, nil, err
		}
		ch, err := loader.LoadArchive(bytes.NewReader(data))
		if err != nil {
			return nil, nil, err
		}
		return ch, archivePlace(abs, ch), nil
	}
	files, err := readChartDir(abs, root, lim)
	if err != nil {
		return nil, nil, err
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, nil, err
	}
	pl, err := dirPlace(abs, files)
	if err != nil {
		return nil, nil, err
	}
	return ch, pl, nil
}

func archivePlace(archive string, ch *chart.Chart) *place {
	p := &place{archive: archive, subs: map[string]*place{}}
	for _, d := range ch.Dependencies() {
		p.subs[d.Name()] = archivePlace(archive, d)
	}
	return p
}

// dirPlace maps the subcharts vendored in charts/ to their directories or
// archives, by the name in their Chart.yaml.
func dirPlace(dir string, files []*loader.BufferedFile) (*place, error) {
	p := &place{dir: dir, subs: map[string]*place{}}
	byDir := map[string][]*loader.BufferedFile{}
	for _, f := range files {
		rest, ok := strings.CutPrefix(f.Name, "charts/")
		if !ok {
			continue
		}
		first, inner, nested := strings.Cut(rest, "/")
		switch {
		case nested:
			byDir[first] = append(byDir[first], &loader.BufferedFile{Name: inner, Data: f.Data})
		case IsArchive(first):
			ch, err := loader.LoadArchive(bytes.NewReader(f.Data))
			if err != nil {
				return nil, fmt.Errorf("charts/%s: %w", first, err)
			}
			p.subs[ch.Name()] = archivePlace(filepath.Join(dir, "charts", first), ch)
		}
	}
	for sub, subFiles := range byDir {
		name := ""
		for _, f := range subFiles {
			if f.Name == "Chart.yaml" {
				var md chart.Metadata
				if err := yamlUnmarshal(f.Data, &md); err == nil {
					name = md.Name
				}
			}
		}
		if name == "" {
			continue
		}
		sp, err := dirPlace(filepath.Join(dir, "charts", sub), subFiles)
		if err != nil {
			return nil, err
		}
		p.subs[name] = sp
	}
	return p, nil
}

// readChartDir reads a chart directory the way Helm's directory loader does
// (.helmignore, dotfiles in templates/ skipped, byte-order marks dropped),
// but refuses links that leave root, irregular files and oversized charts.
func readChartDir(dir, root string, lim Limits) ([]*loader.BufferedFile, error) {
	rules := ignore.Empty()
	if _, err := os.Stat(filepath.Join(dir, ignore.HelmIgnore)); err == nil {
		r, err := ignore.ParseFile(filepath.Join(dir, ignore.HelmIgnore))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
		rules = r
	}
	rules.AddDefaults()
	var files []*loader.BufferedFile
	var total int64
	visited := map[string]bool{}
	var walk func(real, name string) error
	walk = func(real, name string) error {
		if visited[real] {
			return fmt.Errorf("%s: symlink loop", name)
		}
		visited[real] = true
		entries, err := os.ReadDir(real)
		if err != nil {
			return err
		}
		for _, e := range entries {
			n := path.Join(name, e.Name())
			full := filepath.Join(real, e.Name())
			info, err := os.Stat(full)
			if e.Type()&fs.ModeSymlink != 0 {
				target, lerr := filepath.EvalSymlinks(full)
				if lerr != nil {
					return fmt.Errorf("%s: broken symlink", n)
				}
				if !Within(root, target) {
					return fmt.Errorf("%s: symlink points outside the repository; not followed", n)
				}
				full = target
			}
			if err != nil {
				return fmt.Errorf("%s: %w", n, unwrapPathErr(err))
			}
			if rules.Ignore(n, info) {
				continue
			}
			if info.IsDir() {
				if err := walk(full, n); err != nil {
					return err
				}
				continue
			}
			if !info.Mode().IsRegular() {
				return fmt.Errorf("%s: not a regular file", n)
			}
			if info.Size() > lim.MaxFileSize {
				return fmt.Errorf("%s: file is larger than %d bytes", n, lim.MaxFileSize)
			}
			if total += info.Size(); total > lim.MaxChartSize {
				return fmt.Errorf("chart is larger than %d bytes", lim.MaxChartSize)
			}
			data, err := os.ReadFile(full)
			if err != nil {
				return fmt.Errorf("%s: %w", n, unwrapPathErr(err))
			}
			files = append(files, &loader.BufferedFile{Name: n, Data: bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))})
		}
		return nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	if err := walk(real, ""); err != nil {
		return nil, err
	}
	return files, nil
}

func readBounded(p string, limit int64) ([]byte, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("archive is larger than %d bytes", limit)
	}
	return os.ReadFile(p)
}

// Within reports whether p is root or inside it (both absolute, cleaned).
// An empty root allows everything.
func Within(root, p string) bool {
	if root == "" {
		return true
	}
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkDependencies reports dependencies named in Chart.yaml that are not
// vendored, as `helm template` does, with the fix.
func checkDependencies(ch *chart.Chart) error {
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		found := false
		for _, sub := range ch.Dependencies() {
			if sub.Name() == d.Name {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("dependencies missing from charts/: %s (vendor them with `helm dependency build`)", strings.Join(missing, ", "))
	}
	return nil
}
