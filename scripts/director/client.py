#!/usr/bin/env python3
"""One long-lived HTTP client for the Director lab (the E2E suites and the benchmarks).

Usage: client.py HOST [PORT] [--interval S] [--timeout S]

Requests http://HOST:PORT/ continuously over a fresh TCP connection each time (HTTP/1.0, the
server closes), waiting INTERVAL seconds between requests, each with a TIMEOUT deadline covering
connect + send + the whole answer. One line per request on stdout, flushed at once:

    <epoch ms at completion> ok <first word of the body> <latency ms>
    <epoch ms at completion> fail <reason> <latency ms>

One process for the whole run: a process start costs ~30 ms under the lab's TCG VM (python ~0.6 s),
which a curl per request would add to every measurement. Stops on SIGTERM/SIGINT or a closed stdout.
"""
import argparse
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
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        return False, "status"
    words = body.decode("utf-8", "replace").split()
    return True, (words[0] if words else "?")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("host")
    p.add_argument("port", nargs="?", type=int, default=80)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--timeout", type=float, default=0.5)
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
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
