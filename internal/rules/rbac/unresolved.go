package rbacrules

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// unresolved reports RBAC objects that do not resolve the way they read:
// a binding to a role the manifests do not define (low; bindings to
// allowlisted system and vendor role names are expected to point at roles
// the cluster already has), a ClusterRoleBinding to a Role or a roleRef of
// unknown kind, subjects of unknown kind or ServiceAccounts without a
// namespace in a ClusterRoleBinding, aggregation selectors that do not
// parse, and RBAC objects whose fields have the wrong type (medium: the
// API server rejects them, so what is in Git is not what runs); the same
// object defined twice, and rules written in an aggregated ClusterRole,
// which the aggregation controller overwrites (low).
var unresolved = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-030", Name: "rbac-unresolved-reference",
		Title:    "RBAC object does not resolve as written",
		Severity: rule.Medium, Category: rule.Permissions,
		Why:         "A binding to a role that does not exist grants nothing today, but whoever later creates a role of that name, with whatever rules, grants them to its subjects at once. Objects the API server rejects, duplicates and overwritten aggregated rules mean the permissions in Git are not the ones in the cluster, so every review of them is wrong.",
		Remediation: "Define the role next to the binding or fix the reference; give ServiceAccount subjects a namespace; remove duplicate objects; leave rules out of ClusterRoles that have an aggregationRule; fix the field the message names.",
		References:  []string{refRBAC, refAggregation},
	},
	Check: func(a *Analysis) []rule.Hit {
		var hits []rule.Hit
		for _, p := range a.Graph.Problems() {
			o := Object(p.Source)
			if o == nil {
				continue
			}
			sev, path := rbac.Medium, ""
			switch p.Kind {
			case rbac.DanglingRoleRef:
				if a.cfg.allowed(p.Binding.RoleRef.Name, nil) {
					continue
				}
				sev, path = rbac.Low, "roleRef.name"
			case rbac.InvalidRoleRef:
				path = "roleRef.kind"
			case rbac.InvalidSubject, rbac.InvalidSelector:
				path = problemPath.FindString(p.Message)
			case rbac.DuplicateObject:
				sev, path = rbac.Low, "metadata.name"
			case rbac.OverwrittenRules:
				sev, path = rbac.Low, "rules"
			}
			hits = append(hits, rule.Hit{Object: o, Path: path, Message: p.Message, Key: string(p.Kind), Severity: rule.Severity(sev)})
		}
		for _, inv := range a.invalid {
			h := rule.Hit{Object: inv.obj, Key: "undecodable", Severity: rule.Medium}
			reason := inv.err.Error()
			var me *manifest.Error
			if errors.As(inv.err, &me) {
				reason, h.Line = me.Msg, me.Line
			}
			h.Message = fmt.Sprintf("%s %s is not a valid %s, so its permissions are not checked: %s", inv.obj.Kind, inv.obj.Name(), inv.obj.Kind, reason)
			hits = append(hits, h)
		}
		return hits
	},
}

var problemPath = regexp.MustCompile(`(aggregationRule\.clusterRoleSelectors|subjects)\[\d+\]`)
