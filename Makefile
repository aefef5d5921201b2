# Vigil — build, test tiers, benchmarks, fuzzing and the demo lab.
# Each module registers its own targets in mk/<module>.mk by appending to:
#   HOST_TESTS  host integration tier (root, network namespaces, loopback)
#   VM_TESTS    VM tier: run inside the qemu lab with a real IPVS kernel
#   BENCHES     `make bench` parts
#   FUZZERS     `make fuzz` parts
SHELL := /bin/bash
SWIFT ?= swift
export VIGIL_ROOT := $(CURDIR)
export VIGIL_BIN := $(CURDIR)/.build/debug/vigil
# One optimized build shared by every benchmark.
export VIGIL_RELEASE_BIN := $(CURDIR)/.build-release/release/vigil

HOST_TESTS :=
VM_TESTS :=
BENCHES :=
FUZZERS :=
-include $(sort $(wildcard mk/*.mk))

.PHONY: all deps build build-tests build-release test test-unit test-host test-vm vm-inside bench fuzz demo clean

all: build

## Install the Debian packages every tier needs (idempotent, root).
deps:
	scripts/install-deps.sh

build:
	$(SWIFT) build

build-tests:
	$(SWIFT) build --build-tests

## The optimized binary the benchmarks measure (one build for all of them).
build-release:
	$(SWIFT) build -c release --scratch-path .build-release --product vigil

## Every tier; prints "tiers: N passed, N failed" and fails if any tier failed.
test: deps
	scripts/run-tiers.sh unit host vm

## Fast unit tier: no root, no network, no sleeps.
test-unit:
	scripts/unit-tests.sh

## Host integration tier: root, network namespaces, real keepalived, nginx on loopback.
test-host: build-tests build
	@scripts/require-root.sh "host integration tier"
	@if [ -z "$(strip $(HOST_TESTS))" ]; then echo "test-host: no host suites registered" >&2; exit 1; fi
	@set -e; for t in $(HOST_TESTS); do echo "== host suite: $$t"; s=$$(date +%s); $(MAKE) --no-print-directory $$t; \
	  echo "== host suite: $$t took $$(( $$(date +%s) - s )) s"; done

## VM tier: one qemu boot (real IPVS kernel, two vCPUs) runs every VM suite (50 minutes at most; 15 on this host, 2026-12-08).
test-vm: build-tests build
	@scripts/require-root.sh "VM tier"
	@if [ -z "$(strip $(VM_TESTS))" ]; then echo "test-vm: no VM suites registered" >&2; exit 1; fi
	VIGIL_LAB_SMP=$${VIGIL_LAB_SMP:-2} VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-3000} scripts/lab/vm-run.sh $(MAKE) --no-print-directory -C $(CURDIR) vm-inside
	scripts/control/vm-dashboard-check.sh

## Runs inside the VM (called by test-vm).
vm-inside:
	@set -e; for t in $(VM_TESTS); do echo "== vm suite: $$t"; s=$$(date +%s); $(MAKE) --no-print-directory $$t; \
	  echo "== vm suite: $$t took $$(( $$(date +%s) - s )) s"; done

bench: deps
	@if [ -z "$(strip $(BENCHES))" ]; then echo "bench: nothing registered" >&2; exit 1; fi
	@set -e; for b in $(BENCHES); do echo "== bench: $$b"; $(MAKE) --no-print-directory $$b; done

fuzz:
	@if [ -z "$(strip $(FUZZERS))" ]; then echo "fuzz: nothing registered" >&2; exit 1; fi
	@set -e; for f in $(FUZZERS); do echo "== fuzz: $$f"; $(MAKE) --no-print-directory $$f; done

demo: deps build
	scripts/demo.sh

clean:
	rm -rf .build .build-*
