#!/usr/bin/env bash
# Regenerates docs/keywords.md and the README's list of warned-only keywords from the keyword table
# (Sources/Config/Keyword.swift), with the standalone Config build (no SwiftPM build needed).
# The unit test KeywordTableTests fails while either is out of date.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(scripts/config/standalone.sh check | tail -1)
"$bin" keywords-md > docs/keywords.md
list=$("$bin" warned-md)
begin='<!-- generated: warned-only keywords (scripts/config/gen-keywords.sh) -->'
end='<!-- end of generated list -->'
grep -qF "$begin" README.md || { echo "README.md lacks the marker: $begin" >&2; exit 1; }
LIST="$list" BEGIN="$begin" END="$end" python3 - <<'PY'
import os
s = open("README.md").read()
b, e = os.environ["BEGIN"], os.environ["END"]
head, rest = s.split(b, 1)
_, tail = rest.split(e, 1)
open("README.md", "w").write(head + b + "\n" + os.environ["LIST"].rstrip("\n") + "\n" + e + tail)
PY
echo "docs/keywords.md and README.md regenerated"
