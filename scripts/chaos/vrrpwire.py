"""What the chaos runs' packet senders share (scripts/chaos/host-chaos.py, scripts/chaos/vm-chaos-inject.py)."""
import struct


def csum(b: bytes) -> int:
    """The Internet checksum (RFC 1071) of b, as VRRP's header carries it."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
