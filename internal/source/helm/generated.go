package helm

import (
	"context"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// Charts often make a Secret's value when they are installed: a random
// password (randAlphaNum, randAscii, uuidv4), a key or a certificate
// (genPrivateKey, genCA, genSelfSignedCert), usually behind a lookup of the
// live Secret that finds nothing when rendered offline. Such a value is not
// in the repository, so a committed-secret check must not report it.
//
// It is told from a committed value the only way that does not guess at
// template text: the release is rendered a second time, and a value that
// differs between the two renders was made at render time. Values taken
// from values files, template text or files, and values derived from them
// (b64enc, sha256sum, derivePassword from a committed master password),
// come out the same, and stay reported.
//
// The second render runs once per release, on the first question, so only
// releases with a secret finding pay for it, key generation included.

// againRender is the outputs of the second plain render of a release.
type againRender struct {
	once    sync.Once
	outputs map[string]string // nil when the render failed
	mu      sync.Mutex
	parsed  map[string]*manifest.File
}

// againNode returns the node at path in the second render's object that
// stands where o stands in the first (same template, document and List
// item), or nil. The second render's objects are parsed and read under
// the lock: several objects of one release may ask at once.
func (t *trace) againNode(name string, o *manifest.Object, path string) *yaml.Node {
	a := &t.again
	a.once.Do(func() {
		var out map[string]string
		err := bounded(context.Background(), t.rel.opts.Timeout, func(ctx context.Context) error {
			var err error
			out, err = t.rel.render(ctx, againPass)
			return err
		})
		if err == nil {
			a.outputs = out
		}
	})
	text, ok := a.outputs[name]
	if !ok {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.parsed == nil {
		a.parsed = map[string]*manifest.File{}
	}
	mf := a.parsed[name]
	if mf == nil {
		mf = manifest.Parse(name, []byte(text), nil)
		a.parsed[name] = mf
	}
	for _, other := range mf.Objects {
		if other.Doc == o.Doc && other.Item == o.Item && other.Kind == o.Kind {
			return other.Node(path)
		}
	}
	return nil
}

// Generated reports whether the value at path of o, an object of this
// template's output, is made anew at each render (see above). A value the
// second render does not have at the same place is not judged generated.
func (l *locator) Generated(o *manifest.Object, path string) bool {
	b := l.trace.againNode(l.name, o, path)
	a := o.Node(path)
	return a != nil && b != nil && !manifest.SameNode(a, b)
}
