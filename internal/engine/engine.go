// Package engine runs the pipeline every front door shares: files in,
// objects out, per-object checks in parallel, whole-set checks after, and
// findings with positions and fingerprints.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// IgnoreAnnotation on an object carries in-manifest exceptions for the policy.
const IgnoreAnnotation = "bulwark.dev/ignore"

// Engine holds what does not change between scans.
type Engine struct {
	reg     *rule.Registry
	workers int
	setKind map[string]bool // kinds some set check keeps; nil: keep all
	keepAll bool
	// preparers derive set checks' typed views in the parallel pass.
	preparers []rule.Preparer
}

// New builds an engine over a validated registry.
func New(reg *rule.Registry, workers int) *Engine {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := &Engine{reg: reg, workers: workers, setKind: map[string]bool{}}
	for _, c := range reg.SetChecks() {
		if p, ok := c.(rule.Preparer); ok {
			e.preparers = append(e.preparers, p)
		}
		kinds := c.Kinds()
		if kinds == nil {
			e.keepAll = true
		}
		for _, k := range kinds {
			e.setKind[k] = true
		}
	}
	return e
}

// Registry returns the engine's rules.
func (e *Engine) Registry() *rule.Registry { return e.reg }

// Result is everything a scan found, before the policy decides.
type Result struct {
	Files, Documents, Objects, Skipped, Templates int
	Kinds                                         map[string]int // objects per kind
	Findings                                      []rule.Finding
	Errors                                        []manifest.Error
	// Internal are the checks that failed inside Bulwark (a panic,
	// recovered), also in Errors: the findings of what failed are missing.
	Internal []manifest.Error
}

// fileResult is what one worker learned from one file.
type fileResult struct {
	findings []rule.Finding
	errors   []manifest.Error
	kept     []*manifest.Object
	kinds    map[string]int
	internal bool // errors holds the one internal failure
	docs     int
	objects  int
	skipped  int
	tmpl     int
}

// Scan reads every file Walk yields and checks it. Files are parsed and
// checked by a pool of workers; only objects that set checks need are kept.
func (e *Engine) Scan(ctx context.Context, roots []string, opts source.Options) (*Result, error) {
	if opts.Want == nil {
		opts.Want = e.reg.WantsFile
	}
	opts.Deferred = true
	return e.ScanFiles(ctx, func(yield func(source.File)) error { return source.Walk(ctx, roots, opts, yield) })
}

// ScanFiles checks every file produce yields: a walk, rendered output
// (source.File values with a Chain and an Origin), or both, as the discovery
// plan does; files a Deferred walk yields unread are read by the workers. It
// returns produce's error, if any, and no result.
func (e *Engine) ScanFiles(ctx context.Context, produce func(yield func(source.File)) error) (*Result, error) {
	files := make(chan source.File, e.workers*2)
	results := make(chan fileResult, e.workers*2)
	var wg sync.WaitGroup
	for i := 0; i < e.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				if f, ok := f.Load(); ok {
					results <- e.checkFileGuarded(f)
				}
			}
		}()
	}
	res := &Result{Kinds: map[string]int{}}
	var kept []*manifest.Object
	done := make(chan struct{})
	go func() {
		for r := range results {
			res.Files++
			res.Documents += r.docs
			res.Objects += r.objects
			res.Skipped += r.skipped
			res.Templates += r.tmpl
			if r.internal {
				res.Internal = append(res.Internal, r.errors...)
			}
			res.Findings = append(res.Findings, r.findings...)
			res.Errors = append(res.Errors, r.errors...)
			for k, n := range r.kinds {
				res.Kinds[k] += n
			}
			kept = append(kept, r.kept...)
		}
		close(done)
	}()
	walkErr := produce(func(f source.File) { files <- f })
	close(files)
	wg.Wait()
	close(results)
	<-done
	if walkErr != nil {
		return nil, walkErr
	}
	set, failure := e.checkSetGuarded(kept)
	res.Findings = append(res.Findings, set...)
	if failure != nil {
		res.Errors = append(res.Errors, *failure)
		res.Internal = append(res.Internal, *failure)
	}
	res.Findings = dropRenderedCopies(res.Findings)
	Sort(res.Findings)
	sortErrors(res.Errors)
	sortErrors(res.Internal)
	return res, nil
}

