// Package admission is Bulwark's validating admission webhook: the same
// engine and policy decision as `bulwark scan`, applied to one object in an
// AdmissionReview. Everything a request needs (policy, compiled rules,
// cluster state for whole-set rules) is built before the request arrives;
// the request path does no disk or network I/O.
package admission

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
)

// File names stand in for the file of a finding: the object under review,
// and the cluster objects whole-set rules read from the cache.
const (
	RequestFile = "(admission request)"
	ClusterFile = "(cluster)"
)

// Evaluator is one policy compiled with its rules. It is immutable and safe
// for concurrent use; a policy reload builds a new one and swaps it in.
type Evaluator struct {
	Policy *policy.Policy
	// objects runs the per-object checks on the request's object only; each
	// of sets runs one whole-set check on it together with the cluster's
	// objects, and only for the kinds that check reads.
	objects  *engine.Engine
	sets     []*setCheck
	setKinds map[string]bool // kinds some whole-set check reads
}

// setCheck is one whole-set check with its own engine and the memo of what
// it derived from the newest snapshot.
type setCheck struct {
	engine *engine.Engine
	kinds  map[string]bool // nil: every kind
	memo   atomic.Pointer[snapshotMemo]
}

func (c *setCheck) reads(kind string) bool { return c.kinds == nil || c.kinds[kind] }

// NewEvaluator compiles a policy's rules the way `bulwark scan` does.
func NewEvaluator(pol *policy.Policy) (*Evaluator, error) {
	reg, err := rules.Registry(rules.Config{PSSLevel: pol.PodSecurity.Level, PSSVersion: pol.PodSecurity.Version,
		Custom: pol.Custom, CustomSource: pol.Source})
	if err != nil {
		return nil, err
	}
	return newEvaluator(pol, reg)
}

func newEvaluator(pol *policy.Policy, reg *rule.Registry) (*Evaluator, error) {
	objReg, err := rule.NewRegistry(reg.ObjectChecks(), nil)
	if err != nil {
		return nil, err
	}
	ev := &Evaluator{Policy: pol, objects: engine.New(objReg, 1), setKinds: map[string]bool{}}
	for _, c := range reg.SetChecks() {
		setReg, err := rule.NewRegistry(nil, []rule.SetCheck{c})
		if err != nil {
			return nil, err
		}
		sc := &setCheck{engine: engine.New(setReg, 1)}
		if kinds := c.Kinds(); kinds != nil {
			sc.kinds = map[string]bool{}
			for _, k := range kinds {
				sc.kinds[k] = true
				ev.setKinds[k] = true
			}
		}
		ev.sets = append(ev.sets, sc)
	}
	return ev, nil
}

// SetKinds lists the kinds whole-set rules read: what the cluster cache
// should hold and what DELETE requests matter for.
func (ev *Evaluator) SetKinds() []string {
	out := make([]string, 0, len(ev.setKinds))
	for k := range ev.setKinds {
		out = append(out, k)
	}
	return out
}

// Snapshot is a consistent view of the cluster objects whole-set rules read.
// Its objects are parsed before they are published and never changed, so
// concurrent requests may read them.
type Snapshot struct {
	Generation uint64
	Objects    []*manifest.Object // File is ClusterFile
}

// ClusterState hands out the newest snapshot; it must not block or do I/O.
type ClusterState interface {
	Snapshot() *Snapshot
}

// snapshotMemo is what one whole-set check derived from one snapshot, once
// per change of the cluster cache rather than once per request: the base
// its requests start from (for the permission rules, the cluster's RBAC
// decoded and its graph built), and the keys of what it finds in the
// snapshot alone, so that a request is judged only by the findings it
// introduces on other objects.
type snapshotMemo struct {
	snap  *Snapshot
	once  sync.Once
	base  *engine.Base
	known map[string]bool
}

// Input is the part of an admission request the decision depends on.
type Input struct {
	Operation string // CREATE, UPDATE, DELETE, CONNECT
	Namespace string // the request's namespace, used when the object has none
	Object    []byte // JSON; the old object for DELETE
	Now       time.Time
	// Context ends the wait for a turn at the whole-set rules; nil: wait.
	Context context.Context
}

