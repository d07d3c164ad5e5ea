package rbacrules

import (
	"fmt"
	"strings"

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
func Analyze(objs []*manifest.Object, cfg Config) *Analysis {
	cfg = cfg.withDefaults()
	a := &Analysis{
		Scopes:    rbac.NewScopePolicy(cfg.PrivilegedNamespaces),
		cfg:       cfg,
		subjects:  map[*manifest.Object][]rbacv1.Subject{},
		accounts:  map[rbac.Subject]*manifest.Object{},
		running:   map[rbac.Subject]bool{},
		effective: map[rbac.Subject][]rbac.Grant{},
	}
	var in rbac.Input
	var pods []*manifest.Object
	automount := map[rbac.Subject]*bool{}
	for _, o := range objs {
		if o.Kind != "ServiceAccount" && !isRBAC(o) {
			if isWorkloadKind(o.Kind) {
				pods = append(pods, o)
			}
			continue
		}
		var err error
		switch o.Kind {
		case "Role":
			var r rbacv1.Role
			if err = o.Decode("", &r); err == nil {
				in.Roles = append(in.Roles, rbac.Sourced[rbacv1.Role]{Object: r, Source: o})
			}
		case "ClusterRole":
			var r rbacv1.ClusterRole
			if err = o.Decode("", &r); err == nil {
				in.ClusterRoles = append(in.ClusterRoles, rbac.Sourced[rbacv1.ClusterRole]{Object: r, Source: o})
			}
		case "RoleBinding":
			var b rbacv1.RoleBinding
			if err = o.Decode("", &b); err == nil {
				in.RoleBindings = append(in.RoleBindings, rbac.Sourced[rbacv1.RoleBinding]{Object: b, Source: o})
				a.subjects[o] = b.Subjects
			}
		case "ClusterRoleBinding":
			var b rbacv1.ClusterRoleBinding
			if err = o.Decode("", &b); err == nil {
				in.ClusterRoleBindings = append(in.ClusterRoleBindings, rbac.Sourced[rbacv1.ClusterRoleBinding]{Object: b, Source: o})
				a.subjects[o] = b.Subjects
			}
		case "ServiceAccount":
			var sa corev1.ServiceAccount
			if err = o.Decode("", &sa); err == nil && sa.Name != "" {
				ns := orDefault(sa.Namespace)
				in.ServiceAccounts = append(in.ServiceAccounts, rbac.ServiceAccount{Namespace: ns, Name: sa.Name, Source: o})
				s := rbac.ServiceAccountSubject(ns, sa.Name)
				a.accounts[s] = o
				automount[s] = sa.AutomountServiceAccountToken
			}
		default:
			continue
		}
		if err != nil {
			if _, parseErr := o.Root(); parseErr == nil { // parse errors are the engine's to report
				a.invalid = append(a.invalid, invalidObject{obj: o, err: err})
			}
		}
	}
	for _, o := range pods {
		w, ok := workloadOf(o, automount)
		if !ok {
			continue
		}
		a.Workloads = append(a.Workloads, w)
		if w.Mounted {
			a.running[w.ServiceAccount] = true
		}
		in.Workloads = append(in.Workloads, rbac.Workload{Namespace: w.ServiceAccount.Namespace,
			ServiceAccountName: w.ServiceAccount.Name, NoAutomount: !w.Mounted, Source: o})
	}
	a.Graph = rbac.Build(in)
	return a
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

// workloadOf reads the ServiceAccount a workload runs as. A pod mounts its
// token unless its spec says automountServiceAccountToken: false, or
// leaves it unset and its ServiceAccount says false.
func workloadOf(o *manifest.Object, automount map[rbac.Subject]*bool) (Workload, bool) {
	pt, err := o.PodTemplate()
	if err != nil || pt == nil {
		return Workload{}, false // the engine reports objects that do not decode
	}
	name, field := pt.Spec.ServiceAccountName, "serviceAccountName"
	if name == "" && pt.Spec.DeprecatedServiceAccount != "" {
		name, field = pt.Spec.DeprecatedServiceAccount, "serviceAccount"
	}
	if name == "" {
		name = "default"
	}
	s := rbac.ServiceAccountSubject(orDefault(o.Namespace()), name)
	mounted := true
	if v := pt.Spec.AutomountServiceAccountToken; v != nil {
		mounted = *v
	} else if v := automount[s]; v != nil {
		mounted = *v
	}
	return Workload{Object: o, ServiceAccount: s, Path: pt.SpecPath + "." + field, Mounted: mounted}, true
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
// role it binds, as a known system or vendor object.
func (a *Analysis) AllowedBinding(b *rbac.Binding) bool {
	if o := Object(b.Source); o != nil && a.cfg.allowed(b.Name, o.StringMap("metadata.labels")) {
		return true
	}
	return a.AllowedRole(b.Role)
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
