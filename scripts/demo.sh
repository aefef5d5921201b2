#!/usr/bin/env bash
# Placeholder until the Director lands (issue #6): checks and explains Samples/.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for f in Samples/*.conf; do
  [ -e "$f" ] || { echo "no samples yet"; exit 1; }
  echo "== vigil check $f"
  .build/debug/vigil check -f "$f" || status=1
done
exit $status
