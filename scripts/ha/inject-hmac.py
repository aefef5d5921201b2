#!/usr/bin/env python3
"""Replays or forges a captured auth_hmac advert on the lab's bridge (run in the bridge namespace).
Usage: inject-hmac.py MODE SOURCE [DELAY_S]
  replay  capture the next IPv4 VRRP frame from SOURCE, wait DELAY_S, send the same frame again
  forge   capture the next IPv4 VRRP frame from SOURCE, set its priority to 0, fix the VRRP checksum (so that only the
          HMAC can tell) and send it
Prints what it sent. Used by scripts/ha/cases/hmac.sh."""
import socket, struct, sys, time

ETH_P_IP = 0x0800

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

mode, source = sys.argv[1], socket.inet_aton(sys.argv[2])
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
s.bind(("br0", 0))
s.settimeout(10)
while True:
    frame, _ = s.recvfrom(2048)
    ip = frame[14:]
    if len(ip) >= 20 and ip[9] == 112 and ip[12:16] == source:
        break
ihl = (ip[0] & 0x0f) * 4
total = struct.unpack("!H", ip[2:4])[0]
vrrp = bytearray(ip[ihl:total])
count = vrrp[3]
version = vrrp[0] >> 4
pdu_len = 8 + 4 * count + (8 if version == 2 else 0)
trailer = len(vrrp) - pdu_len
if mode == "forge":
    vrrp[2] = 0
    vrrp[6:8] = b"\0\0"
    pdu = bytes(vrrp[:pdu_len])
    if version == 3:
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 112, pdu_len)
        vrrp[6:8] = struct.pack("!H", csum(pseudo + pdu))
    else:
        vrrp[6:8] = struct.pack("!H", csum(pdu))
    frame = frame[:14] + ip[:ihl] + bytes(vrrp) + frame[14 + total:]
time.sleep(delay)
s.send(frame)
print("sent %s advert: VRRPv%d priority %d, %d-byte trailer" % (mode, version, vrrp[2], trailer))
