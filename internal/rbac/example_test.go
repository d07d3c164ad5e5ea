package rbac_test

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
)

func Example() {
	in := rbac.Input{
		Roles: []rbac.Sourced[rbacv1.Role]{{
			Object: rbacv1.Role{
				ObjectMeta: metav1.ObjectMeta{Name: "pod-maker", Namespace: "ci"},
				Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create"}}},
			},
			Source: "ci/rbac.yaml:1",
		}},
		RoleBindings: []rbac.Sourced[rbacv1.RoleBinding]{{
			Object: rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "runner", Namespace: "ci"},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "pod-maker"},
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "runner", Namespace: "ci"}},
			},
			Source: "ci/rbac.yaml:9",
		}},
		ClusterRoleBindings: []rbac.Sourced[rbacv1.ClusterRoleBinding]{{
			Object: rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "deployer"},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: "ci"}},
			},
			Source: "platform/admin.yaml:1",
		}},
	}
	g := rbac.Build(in)
	p, _ := g.PathTo(rbac.ServiceAccountSubject("ci", "runner"), rbac.ClusterAdmin)
	fmt.Println(p)
	for _, s := range p.Steps {
		fmt.Println(s.Kind, "allowed by", s.Grants[0].Binding.Source)
	}
	// Output:
	// ServiceAccount:ci/runner -[create-pods]-> ServiceAccount:ci/deployer -[holds-cluster-admin]-> ClusterAdmin:cluster-admin
	// create-pods allowed by ci/rbac.yaml:9
	// holds-cluster-admin allowed by platform/admin.yaml:1
}
