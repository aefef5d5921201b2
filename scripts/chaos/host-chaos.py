#!/usr/bin/env python3
"""`make chaos` on the host (issue #18, docs/reliability.md): VRRP only, three nodes on one bridge.

    A: vigil, priority 150, tracks a script (weight -60)      B: vigil, priority 120
    C: keepalived 2.2.7, priority 100
    instances: V4 (VRRPv2, PASS auth, 10.77.0.100) and V6 (VRRPv3, fd00:77::100), advert_int 1, preempt

A seeded, time-bounded run of faults drawn at random, one at a time: SIGKILL and restart, SIGTERM and restart, a
link down for a while (FAULT), a partition (the node's bridge port unplugged, carrier kept) healed later, a
partition between two nodes that both still reach the third (the bridge drops frames between their ports), a SIGHUP
storm, a reload with a broken file, a reload that changes the priority, the tracked script failing, a burst of
malformed and foreign VRRP packets from a fifth namespace, SIGUSR1/SIGUSR2 and keepalived's real-time signals.

After each fault is healed the run waits for the protocol's window (WINDOW_S: three adverts, the skew and two adverts
of slack) for exactly one holder of each VIP, then watches STABLE_S more, sampling every 100 ms (a state counts when
two consecutive samples show it: one sample reads the nodes one after the other and can catch a preempting node's
handover half-way, which is counted and printed as a transient). Invariants, each reported with the time and the
evidence when it breaks:
  - no Vigil process dies unless the run killed it (and a SIGTERM ends it within 10 s); keepalived, the reference
    peer, is restarted with a note if it ends;
  - after a fault has healed, each VIP is held by exactly one node within the window: the seconds of dual MASTER and
    of no MASTER seen outside the windows are counted, both must be 0;
  - the open descriptors of each Vigil process stay flat (at most +4 over its life), its RSS is reported;
  - after the final SIGTERM no VIP is left on any node and no process of the run is left.
Usage: host-chaos.py [--seed N] [--seconds S] [--vigil PATH]. Prints the seed first; the same seed replays the same
faults. Root; creates and removes its own namespaces (vch<id>{a,b,c,x,s}).
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from vrrpwire import csum  # noqa: E402  (scripts/chaos/vrrpwire.py)

WINDOW_S = 6.0      # 3 × advert_int + skew (≤ 1 s) + 2 adverts of slack: a takeover or a hand-back completes in it
STABLE_S = 2.0      # watched after convergence, every sample must show exactly one holder per VIP
SAMPLE_S = 0.1
HOLD_S = 1.5       # a single holder counts once it has lasted this long (more than an advert interval)
WARMUP_S = 5.0      # descriptors and RSS are compared from this long after a process started (sockets are open)
VIPS = {"V4": "10.77.0.100", "V6": "fd00:77::100"}
NODES = {"a": ("vigil", 150, 1), "b": ("vigil", 120, 2), "c": ("keepalived", 100, 3)}


def sh(*args, check=True, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip() or r.returncode}")
    return r


class Lab:
    def __init__(self, vigil, seed):
        self.vigil = vigil
        self.id = f"{os.getpid() % 0xffff:04x}"
        self.dir = tempfile.mkdtemp(prefix="vigil-chaos.")
        self.procs = {}          # node -> Popen of the current daemon
        self.expected_exit = set()
        self.all_pgids = []
        self.samples = {}        # (node, pid) -> [(t, rss_kib, fds)], from WARMUP_S after the process started
        self.started = {}        # pid -> monotonic start
        self.prio_b = 120
        self.t0 = time.monotonic()

    def ns(self, node):
        return f"vch{self.id}{node}"

    def t(self):
        return time.monotonic() - self.t0

    # --- topology
    def up(self):
        s = self.ns("s")
        sh("ip", "netns", "add", s)
        sh("ip", "-n", s, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
        sh("ip", "-n", s, "link", "set", "br0", "up")
        for node, (_, _, k) in list(NODES.items()) + [("x", (None, 0, 9))]:
            n = self.ns(node)
            sh("ip", "netns", "add", n)
            sh("ip", "-n", s, "link", "add", f"port{node}", "type", "veth", "peer", "name", "veth0", "netns", n)
            sh("ip", "-n", s, "link", "set", f"port{node}", "master", "br0")
            sh("ip", "-n", s, "link", "set", f"port{node}", "up")
            for kv in ("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                       "net.ipv6.conf.veth0.accept_dad=0"):
                sh("ip", "netns", "exec", n, "sysctl", "-qw", kv, check=False)
            sh("ip", "-n", n, "link", "set", "lo", "up")
            sh("ip", "-n", n, "addr", "add", f"10.77.0.{k}/24", "dev", "veth0")
            sh("ip", "-n", n, "addr", "add", f"fd00:77::{k}/64", "dev", "veth0", "nodad")
            sh("ip", "-n", n, "link", "set", "veth0", "up")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            shown = [sh("ip", "-n", self.ns(n), "-6", "addr", "show", "dev", "veth0").stdout for n in NODES]
            if all("fe80" in o and "tentative" not in o for o in shown):
                break
            time.sleep(0.1)
        for node in NODES:
            self.write_config(node)
            if NODES[node][0] == "vigil":
                open(self.okfile(node), "w").close()

    def okfile(self, node):
        return os.path.join(self.dir, f"ok-{node}")

    def conf(self, node):
        return os.path.join(self.dir, f"{node}.conf")

    def write_config(self, node, broken=False):
        kind, prio, _ = NODES[node]
        if node == "b":
            prio = self.prio_b
        lines = ["global_defs {", f"    router_id chaos-{node}", "    script_user root", "}"]
        if kind == "vigil":
            lines += ["vrrp_script chk_ok {", f"    script \"/usr/bin/test -e {self.okfile(node)}\"",
                      "    interval 1", "    fall 1", "    rise 1", "    weight -60", "}"]
        for name, vrid, version, vip in (("V4", 61, 2, "10.77.0.100/24"), ("V6", 62, 3, "fd00:77::100/64")):
            lines += [f"vrrp_instance {name} {{", "    state BACKUP", "    interface veth0",
                      f"    virtual_router_id {vrid}", f"    priority {prio}", f"    version {version}",
                      "    advert_int 1"]
            if version == 2:
                lines += ["    authentication {", "        auth_type PASS", "        auth_pass chaos", "    }"]
            if kind == "vigil" and name == "V4":
                lines += ["    track_script {", "        chk_ok", "    }"]
            lines += ["    virtual_ipaddress {", f"        {vip}", "    }", "}"]
        text = "\n".join(lines) + "\n"
        if broken:
            text = text.replace("virtual_router_id 61", "virtual_router_id 612").rstrip("}\n") + "\n"
        with open(self.conf(node), "w") as f:
            f.write(text)

    # --- daemons
    def start(self, node):
        n = self.ns(node)
        log = open(os.path.join(self.dir, f"{node}.log"), "a")
        pidf = os.path.join(self.dir, f"{node}.pid")
        for ext in ("pid", "vpid", "cpid"):     # keepalived refuses to start over a pid file it cannot vouch for
            try:
                os.unlink(os.path.join(self.dir, f"{node}.{ext}"))
            except FileNotFoundError:
                pass
        if NODES[node][0] == "vigil":
            cmd = ["ip", "netns", "exec", n, self.vigil, "run", "-n", "-l", "-D", "--no-syslog", "-f",
                   self.conf(node), "-p", pidf]
        else:
            cmd = ["ip", "netns", "exec", n, "keepalived", "-n", "-l", "-D", "-G", "--vrrp", "-f", self.conf(node),
                   "-p", pidf, "-r", os.path.join(self.dir, f"{node}.vpid"), "-c",
                   os.path.join(self.dir, f"{node}.cpid")]
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[node] = p
        self.started[p.pid] = time.monotonic()
        self.all_pgids.append(p.pid)
        self.expected_exit.discard(node)

    def signal(self, node, sig):
        p = self.procs.get(node)
        if p and p.poll() is None:
            os.kill(p.pid, sig)

    def kill(self, node):
        self.expected_exit.add(node)
        p = self.procs[node]
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        for _ in range(100):     # keepalived's children go with the group, a moment later
            if not group_alive(p.pid):
                break
            time.sleep(0.02)

    def term(self, node):
        """SIGTERM and wait; returns the seconds it took, or None if it did not end within 10 s."""
        self.expected_exit.add(node)
        p = self.procs[node]
        t = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None
        # keepalived's children end after the parent; give the group a moment.
        for _ in range(50):
            if not group_alive(p.pid):
                break
            time.sleep(0.05)
        return time.monotonic() - t

    def tail(self, node, n=12):
        try:
            with open(os.path.join(self.dir, f"{node}.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    # --- observation
    def holders(self):
        out = {}
        for name, vip in VIPS.items():
            out[name] = [node for node in NODES if vip_on(self.ns(node), vip)]
        return out

    def sample_resources(self):
        for node, (kind, _, _) in NODES.items():
            p = self.procs.get(node)
            if kind != "vigil" or not p or p.poll() is not None:
                continue
            if time.monotonic() - self.started.get(p.pid, 0) < WARMUP_S:
                continue
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
                fds = len(os.listdir(f"/proc/{p.pid}/fd"))
            except (OSError, StopIteration):
                continue
            self.samples.setdefault((node, p.pid), []).append((self.t(), rss, fds))

    def cleanup(self):
        for pg in self.all_pgids:
            try:
                os.killpg(pg, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for node in list(NODES) + ["x", "s"]:
            sh("ip", "netns", "del", self.ns(node), check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def vip_on(ns, vip):
    r = sh("ip", "-n", ns, "-o", "addr", "show", "dev", "veth0", check=False)
    return f" {vip}/" in r.stdout


# --- hostile packets (sent from namespace x, which is on the bridge like a node)
def advert_v2(vrid, prio, password=b"chaos", interval=1, bad_sum=False, version=2):
    body = struct.pack("!BBBBBBH", (version << 4) | 1, vrid, prio, 1, 1, interval, 0) + socket.inet_aton("10.77.0.100")
    body += password.ljust(8, b"\0")[:8]
    c = csum(body) ^ (0x1234 if bad_sum else 0)
    return body[:6] + struct.pack("!H", c) + body[8:]


def hostile_burst(rng):
    """Runs inside namespace x (a child process): malformed adverts for the lab's VRIDs, foreign VRIDs, noise.
    None is a valid advert that should change mastership (a wrong password, sum, TTL, version or length each makes
    the receiver drop it; the foreign VRIDs' adverts are valid but for routers nobody runs)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"veth0")
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    dst = ("224.0.0.18", 0)
    kinds = {
        "password": lambda: advert_v2(61, 254, password=b"wrong"),
        "checksum": lambda: advert_v2(61, 254, bad_sum=True),
        "truncated": lambda: advert_v2(61, 254)[: rng.randrange(1, 16)],
        "version": lambda: advert_v2(61, 254, version=rng.choice([0, 1, 4, 15])),
        "interval": lambda: advert_v2(61, 254, interval=7),
        "foreign": lambda: advert_v2(rng.randrange(100, 200), rng.randrange(1, 255)),
        "random": lambda: bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 80))),
    }
    sent = {}
    for _ in range(200):
        k = rng.choice(sorted(kinds))
        s.sendto(kinds[k](), dst)
        sent[k] = sent.get(k, 0) + 1
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64)   # TTL ≠ 255: dropped
    for _ in range(20):
        s.sendto(advert_v2(61, 254), dst)
    sent["ttl"] = 20
    v6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 112)
    v6.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"veth0")
    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    for _ in range(100):
        body = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 60)))
        if len(body) >= 2 and rng.random() < 0.5:
            body = bytes([0x31, 62]) + body[2:]       # v3 header for the lab's VRID, garbage after it
        try:
            v6.sendto(body, ("ff02::12", 0, 0, socket.if_nametoindex("veth0")))
        except OSError:
            pass
    sent["v6-random"] = 100
    print(json.dumps(sent))


