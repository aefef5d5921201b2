#!/usr/bin/env python3
"""Listeners for the HealthCheck benchmark: N TCP ports on 127.0.0.1 that accept and close at once.

Usage: bench-servers.py N  -> prints the listening ports (one line, space separated), then serves until killed.
"""
import selectors, socket, sys

n = int(sys.argv[1])
sel = selectors.DefaultSelector()
ports = []
for _ in range(n):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0)); s.listen(64); s.setblocking(False)
    sel.register(s, selectors.EVENT_READ); ports.append(s.getsockname()[1])
print(" ".join(map(str, ports)), flush=True)
while True:
    for key, _ in sel.select():
        try:
            c, _ = key.fileobj.accept(); c.close()
        except OSError:
            pass
