#!/usr/bin/env python3
"""Which real server answers each flow: for every source port in FIRST..FIRST+COUNT-1, one HTTP request to
VIP:PORT from that port, closed with a reset (so IPVS forgets the connection within seconds and the port can be
used again). Prints one line per port: "SPORT rK" (or "SPORT -" when nothing answered). Usage:
mh-slots.py VIP PORT FIRST COUNT"""
import socket
import struct
import sys


def ask(vip, port, sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.settimeout(3)
    try:
        s.bind(("0.0.0.0", sport))
        s.connect((vip, port))
        s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        body = data.split(b"\r\n\r\n", 1)[-1].strip().decode("ascii", "replace")
        return body or "-"
    except OSError:
        return "-"
    finally:
        s.close()


def main():
    vip, port, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    for sport in range(first, first + count):
        print(sport, ask(vip, port, sport), flush=True)


if __name__ == "__main__":
    main()
