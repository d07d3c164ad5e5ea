// Package history finds secrets in every commit of a Git repository. It
// streams `git log -p -U0` as git writes it, parses each file's added
// lines, and runs the secrets checks on them: the content detectors on the
// added lines, and, for Kubernetes and Helm files whose added lines may
// hold a secret (a whole new file, a base64 data value, a credential-named
// key), the structural rules on the file as the commit left it, keeping
// the findings that fall on added lines.
//
// Memory stays bounded whatever the history's size: the log is read
// through a fixed buffer, a file's added lines are handed to the workers in
// chunks of at most a few MiB, blobs over a limit are not fetched, and
// only findings are kept. Every finding carries its commit (SHA, author,
// date) and whether the same secret (by keyed fingerprint) is still
// present in HEAD's tree.
package history
