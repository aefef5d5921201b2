# Config module (issue #2): libFuzzer run of the parser and the 10k×10 benchmark.
FUZZERS += fuzz-config
BENCHES += bench-config

CONFIG_FUZZ_DIR := .build-fuzz-config
CONFIG_FUZZ_RUNS ?= 1000000
CONFIG_FUZZ_SECONDS ?= 3000

.PHONY: fuzz-config bench-config

## Builds the parser fuzzer with swiftc (-sanitize=fuzzer,address) and runs a bounded campaign.
fuzz-config:
	@mkdir -p $(CONFIG_FUZZ_DIR)/corpus $(CONFIG_FUZZ_DIR)/artifacts
	swiftc -O -sanitize=fuzzer,address -use-ld=lld -parse-as-library -module-name ConfigFuzz \
	  Sources/Config/*.swift Fuzz/Config/main.swift -o $(CONFIG_FUZZ_DIR)/config-fuzz
	cp -n Fuzz/Config/corpus/* $(CONFIG_FUZZ_DIR)/corpus/ 2>/dev/null || true
	# detect_leaks=0: at exit LSan misreads the static keyword grammar (Swift tags enum payload pointers).
	ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no $(CONFIG_FUZZ_DIR)/config-fuzz -runs=$(CONFIG_FUZZ_RUNS) -max_total_time=$(CONFIG_FUZZ_SECONDS) -max_len=4096 \
	  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	  -artifact_prefix=$(CONFIG_FUZZ_DIR)/artifacts/ $(CONFIG_FUZZ_DIR)/corpus Fuzz/Config/corpus

## 10,000 virtual servers × 10 real servers with TCP_CHECK: vigil check vs keepalived -t, time and peak RSS.
bench-config: build-release
	scripts/config/bench.sh $(VIGIL_RELEASE_BIN)
