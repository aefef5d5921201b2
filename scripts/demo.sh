#!/usr/bin/env bash
# `make demo` (after `make deps build`): boots the qemu IPVS lab once (or runs directly when the host
# kernel has IPVS) and plays the Director timeline of scripts/demo/run.sh in it. Root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-root.sh "make demo"
export VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
[ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing; run make build" >&2; exit 1; }
VIGIL_LAB_TIMEOUT=${VIGIL_LAB_TIMEOUT:-600} exec scripts/lab/vm-run.sh scripts/demo/run.sh
