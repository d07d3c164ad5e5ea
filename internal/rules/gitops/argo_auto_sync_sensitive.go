package gitops

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// argoAutoSyncSensitive checks automated sync on the applications that need
// a gate most: those in the default project and those deploying into a
// control-plane namespace. Automated sync with prune or selfHeal on such an
// application (or ApplicationSet template) is a hit at syncPolicy.automated.
// Allowed: manual sync, automated sync without prune and selfHeal, automated
// sync switched off with enabled: false, and automated sync elsewhere.
var argoAutoSyncSensitive = &objectRule{
	meta: rule.Meta{
		ID: "BW-GO-003", Name: "argo-auto-sync-sensitive",
		Title:    "Unrestricted Argo CD application syncs and prunes automatically",
		Severity: rule.Medium, Category: rule.GitOps,
		Why: "With automated sync, a commit to the source goes to the cluster with no one in between; prune deletes whatever the commit removed, and selfHeal reverts any manual fix, such as scaling down a compromised workload, within seconds. " +
			"On an application in the default project, or one that deploys into kube-system, argocd or flux-system, that turns one bad or malicious commit into a cluster-wide change that people cannot hold back.",
		Remediation: "Move the application into a restricted project first. For control-plane applications, sync manually or through a gated promotion (a protected branch with required reviews), or at least drop prune and selfHeal so that deletions and reverts need a person.",
		References:  []string{"https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/", refArgoProjects},
	},
	check: func(o *Options, obj *manifest.Object) []rule.Hit {
		a, ok := appOf(obj)
		if !ok || a.spec.SyncPolicy == nil || a.spec.SyncPolicy.Automated == nil {
			return nil
		}
		auto := a.spec.SyncPolicy.Automated
		if auto.Enabled != nil && !*auto.Enabled || !auto.Prune && !auto.SelfHeal {
			return nil
		}
		var why string
		switch ns := a.spec.Destination.Namespace; {
		case !templated(a.spec.Project) && a.projectName() == "default":
			why = "runs in the default project"
		case o.controlPlane(ns):
			why = "deploys into control-plane namespace " + ns
		default:
			return nil
		}
		var what []string
		if auto.Prune {
			what = append(what, "prune")
		}
		if auto.SelfHeal {
			what = append(what, "selfHeal")
		}
		return []rule.Hit{{
			Path:     a.path + ".syncPolicy.automated",
			Message:  fmt.Sprintf("application %s and syncs automatically with %s", why, strings.Join(what, " and ")),
			Evidence: "automated: " + strings.Join(what, ", "),
		}}
	},
}
