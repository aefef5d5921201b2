#!/usr/bin/env bash
# Fails loudly when a tier that needs root runs without it.
if [ "$(id -u)" != 0 ]; then
  echo "error: the $1 needs root (network namespaces, raw sockets, qemu); run it as root" >&2
  exit 1
fi
