package source

import (
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
)

// FileCache holds the bytes discovery read so the scan that follows does not
// read the same files again. Entries leave when taken, and a budget bounds
// what it holds: files past it are read twice rather than held.
type FileCache struct {
	mu     sync.Mutex
	files  map[string][]byte
	budget int64
}

// NewFileCache returns a cache that holds at most budget bytes at once.
func NewFileCache(budget int64) *FileCache {
	return &FileCache{files: map[string][]byte{}, budget: budget}
}

// put keeps data for an absolute path when the budget allows.
func (c *FileCache) put(path string, data []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if int64(len(data)) > c.budget {
		return
	}
	c.budget -= int64(len(data))
	c.files[path] = data
}

// take returns and forgets the bytes kept for an absolute path.
func (c *FileCache) take(path string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	data, ok := c.files[path]
	if ok {
		delete(c.files, path)
		c.budget += int64(len(data))
	}
	return data, ok
}

// entry is one step of a recorded directory walk.
type entry struct {
	rel string // relative to the root, in the platform's form; "." for the root
	d   fs.DirEntry
	err error
}

// Listing holds the directory walks discovery made, by root as given, so
// the scan's walk of the same roots replays them instead of reading every
// directory again.
type Listing struct {
	mu    sync.Mutex
	walks map[string][]entry
}

// NewListing returns an empty listing.
func NewListing() *Listing { return &Listing{walks: map[string][]entry{}} }

func (l *Listing) put(root string, walk []entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.walks[root] = walk
}

func (l *Listing) get(root string) ([]entry, bool) {
	if l == nil {
		return nil, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.walks[root]
	return w, ok
}

// replay calls fn for each recorded entry as filepath.WalkDir would, path
// being the root as given joined with the entry; a directory for which fn
// returns fs.SkipDir has its entries skipped.
func replay(root string, walk []entry, fn fs.WalkDirFunc) error {
	skip := ""
	for _, e := range walk {
		if skip != "" && strings.HasPrefix(e.rel, skip) {
			continue
		}
		path := root
		if e.rel != "." {
			path = filepath.Join(root, e.rel)
		}
		err := fn(path, e.d, e.err)
		switch {
		case err == fs.SkipDir && e.d != nil && e.d.IsDir():
			if e.rel == "." {
				return nil
			}
			skip = e.rel + string(filepath.Separator)
		case err == fs.SkipDir || err == fs.SkipAll:
			return nil
		case err != nil:
			return err
		}
	}
	return nil
}
