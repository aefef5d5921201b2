#!/usr/bin/env python3
"""Long-lived connections through the Director lab's VIP (issue #15): HOST PORT COUNT CONTROL_DIR [--interval S]
[--timeout S] [--open-rate R].

Opens COUNT HTTP/1.1 keep-alive connections to HOST:PORT (at most R new ones a second with --open-rate, default all at
once) and, on every one, sends a request every INTERVAL seconds (default 0.1) once the previous answer arrived, all
from one process (selectors; the sends are kept in a heap, so thousands of connections cost no scan per turn, and
each connection's first send is at a random point of its first interval, so the requests do not come in bursts).
Prints `ready N` once the first COUNT are open (N: how many answered their first request). While it runs:
  - CONTROL_DIR/more (a number in it) opens that many more connections and is removed (connections opened during an
    outage);
  - CONTROL_DIR/report-LABEL prints the JSON object below as of now, with "label": "LABEL", and is removed;
  - CONTROL_DIR/stop ends the run: one JSON object is printed and the process exits.
A connection is lost when it is closed or reset, or when an answer is more than --timeout (default 10) s late; the
JSON gives opened, answered at least once, survived (never lost), lost with the reasons, and the longest wait for
an answer on a surviving connection (the gap a failover caused, ms), and the same since the previous report
(`longest_wait_since_ms`: one figure per phase of a benchmark).
"""
import argparse
import heapq
import json
import os
import random
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
p.add_argument("--open-rate", type=float, default=0.0)
a = p.parse_args()
due = []            # (time, connection number) of the next send of every connection waiting for its turn
longest_since = [0.0]

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
            first = now + random.random() * a.interval
            heapq.heappush(due, (first, self.n))
            sel.modify(self.sock, selectors.EVENT_READ, self)   # a reset or close shows while it waits
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
            wait = now - self.sent_at
            self.longest = max(self.longest, wait)
            longest_since[0] = max(longest_since[0], wait)
            self.sent_at = None
            self.next_at = now + a.interval   # the loop sends the next request then
            heapq.heappush(due, (self.next_at, self.n))


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
        "longest_wait_since_ms": round(longest_since[0] * 1000),
        "requests": sum(c.answers for c in conns),
    }), flush=True)
    longest_since[0] = 0.0


conns = []
to_open = a.count
ready = False
start = last_scan = time.monotonic()
while True:
    now = time.monotonic()
    if to_open:   # the initial connections, at most --open-rate a second
        allowed = a.count if a.open_rate <= 0 else min(a.count, int((now - start) * a.open_rate) + 1)
        while len(conns) < allowed and to_open:
            conns.append(Conn(len(conns)))
            to_open -= 1
    while due and due[0][0] <= now:
        _, n = heapq.heappop(due)
        c = conns[n]
        if c.lost is None and c.sent_at is None:
            c.send(now)
    if now - last_scan >= 0.5:   # answers that are too late, connections that never opened
        last_scan = now
        for c in conns:
            if c.lost is None and c.sent_at is not None and now - c.sent_at > a.timeout:
                c.lose("no answer for %.0f s" % a.timeout)
            if c.lost is None and not c.connected and now - c.next_at > a.timeout:
                c.lose("connect: no answer for %.0f s" % a.timeout)
    wait = 0.02 if not due else max(0.0, min(0.02, due[0][0] - time.monotonic()))
    for key, mask in sel.select(timeout=wait):
        key.data.event(mask, time.monotonic())
    if not ready and not to_open and all(c.answers > 0 or c.lost for c in conns[: a.count]):
        ready = True
        print("ready %d" % sum(1 for c in conns[: a.count] if c.answers > 0), flush=True)
    more = os.path.join(a.control, "more")
    if os.path.exists(more):
        try:
            text = open(more).read().strip()
        except OSError:
            text = ""
        if text:   # empty: created but not written yet (`echo N > more` is not atomic); read it again next turn
            os.remove(more)
            extra = int(text) if text.isdigit() else 0
            conns += [Conn(len(conns) + i) for i in range(extra)]
    for name in os.listdir(a.control):
        if name.startswith("report-"):
            os.remove(os.path.join(a.control, name))
            report(name[len("report-"):])
    if os.path.exists(os.path.join(a.control, "stop")):
        break

report("end")
