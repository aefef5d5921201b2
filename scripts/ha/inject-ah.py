#!/usr/bin/env python3
"""Sends one VRRPv2 advert in an IP Authentication Header (keepalived's auth_type AH form) on veth0 of the current
namespace, with a valid HMAC-MD5-96 for KEY but the sequence number SEQ: a replay when SEQ is below what the
receivers have seen. VRID 51, VIP 10.9.0.100, from SRC to 224.0.0.18.
Usage: inject-ah.py SRC KEY SEQ PRIORITY. Used by scripts/ha/cases/ah.sh."""
import hmac, hashlib, socket, struct, sys

src, key, seq, prio = sys.argv[1], sys.argv[2].encode()[:8], int(sys.argv[3]), int(sys.argv[4])

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

vrrp = struct.pack("!BBBBBBH", 0x21, 51, prio, 1, 2, 1, 0) + socket.inet_aton("10.9.0.100") + b"\0" * 8
vrrp = vrrp[:6] + struct.pack("!H", csum(vrrp)) + vrrp[8:]
total = 20 + 24 + len(vrrp)
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0xc0, total, 4242, 0, 255, 51, 0,
                 socket.inet_aton(src), socket.inet_aton("224.0.0.18"))
ah = struct.pack("!BBH4sI", 112, 4, 0, socket.inet_aton(src), seq)
masked = bytearray(ip + ah + b"\0" * 12 + vrrp)
masked[1] = 0
icv = hmac.new(key, bytes(masked), hashlib.md5).digest()[:12]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"veth0")
s.sendto(ip + ah + icv + vrrp, ("224.0.0.18", 0))
