package pipeline

import (
	"fmt"
	"regexp"
	"strconv"
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
// workflows, which get no secrets for forks; and actions/checkout v7 or later
// without allow-unsafe-pr-checkout: true, which refuses to check out a fork's
// pull request in these workflows.
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
				if l, c, w := headCheckout(f, j, i, st); w != "" {
					at, what, line, col = i, w, l, c
					break
				}
			}
			if at < 0 {
				continue
			}
			// What runs afterwards: a build tool or local action first, any
			// script otherwise.
			runs, runsLine := "", 0
			for i := at + 1; i < len(j.gh.Steps) && runs == ""; i++ {
				if r, strong := runsCode(j, i, j.gh.Steps[i]); strong {
					runs, runsLine = r, stepLine(j.gh.Steps[i])
				}
			}
			for i := at + 1; i < len(j.gh.Steps) && runs == ""; i++ {
				if r, _ := runsCode(j, i, j.gh.Steps[i]); r != "" {
					runs, runsLine = r, stepLine(j.gh.Steps[i])
				}
			}
			if runs != "" {
				h := hitAt(line, col, fmt.Sprintf("%s workflow: %s %s, then %s (line %d)", trigger, j.where(), what, runs, runsLine), what, j.id+"|checkout")
				h.Severity = rule.Critical
				hits = append(hits, h)
				continue
			}
			h := hitAt(line, col, fmt.Sprintf("%s workflow: %s %s with the base repository's secrets and token", trigger, j.where(), what), what, j.id+"|checkout")
			h.Severity = rule.High
			hits = append(hits, h)
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
// actions/checkout from v7 on refuses to check out a fork's pull request in
// these workflows unless allow-unsafe-pr-checkout is true, so such a step
// only counts with that input (the version is read from the tag, or from the
// "# v7.0.1" comment after a SHA).
func headCheckout(f *ciFile, j *ciJob, i int, st *actionlint.Step) (int, int, string) {
	if ex := usesOf(st); ex != nil && actionName(ex.Uses.Value) == "actions/checkout" {
		unsafe, _ := inputValue(ex, "allow-unsafe-pr-checkout")
		if checkoutMajor(f, ex) >= 7 && !isTrue(unsafe) {
			return 0, 0, ""
		}
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

// buildTools run code from the workspace they are started in.
var buildTools = map[string]bool{
	"npm": true, "npx": true, "yarn": true, "pnpm": true, "bun": true, "node": true, "make": true, "go": true,
	"python": true, "python3": true, "pip": true, "pip3": true, "poetry": true, "uv": true, "tox": true, "pytest": true,
	"bash": true, "sh": true, "mvn": true, "gradle": true, "./gradlew": true, "cargo": true, "docker": true,
	"bundle": true, "rake": true, "composer": true, "dotnet": true, "cmake": true, "bazel": true, "just": true, "task": true,
}

// runsCode says how a step runs code, or ""; strong says it certainly runs
// code from the workspace (a build tool, a local script or action).
func runsCode(j *ciJob, i int, st *actionlint.Step) (string, bool) {
	if _, ok := st.Exec.(*actionlint.ExecRun); ok {
		for _, s := range j.scripts {
			if s.step != i {
				continue
			}
			for _, c := range s.cmds {
				if p := c.prog(); buildTools[p] || strings.HasPrefix(c.words[0].text, "./") {
					return "runs " + c.words[0].text, true
				}
			}
		}
		return "runs a script", false
	}
	if ex := usesOf(st); ex != nil {
		u := ex.Uses.Value
		if strings.HasPrefix(u, "./") {
			return "runs the local action " + u, true
		}
		name := actionName(u)
		for _, b := range buildActions {
			if name == b {
				return "runs " + b, true
			}
		}
	}
	return "", false
}

// majorVersion reads "v7.0.1" or "v7".
var majorVersion = regexp.MustCompile(`^v?(\d+)`)

// checkoutMajor finds the major version of a checkout step: "v7.0.1" or "v7"
// as the ref, or in a comment after a SHA; 0 when unknown.
func checkoutMajor(f *ciFile, ex *actionlint.ExecAction) int {
	_, ref, _ := strings.Cut(ex.Uses.Value, "@")
	if !fullSHA.MatchString(ref) {
		if m := majorVersion.FindStringSubmatch(ref); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
		return 0
	}
	if l := ex.Uses.Pos.Line; l >= 1 && l <= len(f.lines) {
		if _, comment, ok := strings.Cut(f.lines[l-1], "#"); ok {
			if m := majorVersion.FindStringSubmatch(strings.TrimSpace(comment)); m != nil {
				n, _ := strconv.Atoi(m[1])
				return n
			}
		}
	}
	return 0
}

func stepLine(st *actionlint.Step) int {
	if st.Pos != nil {
		return st.Pos.Line
	}
	return 0
}
