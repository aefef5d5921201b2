#!/usr/bin/env python3
"""One long-lived HTTP client for the Director lab (the E2E suites and the benchmarks).

Usage: client.py HOST [PORT] [--interval S] [--timeout S] [--overlap]

Requests http://HOST:PORT/ continuously over a fresh TCP connection each time (HTTP/1.0, the
server closes), waiting INTERVAL seconds between requests, each with a TIMEOUT deadline covering
connect + send + the whole answer. One line per request on stdout, flushed at once:

    <epoch ms at completion> ok <first word of the body> <latency ms>
    <epoch ms at completion> fail <reason> <latency ms>

With --overlap (the outage benchmark) a new request starts every INTERVAL seconds whether or not the
earlier ones have finished, so a request stuck on a dead path (a SYN sent to the old MASTER's MAC
address) does not hold back the next one: the first success after a takeover is seen within about
INTERVAL of the moment the path works again, not up to TIMEOUT later. Lines are the same.

One process for the whole run: a process start costs ~30 ms under the lab's TCG VM (python ~0.6 s),
which a curl per request would add to every measurement. Stops on SIGTERM/SIGINT or a closed stdout.
"""
import argparse
import selectors
import signal
import socket
import sys
import time


def one_request(host: str, port: int, timeout: float) -> tuple[bool, str]:
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
            data = b""
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False, "timeout"
                s.settimeout(left)
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    except socket.timeout:
        return False, "timeout"
    except OSError as e:
        return False, (e.__class__.__name__)
    return parse(data)


class Request:
    """One non-blocking request of the --overlap mode."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host = host
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.data = b""
        self.sent = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex((host, port))

    def step(self, readable: bool) -> tuple[bool, str] | None:
        """Advances on a readiness event; a result when the request is over."""
        try:
            if not self.sent:
                err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    return False, OSError(err, "").__class__.__name__   # the errno's subclass
                self.sock.sendall(b"GET / HTTP/1.0\r\nHost: " + self.host.encode() + b"\r\n\r\n")
                self.sent = True
                return None
            if not readable:
                return None
            chunk = self.sock.recv(4096)
        except OSError as e:
            return False, e.__class__.__name__
        if chunk:
            self.data += chunk
            return None
        return parse(self.data)


def parse(data: bytes) -> tuple[bool, str]:
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        return False, "status"
    words = body.decode("utf-8", "replace").split()
    return True, (words[0] if words else "?")


def overlap(host: str, port: int, interval: float, timeout: float) -> None:
    sel = selectors.DefaultSelector()
    live: dict[int, Request] = {}
    next_start = time.monotonic()

    def done(r: Request, ok: bool, what: str) -> None:
        sel.unregister(r.sock)
        r.sock.close()
        del live[id(r)]
        print(int(time.time() * 1000), "ok" if ok else "fail", what,
              "%.1f" % ((time.monotonic() - r.started) * 1000), flush=True)

    while True:
        now = time.monotonic()
        if now >= next_start:
            r = Request(host, port, timeout)
            live[id(r)] = r
            sel.register(r.sock, selectors.EVENT_WRITE, r)
            next_start = max(next_start + interval, now)
        for r in [r for r in live.values() if r.deadline <= now]:
            done(r, False, "timeout")
        wait = max(0.0, min([next_start] + [r.deadline for r in live.values()]) - time.monotonic())
        for key, events in sel.select(wait):
            r = key.data
            result = r.step(bool(events & selectors.EVENT_READ))
            if result is not None:
                done(r, *result)
            elif r.sent and key.events != selectors.EVENT_READ:
                sel.modify(r.sock, selectors.EVENT_READ, r)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("host")
    p.add_argument("port", nargs="?", type=int, default=80)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--timeout", type=float, default=0.5)
    p.add_argument("--overlap", action="store_true")
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if a.overlap:
            overlap(a.host, a.port, a.interval, a.timeout)
        while True:
            t0 = time.monotonic()
            ok, what = one_request(a.host, a.port, a.timeout)
            latency = (time.monotonic() - t0) * 1000
            print(int(time.time() * 1000), "ok" if ok else "fail", what, "%.1f" % latency, flush=True)
            if a.interval > 0:
                time.sleep(a.interval)
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
