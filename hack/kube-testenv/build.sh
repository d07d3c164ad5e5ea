#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from Go modules into a cache
# directory for the end-to-end tests, and prints that directory. The build is
# skipped when the binaries of this version are already there.
#
#   hack/kube-testenv/build.sh [BIN_DIR]     default: .cache/kube-testenv/<version>/bin
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version=v1.37.2
bin="${1:-$root/.cache/kube-testenv/$version/bin}"
mkdir -p "$bin"
bin="$(cd "$bin" && pwd)"

if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ] && [ -x "$bin/kubectl" ] &&
  [ "$(cat "$bin/.stamp" 2>/dev/null)" = "$(cat "$here/go.sum" "$here/build.sh" | sha256sum)" ]; then
  echo "$bin"
  exit 0
fi

cd "$here"
pkg=k8s.io/component-base/version
minor="${version#v1.}"; minor="${minor%%.*}"
ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
start=$(date +%s)
GOFLAGS=-mod=readonly go mod download
# One go build call shares the compilation of common packages; nice keeps
# the machine usable while it runs.
GOFLAGS=-mod=readonly nice go build -trimpath -ldflags "$ldflags" -o "$bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl ./cmd/etcd
cat "$here/go.sum" "$here/build.sh" | sha256sum >"$bin/.stamp"
echo "built kube-apiserver, kubectl and etcd $version in $(( $(date +%s) - start ))s" >&2
echo "$bin"
