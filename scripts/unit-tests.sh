#!/usr/bin/env bash
# Unit tier: `swift test` with no tier variables set, so integration suites
# (which live in their own targets and need VIGIL_TIER) do not run here.
# Fails if the runner executed no test at all.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
unset VIGIL_TIER
set +e
swift test 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then exit "$rc"; fi
if grep -Eq 'Test run with 0 tests' "$log" && ! grep -Eq 'Executed [1-9][0-9]* tests?' "$log"; then
  echo "error: the unit tier ran no test" >&2; exit 1
fi
