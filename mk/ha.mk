# HA module (issue #3): host integration tier, fuzzing and the failover bench.
HOST_TESTS += test-host-ha
FUZZERS += fuzz-ha
BENCHES += bench-ha

HA_CORE := Sources/HA/VRRPAdvertisement.swift $(wildcard Sources/HA/VRRPInstance*.swift) Sources/HA/VRRPAction.swift \
	Sources/HA/VRRPCounters.swift Sources/HA/VRRPDiscardReason.swift Sources/HA/VRRPState.swift Sources/HA/VRRPTransitionReason.swift \
	Sources/HA/VRRPReceivedPacket.swift Sources/HA/VRRPAuthenticationHeader.swift Sources/HA/VRRPPeerSighting.swift \
	Sources/HA/VRRPAuthHMAC.swift Sources/HA/VRRPChecksumRule.swift
HA_FUZZ_RUNS ?= 200000

.PHONY: test-host-ha fuzz-ha bench-ha test-vm-ha-kernel

# HA host cases that need a kernel driver this host's kernel lacks (ipvlan): run by the VM tier with Debian's kernel.
VM_TESTS += test-vm-ha-kernel
## Inside the VM (make test-vm → make vm-inside): the VM_CASES of scripts/ha/cases (use_ipvlan against keepalived).
test-vm-ha-kernel:
	VIGIL_BIN=$(VIGIL_BIN) scripts/ha/host-tests.sh vm-cases

## Vigil vs keepalived (and vs Vigil) in network namespaces; root. Also runs the gated Swift suite.
test-host-ha:
	@scripts/require-root.sh "HA host tier"
	VIGIL_TIER=host $(SWIFT) test --skip-build --filter HAIntegrationTests
	VIGIL_BIN=$(VIGIL_BIN) scripts/ha/host-tests.sh

## libFuzzer over the VRRP decoder (+ round trip + instance) and the IPv4/AH datagram parser, built with swiftc directly
## (the HMACs of AH and auth_hmac are replaced by Fuzz/HA/ICV.swift: swift-crypto is not linked).
fuzz-ha:
	@mkdir -p .build-fuzz-ha/corpus
	swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name HAFuzz -use-ld=lld \
	  $(HA_CORE) Fuzz/HA/main.swift Fuzz/HA/ICV.swift -o .build-fuzz-ha/fuzz-ha \
	  $$(scripts/lib/vocabulary-module.sh .build-fuzz-ha/vocabulary -O -sanitize=fuzzer,address) 2>&1 | grep -v '^$$' || true
	@test -x .build-fuzz-ha/fuzz-ha
	SWIFT_BACKTRACE=enable=no .build-fuzz-ha/fuzz-ha -runs=$(HA_FUZZ_RUNS) -max_len=512 .build-fuzz-ha/corpus

## Failover time SIGKILL → VIP on the backup and first GARP, Vigil vs keepalived in the same run.
bench-ha: build-release
	VIGIL_BIN=$(VIGIL_RELEASE_BIN) scripts/ha/bench.sh
