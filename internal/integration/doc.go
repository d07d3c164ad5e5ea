// Package integration holds the tests of the files that plug Bulwark into
// other systems: the GitHub Action (action.yml), the GitLab CI template
// (ci/gitlab), the pre-commit hook (.pre-commit-hooks.yaml) and the examples
// in docs/ci.md. They are parsed as their consumers parse them and checked
// against the real command line, so a renamed flag or format breaks a test
// here rather than a user's pipeline.
package integration
