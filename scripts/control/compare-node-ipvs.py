#!/usr/bin/env python3
"""Compares the node_ipvs_* samples of two Prometheus text expositions (Vigil's /metrics and node_exporter's).

Usage: compare-node-ipvs.py VIGIL.txt NODE_EXPORTER.txt
Exit 0 when both have the same series (name and label set, label order ignored) with the same values and at least
one node_ipvs_backend_* series; otherwise 1, printing every difference.
"""
import re
import sys

SAMPLE = re.compile(r'^(node_ipvs_[a-z_]+)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = SAMPLE.match(line.rstrip("\n"))
            if not m:
                continue
            labels = tuple(sorted(LABEL.findall(m.group(3) or "")))
            out[(m.group(1), labels)] = float(m.group(4))
    return out


def main():
    vigil, node = samples(sys.argv[1]), samples(sys.argv[2])
    bad = 0
    for key in sorted(set(vigil) | set(node)):
        v, n = vigil.get(key), node.get(key)
        if v != n:
            bad += 1
            print(f"{key[0]}{dict(key[1])}: vigil {v} node_exporter {n}")
    backends = sum(1 for k in node if k[0].startswith("node_ipvs_backend_"))
    print(f"{len(vigil)} vigil series, {len(node)} node_exporter series ({backends} backend), {bad} different")
    return 0 if bad == 0 and backends > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
