#!/usr/bin/env python3
"""Writes a keepalived.conf with N virtual servers x M real servers, each with a TCP_CHECK."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
m = int(sys.argv[2]) if len(sys.argv) > 2 else 10
out = sys.stdout
out.write("global_defs {\n    router_id bench\n}\n")
for v in range(n):
    vip = "10.%d.%d.%d" % (100 + v // 65536, (v // 256) % 256, v % 256)
    out.write("virtual_server %s 80 {\n    delay_loop 10\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n" % vip)
    for r in range(m):
        rip = "172.%d.%d.%d" % (16 + (v // 256) % 16, v % 256, r + 1)
        out.write("    real_server %s 8080 {\n        weight 1\n        TCP_CHECK {\n"
                  "            connect_timeout 3\n            retry 2\n            delay_before_retry 2\n"
                  "        }\n    }\n" % rip)
    out.write("}\n")
