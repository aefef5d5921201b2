#!/usr/bin/env python3
"""SMTP sink for the alert host cases.

  smtp-sink.py sink ADDR PORT DIR   a real SMTP server (Python's smtpd, deprecated but shipped with bookworm's
                                    python3.11): each message is written to DIR/N.eml, preceded by
                                    'X-Envelope-From:' and 'X-Envelope-To:' lines; one line per message on stdout.
  smtp-sink.py hang ADDR PORT DIR   accepts connections and never answers; each accepted connection is noted
                                    in DIR/hang.log with its time.
Prints 'ready' once listening.
"""
import os
import socket
import sys
import threading
import time
import warnings

mode, addr, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
os.makedirs(out, exist_ok=True)

if mode == "hang":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    print("ready", flush=True)
    held = []
    while True:
        c, peer = s.accept()
        held.append(c)  # never read, never answered, never closed
        with open(os.path.join(out, "hang.log"), "a") as f:
            f.write("%.3f accepted %s:%d\n" % (time.time(), peer[0], peer[1]))

warnings.simplefilter("ignore", DeprecationWarning)
import asyncore  # noqa: E402
import smtpd  # noqa: E402


class Sink(smtpd.SMTPServer):
    count = 0

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        Sink.count += 1
        body = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        path = os.path.join(out, "%d.eml" % Sink.count)
        with open(path + ".tmp", "w") as f:
            f.write("X-Envelope-From: %s\n" % mailfrom)
            f.write("X-Envelope-To: %s\n" % ", ".join(rcpttos))
            f.write(body.replace("\r\n", "\n"))
            f.write("\n")
        os.rename(path + ".tmp", path)
        print("message %d from %s to %s" % (Sink.count, mailfrom, rcpttos), flush=True)
        return None


Sink((addr, port), None, decode_data=False)
print("ready", flush=True)
asyncore.loop()
