#!/usr/bin/env python3
"""Misbehaving and minimal servers for the HealthCheck integration tests, all on one loopback address.

Prints one JSON line {"mode": port, ...} once every socket listens, then serves until killed.
Modes: hang (accept, never answer), reset (accept, RST), slow (headers, then one body byte per second),
status503, garbage (non-HTTP bytes), ok (HTTP 200 "ok\n"), smtp (220 banner, 250 to HELO),
dns (UDP: NOERROR reply to any query), udpecho (UDP echo), refused (a port with no listener).
"""
import json, socket, struct, sys, threading, time

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"

def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, 0)); s.listen(128)
    return s

def serve(sock, handler):
    def loop():
        while True:
            conn, _ = sock.accept()
            threading.Thread(target=guard, args=(handler, conn), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()

def guard(handler, conn):
    try:
        handler(conn)
    except OSError:
        pass

def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk: break
        data += chunk

def hang(conn):
    time.sleep(3600)

def reset(conn):
    read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()

def slow(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n")
    for _ in range(100):
        time.sleep(1); conn.sendall(b"x")

def status503(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n"); conn.close()

def garbage(conn):
    read_request(conn)
    conn.sendall(b"\x00\x01\x02 this is not http \xff\xfe\r\n\r\n"); conn.close()

def ok(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"); conn.close()

def chunked(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for piece in (b"hello, ", b"chunked ", b"world\n"):
        conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece)); time.sleep(0.05)
    conn.sendall(b"0\r\n\r\n"); conn.close()

def truncated(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nonly part"); conn.close()

def smtp(conn):
    conn.sendall(b"220-test.local ESMTP\r\n220 ready\r\n")
    f = conn.makefile("rb")
    for line in f:
        if line.upper().startswith(b"HELO"): conn.sendall(b"250 test.local\r\n")
        elif line.upper().startswith(b"QUIT"): conn.sendall(b"221 bye\r\n"); break
    conn.close()

def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((HOST, 0)); return s

def serve_udp(sock, reply):
    def loop():
        while True:
            data, peer = sock.recvfrom(2048)
            out = reply(data)
            if out is not None: sock.sendto(out, peer)
    threading.Thread(target=loop, daemon=True).start()

def dns_reply(q):
    if len(q) < 12: return None
    # Same ID, QR + RD + RA, NOERROR, the question echoed, no answers.
    return q[:2] + b"\x81\x80" + q[4:6] + b"\x00\x00\x00\x00\x00\x00" + q[12:]

ports = {}
for name, handler in [("hang", hang), ("reset", reset), ("slow", slow), ("status503", status503),
                      ("garbage", garbage), ("ok", ok), ("smtp", smtp), ("chunked", chunked),
                      ("truncated", truncated)]:
    s = listener(); ports[name] = s.getsockname()[1]; serve(s, handler)
d = udp_socket(); ports["dns"] = d.getsockname()[1]; serve_udp(d, dns_reply)
e = udp_socket(); ports["udpecho"] = e.getsockname()[1]; serve_udp(e, lambda b: b)
r = udp_socket(); ports["udpclosed"] = r.getsockname()[1]; r.close()
t = listener(); ports["refused"] = t.getsockname()[1]; t.close()
print(json.dumps(ports), flush=True)
while True:
    time.sleep(3600)
