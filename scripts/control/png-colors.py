#!/usr/bin/env python3
"""Counts the pixels of given colours in a PNG screenshot (8-bit RGB or RGBA, not interlaced: what headless Chromium
writes), so a test can tell that a picture was drawn, not only that its markup is there.

Usage: png-colors.py SHOT.png NAME=#rrggbb:MIN [NAME=#rrggbb:MIN ...]
Prints each colour's count; exits 0 when every count reaches its MIN, 1 otherwise, 2 on an unreadable file.
"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height, kind = 8, b"", 0, 0, 0
    while pos + 8 <= len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, kind, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or kind not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG (depth {depth}, colour type {kind}, interlace {interlace})")
        elif tag == b"IDAT":
            idat += body
        elif tag == b"IEND":
            break
        pos += 12 + length
    bpp = 3 if kind == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, out = bytearray(stride), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line))
        prev = line
    return out, width, bpp


def main():
    try:
        rows, width, bpp = pixels(sys.argv[1])
    except (OSError, ValueError, zlib.error, struct.error) as e:
        print(f"{sys.argv[1]}: {e}")
        return 2
    wanted = []
    for arg in sys.argv[2:]:
        name, spec = arg.split("=", 1)
        colour, minimum = spec.split(":")
        wanted.append((name, bytes.fromhex(colour.lstrip("#")), int(minimum)))
    counts = {name: 0 for name, _, _ in wanted}
    for line in rows:
        for x in range(0, width * bpp, bpp):
            px = line[x:x + 3]
            for name, rgb, _ in wanted:
                if px == rgb:
                    counts[name] += 1
    ok = True
    for name, rgb, minimum in wanted:
        print(f"{name} #{rgb.hex()}: {counts[name]} pixels (at least {minimum})")
        ok = ok and counts[name] >= minimum
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
