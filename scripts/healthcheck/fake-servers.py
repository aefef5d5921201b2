#!/usr/bin/env python3
"""Misbehaving and minimal servers for the HealthCheck integration tests, all on one loopback address.

Prints one JSON line {"mode": port, ...} once every socket listens, then serves until killed.
Modes: hang (accept, never answer), reset (accept, RST), slow (headers, then one body byte per second),
status503, garbage (non-HTTP bytes), ok (HTTP 200 "ok\n"), smtp (220 banner, 250 to HELO),
dns (UDP: NOERROR reply to any query), udpecho (UDP echo), refused (a port with no listener),
tls (HTTPS 200 "ok\n" without closing: it waits for the client to end the connection and notes how, "close_notify"
(a TLS record came first) or "eof" (a bare FIN), for SSL_GET's tls_compliant), tlsreport (sends the notes of tls so far, one a line, and closes),
smtpflaky (smtp, or accept and never answer after "down" on smtpctl, until "up" there; smtpctl answers "ok").
"""
import json, os, socket, ssl, struct, subprocess, sys, tempfile, threading, time

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

tls_closes = []

def tls_context():
    d = tempfile.mkdtemp(prefix="vigil-fake-tls-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=vigil.test",
                    "-keyout", d + "/key.pem", "-out", d + "/cert.pem"], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
    for f in ("key.pem", "cert.pem"): os.unlink(d + "/" + f)
    os.rmdir(d)
    return ctx

TLS = tls_context()

def tls(conn):
    c = TLS.wrap_socket(conn, server_side=True)
    read_request(c)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
    # The client has nothing more to send but, before its FIN, a close_notify (an alert record: 24 bytes under TLS
    # 1.3, where it is encrypted). Read the raw socket, under TLS: any bytes are that record, none is a quiet close.
    try:
        tls_closes.append("close_notify" if socket.socket.recv(c, 4096) else "eof")
    except OSError as e:
        tls_closes.append("error " + type(e).__name__)
    socket.socket.close(c)

def tlsreport(conn):
    conn.sendall("".join(n + "\n" for n in tls_closes).encode()); conn.close()

smtp_down = threading.Event()

def smtpflaky(conn):
    if smtp_down.is_set(): hang(conn)
    else: smtp(conn)

def smtpctl(conn):
    line = conn.makefile("rb").readline().strip()
    if line == b"down": smtp_down.set()
    elif line == b"up": smtp_down.clear()
    conn.sendall(b"ok\n"); conn.close()

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
                      ("truncated", truncated), ("tls", tls), ("tlsreport", tlsreport),
                      ("smtpflaky", smtpflaky), ("smtpctl", smtpctl)]:
    s = listener(); ports[name] = s.getsockname()[1]; serve(s, handler)
d = udp_socket(); ports["dns"] = d.getsockname()[1]; serve_udp(d, dns_reply)
e = udp_socket(); ports["udpecho"] = e.getsockname()[1]; serve_udp(e, lambda b: b)
r = udp_socket(); ports["udpclosed"] = r.getsockname()[1]; r.close()
t = listener(); ports["refused"] = t.getsockname()[1]; t.close()
print(json.dumps(ports), flush=True)
while True:
    time.sleep(3600)
