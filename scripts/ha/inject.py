#!/usr/bin/env python3
"""Injects invalid VRRPv2 adverts (VRID 51, priority 254, VIP 10.9.0.100) on veth0 of the current
namespace: wrong password, bad checksum, TTL 64, truncated, interval mismatch. Used by host-tests.sh."""
import socket, struct

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def advert(password=b"s3cret", interval=1, corrupt=False):
    body = struct.pack("!BBBBBBH", 0x21, 51, 254, 1, 1, interval, 0) + socket.inet_aton("10.9.0.100")
    body += password.ljust(8, b"\0")[:8]
    c = csum(body)
    if corrupt: c ^= 0x1234
    return body[:6] + struct.pack("!H", c) + body[8:]

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"veth0")
dst = ("224.0.0.18", 0)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.sendto(advert(password=b"wrong"), dst)
s.sendto(advert(corrupt=True), dst)
s.sendto(advert()[:4], dst)
s.sendto(advert(interval=2), dst)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64)
s.sendto(advert(), dst)
