#!/usr/bin/env bash
# VM tier: before ip_vs is loaded, `vigil ipvs list` must fail with a clear message
# (not crash), also when the kernel cannot auto-load the module. Run by `make test-vm-ipvs` first thing after boot.
set -uo pipefail
bin=${VIGIL_BIN:-$(pwd)/.build/debug/vigil}
# An earlier suite may have loaded ip_vs: try to unload it (and its schedulers) first.
if grep -q '^ip_vs' /proc/modules 2>/dev/null; then
  for m in $(awk '/^ip_vs_/ {print $1}' /proc/modules); do modprobe -r "$m" 2>/dev/null || true; done
  modprobe -r ip_vs 2>/dev/null || true
fi
if grep -qw '^ip_vs' /proc/modules 2>/dev/null || [ -e /proc/net/ip_vs ]; then
  echo "no-module: ip_vs is already loaded here; the missing-module check only runs on a fresh VM boot" >&2
  [ "${VIGIL_IPVS_REQUIRE_FRESH:-1}" = 1 ] && { echo "FAIL: expected a kernel without ip_vs loaded" >&2; exit 1; }
  exit 0
fi
# The kernel would auto-load ip_vs when the genl family is looked up; make the module
# unavailable by pointing the kernel's module loader at /bin/false for this check.
saved=$(cat /proc/sys/kernel/modprobe)
err=$(mktemp); trap 'echo "$saved" > /proc/sys/kernel/modprobe; rm -f "$err"' EXIT
echo /bin/false > /proc/sys/kernel/modprobe
"$bin" ipvs list >/dev/null 2>"$err"; rc=$?
if [ "$rc" -eq 0 ]; then echo "FAIL: vigil ipvs list succeeded without ip_vs" >&2; exit 1; fi
if [ "$rc" -ge 128 ]; then echo "FAIL: vigil ipvs list crashed (status $rc)" >&2; cat "$err" >&2; exit 1; fi
grep -q "the kernel has no IPVS support: load it with 'modprobe ip_vs'" "$err" || { echo "FAIL: unclear error:" >&2; cat "$err" >&2; exit 1; }
echo "ok: missing module -> $(cat "$err" | head -1)"