// setTurns bounds how many requests run whole-set rules at once, one per
// CPU. Those rules analyse every cached object (an RBAC graph of the whole
// cluster) and allocate in proportion; a burst of RBAC changes then queues
// instead of multiplying the webhook's memory.
var setTurns = make(chan struct{}, runtime.GOMAXPROCS(0))

// setWaiting counts requests waiting for a turn; beyond maxSetWaiting a
// request is refused at once (ErrBusy) rather than queued, so a flood of
// RBAC changes cannot grow the webhook's memory without bound. The API
// server then applies the failure policy, as it would on a timeout.
var setWaiting atomic.Int64

const maxSetWaiting = 64

// ErrBusy means a request got no turn at the whole-set rules in time: too
// many were waiting, or its deadline passed first.
var ErrBusy = errors.New("too busy to run the whole-set rules in time")

// ErrInternal means a check failed inside Bulwark: the request is not
// decided, and the webhook's failure policy applies.
var ErrInternal = errors.New("internal error in Bulwark")

// Result is the policy's decision on a request.
type Result struct {
	Kind, Namespace, Name string
	Decision              policy.Decision
}

// Evaluate runs the request's object through the engine and the policy.
// Findings on the object itself are all reported, as `bulwark scan` reports
// them. Whole-set rules run when the object is of a kind the cluster cache
// holds (RBAC, ServiceAccounts, Argo CD and Flux objects), over the cached
// objects as they would be after the request; their findings on other
// objects count only when this request introduces or changes them (a
// RoleBinding that gives an existing ServiceAccount a path to
// cluster-admin). Workloads, Secrets and ConfigMaps are judged by the
// per-object rules alone: the relationships they take part in are judged
// when the RBAC or GitOps object that creates them is admitted.
func (ev *Evaluator) Evaluate(in Input, state ClusterState) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = Result{}, fmt.Errorf("%w (please report it): %s", ErrInternal, engine.PanicText(p))
		}
	}()
	mf := manifest.Parse(RequestFile, in.Object, nil)
	if len(mf.Errors) > 0 {
		return Result{}, fmt.Errorf("decoding object: %s", mf.Errors[0].Msg)
	}
	if len(mf.Objects) != 1 {
		return Result{}, fmt.Errorf("decoding object: want one Kubernetes object, got %d", len(mf.Objects))
	}
	obj := mf.Objects[0]
	if _, err := obj.Root(); err != nil {
		return Result{}, fmt.Errorf("decoding object: %v", err)
	}
	res = Result{Kind: obj.Kind, Namespace: obj.Namespace(), Name: obj.Name()}
	if res.Namespace == "" {
		res.Namespace = in.Namespace
	}
	var findings []rule.Finding
	deleting := in.Operation == "DELETE"
	if !deleting {
		findings = ev.objects.CheckObjects([]*manifest.Object{obj})
	}
	if ev.setKinds[obj.Kind] && CacheKinds[obj.Kind] {
		ctx := in.Context
		if ctx == nil {
			ctx = context.Background()
		}
		if setWaiting.Add(1) > maxSetWaiting {
			setWaiting.Add(-1)
			return Result{}, fmt.Errorf("%w: %d requests are waiting", ErrBusy, maxSetWaiting)
		}
		select {
		case setTurns <- struct{}{}:
			setWaiting.Add(-1)
		case <-ctx.Done():
			setWaiting.Add(-1)
			return Result{}, fmt.Errorf("%w: %v", ErrBusy, ctx.Err())
		}
		findings = append(findings, ev.setFindingsInTurn(obj, res.Namespace, deleting, state)...)
	}
	for i := range findings {
		if o := findings[i].Object; o != nil && o.Namespace == "" && findings[i].Location.File == RequestFile {
			o.Namespace = res.Namespace
		}
	}
	res.Decision = ev.Policy.Decide(findings, policy.Options{Now: in.Now})
	engine.Sort(res.Decision.Findings)
	return res, nil
}

// setFindingsInTurn is setFindings for a request that holds a turn, which
// it gives back however the checks end.
func (ev *Evaluator) setFindingsInTurn(obj *manifest.Object, ns string, deleting bool, state ClusterState) []rule.Finding {
	defer func() { <-setTurns }()
	return ev.setFindings(obj, ns, deleting, state)
}

