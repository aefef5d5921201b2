# Config module (issue #2): libFuzzer run of the parser and the 10k×10 benchmark; issue #12: the differential
# test against keepalived -t (host tier).
HOST_TESTS += test-config-differential
FUZZERS += fuzz-config
BENCHES += bench-config

CONFIG_FUZZ_DIR := .build-fuzz-config
CONFIG_FUZZ_RUNS ?= 1000000
CONFIG_FUZZ_SECONDS ?= 3000

.PHONY: fuzz-config bench-config test-config-differential

# --strict: also fail on stale entries of the table (differences that no longer occur).
CONFIG_DIFFERENTIAL_FLAGS ?=

## vigil check vs keepalived -t over Debian's samples, Samples/ and Tests/Corpus/keepalived/; every difference must be
## in Tests/Corpus/expected-differences.tsv with its reason. Root, keepalived 2.2.7. Without a package build:
## `scripts/config/standalone.sh check` then `make test-config-differential VIGIL_BIN=.build-config-standalone/config-standalone`.
test-config-differential:
	@scripts/require-root.sh "config differential test"
	@command -v keepalived >/dev/null || { echo "error: test-config-differential needs keepalived (make deps)" >&2; exit 1; }
	@test -x "$(VIGIL_BIN)" || { echo "error: no Vigil binary at $(VIGIL_BIN) (make build)" >&2; exit 1; }
	scripts/config/differential.sh $(VIGIL_BIN) $(CONFIG_DIFFERENTIAL_FLAGS)

## Builds the parser fuzzer with swiftc (-sanitize=fuzzer,address) and runs a bounded campaign.
fuzz-config:
	@mkdir -p $(CONFIG_FUZZ_DIR)/corpus $(CONFIG_FUZZ_DIR)/artifacts
	swiftc -O -sanitize=fuzzer,address -use-ld=lld -parse-as-library -module-name ConfigFuzz \
	  Sources/Config/*.swift Fuzz/Config/main.swift -o $(CONFIG_FUZZ_DIR)/config-fuzz \
	  $$(scripts/lib/vocabulary-module.sh $(CONFIG_FUZZ_DIR)/vocabulary-asan -O -sanitize=fuzzer,address) \
	  $$(scripts/lib/regexmatch-module.sh $(CONFIG_FUZZ_DIR)/regexmatch-asan -O -sanitize=fuzzer,address)
	cp -n Fuzz/Config/corpus/* $(CONFIG_FUZZ_DIR)/corpus/ 2>/dev/null || true
	# detect_leaks=0: at exit LSan misreads the static keyword grammar (Swift tags enum payload pointers).
	ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no $(CONFIG_FUZZ_DIR)/config-fuzz -runs=$(CONFIG_FUZZ_RUNS) -max_total_time=$(CONFIG_FUZZ_SECONDS) -max_len=4096 \
	  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	  -artifact_prefix=$(CONFIG_FUZZ_DIR)/artifacts/ $(CONFIG_FUZZ_DIR)/corpus Fuzz/Config/corpus

## 10,000 virtual servers × 10 real servers with TCP_CHECK: vigil check vs keepalived -t, time and peak RSS.
bench-config: build-release
	scripts/config/bench.sh $(VIGIL_RELEASE_BIN)

CONFIG_FUZZ_JOBS ?= 2
CONFIG_FUZZ_RUNS_EACH ?= 500000
.PHONY: fuzz-config-million

## The million-input figure: the same target without AddressSanitizer (≈8× faster; the ASan campaign above is
## `make fuzz-config`), in CONFIG_FUZZ_JOBS parallel campaigns of CONFIG_FUZZ_RUNS_EACH inputs each.
fuzz-config-million:
	@mkdir -p $(CONFIG_FUZZ_DIR)/corpus $(CONFIG_FUZZ_DIR)/artifacts
	swiftc -O -sanitize=fuzzer -use-ld=lld -parse-as-library -module-name ConfigFuzz \
	  Sources/Config/*.swift Fuzz/Config/main.swift -o $(CONFIG_FUZZ_DIR)/config-fuzz-noasan \
	  $$(scripts/lib/vocabulary-module.sh $(CONFIG_FUZZ_DIR)/vocabulary -O -sanitize=fuzzer) \
	  $$(scripts/lib/regexmatch-module.sh $(CONFIG_FUZZ_DIR)/regexmatch -O -sanitize=fuzzer)
	@pids=; for w in $$(seq $(CONFIG_FUZZ_JOBS)); do \
	  mkdir -p $(CONFIG_FUZZ_DIR)/corpus-w$$w; \
	  SWIFT_BACKTRACE=enable=no $(CONFIG_FUZZ_DIR)/config-fuzz-noasan -runs=$(CONFIG_FUZZ_RUNS_EACH) -seed=$$w \
	    -max_total_time=$(CONFIG_FUZZ_SECONDS) -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(CONFIG_FUZZ_DIR)/artifacts/w$$w- $(CONFIG_FUZZ_DIR)/corpus-w$$w $(CONFIG_FUZZ_DIR)/corpus \
	    Fuzz/Config/corpus > $(CONFIG_FUZZ_DIR)/w$$w.log 2>&1 & pids="$$pids $$!"; \
	done; rc=0; for p in $$pids; do wait $$p || rc=1; done; \
	grep -H "number_of_executed_units" $(CONFIG_FUZZ_DIR)/w*.log; exit $$rc