// sortErrors orders errors by file and line, so that reports are
// deterministic whatever the workers' order.
func sortErrors(errs []manifest.Error) {
	sort.Slice(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// CheckObjects runs every check on objects already in memory (admission,
// rendered output); it is the same path Scan takes for each file.
func (e *Engine) CheckObjects(objs []*manifest.Object) []rule.Finding {
	return e.CheckObjectsFrom(nil, objs)
}

// Base is what the whole-set checks that can (rule.Rebaser) derived from a
// fixed set of objects, kept to check sets that share most of them.
type Base struct {
	engine *Engine
	sets   []rule.SetBase // by set check; nil where the check has no base
}

// NewBase prepares the whole-set checks for many checks of objs with a few
// objects added, replaced or removed (see CheckObjectsFrom). The objects
// must not change afterwards.
func (e *Engine) NewBase(objs []*manifest.Object) *Base {
	b := &Base{engine: e, sets: make([]rule.SetBase, len(e.reg.SetChecks()))}
	for i, c := range e.reg.SetChecks() {
		if r, ok := c.(rule.Rebaser); ok {
			b.sets[i] = r.NewBase(selectKinds(c, objs))
		}
	}
	return b
}

// CheckObjectsFrom is CheckObjects, with the whole-set checks starting from
// what they derived for base (nil, or a base of another engine: from
// nothing). The findings are those CheckObjects returns.
func (e *Engine) CheckObjectsFrom(base *Base, objs []*manifest.Object) []rule.Finding {
	if base != nil && base.engine != e {
		base = nil
	}
	var out []rule.Finding
	for _, o := range objs {
		out = append(out, e.checkObject(o)...)
	}
	out = append(out, e.checkSet(base, objs)...)
	Sort(out)
	return out
}

// checkFileGuarded is checkFile, except that a check that panics costs
// the file's findings, not the scan: the file gets an error that says so.
func (e *Engine) checkFileGuarded(f source.File) (r fileResult) {
	defer func() {
		if p := recover(); p != nil {
			r = fileResult{errors: []manifest.Error{{File: f.Path, Msg: InternalError(p)}}, internal: true}
		}
	}()
	return e.checkFile(f)
}

// checkSetGuarded is checkSet for a scan, reporting a panic as an error.
func (e *Engine) checkSetGuarded(objs []*manifest.Object) (out []rule.Finding, failure *manifest.Error) {
	defer func() {
		if p := recover(); p != nil {
			out, failure = nil, &manifest.Error{Msg: "whole-set checks: " + InternalError(p)}
		}
	}()
	return e.checkSet(nil, objs), nil
}

// InternalError describes a recovered panic in a scan.
func InternalError(p any) string {
	return "internal error in Bulwark, findings here are missing (please report it): " + PanicText(p)
}

// PanicText describes a recovered panic. Only the runtime's own messages (a
// nil dereference, an index out of range) are quoted: another panic value
// might hold bytes of the input, and those may be secrets.
func PanicText(p any) string {
	if err, ok := p.(runtime.Error); ok {
		return err.Error()
	}
	return fmt.Sprintf("a panic of type %T", p)
}

func (e *Engine) checkFile(f source.File) fileResult {
	var r fileResult
	if f.Err != nil {
		err := manifest.Error{File: f.Path, Msg: f.Err.Error()}
		var placed *manifest.Error
		if errors.As(f.Err, &placed) {
			err = *placed
		}
		r.errors = append(r.errors, err)
		r.findings = append(r.findings, e.inputFinding(rule.UnreadableInput, err, f.App))
		return r
	}
	var mf *manifest.File
	if f.Manifest {
		mf = manifest.Parse(f.Path, f.Data, f.Chain)
		for _, o := range mf.Objects {
			o.Origin, o.App = f.Origin, f.App
		}
	}
	for _, c := range e.reg.FileChecks() {
		// File checks read files on disk; rendered output is checked per
		// object, its files on disk are walked for file checks on their own.
		if f.Origin == nil && c.Match(f.Path) {
			for _, h := range c.CheckFile(f.Path, f.Data, mf) {
				if h.File == "" && h.Object == nil {
					h.File = f.Path
				}
				r.findings = append(r.findings, e.finding(h))
			}
		}
	}
	if mf == nil {
		return r
	}
	r.docs, r.objects, r.skipped, r.tmpl = mf.Documents, len(mf.Objects), mf.Skipped, len(mf.Templates)
	r.kinds = map[string]int{}
	for _, o := range mf.Objects {
		r.kinds[o.Kind]++
	}
	for _, perr := range mf.Errors {
		if f.Origin != nil {
			if p, ok := f.Origin.Locate(nil, "", manifest.Position{Line: perr.Line, Column: 1}); ok {
				perr.File, perr.Line = p.File, p.Line
			}
		}
		r.errors = append(r.errors, *perr)
		r.findings = append(r.findings, e.inputFinding(rule.UnreadableInput, *perr, f.App))
	}
	if n := len(mf.Templates); n > 0 {
		msg := "unrendered Helm template: render the chart with its values to check it"
		if n > 1 {
			msg = fmt.Sprintf("%d documents are unrendered Helm templates: render the chart with its values to check them", n)
		}
		r.findings = append(r.findings, e.inputFinding(rule.UnrenderedTemplate,
			manifest.Error{File: f.Path, Line: mf.Templates[0], Msg: msg}, f.App))
	}
	for _, o := range mf.Objects {
		r.findings = append(r.findings, e.checkObject(o)...)
		if err := o.Err(); err != nil {
			me := asError(o, err)
			r.errors = append(r.errors, me)
			r.findings = append(r.findings, e.inputFinding(rule.UnreadableInput, me, o.App))
		}
		if e.keepAll || e.setKind[o.Kind] {
			for _, p := range e.preparers {
				p.Prepare(o)
			}
			o.Compact()
			r.kept = append(r.kept, o)
		}
	}
	return r
}

func asError(o *manifest.Object, err error) manifest.Error {
	if me, ok := err.(*manifest.Error); ok {
		return *me
	}
	return manifest.Error{File: o.File, Line: o.Line(), Msg: err.Error()}
}

func (e *Engine) checkObject(o *manifest.Object) []rule.Finding {
	var out []rule.Finding
	for _, c := range e.reg.ObjectChecks() {
		for _, h := range c.CheckObject(o) {
			h.Object = o
			out = append(out, e.finding(h))
		}
	}
	return out
}

func (e *Engine) checkSet(base *Base, objs []*manifest.Object) []rule.Finding {
	var out []rule.Finding
	for i, c := range e.reg.SetChecks() {
		sel := selectKinds(c, objs)
		var hits []rule.Hit
		if base != nil && base.sets[i] != nil {
			hits = base.sets[i].CheckSet(sel)
		} else {
			hits = c.CheckSet(sel)
		}
		for _, h := range hits {
			out = append(out, e.finding(h))
		}
	}
	return out
}

// selectKinds keeps the objects of the kinds the check reads.
func selectKinds(c rule.SetCheck, objs []*manifest.Object) []*manifest.Object {
	want := map[string]bool{}
	for _, k := range c.Kinds() {
		want[k] = true
	}
	var sel []*manifest.Object
	for _, o := range objs {
		if len(want) == 0 || want[o.Kind] {
			sel = append(sel, o)
		}
	}
	return sel
}

// finding completes a hit with its rule's metadata, identity and position.
func (e *Engine) finding(h rule.Hit) rule.Finding {
	meta, ok := e.reg.Lookup(h.Rule)
	if !ok {
		panic("check reported undeclared rule " + h.Rule) // a programming error, caught by the registry tests
	}
	f := newFinding(meta, h.Message)
	if h.Severity != 0 {
		f.Severity = h.Severity
	}
	f.Evidence, f.PSS = h.Evidence, h.PSS
	if o := h.Object; o != nil {
		f.Object = objectRef(o)
		f.Location = rule.Location{File: o.File, FieldPath: h.Path, Chain: o.Chain}
		f.Origin = originOf(o.App)
		if h.Path != "" {
			pos, _ := o.Pos(h.Path)
			f.Location.Line, f.Location.Column = pos.Line, pos.Column
		} else {
			f.Location.Line, f.Location.Column = o.Line(), 1
		}
		if o.Origin != nil {
			pos := manifest.Position{Line: f.Location.Line, Column: f.Location.Column}
			if p, ok := o.Origin.Locate(o, h.Path, pos); ok {
				f.Location.File, f.Location.Line, f.Location.Column = p.File, p.Line, p.Column
			}
		}
	}
	if h.File != "" {
		f.Location.File = h.File
	}
	if h.Line > 0 {
		f.Location.Line, f.Location.Column = h.Line, h.Column
	}
	f.Fingerprint = Fingerprint(f, h.Key)
	if meta.Category == rule.Secrets && strings.HasPrefix(h.Key, secretKeyPrefix) {
		f.SecretID = h.Key
	}
	return f
}

// secretKeyPrefix starts the keyed fingerprints secrets checks give as a
// hit's Key (see secret.Fingerprint).
const secretKeyPrefix = "sha256:"

// dropRenderedCopies reports each secret once per file. A secret written in
// a file a person edits is found there by a file check (a kustomization's
// secretGenerator literal, a Helm values key) and again in the rendered
// object it ends up in, which the renderer places in the same file. The
// file check's finding is kept: it read the line itself and says what it
// is (a generator literal, a values key), where the rendered copy only
// repeats it as Secret data.
func dropRenderedCopies(fs []rule.Finding) []rule.Finding {
	inFile := map[[2]string]bool{}
	for i := range fs {
		if f := &fs[i]; f.SecretID != "" && len(f.Location.Chain) == 0 {
			inFile[[2]string{f.Location.File, f.SecretID}] = true
		}
	}
	if len(inFile) == 0 {
		return fs
	}
	kept := fs[:0]
	for _, f := range fs {
		if f.SecretID != "" && len(f.Location.Chain) > 0 && inFile[[2]string{f.Location.File, f.SecretID}] {
			continue
		}
		kept = append(kept, f)
	}
	return kept
}

// inputFinding reports input that could not be read; app is the GitOps app
// whose render it is, if any.
func (e *Engine) inputFinding(meta *rule.Meta, err manifest.Error, app *manifest.App) rule.Finding {
	f := newFinding(meta, err.Msg)
	f.Location = rule.Location{File: err.File, Line: err.Line}
	f.Origin = originOf(app)
	f.Fingerprint = Fingerprint(f, err.Msg)
	return f
}

// originOf is a finding's origin: the app that deploys its object.
func originOf(a *manifest.App) *rule.Origin {
	if a == nil {
		return nil
	}
	return &rule.Origin{App: a.ID(), Kind: a.Kind, File: a.File}
}

func newFinding(meta *rule.Meta, msg string) rule.Finding {
	return rule.Finding{
		ID: meta.ID, Name: meta.Name, Title: meta.Title, Category: meta.Category,
		Severity: meta.Severity, Message: msg,
		Remediation: meta.Remediation, References: meta.References,
	}
}

// Fingerprint identifies a finding by what it is about, not where the lines
// fall: rule, file, object identity, field path and, for rendered objects,
// the render chain (one template rendered with two value sets gives two
// objects). It is stable when lines move, so baselines, diffs and exceptions
// keep matching.
func Fingerprint(f rule.Finding, key string) string {
	h := sha256.New()
	parts := []string{f.ID, f.Location.File, f.Location.FieldPath, key}
	parts = append(parts, f.Location.Chain...)
	if o := f.Object; o != nil {
		group, _, _ := strings.Cut(o.APIVersion, "/")
		if !strings.Contains(o.APIVersion, "/") {
			group = ""
		}
		parts = append(parts, group, o.Kind, o.Namespace, o.Name)
	} else if f.Location.FieldPath == "" && key == "" {
		parts = append(parts, f.Message)
	}
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Sort orders findings deterministically: by file, line, column, rule and
// then fingerprint.
func Sort(fs []rule.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Location.File != b.Location.File {
			return a.Location.File < b.Location.File
		}
		if a.Location.Line != b.Location.Line {
			return a.Location.Line < b.Location.Line
		}
		if a.Location.Column != b.Location.Column {
			return a.Location.Column < b.Location.Column
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Fingerprint < b.Fingerprint
	})
}
