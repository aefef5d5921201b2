#!/usr/bin/env bash
# VM suite (issue #14): the IPVS table `vigil -C` programs equals the one `keepalived -C` programs, for every
# config of the config differential corpus with virtual servers, with every real server up and then down.
# See scripts/e2e/ipvs_differential.py and docs/director.md ("keepalived's table, line for line").
#   scripts/e2e/ipvs-differential.sh [LABEL-SUBSTRING...]
set -u
cd "$(dirname "$0")/../.."
export VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
. scripts/lib/suite.sh
suite_need_root "the IPVS differential suite"
suite_need_ipvs
suite_need_tools ip ipvsadm keepalived python3
suite_need_vigil
exec python3 scripts/e2e/ipvs_differential.py "$@"