# --- the run
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument("--vigil", default=os.environ.get("VIGIL_BIN", ".build/debug/vigil"))
    ap.add_argument("--burst", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.burst is not None:
        hostile_burst(random.Random(args.burst))
        return 0
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(f"# chaos host: seed {seed} ({args.seconds:.0f} s; replay: make chaos CHAOS_SEED={seed} "
          f"CHAOS_SECONDS={args.seconds:.0f})", flush=True)
    if os.geteuid() != 0:
        print("error: the host chaos run needs root", file=sys.stderr)
        return 1
    for tool in ("ip", "keepalived"):
        if not shutil.which(tool):
            print(f"error: {tool} is missing (make deps)", file=sys.stderr)
            return 1
    vigil = os.path.abspath(args.vigil)
    if not os.access(vigil, os.X_OK):
        print(f"error: {vigil} is missing (swift build)", file=sys.stderr)
        return 1
    rng = random.Random(seed)
    lab = Lab(vigil, seed)
    violations = []
    faults = {}
    converge = []
    dual_s = none_s = 0.0

    def violation(what, evidence):
        violations.append((lab.t(), what, evidence))
        print(f"not ok - {lab.t():7.1f}s {what}\n# " + evidence.replace("\n", "\n# "), flush=True)

    def check_alive():
        for node, p in lab.procs.items():
            if node in lab.expected_exit or p.poll() is None:
                continue
            lab.expected_exit.add(node)
            if NODES[node][0] == "vigil":
                violation(f"{node}'s vigil died (exit {p.returncode}) without being killed", lab.tail(node))
            else:   # the reference peer is not under test: noted, restarted
                print(f"# {lab.t():7.1f}s note: {node}'s keepalived ended (exit {p.returncode}); restarted\n# "
                      + lab.tail(node, 4).replace("\n", "\n# "), flush=True)
                lab.start(node)

    transient = [0]   # single samples of no holder or two holders during a watch: handovers caught mid-way

    def settle(label):
        """Waits for one holder per VIP (the window), then watches STABLE_S; counts what breaks the invariant."""
        nonlocal dual_s, none_s
        start = time.monotonic()
        since = None      # when the current run of "one holder per VIP" began
        while True:
            check_alive()
            h = lab.holders()
            now = time.monotonic()
            if all(len(v) == 1 for v in h.values()):
                since = since or now
                # A holder only counts once it has held through HOLD_S: a crashed node's leftover VIP looks like a
                # holder until the restarted daemon removes it at start.
                if now - since >= HOLD_S:
                    converge.append(since - start)
                    break
            else:
                since = None
            if now - start > WINDOW_S + HOLD_S:
                violation(f"after {label}: no single holder within {WINDOW_S:.0f} s", json.dumps(h))
                break
            time.sleep(SAMPLE_S)
        # A sample reads the nodes one after the other (tens of ms): a handover inside it (a preempting node adds
        # the VIP, the old holder removes it a millisecond later) can look like no holder, or two, in that one sample.
        # What breaks the invariant is a state seen in two consecutive samples (at least SAMPLE_S long).
        end = time.monotonic() + STABLE_S
        previous = set()
        while time.monotonic() < end:
            h = lab.holders()
            bad = {(name, "dual" if len(nodes) > 1 else "none") for name, nodes in h.items() if len(nodes) != 1}
            for name, kind in sorted(bad & previous):
                if kind == "dual":
                    dual_s += SAMPLE_S
                    violation(f"after {label}: {name} held by {','.join(h[name])} (dual MASTER)", json.dumps(h))
                else:
                    none_s += SAMPLE_S
                    violation(f"after {label}: {name} held by nobody", json.dumps(h))
            transient[0] += len(bad - previous)
            previous = bad
            lab.sample_resources()
            time.sleep(SAMPLE_S)
        transient[0] -= len(previous)   # still bad at the end: not a transient (and reported if seen twice)
        check_alive()

    vigil_nodes = [n for n in NODES if NODES[n][0] == "vigil"]
    rt = {}
    for name in ("DATA", "STATS", "JSON", "RELOAD", "STOP"):
        r = sh(vigil, f"--signum={name}", check=False)
        if r.returncode == 0 and r.stdout.strip().isdigit():
            rt[name] = int(r.stdout.strip())
    storm_signals = [signal.SIGUSR1, signal.SIGUSR2] + [v for k, v in rt.items() if k in ("DATA", "STATS", "JSON")]

    def f_kill(node):
        lab.kill(node)
        time.sleep(rng.uniform(0.5, 3))
        lab.start(node)
        return f"SIGKILL {node}, restarted"

    def f_term(node):
        took = lab.term(node)
        if took is None:
            violation(f"{node} did not end within 10 s of SIGTERM", lab.tail(node))
        time.sleep(rng.uniform(0.5, 3))
        lab.start(node)
        return f"SIGTERM {node} ({(took or 0) * 1000:.0f} ms), restarted"

    def f_link(node):
        n = lab.ns(node)
        d = rng.uniform(1, 4)
        sh("ip", "-n", n, "link", "set", "veth0", "down")
        time.sleep(d)
        sh("ip", "-n", n, "link", "set", "veth0", "up")
        return f"link of {node} down {d:.1f} s"

    def f_partition(node):
        d = rng.uniform(2, 5)
        sh("ip", "-n", lab.ns("s"), "link", "set", f"port{node}", "nomaster")
        time.sleep(d)
        sh("ip", "-n", lab.ns("s"), "link", "set", f"port{node}", "master", "br0")
        return f"{node} partitioned {d:.1f} s"

    def f_partition_pair(pair):
        # Frames between the two nodes' ports are dropped by the bridge (nftables, bridge family); each still reaches
        # the third node, which hears both sides.
        x, y = pair
        d = rng.uniform(2, 5)
        rules = ("table bridge vigil_chaos {\n  chain forward {\n"
                 "    type filter hook forward priority 0; policy accept;\n"
                 f'    iifname "port{x}" oifname "port{y}" drop\n    iifname "port{y}" oifname "port{x}" drop\n  }}\n}}\n')
        sh("ip", "netns", "exec", lab.ns("s"), "nft", "-f", "-", input=rules)
        time.sleep(d)
        sh("ip", "netns", "exec", lab.ns("s"), "nft", "delete table bridge vigil_chaos")
        return f"{x} and {y} partitioned from each other {d:.1f} s (both reach the third)"

    def f_hup_storm(node):
        for _ in range(20):
            lab.signal(node, signal.SIGHUP)
            time.sleep(0.05)
        return f"20 SIGHUPs to {node} in 1 s"

    def f_broken_reload(node):
        lab.write_config(node, broken=True)
        lab.signal(node, signal.SIGHUP)
        time.sleep(1.5)
        check_alive()
        lab.write_config(node)
        lab.signal(node, signal.SIGHUP)
        return f"reload of {node} with a broken file, then the good one"

    def f_reload_change(node):
        lab.prio_b = 110 if lab.prio_b == 120 else 120
        lab.write_config("b")
        lab.signal("b", signal.SIGHUP)
        return f"reload of b with priority {lab.prio_b}"

    def f_script(node):
        d = rng.uniform(2, 5)
        os.unlink(lab.okfile("a"))
        time.sleep(d)
        open(lab.okfile("a"), "w").close()
        return f"a's tracked script failing {d:.1f} s"

    def f_packets(node):
        r = sh("ip", "netns", "exec", lab.ns("x"), sys.executable, os.path.abspath(__file__),
               "--burst", str(rng.getrandbits(32)), check=False)
        return f"hostile packets {r.stdout.strip() or r.stderr.strip()}"

    def f_signals(node):
        sent = []
        for _ in range(10):
            sig = rng.choice(storm_signals)
            lab.signal(node, sig)
            sent.append(int(sig))
            time.sleep(0.05)
        return f"signals {sent} to {node}"

    kinds = [
        ("sigkill", f_kill, list(NODES)), ("sigterm", f_term, list(NODES)), ("link-down", f_link, list(NODES)),
        ("partition", f_partition, list(NODES)),
        ("partition-pair", f_partition_pair, [(x, y) for x in NODES for y in NODES if x < y]),
        ("sighup-storm", f_hup_storm, vigil_nodes),
        ("broken-reload", f_broken_reload, vigil_nodes), ("reload-change", f_reload_change, ["b"]),
        ("script-fails", f_script, ["a"]), ("hostile-packets", f_packets, ["x"]),
        ("signals", f_signals, vigil_nodes),
    ]
    try:
        lab.up()
        for node in NODES:
            lab.start(node)
        time.sleep(1)
        settle("start")
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            kind, fn, targets = rng.choice(kinds)
            node = rng.choice(targets)
            what = fn(node)
            faults[kind] = faults.get(kind, 0) + 1
            print(f"# {lab.t():7.1f}s {kind}: {what}", flush=True)
            settle(kind)
        # The final stop: every daemon SIGTERMed; nothing may be left behind.
        for node in NODES:
            if lab.term(node) is None:
                violation(f"{node} did not end within 10 s of the final SIGTERM", lab.tail(node))
        left = {name: [n for n in NODES if vip_on(lab.ns(n), vip)] for name, vip in VIPS.items()}
        if any(left.values()):
            violation("a VIP is left after the final stop", json.dumps(left))
        alive = [pg for pg in lab.all_pgids if group_alive(pg)]
        if alive:
            violation("processes are left after the final stop", f"process groups {alive}")
    except Exception as e:   # a lab command failing is a failed run, with the reason
        violation(f"the run stopped: {e}", "")
    finally:
        drift = []
        for (node, pid), s in lab.samples.items():
            if len(s) >= 2:
                drift.append((node, pid, s[-1][0] - s[0][0], s[0][1], s[-1][1], s[0][2], s[-1][2]))
        lab.cleanup()

    total = sum(faults.values())
    print(f"\nchaos host (seed {seed}, {args.seconds:.0f} s): {total} faults")
    for k in sorted(faults):
        print(f"  {k:<16} {faults[k]}")
    if converge:
        c = sorted(converge)
        print(f"  convergence after a healed fault: median {c[len(c) // 2] * 1000:.0f} ms, "
              f"max {c[-1] * 1000:.0f} ms (window {WINDOW_S * 1000:.0f} ms)")
    print(f"  dual MASTER outside the windows: {dual_s:.1f} s; no MASTER outside the windows: {none_s:.1f} s")
    print(f"  handovers caught half-way by one sample during a watch (a preemption, not a gap): {transient[0]}")
    for node, pid, span, rss0, rss1, fd0, fd1 in sorted(drift, key=lambda d: -d[2])[:4]:
        print(f"  {node} pid {pid}: {span:.0f} s observed, RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB, "
              f"descriptors {fd0} -> {fd1}")
    for node, pid, span, rss0, rss1, fd0, fd1 in drift:
        if fd1 - fd0 > 4:
            violation(f"{node} (pid {pid}) descriptors grew {fd0} -> {fd1} over {span:.0f} s", "")
    print(f"  invariant violations: {len(violations)}")
    for t, what, _ in violations:
        print(f"    {t:7.1f}s {what}")
    ok = not violations and total > 0
    print(f"{'ok  ' if ok else 'FAIL'} - chaos host: {len(violations)} violations in {total} faults")
    print(f"chaos host: {1 if ok else 0} passed, {0 if ok else 1} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