// setFindings runs the whole-set rules that read the object's kind on the
// cluster as it would be after the request, and keeps what is about the
// request's object or new.
func (ev *Evaluator) setFindings(obj *manifest.Object, ns string, deleting bool, state ClusterState) []rule.Finding {
	var snap *Snapshot
	if state != nil {
		snap = state.Snapshot()
	}
	if snap == nil {
		snap = &Snapshot{}
	}
	key := identity{obj.APIVersion, obj.Kind, ns, obj.Name()}
	after := make([]*manifest.Object, 0, len(snap.Objects)+1)
	if !deleting {
		after = append(after, obj)
	}
	for _, o := range snap.Objects {
		if !key.same(o) {
			after = append(after, o)
		}
	}
	var out []rule.Finding
	for _, c := range ev.sets {
		if !c.reads(obj.Kind) {
			continue
		}
		m := c.memoFor(snap)
		for _, f := range c.engine.CheckObjectsFrom(m.base, after) {
			if f.Location.File == RequestFile || !m.known[findingKey(f)] {
				out = append(out, f)
			}
		}
	}
	return out
}

// findingKey identifies what a finding says, not only what it is about: a
// finding whose message or severity the request changes (a role now
// "bound by RoleBinding team-a/grant") counts as the request's.
func findingKey(f rule.Finding) string {
	return f.Fingerprint + "\x00" + f.Severity.String() + "\x00" + f.Message
}

// memoFor returns the memo of snap, deriving it on first use; requests
// that arrive meanwhile wait for it rather than derive it again.
func (c *setCheck) memoFor(snap *Snapshot) *snapshotMemo {
	m := c.memo.Load()
	if m == nil || m.snap != snap {
		fresh := &snapshotMemo{snap: snap}
		if c.memo.CompareAndSwap(m, fresh) {
			m = fresh
		} else if m = c.memo.Load(); m == nil || m.snap != snap {
			m = fresh // snapshots changed meanwhile: this request's alone
		}
	}
	m.once.Do(func() {
		m.base = c.engine.NewBase(snap.Objects)
		m.known = map[string]bool{}
		for _, f := range c.engine.CheckObjectsFrom(m.base, snap.Objects) {
			m.known[findingKey(f)] = true
		}
	})
	return m
}

// identity is what makes two objects the same API object.
type identity struct{ apiVersion, kind, namespace, name string }

func (id identity) same(o *manifest.Object) bool {
	return o.Kind == id.kind && o.Name() == id.name && o.Namespace() == id.namespace && group(o.APIVersion) == group(id.apiVersion)
}

func group(apiVersion string) string {
	for i := 0; i < len(apiVersion); i++ {
		if apiVersion[i] == '/' {
			return apiVersion[:i]
		}
	}
	return ""
}

// Judge holds the evaluator in force; a policy reload swaps it atomically,
// so requests in flight finish with the policy they started with.
type Judge struct {
	cur atomic.Pointer[Evaluator]
}

// NewJudge starts with ev in force.
func NewJudge(ev *Evaluator) *Judge {
	j := &Judge{}
	j.cur.Store(ev)
	return j
}

// Current returns the evaluator in force.
func (j *Judge) Current() *Evaluator { return j.cur.Load() }

// Swap puts ev in force and returns the previous one.
func (j *Judge) Swap(ev *Evaluator) *Evaluator { return j.cur.Swap(ev) }

// ClusterObject turns a cluster object's JSON into an object for a
// snapshot, parsed now so that concurrent requests only read it.
func ClusterObject(data []byte) (*manifest.Object, error) {
	mf := manifest.Parse(ClusterFile, data, nil)
	if len(mf.Errors) > 0 {
		return nil, mf.Errors[0]
	}
	if len(mf.Objects) != 1 {
		return nil, fmt.Errorf("want one object, got %d", len(mf.Objects))
	}
	o := mf.Objects[0]
	if _, err := o.Root(); err != nil {
		return nil, err
	}
	if o.MayRunPods() {
		_, _ = o.PodTemplate()
	}
	return o, nil
}
