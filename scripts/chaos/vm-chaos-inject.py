#!/usr/bin/env python3
"""Hostile VRRP packets for the VM chaos run (scripts/chaos/vm-chaos.sh, issue #18).

Usage: vm-chaos-inject.py SEED [IFNAME]  (run inside the client namespace of scripts/demo/topology.sh's lab)

Sends a burst on IFNAME (default veth0, the front bridge) to 224.0.0.18: adverts for the lab's VRRP instance
(VRRPv2, VRID 51, no authentication, advert_int 1, VIPs 10.10.1.100 and 10.10.2.1) at priority 254 — above both
directors — each broken in one way so that a receiver must drop it: a PASS or AH authentication the instance does
not use, a bad checksum, a wrong version or type, truncated, an advert interval that is not the instance's, an IP TTL
of 64; valid adverts for foreign VRIDs (routers nobody runs); random bytes. Were any accepted, the MASTER (150) would
step down to the sender (254): the run sees it as a VRRP transition during a fault that must cause none.
The same SEED sends the same packets. Prints the counts sent by kind as one JSON line.
"""
import json
import random
import socket
import struct
import sys
from vrrpwire import csum  # noqa: E402  (scripts/chaos/vrrpwire.py)

VRID = 51
VIPS = ("10.10.1.100", "10.10.2.1")


def advert(vrid=VRID, prio=254, version=2, kind=1, auth_type=0, password=b"", interval=1, bad_sum=False) -> bytes:
    body = struct.pack("!BBBBBBH", (version << 4) | kind, vrid, prio, len(VIPS), auth_type, interval, 0)
    body += b"".join(socket.inet_aton(a) for a in VIPS) + password.ljust(8, b"\0")[:8]
    c = csum(body) ^ (0x1234 if bad_sum else 0)
    return body[:6] + struct.pack("!H", c) + body[8:]


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    rng = random.Random(int(sys.argv[1]))
    ifname = sys.argv[2] if len(sys.argv) > 2 else "veth0"
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    dst = ("224.0.0.18", 0)
    kinds = {
        "auth-pass": lambda: advert(auth_type=1, password=b"chaos"),
        "auth-ah": lambda: advert(auth_type=2),
        "checksum": lambda: advert(bad_sum=True),
        "truncated": lambda: advert()[: rng.randrange(1, 20)],
        "version": lambda: advert(version=rng.choice([0, 1, 3, 4, 15])),
        "type": lambda: advert(kind=rng.choice([0, 2, 3, 15])),
        "interval": lambda: advert(interval=rng.choice([2, 7, 255])),
        "foreign-vrid": lambda: advert(vrid=rng.choice([v for v in range(1, 256) if v != VRID]),
                                       prio=rng.randrange(1, 255)),
        "random": lambda: bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 80))),
    }
    names = sorted(kinds)
    sent = {}
    for _ in range(200):
        k = rng.choice(names)
        s.sendto(kinds[k](), dst)
        sent[k] = sent.get(k, 0) + 1
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64)   # TTL != 255: dropped (RFC 3768 7.1)
    for _ in range(20):
        s.sendto(advert(), dst)
    sent["ttl-64"] = 20
    print(json.dumps(sent, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
