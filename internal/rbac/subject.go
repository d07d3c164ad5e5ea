package rbac

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// SubjectKind is the kind of an identity in the graph.
type SubjectKind string

// Subject kinds. ClusterAdminKind is not an identity Kubernetes knows: it
// is the sink of escalation paths, "holds every permission everywhere".
const (
	UserKind           SubjectKind = rbacv1.UserKind
	GroupKind          SubjectKind = rbacv1.GroupKind
	ServiceAccountKind SubjectKind = rbacv1.ServiceAccountKind
	ClusterAdminKind   SubjectKind = "ClusterAdmin"
)

// Well-known users and groups the API server assigns implicitly.
const (
	Anonymous          = "system:anonymous"
	Authenticated      = "system:authenticated"
	Unauthenticated    = "system:unauthenticated"
	Masters            = "system:masters"
	AllServiceAccounts = "system:serviceaccounts"
	saUserPrefix       = "system:serviceaccount:"
	saGroupPrefix      = "system:serviceaccounts:"
)

// Subject is a normalised identity: a User, a Group or a ServiceAccount
// (with its namespace). The API server treats the user
// "system:serviceaccount:<ns>:<name>" and the ServiceAccount <ns>/<name> as
// the same identity, so both normalise to the ServiceAccount form.
type Subject struct {
	Kind      SubjectKind `json:"kind"`
	Namespace string      `json:"namespace,omitempty"`
	Name      string      `json:"name"`
}

// ClusterAdmin is the sink of every escalation path.
var ClusterAdmin = Subject{Kind: ClusterAdminKind, Name: "cluster-admin"}

// UserSubject returns the user with that name, or the ServiceAccount when
// the name is a service account's username.
func UserSubject(name string) Subject {
	if ns, sa, ok := splitSAUsername(name); ok {
		return ServiceAccountSubject(ns, sa)
	}
	return Subject{Kind: UserKind, Name: name}
}

// GroupSubject returns the group with that name.
func GroupSubject(name string) Subject { return Subject{Kind: GroupKind, Name: name} }

// ServiceAccountSubject returns the ServiceAccount namespace/name.
func ServiceAccountSubject(namespace, name string) Subject {
	return Subject{Kind: ServiceAccountKind, Namespace: namespace, Name: name}
}

// SubjectOf normalises a binding subject. bindingNamespace is the namespace
// of a RoleBinding ("" for a ClusterRoleBinding): the authorizer gives a
// ServiceAccount subject without a namespace the binding's namespace. It
// fails for unknown kinds and for a namespace-less ServiceAccount in a
// ClusterRoleBinding, which the API server rejects.
func SubjectOf(s rbacv1.Subject, bindingNamespace string) (Subject, error) {
	switch s.Kind {
	case rbacv1.UserKind:
		return UserSubject(s.Name), nil
	case rbacv1.GroupKind:
		return GroupSubject(s.Name), nil
	case rbacv1.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		if ns == "" {
			return Subject{}, fmt.Errorf("ServiceAccount subject %q has no namespace", s.Name)
		}
		return ServiceAccountSubject(ns, s.Name), nil
	}
	return Subject{}, fmt.Errorf("unknown subject kind %q", s.Kind)
}

// Username is the name the API server authenticates the subject as.
func (s Subject) Username() string {
	if s.Kind == ServiceAccountKind {
		return saUserPrefix + s.Namespace + ":" + s.Name
	}
	return s.Name
}

// Groups lists the groups the API server adds to every request of the
// subject: system:serviceaccounts, system:serviceaccounts:<ns> and
// system:authenticated for service accounts, system:authenticated for users
// other than system:anonymous, which is in system:unauthenticated. Groups
// belong to no further group. Groups an authenticator adds (OIDC claims,
// certificate organisations) cannot be known from manifests.
func (s Subject) Groups() []string {
	switch s.Kind {
	case ServiceAccountKind:
		return []string{AllServiceAccounts, saGroupPrefix + s.Namespace, Authenticated}
	case UserKind:
		if s.Name == Anonymous {
			return []string{Unauthenticated}
		}
		return []string{Authenticated}
	}
	return nil
}

// String is the subject's stable key: "User:alice", "Group:dev",
// "ServiceAccount:ns/name", "ClusterAdmin:cluster-admin".
func (s Subject) String() string {
	if s.Kind == ServiceAccountKind {
		return string(s.Kind) + ":" + s.Namespace + "/" + s.Name
	}
	return string(s.Kind) + ":" + s.Name
}

// ParseSubject reads the String form back.
func ParseSubject(key string) (Subject, error) {
	kind, rest, ok := strings.Cut(key, ":")
	if !ok || rest == "" {
		return Subject{}, fmt.Errorf("subject %q: want Kind:name", key)
	}
	switch SubjectKind(kind) {
	case UserKind:
		return UserSubject(rest), nil
	case GroupKind:
		return GroupSubject(rest), nil
	case ClusterAdminKind:
		return ClusterAdmin, nil
	case ServiceAccountKind:
		ns, name, ok := strings.Cut(rest, "/")
		if !ok || ns == "" || name == "" {
			return Subject{}, fmt.Errorf("subject %q: want ServiceAccount:namespace/name", key)
		}
		return ServiceAccountSubject(ns, name), nil
	}
	return Subject{}, fmt.Errorf("subject %q: unknown kind %q", key, kind)
}

// splitSAUsername splits "system:serviceaccount:<ns>:<name>" as the
// API server's serviceaccount.SplitUsername does.
func splitSAUsername(user string) (namespace, name string, ok bool) {
	rest, found := strings.CutPrefix(user, saUserPrefix)
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}
