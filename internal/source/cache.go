package source

import "sync"

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
