package pipeline

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// gitlabDoc is what a GitLab CI file declares besides its jobs.
type gitlabDoc struct {
	includes []glInclude
	image    *yaml.Node // the global or default image
	services []*yaml.Node
}

// glInclude is one entry of include:.
type glInclude struct {
	kind      string // local, project, remote, template, component
	value     string
	ref       string
	integrity string
	node      *yaml.Node // where to point
}

// gitlabJob is a GitLab job's own mapping.
type gitlabJob struct {
	node     *yaml.Node
	extends  []string
	image    *yaml.Node
	services []*yaml.Node
	envKube  bool // environment: kubernetes: is set
}

// reserved are the top-level keys of .gitlab-ci.yml that are not jobs.
var reserved = map[string]bool{
	"image": true, "services": true, "stages": true, "types": true, "before_script": true, "after_script": true,
	"variables": true, "cache": true, "include": true, "workflow": true, "default": true, "spec": true,
}

// Bounds on following local includes.
const (
	maxIncludes    = 100
	maxIncludeSize = 1 << 20
)

// parseGitLabTree reads a GitLab CI file and, for a root pipeline file on
// disk, the local files it includes that the scan would not otherwise read
// (included files with ordinary names, outside .gitlab/ci). Local include
// paths are relative to the repository root, the directory of the root
// file; they are never followed outside it.
func parseGitLabTree(p string, data []byte, scanned func(string) bool) []*ciFile {
	first := parseGitLab(p, data)
	if first == nil {
		return nil
	}
	files := []*ciFile{first}
	base := strings.ToLower(path.Base(filepath.ToSlash(p)))
	if base != ".gitlab-ci.yml" && base != ".gitlab-ci.yaml" {
		return files
	}
	if info, err := os.Stat(p); err != nil || !info.Mode().IsRegular() {
		return files
	}
	root := filepath.Dir(p)
	seen := map[string]bool{p: true}
	queue := []*ciFile{first}
	for len(queue) > 0 && len(seen) < maxIncludes {
		f := queue[0]
		queue = queue[1:]
		for _, inc := range f.gl.includes {
			if inc.kind != "local" {
				continue
			}
			for _, rel := range localMatches(root, inc.value) {
				full := filepath.Join(root, filepath.FromSlash(rel))
				if seen[full] || scanned(full) || len(seen) >= maxIncludes {
					continue
				}
				seen[full] = true
				b, err := readInside(root, full)
				if err != nil {
					continue
				}
				if g := parseGitLab(full, b); g != nil {
					files = append(files, g)
					queue = append(queue, g)
				}
			}
		}
	}
	return files
}

// localMatches expands a local include (a path or a glob) against the
// repository root; results are slash paths relative to it.
func localMatches(root, pattern string) []string {
	pattern = strings.TrimPrefix(path.Clean("/"+strings.TrimSpace(pattern)), "/")
	if pattern == "" || strings.Contains(pattern, "$") || !fs.ValidPath(pattern) {
		return nil
	}
	if !strings.ContainsAny(pattern, "*?[{") {
		return []string{pattern}
	}
	m, err := doublestar.Glob(os.DirFS(root), pattern, doublestar.WithFilesOnly())
	if err != nil {
		return nil
	}
	return m
}

// readInside reads a file only when it resolves (symlinks included) inside
// root, and only up to maxIncludeSize.
func readInside(root, file string) ([]byte, error) {
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	t, err := filepath.EvalSymlinks(file)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(r, t); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, errors.New("outside the repository")
	}
	fh, err := os.Open(t)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxIncludeSize+1))
	if err != nil || len(b) > maxIncludeSize {
		return nil, errors.New("unreadable or too large")
	}
	return b, nil
}

// parseGitLab reads one GitLab CI file; nil when it is not YAML.
func parseGitLab(p string, data []byte) *ciFile {
	f := &ciFile{path: p, dialect: gitlabCI, lines: splitLines(data), gl: &gitlabDoc{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	parsed := false
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if err == io.EOF {
				break
			}
			if !parsed {
				return nil
			}
			break
		}
		parsed = true
		root := manifest.Resolve(&doc)
		if root == nil || root.Kind != yaml.MappingNode {
			continue
		}
		f.readTop(root)
	}
	for _, j := range f.jobs {
		f.deployOf(j, 0)
	}
	return f
}

