#!/usr/bin/env bash
# The admission benchmark of docs/benchmarks.md: the webhook as deployed
# (cluster cache on, synced from a real kube-apiserver built by
# hack/kube-testenv), driven on loopback at rising rates for each mix of
# requests, then a 10-minute soak of the mix with RoleBindings. Reports go
# to OUT_DIR, one file per run.
#
#   cmd/bulwark-loadgen/bench.sh [OUT_DIR]      default: .cache/bench
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-.cache/bench}"
mkdir -p "$out"
assets="$(hack/kube-testenv/build.sh)"
rates="${RATES:-250,500,1000,1500,2000,3000,4000,6000,8000}"

run() {
  local name="$1"; shift
  echo "== $name ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  BULWARK_E2E_ASSETS="$assets" BULWARK_E2E_LOAD="$*" BULWARK_E2E_LOAD_OUT="$out/$name.md" \
    go test -tags e2e -count=1 -timeout 40m -run TestLoad ./test/e2e/ >"$out/$name.log" 2>&1
  echo "   done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  cat "$out/$name.md"
}

run pods-deployments --mix pod-privileged,pod-restricted,deployment --sequential 1000 --rates "$rates"
run with-rolebindings --mix all --sequential 1000 --rates "$rates"
run rolebindings --mix rolebinding --sequential 1000 --rates 200,400,800,1200,1600,2000,3000
if [ "${SOAK:-10m}" != "0" ]; then
  run soak --mix all --rates 1000 --duration 10s --soak "${SOAK:-10m}" --soak-rate 1000
fi
