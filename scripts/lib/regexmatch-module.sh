#!/usr/bin/env bash
# Builds Sources/RegexMatch alone with swiftc into OUTDIR (RegexMatch.swiftmodule + libRegexMatch.a), over
# Sources/CPCRE2's module map (libpcre2-8, Debian's libpcre2-dev), for the builds that compile Config's sources
# without SwiftPM (the standalone Config build, the config fuzzers). Extra arguments are swiftc flags, as for
# vocabulary-module.sh. Prints the flags to add to the importing swiftc command, after its source files.
set -euo pipefail
out=$1; shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out"
swiftc "$@" -parse-as-library -swift-version 6 -module-name RegexMatch -emit-module \
  -emit-module-path "$out/RegexMatch.swiftmodule" -emit-library -static -o "$out/libRegexMatch.a" \
  -I "$root/Sources/CPCRE2" "$root"/Sources/RegexMatch/*.swift >&2
echo "-I $out -I $root/Sources/CPCRE2 $out/libRegexMatch.a -lpcre2-8"
