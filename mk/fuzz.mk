# Issue #18: libFuzzer over the parsers of outside input that mk/config.mk and mk/ha.mk do not cover. Each target is
# built with swiftc directly over the pure files that hold its parsers (no NIO, libnl or Hummingbird), with the
# harness in Fuzz/<Name>/main.swift, and runs over a scratch corpus in .build-fuzz-<name>/ seeded from
# Fuzz/<Name>/corpus/ (hand-made replies, and regression-*.bin for every finding):
#   fuzz-healthcheck  HTTP_GET response reader, DNS_CHECK reply, SMTP_CHECK reply lines (HealthCheck)
#   fuzz-smtp         the e-mail alerts' SMTP reply reader and client session (Alerts)
#   fuzz-rtnetlink    RTM_GETROUTE / RTM_GETADDR dumps, RTM_NEWLINK / RTM_DELLINK, acknowledgements (HA)
#   fuzz-ipvs         IPVS generic-netlink replies: framing, errors, attribute decoding, listing, mh order repair;
#                     /proc/net/ip_vs_stats text (IPVS)
#   fuzz-bfd          BFD Control packets (decode, encode round trip) fed to a session with its timers (BFD)
#   fuzz-control      --control endpoint text, the /events query values, `vigil status` reply reading, the handover
#                     query and the control token with an Authorization header (Control)
# `make fuzz-<name>` is the ASan campaign (<NAME>_FUZZ_RUNS inputs, about a minute each on one core);
# `make fuzz-ten-million` runs every one of them without ASan for FUZZ_TEN_MILLION_RUNS inputs, one after another.
FUZZ_NEW_TARGETS := healthcheck smtp rtnetlink ipvs control bfd
FUZZERS += $(addprefix fuzz-,$(FUZZ_NEW_TARGETS))

FUZZ_SANITIZE_asan := -sanitize=fuzzer,address
FUZZ_SANITIZE_plain := -sanitize=fuzzer
FUZZ_TEN_MILLION_RUNS ?= 10000000
# Seconds per target for the ten-million runs (0: no limit).
FUZZ_TEN_MILLION_SECONDS ?= 0

FUZZ_DIR_healthcheck := Fuzz/HealthCheck
FUZZ_MODULE_healthcheck := HealthCheckFuzz
FUZZ_SOURCES_healthcheck := Sources/HealthCheck/HTTPResponseParser.swift Sources/HealthCheck/DNSReply.swift \
	Sources/HealthCheck/SMTPCheckReplies.swift
FUZZ_MAXLEN_healthcheck := 4096
HEALTHCHECK_FUZZ_RUNS ?= 2000000

FUZZ_DIR_smtp := Fuzz/SMTP
FUZZ_MODULE_smtp := SMTPFuzz
FUZZ_SOURCES_smtp := Sources/Alerts/SMTPReply.swift Sources/Alerts/SMTPSession.swift
FUZZ_MAXLEN_smtp := 4096
SMTP_FUZZ_RUNS ?= 600000

FUZZ_DIR_rtnetlink := Fuzz/RTNetlink
FUZZ_MODULE_rtnetlink := RTNetlinkFuzz
FUZZ_SOURCES_rtnetlink := Sources/HA/IPRouteDump.swift Sources/HA/IPRoute.swift Sources/HA/LinkMessage.swift \
	Sources/HA/RTNetlinkReply.swift Sources/HA/NetlinkAddressControl.swift Sources/HA/InterfaceAddress.swift \
	Sources/HA/NetlinkMessage.swift Sources/HA/VMAC.swift
# CLinux is header-only and has no module map of its own (SwiftPM makes one): the build writes one.
FUZZ_FLAGS_rtnetlink := -Xcc -fmodule-map-file=.build-fuzz-rtnetlink/clinux/module.modulemap
FUZZ_VOCABULARY_rtnetlink := yes
FUZZ_MAXLEN_rtnetlink := 4096
RTNETLINK_FUZZ_RUNS ?= 1000000

FUZZ_DIR_ipvs := Fuzz/IPVS
FUZZ_MODULE_ipvs := IPVSFuzz
FUZZ_SOURCES_ipvs := Sources/IPVS/IPVSReply.swift Sources/IPVS/IPVSMessage.swift Sources/IPVS/IPVSModel.swift \
	Sources/IPVS/IPVSError.swift Sources/IPVS/IPVSCommand.swift Sources/IPVS/IPVSListing.swift \
	Sources/IPVS/IPVSPlan.swift Sources/IPVS/IPVSGlobalStats.swift
FUZZ_VOCABULARY_ipvs := yes
FUZZ_MAXLEN_ipvs := 4096
IPVS_FUZZ_RUNS ?= 3000000

FUZZ_DIR_control := Fuzz/Control
FUZZ_MODULE_control := ControlFuzz
FUZZ_SOURCES_control := Sources/Control/ControlEndpoint.swift Sources/Control/StatusModel.swift \
	Sources/Control/StatusTable.swift Sources/Control/StatusClient.swift Sources/Control/HandoverRequest.swift \
	Sources/Control/ControlToken.swift
