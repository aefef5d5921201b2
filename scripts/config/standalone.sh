#!/usr/bin/env bash
# Builds the Config module alone with swiftc, without SwiftPM (about a minute on a free core), with only its
# own modules beneath it (Vocabulary, and RegexMatch over libpcre2-8), into .build-config-standalone/:
#   scripts/config/standalone.sh check   -> config-standalone (swiftc -O -wmo): `check` behaves like
#        `vigil check`, so `scripts/config/bench.sh .build-config-standalone/config-standalone` measures
#        the parser without the package's release build; `dump` prints diagnostics and model for
#        differential checks; profile with `valgrind --tool=callgrind`.
#   scripts/config/standalone.sh tests   -> config-tests (-Onone, Swift Testing): the ConfigTests unit
#        tests compiled into one module with the sources; run from the repository root
#        (`.build-config-standalone/config-tests [--filter NAME]`).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.build-config-standalone
mkdir -p "$out"
case "${1:-}" in
check)
    vocabulary=$(scripts/lib/vocabulary-module.sh "$out/vocabulary-O" -O -wmo)
    regexmatch=$(scripts/lib/regexmatch-module.sh "$out/regexmatch-O" -O -wmo)
    # shellcheck disable=SC2086
    swiftc -O -wmo -swift-version 6 -parse-as-library -module-name ConfigStandalone \
        Sources/Config/*.swift scripts/config/standalone-main.swift -o "$out/config-standalone" $vocabulary $regexmatch
    echo "$out/config-standalone" ;;
tests)
    src="$out/tests-src"
    rm -rf "$src"; mkdir -p "$src/Tests/ConfigTests"
    for f in Tests/ConfigTests/*.swift; do
        sed -e 's/^@testable import Config$//' -e 's/^import Config$//' -e 's/^import TestSupport$//' \
            "$f" > "$src/Tests/ConfigTests/$(basename "$f")"
    done
    ln -sfn "$PWD/Samples" "$src/Samples"   # SamplesTests finds Samples/ from its own #filePath
    ln -sfn "$PWD/docs" "$src/docs"; ln -sfn "$PWD/README.md" "$src/README.md"   # KeywordTableTests
    printf 'import Testing\nimport Glibc\n@main struct TestMain {\n    static func main() async {\n        exit(await Testing.__swiftPMEntryPoint(passing: nil) as CInt)\n    }\n}\n' > "$src/zz_main.swift"
    vocabulary=$(scripts/lib/vocabulary-module.sh "$out/vocabulary-Onone" -Onone)
    regexmatch=$(scripts/lib/regexmatch-module.sh "$out/regexmatch-Onone" -Onone)
    # shellcheck disable=SC2086
    swiftc -Onone -swift-version 6 -parse-as-library -module-name ConfigTestsStandalone \
        Sources/Config/*.swift "$src/zz_main.swift" "$src"/Tests/ConfigTests/*.swift -o "$out/config-tests" $vocabulary $regexmatch
    echo "$out/config-tests" ;;
*)
    echo "usage: $0 check|tests" >&2; exit 2 ;;
esac
