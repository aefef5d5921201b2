#!/usr/bin/env bash
# Installs the Debian packages Vigil's build, tests, lab and benchmarks use.
# Idempotent: does nothing when everything is present. Needs root.
set -euo pipefail
pkgs=(
  libnl-3-dev libnl-genl-3-dev pkg-config     # CGenl
  libnftables-dev nftables                    # CNFTables (no_accept drop rules); nft to look at them in tests
  libpcre2-dev                                # CPCRE2 (url { regex } of HTTP_GET and SSL_GET)
  iproute2 kmod procps psmisc                 # namespaces, veth, modules
  keepalived ipvsadm nginx bird2              # reference peers, real servers, the BGP engine (anycast)
  qemu-system-x86 busybox-static cpio         # the IPVS lab VM
  tcpdump curl openssl socat python3 dnsmasq-base  # probes and test servers
  iputils-ping                                # the handover case pings the VIP every 10 ms
  time hyperfine ethtool                      # benchmarks (ethtool: threaded NAPI on the check bench veth)
  chromium                                    # the dashboard test (headless)
  prometheus                                  # promtool check metrics on /metrics (the service is not started)
  prometheus-node-exporter                    # the reference for node_ipvs_* in /metrics (VM control suite)
  dpkg-dev binutils man-db systemd            # make deb and its test (dpkg-shlibdeps, strip, man, systemd-analyze)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "error: missing Debian packages (${missing[*]}); run as root or install them" >&2; exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Do not let package scripts start system services (nginx, keepalived) on the host.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
