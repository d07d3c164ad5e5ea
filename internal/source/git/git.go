// Package git reads revisions of Git repositories for scanning, without
// touching a working tree: a revision of a local repository is exported
// with `git archive`, a remote repository is cloned shallow into a
// temporary directory. Credentials come from Git's usual places (credential
// helpers, SSH agent, ~/.netrc); Git never prompts, and URLs are printed
// without credentials.
package git

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// MaxFileSize bounds one file of an exported revision.
const MaxFileSize = 1 << 30

// run runs git with prompts disabled and returns its output; errors carry
// git's message, with credentials removed.
func run(ctx context.Context, dir string, args ...string) (string, error) {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "GIT_SSH_COMMAND="+sshCommand())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(Redact(msg))
	}
	return string(out), nil
}

// sshCommand keeps ssh from asking questions: a host it does not know or
// a passphrase it would prompt for fails instead.
func sshCommand() string {
	if c := os.Getenv("GIT_SSH_COMMAND"); c != "" {
		return c
	}
	return "ssh -o BatchMode=yes"
}

// Toplevel returns the root of the Git work tree holding path.
func Toplevel(ctx context.Context, path string) (string, error) {
	dir := path
	if info, err := os.Stat(path); err == nil && !info.IsDir() {
		dir = filepath.Dir(path)
	}
	out, err := run(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("%s is not in a Git repository: %v", path, err)
	}
	return filepath.Clean(strings.TrimSpace(out)), nil
}

// Remotes lists the fetch URLs of a repository's remotes.
func Remotes(ctx context.Context, top string) []string {
	out, err := run(ctx, top, "config", "--get-regexp", `^remote\..*\.url$`)
	if err != nil {
		return nil
	}
	var urls []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if _, u, ok := strings.Cut(line, " "); ok {
			urls = append(urls, strings.TrimSpace(u))
		}
	}
	return urls
}

// Export writes revision rev of the repository at top into a new temporary
// directory and returns it with a function that removes it. Only regular
// files and directories are written, never outside the directory.
func Export(ctx context.Context, top, rev string) (string, func(), error) {
	if _, err := run(ctx, top, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return "", nil, fmt.Errorf("unknown revision %q", rev)
	}
	dir, err := os.MkdirTemp("", "bulwark-rev-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	cmd := exec.CommandContext(ctx, "git", "-C", top, "archive", "--format=tar", rev)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive: %w", err)
	}
	extractErr := untar(stdout, dir)
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %v: %s", rev, err, Redact(strings.TrimSpace(stderr.String())))
	}
	if extractErr != nil {
		cleanup()
		return "", nil, extractErr
	}
	return dir, cleanup, nil
}

// untar writes regular files and directories only, and never outside dir.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	base := filepath.Clean(dir) + string(os.PathSeparator)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading revision: %w", err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(target, base) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, io.LimitReader(tr, MaxFileSize))
			f.Close()
			if err != nil {
				return err
			}
		}
	}
}

var commitID = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// Clone fetches ref (a branch, tag or commit; empty for the default branch)
// of a remote repository, one commit deep, into a new temporary directory,
// and returns it with a function that removes it.
func Clone(ctx context.Context, repoURL, ref string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "bulwark-clone-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	fail := func(err error) (string, func(), error) {
		cleanup()
		return "", nil, fmt.Errorf("cloning %s: %w", Redact(repoURL), err)
	}
	if commitID.MatchString(ref) {
		for _, args := range [][]string{{"init", "--quiet"}, {"remote", "add", "origin", repoURL}} {
			if _, err := run(ctx, dir, args...); err != nil {
				return fail(err)
			}
		}
		// A full commit ID is fetched alone; servers refuse an abbreviated
		// one, which is then looked up in the whole history.
		if _, err := run(ctx, dir, "fetch", "--quiet", "--depth", "1", "--no-tags", "origin", ref); err == nil {
			if _, err := run(ctx, dir, "checkout", "--quiet", "FETCH_HEAD"); err != nil {
				return fail(err)
			}
			return dir, cleanup, nil
		}
		if _, err := run(ctx, dir, "fetch", "--quiet", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*"); err != nil {
			return fail(err)
		}
		if _, err := run(ctx, dir, "checkout", "--quiet", ref); err != nil {
			return fail(err)
		}
		return dir, cleanup, nil
	}
	args := []string{"clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags"}
	if ref != "" {
		args = append(args, "--branch", ref)
	}
	args = append(args, "--", repoURL, dir)
	if _, err := run(ctx, "", args...); err != nil {
		return fail(err)
	}
	return dir, cleanup, nil
}

var scpLike = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]`)

// IsURL reports whether a scan argument names a remote repository rather
// than a path: a URL with a scheme Git fetches, or an scp-like address.
func IsURL(s string) bool {
	for _, scheme := range []string{"https://", "http://", "ssh://", "git://", "file://", "git+ssh://"} {
		if strings.HasPrefix(s, scheme) {
			return true
		}
	}
	return scpLike.MatchString(s)
}

var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)

// Redact removes credentials (user:password@, tokens) from URLs in s.
func Redact(s string) string {
	return userinfo.ReplaceAllString(s, "${1}")
}

// Name is a URL as reports show it: no credentials, no query.
func Name(repoURL string) string {
	if u, err := url.Parse(repoURL); err == nil && u.Scheme != "" {
		u.User = nil
		u.RawQuery = ""
		return u.String()
	}
	return Redact(repoURL)
}
