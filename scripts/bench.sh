#!/usr/bin/env bash
# Whole-process timings of Bulwark against peers on the same corpus, in one run.
# Usage: scripts/bench.sh CORPUS_DIR [RUNS]
# Peers are optional and found through KUBE_LINTER and TRIVY (paths to binaries
# built from their public sources). Prints one line per tool and corpus:
# wall seconds, CPU seconds, peak RSS MiB, objects per second (Bulwark's count).
set -euo pipefail
corpus=${1:?corpus directory}
runs=${2:-3}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/bulwark
go build -o "$bin" ./cmd/bulwark

x10=$(mktemp -d)
for i in 0 1 2 3 4 5 6 7 8 9; do cp -r "$corpus" "$x10/c$i"; done

measure() { # name dir cmd...
  local name=$1 dir=$2; shift 2
  local best=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o /tmp/bench.$$ "$@" >/dev/null 2>&1 || true
    read -r wall user sys rss < <(tail -n 1 /tmp/bench.$$)
    line=$(awk -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN{printf "%.3f %.3f %.1f", w, u+s, r/1024}')
    best="$best$line"$'\n'
  done
  # median of the runs by wall time
  med=$(printf '%s' "$best" | sort -n | awk -v n="$runs" 'NR==int((n+1)/2)')
  objects=$( ("$bin" scan --format json "$dir" 2>/dev/null || true) | awk -F': ' '/"objects"/{gsub(",","",$2); print $2; exit}')
  label=corpus; [ "$dir" = "$x10" ] && label=corpus-x10
  awk -v n="$name" -v d="$label" -v m="$med" -v o="$objects" 'BEGIN{split(m,a," "); printf "%-12s %-10s wall %6.2f s  cpu %6.2f s  peak %7.1f MiB  %8.0f objects/s\n", n, d, a[1], a[2], a[3], o/a[1]}'
}

for dir in "$corpus" "$x10"; do
  measure bulwark "$dir" "$bin" scan --format json "$dir"
  [ -n "${KUBE_LINTER:-}" ] && measure kube-linter "$dir" "$KUBE_LINTER" lint "$dir"
  if [ -n "${TRIVY:-}" ]; then
    cache=$(mktemp -d)
    measure trivy "$dir" "$TRIVY" config --cache-dir "$cache" --skip-check-update --skip-version-check --disable-telemetry "$dir"
  fi
done
rm -rf "$x10"
