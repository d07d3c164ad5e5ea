package kustomize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// guardedFS is the file system a build sees: the disk, read-only, with
// nothing outside the repository root readable (symlinks resolved), some
// files replaced or added in memory (kustomizations rewritten to record
// origins and to hold rendered Helm charts), and every file read recorded,
// so the plan knows which files the build stands for.
type guardedFS struct {
	disk    filesys.FileSystem
	root    string
	mu      sync.Mutex
	virtual map[string][]byte // by absolute path
	read    map[string]bool   // absolute, symlinks resolved
	kusts   []string          // kustomization files in the order they were first read
	// rewrite, when set, may replace a kustomization file's bytes as read.
	rewrite func(path string, data []byte) ([]byte, error)
}

func newGuardedFS(root string) *guardedFS {
	return &guardedFS{disk: filesys.MakeFsOnDisk(), root: root, virtual: map[string][]byte{}, read: map[string]bool{}}
}

var errReadOnly = errors.New("the build may not write files")

func (g *guardedFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (g *guardedFS) Mkdir(string) error                  { return errReadOnly }
func (g *guardedFS) MkdirAll(string) error               { return errReadOnly }
func (g *guardedFS) RemoveAll(string) error              { return errReadOnly }
func (g *guardedFS) WriteFile(string, []byte) error      { return errReadOnly }

func (g *guardedFS) addVirtual(path string, data []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.virtual[filepath.Clean(path)] = data
}

func (g *guardedFS) virtualData(path string) ([]byte, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, false
	}
	d, ok := g.virtual[abs]
	return d, ok
}

// check resolves path and refuses it when it leaves the root.
func (g *guardedFS) check(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	if !within(g.root, real) {
		return "", fmt.Errorf("%s: outside the repository (a symlink or a path that leaves it); not read", path)
	}
	return real, nil
}

func (g *guardedFS) Open(path string) (filesys.File, error) {
	if _, err := g.check(path); err != nil {
		return nil, err
	}
	return g.disk.Open(path)
}

func (g *guardedFS) ReadFile(path string) ([]byte, error) {
	if d, ok := g.virtualData(path); ok {
		return d, nil
	}
	real, err := g.check(path)
	if err != nil {
		return nil, err
	}
	data, err := g.disk.ReadFile(real)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	if !g.read[real] && isKustomizationFile(filepath.Base(real)) {
		g.kusts = append(g.kusts, real)
	}
	g.read[real] = true
	g.mu.Unlock()
	if g.rewrite != nil && isKustomizationFile(filepath.Base(real)) {
		return g.rewrite(real, data)
	}
	return data, nil
}

func (g *guardedFS) IsDir(path string) bool {
	if _, ok := g.virtualData(path); ok {
		return false
	}
	return g.disk.IsDir(path)
}

func (g *guardedFS) Exists(path string) bool {
	if _, ok := g.virtualData(path); ok {
		return true
	}
	return g.disk.Exists(path)
}

func (g *guardedFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	if _, ok := g.virtualData(path); ok {
		abs, _ := filepath.Abs(path)
		return filesys.ConfirmedDir(filepath.Dir(abs)), filepath.Base(abs), nil
	}
	if !g.disk.Exists(path) {
		return "", "", fmt.Errorf("%s: %w", path, os.ErrNotExist)
	}
	return g.disk.CleanedAbs(path)
}

func (g *guardedFS) ReadDir(path string) ([]string, error) {
	if _, err := g.check(path); err != nil {
		return nil, err
	}
	return g.disk.ReadDir(path)
}

func (g *guardedFS) Glob(pattern string) ([]string, error) { return g.disk.Glob(pattern) }

func (g *guardedFS) Walk(path string, fn filepath.WalkFunc) error {
	if _, err := g.check(path); err != nil {
		return err
	}
	return g.disk.Walk(path, fn)
}

// kustomizations lists the kustomization files read, the root first: the
// order kustomize visits them, so a kustomization is listed before the
// bases whose output it transforms.
func (g *guardedFS) kustomizations() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string{}, g.kusts...)
}

// files lists what the build read, sorted.
func (g *guardedFS) files() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.read))
	for p := range g.read {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func within(root, p string) bool {
	if root == "" {
		return true
	}
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != ".."+string(filepath.Separator))
}

// KustomizationFiles are the names kustomize reads, in its order.
var KustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

func isKustomizationFile(name string) bool {
	for _, k := range KustomizationFiles {
		if name == k {
			return true
		}
	}
	return false
}

// FileIn returns the kustomization file in dir, or "".
func FileIn(dir string) string {
	for _, k := range KustomizationFiles {
		p := filepath.Join(dir, k)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
	}
	return ""
}
