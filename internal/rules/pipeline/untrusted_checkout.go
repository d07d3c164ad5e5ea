package pipeline

import (
	"fmt"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// untrustedCheckout checks GitHub workflows triggered by pull_request_target
// or workflow_run, which run with the base repository's secrets and a
// writable token even for pull requests from forks. A job that checks out
// the pull request's code, by actions/checkout with a ref (or repository)
// taken from the pull request or the triggering run (head.sha, head.ref,
// head_ref, refs/pull/N/merge, workflow_run.head_sha...) or by gh pr
// checkout or git fetch of pull/N/head in a script, is a hit at the
// checkout; critical when a later step of the job runs code (any run step,
// a local action ./..., or a build action), high otherwise. Allowed: these
// triggers checking out the base branch (the default), and pull_request
// workflows, which get no secrets for forks.
var untrustedCheckout = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-004", Name: "ci-untrusted-checkout",
		Title:    "Privileged workflow checks out and runs pull-request code",
		Severity: rule.Critical, Category: rule.Pipeline,
		Why: "pull_request_target and workflow_run workflows run in the context of the base repository: they get its secrets, including deploy credentials, and a GITHUB_TOKEN that can write, even when a stranger's fork triggered them. " +
			"Checking out the pull request's head and then building, testing or running anything from it (npm install runs package scripts, make runs the Makefile) executes the attacker's code with those secrets: GitHub Security Lab calls this a pwn request, and it has been used to take over repositories and their release pipelines.",
		Remediation: "Build and test pull requests in a pull_request workflow, which gets no secrets for forks; if a privileged follow-up is needed (labelling, commenting), pass data through an artifact from the unprivileged run and treat it as untrusted. Never run code from the head of a pull request in a pull_request_target or workflow_run job; if you must check it out, do so without persisted credentials and without executing it.",
		References:  []string{refGHPwnRequests, refGHHardening, refZizmorAudits + "#dangerous-triggers"},
	},
	check: func(f *ciFile) []rule.Hit {
		trigger := f.hasEvent("pull_request_target", "workflow_run")
		if trigger == "" {
			return nil
		}
		var hits []rule.Hit
		for _, j := range f.jobs {
			at, what := -1, ""
			var line, col int
			for i, st := range j.gh.Steps {
				if at >= 0 {
					if runs := runsCode(j, i, st); runs != "" {
						h := hitAt(line, col, fmt.Sprintf("%s workflow: %s %s, then %s (line %d)", trigger, j.where(), what, runs, stepLine(st)), what, j.id+"|checkout")
						h.Severity = rule.Critical
						hits = append(hits, h)
						at = -2
						break
					}
					continue
				}
				if l, c, w := headCheckout(j, i, st); w != "" {
					at, what, line, col = i, w, l, c
				}
			}
			if at >= 0 {
				h := hitAt(line, col, fmt.Sprintf("%s workflow: %s %s with the base repository's secrets and token", trigger, j.where(), what), what, j.id+"|checkout")
				h.Severity = rule.High
				hits = append(hits, h)
			}
		}
		return hits
	},
}

// untrustedRefs are the expressions that name the pull request's code.
var untrustedRefs = []string{
	"github.event.pull_request.head.sha", "github.event.pull_request.head.ref", "github.head_ref",
	"github.event.pull_request.head.repo.full_name", "github.event.pull_request.merge_commit_sha",
	"github.event.workflow_run.head_sha", "github.event.workflow_run.head_branch",
	"github.event.workflow_run.head_repository.full_name", "github.event.workflow_run.head_commit.id",
	"refs/pull/",
}

func untrustedRef(v string) bool {
	v = strings.ToLower(strings.ReplaceAll(v, " ", ""))
	for _, r := range untrustedRefs {
		if strings.Contains(v, r) {
			return true
		}
	}
	return false
}

// headCheckout finds a step that checks out the pull request's code.
func headCheckout(j *ciJob, i int, st *actionlint.Step) (int, int, string) {
	if ex := usesOf(st); ex != nil && actionName(ex.Uses.Value) == "actions/checkout" {
		for _, in := range []string{"ref", "repository"} {
			if v, s := inputValue(ex, in); s != nil && untrustedRef(v) {
				return s.Pos.Line, s.Pos.Col, fmt.Sprintf("checks out the pull request's code (actions/checkout %s: %s)", in, strings.TrimSpace(v))
			}
		}
		return 0, 0, ""
	}
	for _, s := range j.scripts {
		if s.step != i {
			continue
		}
		for _, c := range s.cmds {
			switch {
			case c.prog() == "gh" && c.has("pr", "checkout"):
				l, col := s.wordPos(c.words[0])
				return l, col, "checks out the pull request's code (gh pr checkout)"
			case c.prog() == "git" && (c.has("fetch") || c.has("checkout") || c.has("switch")):
				for _, a := range c.args() {
					if strings.HasPrefix(a.text, "pull/") || untrustedRef(a.text) {
						l, col := s.wordPos(a)
						return l, col, fmt.Sprintf("checks out the pull request's code (git %s)", a.text)
					}
				}
			}
		}
	}
	return 0, 0, ""
}

// buildActions run code from the workspace.
var buildActions = []string{"docker/build-push-action", "gradle/gradle-build-action", "gradle/actions/setup-gradle",
	"goreleaser/goreleaser-action", "pypa/gh-action-pypi-publish", "github/codeql-action/autobuild", "actions/github-script"}

// runsCode says how a step runs code from the workspace, or "".
func runsCode(j *ciJob, i int, st *actionlint.Step) string {
	if _, ok := st.Exec.(*actionlint.ExecRun); ok {
		for _, s := range j.scripts {
			if s.step == i && len(s.cmds) > 0 {
				return "runs " + s.cmds[0].prog()
			}
		}
		return "runs a script"
	}
	if ex := usesOf(st); ex != nil {
		u := ex.Uses.Value
		if strings.HasPrefix(u, "./") {
			return "runs the local action " + u
		}
		name := actionName(u)
		for _, b := range buildActions {
			if name == b {
				return "runs " + b
			}
		}
	}
	return ""
}

func stepLine(st *actionlint.Step) int {
	if st.Pos != nil {
		return st.Pos.Line
	}
	return 0
}
