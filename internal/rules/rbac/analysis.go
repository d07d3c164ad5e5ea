package rbacrules

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rbac"
)

// Analysis is the resolved RBAC state of one set of manifests, with what
// the rules need to point back into them. Every rbac.Role, rbac.Binding
// and rbac.Problem from a manifest carries its *manifest.Object as Source.
// It is built once per scan and read by every rule; not safe for
// concurrent use (the caches fill lazily).
type Analysis struct {
	Graph  *rbac.Graph
	Scopes rbac.ScopePolicy
	cfg    Config

	subjects  map[*manifest.Object][]rbacv1.Subject // raw binding subjects, for subjects[i]
	accounts  map[rbac.Subject]*manifest.Object
	Workloads []Workload
	running   map[rbac.Subject]bool // ServiceAccounts some workload mounts
	invalid   []invalidObject

	effective  map[rbac.Subject][]rbac.Grant
	risks      map[placement][]rbac.Risk // catalog matches of a rule where a binding puts it
	allowedObj map[*rbac.Binding]bool
	placements map[origin][]placement
	paths      []EscalationPath
	pathOf     map[rbac.Subject]int
	pathsDone  bool
	power      map[rbac.Subject]power
}

// Workload is an object that runs pods, with the ServiceAccount they run
// as and whether its token is mounted.
type Workload struct {
	Object         *manifest.Object
	ServiceAccount rbac.Subject
	Path           string // field path of the ServiceAccount name (or where to add it)
	Mounted        bool
}

type invalidObject struct {
	obj *manifest.Object
	err error
}

// Analyze decodes the objects and resolves them. Objects of other kinds are
// ignored; RBAC objects that do not decode are kept for the unresolved
// rule, so nothing is silently dropped.
func Analyze(objs []*manifest.Object, cfg Config) *Analysis { return analyze(objs, cfg, nil) }

// analyze is Analyze, starting from what base derived for its objects
// (nil: from nothing).
func analyze(objs []*manifest.Object, cfg Config, base *Base) *Analysis {
	a := newAnalysis(cfg)
	objs = fileOrder(objs)
	dec := make([]decoded, len(objs))
	if base == nil {
		// Decoding builds each object's YAML tree, most of the cost: it
		// runs on every CPU, one object per goroutine at a time.
		parallel(len(objs), func(i int) { dec[i] = typedView(objs[i]) })
	} else {
		for i, o := range objs {
			d, ok := base.decoded[o]
			if !ok {
				d = typedView(o)
			}
			dec[i] = d
		}
	}
	in := a.input(objs, dec)
	if base == nil {
		a.Graph = rbac.Build(in)
	} else {
		a.Graph = base.graph.Rebuild(in)
	}
	return a
}

func newAnalysis(cfg Config) *Analysis {
	cfg = cfg.withDefaults()
	return &Analysis{
		Scopes:     rbac.NewScopePolicy(cfg.PrivilegedNamespaces),
		cfg:        cfg,
		subjects:   map[*manifest.Object][]rbacv1.Subject{},
		accounts:   map[rbac.Subject]*manifest.Object{},
		running:    map[rbac.Subject]bool{},
		effective:  map[rbac.Subject][]rbac.Grant{},
		risks:      map[placement][]rbac.Risk{},
		allowedObj: map[*rbac.Binding]bool{},
	}
}

// fileOrder sorts a copy of the objects by file, document and item. The
// engine hands objects over in the order its workers finish files; file
// order makes "the first definition wins" and every tie stable.
func fileOrder(objs []*manifest.Object) []*manifest.Object {
	objs = append([]*manifest.Object(nil), objs...)
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Doc != b.Doc {
			return a.Doc < b.Doc
		}
		return a.Item < b.Item
	})
	return objs
}

