#!/usr/bin/env python3
"""Long-lived connections through the Director lab's VIP (issue #15): HOST PORT COUNT CONTROL_DIR [--interval S].

Opens COUNT HTTP/1.1 keep-alive connections to HOST:PORT and, on every one, sends a request every INTERVAL seconds
(default 0.1) once the previous answer arrived, all from one process (selectors). Prints `ready N` once the first
COUNT are open (N: how many answered their first request). While it runs:
  - CONTROL_DIR/more (a number in it) opens that many more connections, once (connections opened during an outage);
  - CONTROL_DIR/report-LABEL prints the JSON object below as of now, with "label": "LABEL", and is removed;
  - CONTROL_DIR/stop ends the run: one JSON object is printed and the process exits.
A connection is lost when it is closed or reset, or when an answer is more than --timeout (default 10) s late; the
JSON gives opened, answered at least once, survived (never lost), lost with the reasons, and the longest wait for
an answer on a surviving connection (the gap a failover caused, ms).
"""
import argparse
import json
import os
import selectors
import socket
import time

p = argparse.ArgumentParser()
p.add_argument("host")
p.add_argument("port", type=int)
p.add_argument("count", type=int)
p.add_argument("control")
p.add_argument("--interval", type=float, default=0.1)
p.add_argument("--timeout", type=float, default=10.0)
a = p.parse_args()

sel = selectors.DefaultSelector()
REQUEST = b"GET / HTTP/1.1\r\nHost: " + a.host.encode() + b"\r\n\r\n"


class Conn:
    def __init__(self, n: int) -> None:
        self.n = n
        self.buf = b""
        self.answers = 0
        self.lost = None
        self.sent_at = None
        self.next_at = time.monotonic()
        self.longest = 0.0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex((a.host, a.port))
        self.connected = False
        sel.register(self.sock, selectors.EVENT_WRITE, self)

    def lose(self, why: str) -> None:
        if self.lost is None:
            self.lost = why
            try:
                sel.unregister(self.sock)
            except (KeyError, ValueError):
                pass
            self.sock.close()

    def send(self, now: float) -> None:
        try:
            self.sock.sendall(REQUEST)
        except OSError as e:
            self.lose(e.__class__.__name__)
            return
        self.sent_at = now
        sel.modify(self.sock, selectors.EVENT_READ, self)

    def event(self, mask: int, now: float) -> None:
        if not self.connected:
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.lose(os.strerror(err))
                return
            self.connected = True
            self.send(now)
            return
        try:
            chunk = self.sock.recv(4096)
        except OSError as e:
            self.lose(e.__class__.__name__)
            return
        if not chunk:
            self.lose("closed")
            return
        self.buf += chunk
        while b"\r\n\r\n" in self.buf:
            head, rest = self.buf.split(b"\r\n\r\n", 1)
            length = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v.strip() or b"0")
            if len(rest) < length:
                return
            self.buf = rest[length:]
            self.answers += 1
            self.longest = max(self.longest, now - self.sent_at)
            self.sent_at = None
            self.next_at = now + a.interval   # the loop sends the next request then


def report(label):
    answered = [c for c in conns if c.answers > 0]
    survived = [c for c in answered if c.lost is None]
    reasons = {}
    for c in conns:
        if c.lost:
            reasons[c.lost] = reasons.get(c.lost, 0) + 1
    print(json.dumps({
        "label": label,
        "opened": len(conns),
        "answered": len(answered),
        "survived": len(survived),
        "lost": reasons,
        "longest_wait_ms": round(max((c.longest for c in survived), default=0.0) * 1000),
        "requests": sum(c.answers for c in conns),
    }), flush=True)


conns = [Conn(i) for i in range(a.count)]
ready = False
more_done = False
start = time.monotonic()
while True:
    now = time.monotonic()
    for c in conns:
        if c.lost is None and c.connected and c.sent_at is None and now >= c.next_at:
            c.send(now)
        if c.lost is None and c.sent_at is not None and now - c.sent_at > a.timeout:
            c.lose("no answer for %.0f s" % a.timeout)
        if c.lost is None and not c.connected and now - c.next_at > a.timeout:
            c.lose("connect: no answer for %.0f s" % a.timeout)
    for key, mask in sel.select(timeout=0.02):
        key.data.event(mask, time.monotonic())
    if not ready and all(c.answers > 0 or c.lost for c in conns[: a.count]):
        ready = True
        print("ready %d" % sum(1 for c in conns[: a.count] if c.answers > 0), flush=True)
    if not more_done and os.path.exists(os.path.join(a.control, "more")):
        more_done = True
        try:
            extra = int(open(os.path.join(a.control, "more")).read().strip() or "0")
        except ValueError:
            extra = 0
        conns += [Conn(len(conns) + i) for i in range(extra)]
    for name in os.listdir(a.control):
        if name.startswith("report-"):
            os.remove(os.path.join(a.control, name))
            report(name[len("report-"):])
    if os.path.exists(os.path.join(a.control, "stop")):
        break

report("end")