FUZZ_MAXLEN_control := 8192
# JSON tokens and edge numbers, so mutations reach the status and event fields.
FUZZ_DICT_control := Fuzz/Control/control.dict
CONTROL_FUZZ_RUNS ?= 2000000

FUZZ_DIR_bfd := Fuzz/BFD
FUZZ_MODULE_bfd := BFDFuzz
FUZZ_SOURCES_bfd := Sources/BFD/BFDControlPacket.swift Sources/BFD/BFDSession.swift
FUZZ_VOCABULARY_bfd := yes
FUZZ_MAXLEN_bfd := 1024
BFD_FUZZ_RUNS ?= 2000000

# $(call fuzz_build,NAME,asan|plain,BINARY): builds .build-fuzz-NAME/BINARY.
fuzz_build = mkdir -p .build-fuzz-$(1)/corpus .build-fuzz-$(1)/artifacts .build-fuzz-$(1)/clinux && \
	printf 'module CLinux {\n    header "%s/Sources/CLinux/include/CLinux.h"\n    export *\n}\n' "$(CURDIR)" \
	  > .build-fuzz-$(1)/clinux/module.modulemap && \
	swiftc -O $(FUZZ_SANITIZE_$(2)) -swift-version 6 -parse-as-library -use-ld=lld -module-name $(FUZZ_MODULE_$(1)) \
	  $(FUZZ_FLAGS_$(1)) $(FUZZ_SOURCES_$(1)) $(FUZZ_DIR_$(1))/main.swift -o .build-fuzz-$(1)/$(3) \
	  $(if $(FUZZ_VOCABULARY_$(1)),$$(scripts/lib/vocabulary-module.sh .build-fuzz-$(1)/vocabulary-$(2) -O $(FUZZ_SANITIZE_$(2))))

# $(call fuzz_run,NAME,BINARY,RUNS,SECONDS): one campaign over the scratch corpus and the seeds; crashes go to
# .build-fuzz-NAME/artifacts/.
fuzz_run = SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0} .build-fuzz-$(1)/$(2) \
	-runs=$(3) -max_total_time=$(4) -max_len=$(FUZZ_MAXLEN_$(1)) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	$(if $(FUZZ_DICT_$(1)),-dict=$(FUZZ_DICT_$(1))) -artifact_prefix=.build-fuzz-$(1)/artifacts/ \
	.build-fuzz-$(1)/corpus $(FUZZ_DIR_$(1))/corpus

# The ASan campaign of one target.
define FUZZ_NEW_TARGET
.PHONY: fuzz-$(1)
fuzz-$(1):
	$$(call fuzz_build,$(1),asan,fuzz-$(1))
	$$(call fuzz_run,$(1),fuzz-$(1),$$($(2)_FUZZ_RUNS),0)
endef
$(foreach t,$(FUZZ_NEW_TARGETS),$(eval $(call FUZZ_NEW_TARGET,$(t),$(shell echo $(t) | tr a-z A-Z))))

.PHONY: fuzz-ten-million
## Every target above without ASan (-sanitize=fuzzer only, several times faster), FUZZ_TEN_MILLION_RUNS inputs each,
## one after another; prints per target the inputs executed, the time and the result (log: .build-fuzz-NAME/ten-million.log).
fuzz-ten-million:
	@set -e; for t in $(FUZZ_NEW_TARGETS); do echo "== build fuzz-$$t (no ASan)"; \
	  $(MAKE) --no-print-directory fuzz-build-plain-$$t; done
	@failed=0; for t in $(FUZZ_NEW_TARGETS); do \
	  log=.build-fuzz-$$t/ten-million.log; start=$$(date +%s); \
	  if $(MAKE) --no-print-directory -s fuzz-run-plain-$$t > $$log 2>&1; then result=ok; \
	  else result="FAILED (see $$log; crash inputs in .build-fuzz-$$t/artifacts/)"; failed=1; fi; \
	  runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -1); \
	  rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$log | tail -1); \
	  echo "fuzz-$$t: $${runs:-?} inputs in $$(( $$(date +%s) - start )) s ($${rate:-?} exec/s): $$result"; \
	done; exit $$failed

define FUZZ_PLAIN_TARGET
.PHONY: fuzz-build-plain-$(1) fuzz-run-plain-$(1)
fuzz-build-plain-$(1):
	$$(call fuzz_build,$(1),plain,fuzz-$(1)-noasan)
fuzz-run-plain-$(1):
	$$(call fuzz_run,$(1),fuzz-$(1)-noasan,$$(FUZZ_TEN_MILLION_RUNS),$$(FUZZ_TEN_MILLION_SECONDS))
endef
$(foreach t,$(FUZZ_NEW_TARGETS),$(eval $(call FUZZ_PLAIN_TARGET,$(t))))
