#!/usr/bin/env bash
# Builds Sources/Vocabulary alone with swiftc into OUTDIR (Vocabulary.swiftmodule + libVocabulary.a), for the
# builds that compile a module's sources without SwiftPM (fuzzers, the standalone Config build). Extra arguments are
# swiftc flags (the same optimisation and sanitizer flags as the module that imports it).
# Prints the flags to add to the importing swiftc command, after its source files (the archive must follow the
# objects that use it on the link line).
set -euo pipefail
out=$1; shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out"
swiftc "$@" -parse-as-library -swift-version 6 -module-name Vocabulary -emit-module \
  -emit-module-path "$out/Vocabulary.swiftmodule" -emit-library -static -o "$out/libVocabulary.a" \
  "$root"/Sources/Vocabulary/*.swift >&2
echo "-I $out $out/libVocabulary.a"
