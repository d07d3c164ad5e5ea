package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// unpinnedDependency checks what deploy pipelines run that someone else can
// change. Only files with a job that deploys to a cluster are checked (a job
// that only deploys to a cluster it starts on the runner, an end-to-end
// test, does not count):
//   - GitHub: uses: of actions and reusable workflows not pinned to a full
//     40-character commit SHA (actions of the actions and github
//     organisations excepted, as zizmor's default policy does), docker://
//     actions, and job container and service images without a digest;
//   - GitLab: the images of deploying jobs (their own, one they extend, or
//     the default) and their services without a digest; include: project
//     without a commit SHA ref, remote without integrity, and component
//     without a SHA version.
//
// Each is a hit at the reference. Allowed: local actions (./...),
// references built from expressions or variables, and digests.
var unpinnedDependency = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-008", Name: "ci-unpinned-dependency",
		Title:    "Deploy pipeline runs an action or image that is not pinned",
		Severity: rule.Low, Category: rule.Pipeline,
		Why: "A tag or branch (actions/foo@v4, image: alpine:3) is whatever its owner, or whoever compromises the owner, points it at next; the next run of the deploy pipeline then executes the new code with the cluster credentials. In March 2025 the tags of tj-actions/changed-files were moved to a commit that dumped CI secrets into public logs of thousands of repositories. " +
			"A full commit SHA or an image digest can only ever mean the reviewed content.",
		Remediation: "Pin actions and reusable workflows to a full commit SHA, with the version in a comment (uses: owner/action@<40-hex SHA> # v4.2.0), and images to a digest (image@sha256:...); let Dependabot or Renovate propose updates. On GitLab, pin include: project to a commit SHA and remote includes with integrity.",
		References:  []string{"https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions", "https://github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies", refZizmorAudits + "#unpinned-uses", "https://docs.gitlab.com/ci/yaml/#includeintegrity"},
	},
	check: func(f *ciFile) []rule.Hit {
		deploy := f.deploys()
		if deploy == "" {
			return nil
		}
		if f.dialect == githubActions {
			return unpinnedGitHub(f, deploy)
		}
		return unpinnedGitLab(f)
	},
}

var (
	fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)
	digest  = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
)

// trustedOwners are GitHub's own action organisations, which a tag may name.
var trustedOwners = map[string]bool{"actions": true, "github": true}

func unpinnedGitHub(f *ciFile, deploy string) []rule.Hit {
	var hits []rule.Hit
	check := func(j *ciJob, uses string, line, col int) {
		if uses == "" || strings.HasPrefix(uses, "./") || strings.Contains(uses, "${{") {
			return
		}
		if img, ok := strings.CutPrefix(uses, "docker://"); ok {
			if !digest.MatchString(img) {
				hits = append(hits, hitAt(line, col, fmt.Sprintf("%s runs the container action %s without a digest, in a workflow that deploys (%s)", j.where(), img, deploy), uses, j.id+"|"+uses))
			}
			return
		}
		name, ref, _ := strings.Cut(uses, "@")
		owner, _, _ := strings.Cut(name, "/")
		if fullSHA.MatchString(ref) || trustedOwners[strings.ToLower(owner)] {
			return
		}
		hits = append(hits, hitAt(line, col, fmt.Sprintf("%s uses %s, pinned to %q rather than a commit SHA, in a workflow that deploys (%s)", j.where(), name, ref, deploy), uses, j.id+"|"+uses))
	}
	image := func(j *ciJob, what, img string, line, col int) {
		if img == "" || strings.Contains(img, "${{") || digest.MatchString(img) {
			return
		}
		hits = append(hits, hitAt(line, col, fmt.Sprintf("%s runs %s %s without a digest, in a workflow that deploys (%s)", j.where(), what, img, deploy), img, j.id+"|"+img))
	}
	for _, j := range f.jobs {
		if wc := j.gh.WorkflowCall; wc != nil && wc.Uses != nil {
			check(j, wc.Uses.Value, wc.Uses.Pos.Line, wc.Uses.Pos.Col)
		}
		for _, st := range j.gh.Steps {
			if ex := usesOf(st); ex != nil {
				check(j, ex.Uses.Value, ex.Uses.Pos.Line, ex.Uses.Pos.Col)
			}
		}
		if c := j.gh.Container; c != nil && c.Image != nil {
			image(j, "in the container", c.Image.Value, c.Image.Pos.Line, c.Image.Pos.Col)
		}
		if s := j.gh.Services; s != nil {
			for _, name := range sortedServices(s.Value) {
				if c := s.Value[name].Container; c != nil && c.Image != nil {
					image(j, "the service", c.Image.Value, c.Image.Pos.Line, c.Image.Pos.Col)
				}
			}
		}
	}
	return hits
}

func unpinnedGitLab(f *ciFile) []rule.Hit {
	var hits []rule.Hit
	seen := map[*yaml.Node]bool{}
	image := func(j *ciJob, n *yaml.Node, what string) {
		img, at := imageName(n)
		if at == nil || seen[at] || img == "" || strings.Contains(img, "$") || digest.MatchString(img) {
			return
		}
		seen[at] = true
		hits = append(hits, hitAt(at.Line, at.Column, fmt.Sprintf("%s deploys (%s) in %s %s, which has no digest", j.where(), j.deploy, what, img), img, "image|"+img))
	}
	for _, j := range f.jobs {
		if j.deploy == "" {
			continue
		}
		image(j, f.jobImage(j, 0), "the image")
		svcs := j.gl.services
		if svcs == nil {
			svcs = f.gl.services
		}
		for _, s := range svcs {
			image(j, s, "the service image")
		}
	}
	for _, inc := range f.gl.includes {
		var why string
		switch inc.kind {
		case "project":
			if !fullSHA.MatchString(inc.ref) {
				why = fmt.Sprintf("includes %s at %q rather than a commit SHA", inc.value, refOrDefault(inc.ref))
			}
		case "remote":
			if inc.integrity == "" {
				why = fmt.Sprintf("includes %s without an integrity hash", inc.value)
			}
		case "component":
			_, version, _ := strings.Cut(inc.value, "@")
			if !fullSHA.MatchString(version) && !strings.Contains(version, "$") {
				why = fmt.Sprintf("includes component %s at %q rather than a commit SHA", inc.value, version)
			}
		}
		if why != "" && (inc.kind == "component" || !strings.Contains(inc.value, "$")) {
			hits = append(hits, hitAt(inc.node.Line, inc.node.Column, "pipeline that deploys "+why, inc.value, "include|"+inc.value))
		}
	}
	return hits
}

func refOrDefault(ref string) string {
	if ref == "" {
		return "the default branch"
	}
	return ref
}
