package pipeline

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// excessivePermissions checks the GITHUB_TOKEN scope of GitHub workflows:
//   - permissions: write-all, at the top or on a job, is a hit there (high);
//   - a job that deploys to a cluster (kubectl apply, helm upgrade, a cluster
//     login action...) in a workflow with no top-level permissions and no
//     job permissions is a hit at the job (medium): its token gets the
//     repository's default permissions, read and write in repositories and
//     organisations created before February 2023.
//
// Allowed: read-all, explicit scopes, jobs that call reusable workflows (they
// are judged in the called workflow), and jobs that only deploy to a cluster
// they start on the runner (kind, k3d, minikube: end-to-end tests).
var excessivePermissions = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-006", Name: "ci-excessive-permissions",
		Title:    "Workflow token may write to the repository",
		Severity: rule.High, Category: rule.Pipeline,
		Why: "Every job gets a GITHUB_TOKEN. With write-all, or with the default permissions that many repositories still have as read and write, code that runs in the job (a compromised action, a dependency's install script, a deploy tool) can push commits and tags, rewrite releases and workflows, and approve or merge pull requests: a foothold in a deploy job becomes a persistent change to the code every later deploy ships. " +
			"Deploy jobs need little from the token, usually contents: read and id-token: write for OIDC.",
		Remediation: "Set permissions: {} or contents: read at the top of the workflow and grant each job only the scopes it uses (for example id-token: write for cloud OIDC, deployments: write to record deployments); set the repository's default workflow permissions to read.",
		References:  []string{refGHTokenPerms, "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions", refZizmorAudits + "#excessive-permissions"},
	},
	check: func(f *ciFile) []rule.Hit {
		if f.dialect != githubActions {
			return nil
		}
		var hits []rule.Hit
		w := f.gh
		if p := w.Permissions; p != nil && p.All != nil && strings.EqualFold(p.All.Value, "write-all") {
			hits = append(hits, hitAt(p.All.Pos.Line, p.All.Pos.Col, "workflow grants every job a token with write-all permissions", "permissions: write-all", "workflow"))
		}
		for _, j := range f.jobs {
			if p := j.gh.Permissions; p != nil && p.All != nil && strings.EqualFold(p.All.Value, "write-all") {
				hits = append(hits, hitAt(p.All.Pos.Line, p.All.Pos.Col, fmt.Sprintf("%s gets a token with write-all permissions", j.where()), "permissions: write-all", j.id))
				continue
			}
			if w.Permissions == nil && j.gh.Permissions == nil && j.gh.WorkflowCall == nil && j.deploy != "" {
				h := hitAt(j.line, j.col, fmt.Sprintf("%s deploys (%s) but neither it nor the workflow sets permissions, so its token gets the repository's defaults", j.where(), j.deploy), j.deploy, j.id+"|missing")
				h.Severity = rule.Medium
				hits = append(hits, h)
			}
		}
		return hits
	},
}
