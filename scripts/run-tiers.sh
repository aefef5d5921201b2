#!/usr/bin/env bash
# Runs the named test tiers in order, keeps going after a failure so one run
# reports every tier, and ends with a plain "tiers: N passed, N failed" line.
set -u
cd "$(dirname "$0")/.."
passed=0; failed=0; failed_names=()
for tier in "$@"; do
  echo "=================== tier: $tier ==================="
  start=$(date +%s)
  if make --no-print-directory "test-$tier"; then
    passed=$((passed + 1)); echo "tier $tier: PASSED in $(( $(date +%s) - start )) s"
  else
    failed=$((failed + 1)); failed_names+=("$tier"); echo "tier $tier: FAILED in $(( $(date +%s) - start )) s"
  fi
done
[ "$failed" -eq 0 ] || echo "failed tiers: ${failed_names[*]}"
echo "tiers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
