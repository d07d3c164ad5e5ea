package pipeline

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// hitAt makes a hit at a file position. key tells apart hits of one rule in
// one file for fingerprints (job and what was found, never the line).
func hitAt(line, col int, msg, evidence, key string) rule.Hit {
	return rule.Hit{Line: line, Column: col, Message: msg, Evidence: evidence, Key: key}
}

// where names a job in messages.
func (j *ciJob) where() string {
	switch j.id {
	case "(default)":
		return "default scripts"
	case "(workflow)":
		return "top-level environment"
	}
	return fmt.Sprintf("job %s", j.id)
}

// pos returns the file position of an offset in an env value or input.
func (e envVar) pos(lines []string, offset int, token string) (int, int) {
	return locator{lines: lines, line: e.line, col: e.col, quoted: e.quoted}.at(e.value, offset, token)
}

// References shared by several rules.
const (
	refGHHardening   = "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions"
	refGHScriptInj   = "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections"
	refGHTokenPerms  = "https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token"
	refGHOIDC        = "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect"
	refGHPwnRequests = "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/"
	refGitLabAgent   = "https://docs.gitlab.com/user/clusters/agent/ci_cd_workflow/"
	refK8sRBACGood   = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
	refZizmorAudits  = "https://docs.zizmor.sh/audits/"
)