// input fills the analysis's indexes from the decoded objects and returns
// what the graph is built from.
func (a *Analysis) input(objs []*manifest.Object, dec []decoded) rbac.Input {
	var in rbac.Input
	var roles, clusterRoles, roleBindings, clusterRoleBindings int
	for i := range dec {
		switch d := &dec[i]; {
		case d.err != nil:
		case d.role != nil:
			roles++
		case d.clusterRole != nil:
			clusterRoles++
		case d.roleBinding != nil:
			roleBindings++
		case d.clusterRoleBinding != nil:
			clusterRoleBindings++
		}
	}
	in.Roles = make([]rbac.Sourced[rbacv1.Role], 0, roles)
	in.ClusterRoles = make([]rbac.Sourced[rbacv1.ClusterRole], 0, clusterRoles)
	in.RoleBindings = make([]rbac.Sourced[rbacv1.RoleBinding], 0, roleBindings)
	in.ClusterRoleBindings = make([]rbac.Sourced[rbacv1.ClusterRoleBinding], 0, clusterRoleBindings)
	automount := map[rbac.Subject]*bool{}
	for i, o := range objs {
		d := &dec[i]
		switch {
		case d.err != nil:
			if _, parseErr := o.Root(); parseErr == nil { // parse errors are the engine's to report
				a.invalid = append(a.invalid, invalidObject{obj: o, err: d.err})
			}
		case d.role != nil:
			in.Roles = append(in.Roles, rbac.Sourced[rbacv1.Role]{Object: *d.role, Source: o})
		case d.clusterRole != nil:
			in.ClusterRoles = append(in.ClusterRoles, rbac.Sourced[rbacv1.ClusterRole]{Object: *d.clusterRole, Source: o})
		case d.roleBinding != nil:
			in.RoleBindings = append(in.RoleBindings, rbac.Sourced[rbacv1.RoleBinding]{Object: *d.roleBinding, Source: o})
			a.subjects[o] = d.roleBinding.Subjects
		case d.clusterRoleBinding != nil:
			in.ClusterRoleBindings = append(in.ClusterRoleBindings, rbac.Sourced[rbacv1.ClusterRoleBinding]{Object: *d.clusterRoleBinding, Source: o})
			a.subjects[o] = d.clusterRoleBinding.Subjects
		case d.account != nil && d.account.Name != "":
			ns := orDefault(d.account.Namespace)
			in.ServiceAccounts = append(in.ServiceAccounts, rbac.ServiceAccount{Namespace: ns, Name: d.account.Name, Source: o})
			s := rbac.ServiceAccountSubject(ns, d.account.Name)
			a.accounts[s] = o
			automount[s] = d.account.AutomountServiceAccountToken
		}
	}
	for i, o := range objs {
		if dec[i].pod == nil {
			continue
		}
		w := workloadOf(o, *dec[i].pod, automount)
		a.Workloads = append(a.Workloads, w)
		if w.Mounted {
			a.running[w.ServiceAccount] = true
		}
		in.Workloads = append(in.Workloads, rbac.Workload{Namespace: w.ServiceAccount.Namespace,
			ServiceAccountName: w.ServiceAccount.Name, NoAutomount: !w.Mounted, Source: o})
	}
	return in
}

// isRBAC reports whether the object is one of the four RBAC kinds of the
// rbac.authorization.k8s.io group (any version: they share one shape).
func isRBAC(o *manifest.Object) bool {
	switch o.Kind {
	case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding":
		return strings.HasPrefix(o.APIVersion, rbacv1.GroupName+"/")
	}
	return false
}

