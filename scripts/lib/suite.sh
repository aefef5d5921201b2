# Shared pieces of the shell test suites (sourced): pass/fail counting, prerequisites that fail loudly, the
# summary line. A suite sets its own EXIT trap and calls `suite_summary NAME RC` last in it.
fails=0
passes=0
ok() { echo "ok   - $*"; passes=$((passes + 1)); }
not_ok() { echo "FAIL - $*"; fails=$((fails + 1)); }
# check WHAT COMMAND... — ok when COMMAND succeeds.
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# suite_failed RC — whether anything failed so far (or RC, the exit status the suite is leaving with, is not 0).
suite_failed() { [ "$fails" -gt 0 ] || [ "$1" -ne 0 ]; }
# suite_tail_logs LINES FILE... — the last LINES lines of each FILE that exists (for a failed run).
suite_tail_logs() {
  local n=$1 f; shift
  for f in "$@"; do [ -e "$f" ] && { echo "--- $f (last $n lines)"; tail -n "$n" "$f"; }; done
  return 0
}
# suite_summary NAME RC — prints "NAME: N passed, N failed"; succeeds when nothing failed and RC is 0.
suite_summary() {
  echo "$1: $passes passed, $fails failed"
  ! suite_failed "$2"
}
# Prerequisites: each is an error with a message, never a skip.
suite_need_root() { [ "$(id -u)" = 0 ] || { echo "error: $1 needs root" >&2; exit 1; }; }
suite_need_ipvs() {
  test -e /proc/net/ip_vs || modprobe ip_vs 2>/dev/null || test -e /proc/net/ip_vs \
    || { echo "error: no IPVS in this kernel (run through make test-vm)" >&2; exit 1; }
}
suite_need_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || { echo "error: $t is not installed (scripts/install-deps.sh)" >&2; exit 1; }
  done
}
suite_need_vigil() { [ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing (swift build)" >&2; exit 1; }; }
