#!/usr/bin/env python3
"""A real server for the anycast lab (scripts/e2e/anycast-lab.sh): NAME ADDRESS.

Port 80: answers any request with `HTTP/1.0 200` and NAME (a line) as the body, then closes.
Port 7:  echoes each line it receives, prefixed with NAME and a space, on long-lived connections.
Prints `ready` once both listen. Threads, no dependencies beyond the standard library.
"""
import socket
import sys
import threading

name, address = sys.argv[1], sys.argv[2]


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(1024)
    return s


def http(conn):
    with conn:
        conn.settimeout(5)
        try:
            conn.recv(4096)
            body = name.encode() + b"\n"
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        except OSError:
            pass


def echo(conn):
    with conn:
        f = conn.makefile("rb")
        try:
            for line in f:
                conn.sendall(name.encode() + b" " + line)
        except OSError:
            pass


def serve(sock, handler):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


web, lines = listener(80), listener(7)
threading.Thread(target=serve, args=(lines, echo), daemon=True).start()
print("ready", flush=True)
serve(web, http)
