#!/usr/bin/env python3
"""Sends one valid VRRPv2 advert (VRID 51, PASS s3cret, VIP 10.9.0.100) with the priority given as the first
argument, from veth0 of the current namespace: a MASTER above that priority hears another, lower MASTER, as after
a partition heals. Used by scripts/ha/cases/lower-priority.sh."""
import socket, struct, sys

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

priority = int(sys.argv[1])
body = struct.pack("!BBBBBBH", 0x21, 51, priority, 1, 1, 1, 0) + socket.inet_aton("10.9.0.100") + b"s3cret\0\0"
body = body[:6] + struct.pack("!H", csum(body)) + body[8:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"veth0")
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.sendto(body, ("224.0.0.18", 0))