// readTop reads one document's top-level mapping.
func (f *ciFile) readTop(root *yaml.Node) {
	global := &ciJob{id: "(default)", line: root.Line, col: root.Column, gl: &gitlabJob{node: root}}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], manifest.Resolve(root.Content[i+1])
		if v == nil {
			continue
		}
		switch k.Value {
		case "include":
			f.gl.includes = append(f.gl.includes, readIncludes(v)...)
		case "variables":
			f.env = append(f.env, readVariables(v)...)
		case "before_script", "after_script":
			f.addScripts(global, v)
		case "image":
			f.gl.image = v
		case "services":
			f.gl.services = seqItems(v)
		case "default":
			if v.Kind == yaml.MappingNode {
				for _, key := range []string{"before_script", "after_script"} {
					if s := lookup(v, key); s != nil {
						f.addScripts(global, s)
					}
				}
				if im := lookup(v, "image"); im != nil {
					f.gl.image = im
				}
				if sv := lookup(v, "services"); sv != nil {
					f.gl.services = seqItems(sv)
				}
			}
		}
		if reserved[k.Value] || v.Kind != yaml.MappingNode {
			continue
		}
		j := &ciJob{id: k.Value, line: k.Line, col: k.Column, gl: &gitlabJob{node: v}}
		for _, key := range []string{"before_script", "script", "after_script"} {
			if s := lookup(v, key); s != nil {
				f.addScripts(j, s)
			}
		}
		j.env = readVariables(lookup(v, "variables"))
		j.gl.image = lookup(v, "image")
		if sv := lookup(v, "services"); sv != nil {
			j.gl.services = seqItems(sv)
		}
		if e := lookup(v, "environment"); e != nil && e.Kind == yaml.MappingNode && lookup(e, "kubernetes") != nil {
			j.gl.envKube = true
		}
		if ex := lookup(v, "extends"); ex != nil {
			for _, n := range append([]*yaml.Node{ex}, ex.Content...) {
				if n.Kind == yaml.ScalarNode {
					j.gl.extends = append(j.gl.extends, n.Value)
				}
			}
		}
		f.jobs = append(f.jobs, j)
	}
	if len(global.scripts) > 0 {
		f.jobs = append(f.jobs, global)
	}
}

// addScripts adds a script: a string, or a list of strings (nested lists
// allowed); !reference entries point at scripts checked where they are.
func (f *ciFile) addScripts(j *ciJob, n *yaml.Node) {
	n = manifest.Resolve(n)
	if n == nil || n.Tag == "!reference" {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		j.scripts = append(j.scripts, newScript(j, n.Value, nodeLocator(f.lines, n), "bash", -1))
	case yaml.SequenceNode:
		for _, it := range n.Content {
			f.addScripts(j, it)
		}
	}
}

// deployOf works out whether a job deploys: its own commands, a kubernetes
// environment, or those of the jobs it extends.
func (f *ciFile) deployOf(j *ciJob, depth int) string {
	if j.deploy != "" || depth > 10 || localCluster(j) {
		return j.deploy
	}
	for _, s := range j.scripts {
		for _, c := range s.cmds {
			if d := deployCommand(c); d != "" {
				j.deploy = d
				return d
			}
		}
	}
	if j.gl != nil && j.gl.envKube {
		j.deploy = "environment with kubernetes"
		return j.deploy
	}
	if j.gl != nil {
		for _, name := range j.gl.extends {
			for _, p := range f.jobs {
				if p.id == name && p != j {
					if d := f.deployOf(p, depth+1); d != "" {
						j.deploy = d
						return d
					}
				}
			}
		}
	}
	return ""
}

// jobImage returns the image a GitLab job runs in: its own, one it extends,
// or the default.
func (f *ciFile) jobImage(j *ciJob, depth int) *yaml.Node {
	if j.gl == nil || depth > 10 {
		return nil
	}
	if j.gl.image != nil {
		return j.gl.image
	}
	for _, name := range j.gl.extends {
		for _, p := range f.jobs {
			if p.id == name && p != j {
				if im := f.jobImage(p, depth+1); im != nil {
					return im
				}
			}
		}
	}
	if depth == 0 {
		return f.gl.image
	}
	return nil
}

func readIncludes(n *yaml.Node) []glInclude {
	n = manifest.Resolve(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.SequenceNode:
		var out []glInclude
		for _, it := range n.Content {
			out = append(out, readIncludes(it)...)
		}
		return out
	case yaml.ScalarNode:
		kind := "local"
		if strings.HasPrefix(n.Value, "http://") || strings.HasPrefix(n.Value, "https://") {
			kind = "remote"
		}
		return []glInclude{{kind: kind, value: n.Value, node: n}}
	case yaml.MappingNode:
		inc := glInclude{node: n}
		for _, kind := range []string{"local", "project", "remote", "template", "component"} {
			if v := lookup(n, kind); v != nil && v.Kind == yaml.ScalarNode {
				inc.kind, inc.value, inc.node = kind, v.Value, v
			}
		}
		if r := lookup(n, "ref"); r != nil {
			inc.ref = r.Value
		}
		if r := lookup(n, "integrity"); r != nil {
			inc.integrity = r.Value
		}
		if inc.kind == "" {
			return nil
		}
		return []glInclude{inc}
	}
	return nil
}

func readVariables(n *yaml.Node) []envVar {
	n = manifest.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []envVar
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], manifest.Resolve(n.Content[i+1])
		if v != nil && v.Kind == yaml.MappingNode {
			v = manifest.Resolve(lookup(v, "value"))
		}
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		out = append(out, envVar{name: k.Value, value: v.Value, line: v.Line, col: v.Column,
			quoted: v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0})
	}
	return out
}

// seqItems returns a sequence's items, or the node itself.
func seqItems(n *yaml.Node) []*yaml.Node {
	n = manifest.Resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{n}
}

// imageName returns an image reference from "image: x" or "image: {name: x}".
func imageName(n *yaml.Node) (string, *yaml.Node) {
	n = manifest.Resolve(n)
	if n == nil {
		return "", nil
	}
	if n.Kind == yaml.MappingNode {
		n = manifest.Resolve(lookup(n, "name"))
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", nil
	}
	return n.Value, n
}

// lookup returns a mapping's value for key, following "<<" merge keys;
// the last of duplicate keys wins, as in GitLab's YAML reader.
func lookup(m *yaml.Node, key string) *yaml.Node {
	_, v := manifest.Lookup(m, key)
	return v
}
