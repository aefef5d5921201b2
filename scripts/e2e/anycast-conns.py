#!/usr/bin/env python3
"""Long-lived connections through an announced address (scripts/e2e/anycast-bench.sh): ADDRESS PORT N GO_FILE.

Opens N TCP connections (each its own source port, so the routers' L4 ECMP hash spreads them), sends one line on
each and notes which real server answered (the echo server prefixes its name). Prints `ready` and waits until
GO_FILE exists, then sends one more line on every connection (3 s to answer) and prints one JSON object: per real
server, how many connections it had and how many still answered.
"""
import json
import os
import socket
import sys
import time

address, port, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
conns = []
for i in range(count):
    try:
        s = socket.create_connection((address, port), timeout=3)
        s.sendall(b"hello %d\n" % i)
        f = s.makefile("rb")
        who = f.readline().split(b" ", 1)[0].decode() or "none"
        conns.append((s, f, who))
    except OSError:
        conns.append((None, None, "failed"))
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
before, after = {}, {}
for i, (s, f, who) in enumerate(conns):
    before[who] = before.get(who, 0) + 1
    if s is None:
        continue
    try:
        s.settimeout(3)
        s.sendall(b"again %d\n" % i)
        if f.readline().startswith(who.encode() + b" again"):
            after[who] = after.get(who, 0) + 1
    except OSError:
        pass
print(json.dumps({"opened": before, "alive": after}), flush=True)