func isWorkloadKind(kind string) bool {
	for _, k := range workloadKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// decoded is one object in typed form; at most one field is set.
type decoded struct {
	role               *rbacv1.Role
	clusterRole        *rbacv1.ClusterRole
	roleBinding        *rbacv1.RoleBinding
	clusterRoleBinding *rbacv1.ClusterRoleBinding
	account            *corev1.ServiceAccount
	pod                *podAccount
	err                error
}

// podAccount is what the analysis reads of a pod template: objects are
// held for the whole set, so they keep this, not the typed pod.
type podAccount struct {
	name, field string // the service account ("" for the default) and the field that names it
	automount   *bool
	specPath    string
}

func accountOf(pt *manifest.PodTemplate) *podAccount {
	a := &podAccount{name: pt.Spec.ServiceAccountName, field: "serviceAccountName", automount: pt.Spec.AutomountServiceAccountToken, specPath: pt.SpecPath}
	if a.name == "" && pt.Spec.DeprecatedServiceAccount != "" {
		a.name, a.field = pt.Spec.DeprecatedServiceAccount, "serviceAccount"
	}
	return a
}

// decodedKey memoises an object's typed form on the object.
type decodedKey struct{}

// decoded_ returns the object's typed form, derived once: by the engine's
// parallel pass (Check.Prepare) or here.
func typedView(o *manifest.Object) decoded {
	return o.Memo(decodedKey{}, func() any { return decode(o) }).(decoded)
}

func decode(o *manifest.Object) decoded {
	var d decoded
	switch {
	case o.Kind == "ServiceAccount":
		d.account = &corev1.ServiceAccount{}
		d.err = o.Decode("", d.account)
	case isRBAC(o) && o.Kind == "Role":
		d.role = &rbacv1.Role{}
		d.err = o.Decode("", d.role)
	case isRBAC(o) && o.Kind == "ClusterRole":
		d.clusterRole = &rbacv1.ClusterRole{}
		d.err = o.Decode("", d.clusterRole)
	case isRBAC(o) && o.Kind == "RoleBinding":
		d.roleBinding = &rbacv1.RoleBinding{}
		d.err = o.Decode("", d.roleBinding)
	case isRBAC(o) && o.Kind == "ClusterRoleBinding":
		d.clusterRoleBinding = &rbacv1.ClusterRoleBinding{}
		d.err = o.Decode("", d.clusterRoleBinding)
	case isWorkloadKind(o.Kind):
		// A pod spec that does not decode is the engine's to report.
		if pt, err := o.PodTemplate(); err == nil && pt != nil {
			d.pod = accountOf(pt)
		}
	}
	return d
}

// parallel runs f(0..n-1) on every CPU.
func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// workloadOf reads the ServiceAccount a workload runs as. A pod mounts its
// token unless its spec says automountServiceAccountToken: false, or
// leaves it unset and its ServiceAccount says false.
func workloadOf(o *manifest.Object, pa podAccount, automount map[rbac.Subject]*bool) Workload {
	name := pa.name
	if name == "" {
		name = "default"
	}
	s := rbac.ServiceAccountSubject(orDefault(o.Namespace()), name)
	mounted := true
	if v := pa.automount; v != nil {
		mounted = *v
	} else if v := automount[s]; v != nil {
		mounted = *v
	}
	return Workload{Object: o, ServiceAccount: s, Path: pa.specPath + "." + pa.field, Mounted: mounted}
}

func orDefault(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

// Object returns the manifest a graph Source stands for, or nil for
// built-in roles and bindings.
func Object(source any) *manifest.Object {
	o, _ := source.(*manifest.Object)
	return o
}

// Where is "file:line" of a field of the object a Source stands for, or ""
// for built-in objects.
func Where(source any, path string) string {
	o := Object(source)
	if o == nil {
		return ""
	}
	pos, _ := o.Pos(path)
	return fmt.Sprintf("%s:%d", o.File, pos.Line)
}

// Effective returns the subject's grants (cached).
func (a *Analysis) Effective(s rbac.Subject) []rbac.Grant {
	if g, ok := a.effective[s]; ok {
		return g
	}
	g := a.Graph.Effective(s)
	a.effective[s] = g
	return g
}

// AllowedRole reports whether the policy treats the role as a known
// system or vendor role.
func (a *Analysis) AllowedRole(r *rbac.Role) bool {
	return r != nil && !r.Builtin && a.cfg.allowed(r.Name, r.Labels)
}

// AllowedBinding reports whether the policy treats the binding, or the
// role it binds, as a known system or vendor object. A role the manifests
// do not define counts by its name: system roles live in the cluster.
func (a *Analysis) AllowedBinding(b *rbac.Binding) bool {
	if b.Role == nil {
		return a.allowedBindingObject(b) || a.cfg.allowed(b.RoleRef.Name, nil)
	}
	return a.allowedBindingObject(b) || a.AllowedRole(b.Role)
}

// SubjectPath is the field path of a binding's subject: subjects[i] for
// the first raw subject that normalises to s, or "subjects".
func (a *Analysis) SubjectPath(b *rbac.Binding, s rbac.Subject) string {
	for i, raw := range a.subjects[Object(b.Source)] {
		if got, err := rbac.SubjectOf(raw, b.Namespace); err == nil && got == s {
			return fmt.Sprintf("subjects[%d]", i)
		}
	}
	return "subjects"
}

// ManifestBindings lists the bindings written in the manifests, in the
// graph's order.
func (a *Analysis) ManifestBindings() []*rbac.Binding {
	var out []*rbac.Binding
	for _, b := range a.Graph.Bindings() {
		if !b.Builtin && Object(b.Source) != nil {
			out = append(out, b)
		}
	}
	return out
}

// Mounted reports whether some workload runs as the ServiceAccount with
// its token mounted.
func (a *Analysis) Mounted(s rbac.Subject) bool { return a.running[s] }
