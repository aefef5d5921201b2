#!/usr/bin/env python3
"""IPVS differential (issue #14): the table keepalived programs against the one Vigil programs.

Run as root where the kernel has IPVS (the VM tier: scripts/e2e/ipvs-differential.sh). For every config of the
config differential corpus (Debian's samples, Samples/, Tests/Corpus/keepalived/*.conf; see
scripts/config/differential.py) that has a virtual_server, in two phases:

    up     every checker block removed: every real server is up from the start;
    down   every real server's checkers replaced by one MISC_CHECK of /bin/false (delay_loop 1, retry 0): every
           real server goes down (sorry_server, inhibit_on_failure, quorum and the rest decide the table);

it starts `keepalived -C` (health checks and IPVS only) in one network namespace and `vigil -C` in another
(IPVS tables are per namespace), waits for Vigil to say READY=1 (sd_notify, to a socket of this script),
then until each table has been stable for 1.5 s (down: 4 s after READY at least), and compares `ipvsadm -Sn`,
sorted. keepalived started by hand sends no READY=1; it is up in well under a second, long before Vigil in the
TCG VM, and the settling covers it. Runs go `--jobs=N` (IPVSDIFF_JOBS, default 4) at a time, each in its own pair
of namespaces. Each namespace has the interfaces eth0..eth3 the corpus names.

A difference is expected only if Tests/Corpus/expected-ipvs-differences.tsv lists it (CONFIG PHASE LINE REASON,
tab-separated; LINE is the `-A`/`-a` line of one side, prefixed `keepalived:` or `vigil:`); anything else fails.
Prints one line per config and phase, the differing lines, and a summary; exit 1 on an unexplained difference.
"""
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("VIGIL_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "config"))
from differential import corpus_files, tokens  # noqa: E402

VIGIL = os.environ.get("VIGIL_BIN") or os.path.join(ROOT, ".build", "debug", "vigil")
TABLE = os.path.join(ROOT, "Tests", "Corpus", "expected-ipvs-differences.tsv")
CHECKERS = {"HTTP_GET", "SSL_GET", "TCP_CHECK", "SMTP_CHECK", "DNS_CHECK", "MISC_CHECK", "UDP_CHECK",
            "PING_CHECK", "FILE_CHECK", "BFD_CHECK"}
FAILING = ["MISC_CHECK {", "misc_path /bin/false", "delay_loop 1", "retry 0", "}"]


def transform(text, phase):
    """The config with its checkers removed (up) or replaced by a failing MISC_CHECK in every real server (down)."""
    out, skip_depth, depth = [], None, 0
    for line in text.splitlines():
        words = tokens(line)
        opens, closes = words.count("{"), words.count("}")
        if skip_depth is not None:
            depth += opens - closes
            if depth <= skip_depth:
                skip_depth = None
            continue
        if words and words[0] in CHECKERS and "{" in words:
            if opens > closes:
                skip_depth = depth
                depth += opens - closes
            continue
        out.append(line)
        depth += opens - closes
        if phase == "down" and words and words[0] == "real_server" and words[-1] == "{":
            out.extend(FAILING)
    return "\n".join(out) + "\n"


def sh(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def netns(name):
    sh(["ip", "netns", "del", name])
    for cmd in (["ip", "netns", "add", name], ["ip", "-n", name, "link", "set", "lo", "up"],
                ["ip", "-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1"],
                ["ip", "-n", name, "link", "add", "eth2", "type", "veth", "peer", "name", "eth3"]):
        r = sh(cmd)
        if r.returncode != 0:
            sys.exit(f"ipvs differential: {' '.join(cmd)}: {r.stdout.strip()}")
    for i in ("eth0", "eth1", "eth2", "eth3"):
        sh(["ip", "-n", name, "link", "set", i, "up"])


def table(ns):
    """`ipvsadm -Sn` and the connection-sync daemons (`ipvsadm -Ln --daemon`, each line prefixed `daemon: `)."""
    r = sh(["ip", "netns", "exec", ns, "ipvsadm", "-Sn"])
    d = sh(["ip", "netns", "exec", ns, "ipvsadm", "-Ln", "--daemon"])
    if r.returncode != 0 or d.returncode != 0:
        return None
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    lines += ["daemon: " + line.strip() for line in d.stdout.splitlines() if line.strip()]
    return sorted(lines)


def notify_socket(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    return s


def wait_ready(sockets, seconds=40):
    """Waits until each daemon has sent READY=1 to its socket; the keys of those that did not."""
    pending, start = dict(sockets), time.monotonic()
    while pending and time.monotonic() - start < seconds:
        readable, _, _ = select.select(list(pending.values()), [], [], 0.5)
        for key, s in list(pending.items()):
            if s in readable and b"READY=1" in s.recv(4096).split(b"\n"):
                del pending[key]
    return sorted(pending)


def settle(namespaces, minimum):
    """Waits until every namespace's table is unchanged for 1.5 s (after `minimum` s; at most 25 s)."""
    start = time.monotonic()
    last = {ns: None for ns in namespaces}
    stable = {ns: 0 for ns in namespaces}
    while time.monotonic() - start < 25:
        time.sleep(0.5)
        for ns in namespaces:
            t = table(ns)
            stable[ns] = stable[ns] + 1 if t == last[ns] else 0
            last[ns] = t
        if time.monotonic() - start >= minimum and all(v >= 3 for v in stable.values()):
            break
    return last


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def pidfiles(d):
    """The pid files of a run, each with its pid's command line (why a daemon said it was already running)."""
    out = ""
    for name in sorted(os.listdir(d)):
        if name.endswith(".pid"):
            pid = open(os.path.join(d, name), errors="replace").read().strip()
            try:
                cmd = open(f"/proc/{int(pid)}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, ValueError):
                cmd = "(not running)"
            out += f"    pid file {name}: {pid!r} {cmd}\n"
    return out


def load_expected():
    expected = {}
    if os.path.exists(TABLE):
        for n, line in enumerate(open(TABLE), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or not parts[3].strip():
                sys.exit(f"{TABLE}:{n}: want CONFIG<TAB>PHASE<TAB>LINE<TAB>REASON")
            expected[(parts[0], parts[1], parts[2])] = parts[3]
    return expected


class Run:
    """One config in one phase: keepalived in namespace vipd-kN, Vigil in vipd-vN."""

    def __init__(self, label, path, phase, slot, work):
        self.label, self.path, self.phase, self.slot = label, path, phase, slot
        self.dir = os.path.join(work, re.sub(r"[^A-Za-z0-9_.-]", "_", label) + "." + phase)
        self.kns, self.vns = f"vipd-k{slot}", f"vipd-v{slot}"

    def start(self, text):
        d = self.dir
        os.makedirs(d)
        self.early, self.pidfiles = [], ""
        # Beside the original, so that relative includes resolve as they do for the original.
        self.conf = os.path.join(os.path.dirname(self.path),
                                 f".ipvsdiff.{os.getpid()}.{self.slot}.{self.phase}.{os.path.basename(self.path)}")
        if not os.access(os.path.dirname(self.path), os.W_OK):
            self.conf = os.path.join(d, os.path.basename(self.path))
        with open(self.conf, "w") as f:
            f.write(transform(text, self.phase))
        netns(self.kns)
        netns(self.vns)
        # keepalived 2.2.7 started by hand sends no READY=1 (it starts in well under a second; `settle` covers it).
        self.sockets = {"vigil": notify_socket(f"{d}/v.notify")}
        env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
        self.k = subprocess.Popen(["ip", "netns", "exec", self.kns, "keepalived", "-C", "-n", "-l", "-D", "-G",
                                   "-f", self.conf, "-p", f"{d}/k.pid", "-c", f"{d}/c.pid", "-r", f"{d}/r.pid",
                                   "-b", f"{d}/b.pid"],
                                  stdout=open(f"{d}/keepalived.log", "w"), stderr=subprocess.STDOUT,
                                  start_new_session=True, env=env)
        self.v = subprocess.Popen(["ip", "netns", "exec", self.vns, VIGIL, "-C", "-n", "-l", "-f", self.conf,
                                   "-p", f"{d}/v.pid"],
                                  stdout=open(f"{d}/vigil.log", "w"), stderr=subprocess.STDOUT,
                                  start_new_session=True, env=dict(os.environ, NOTIFY_SOCKET=f"{d}/v.notify"))

    def finish(self):
        for s in self.sockets.values():
            s.close()
        if self.conf != self.path and os.path.dirname(self.conf) == os.path.dirname(self.path):
            os.unlink(self.conf)


def main():
    only = [a for a in sys.argv[1:] if not a.startswith("--jobs=")]
    jobs = int(next((a[7:] for a in sys.argv[1:] if a.startswith("--jobs=")), os.environ.get("IPVSDIFF_JOBS", "4")))
    expected = load_expected()
    seen, unexplained, compared, work = set(), 0, 0, tempfile.mkdtemp(prefix="vigil-ipvsdiff.")
    pending = []
    for label, path in corpus_files():
        if only and not any(o in label for o in only):
            continue
        text = open(path, errors="replace").read()
        if re.search(r"^\s*virtual_server\s", text, re.M):
            pending += [(label, path, text, phase) for phase in ("up", "down")]
    started = time.monotonic()
    # A batch of `jobs` runs at a time, each in its own pair of namespaces: the daemons' start-up (seconds each in
    # the TCG VM) and the settling overlap.
    for first in range(0, len(pending), jobs):
        batch = [Run(label, path, phase, slot, work) for slot, (label, path, _, phase) in enumerate(pending[first:first + jobs])]
        for run, (_, _, text, _) in zip(batch, pending[first:first + jobs]):
            run.start(text)
        sockets = {(r.slot, name): s for r in batch for name, s in r.sockets.items()}
        late = wait_ready(sockets, seconds=40 + 15 * len(batch))
        tables = settle([ns for r in batch for ns in (r.kns, r.vns)],
                        4 if any(r.phase == "down" for r in batch) else 1)
        for r in batch:
            # A daemon that is gone before the stop did not program its table: a failure, never "same".
            r.early = [name for name, proc in (("keepalived", r.k), ("vigil", r.v)) if proc.poll() is not None]
            r.pidfiles = pidfiles(r.dir) if r.early else ""
            for proc in (r.k, r.v):
                if proc.poll() is None:
                    os.killpg(proc.pid, 15)
        for r in batch:
            stop(r.k)
            stop(r.v)
            r.finish()
        for r in batch:
            label, phase, d = r.label, r.phase, r.dir
            kt, vt = tables[r.kns] or [], tables[r.vns] or []
            compared += 1
            only_k = [f"keepalived:{line}" for line in kt if line not in vt]
            only_v = [f"vigil:{line}" for line in vt if line not in kt]
            bad = []
            for line in only_k + only_v:
                key = (label, phase, line)
                seen.add(key)
                if key not in expected:
                    bad.append(line)
            status = "same" if not (only_k or only_v) else ("expected" if not bad else "DIFFERENT")
            mine = [name for (slot, name) in late if slot == r.slot]
            problems = []
            if mine:
                problems.append("not READY in time: " + ", ".join(mine))
            if r.early:
                problems.append("exited before the stop: " + ", ".join(r.early))
            bad += problems
            if problems:
                status = "DIFFERENT"
            print(f"{status:10} {label} [{phase}] keepalived {len(kt)} lines, vigil {len(vt)} lines", flush=True)
            for p in problems:
                print(f"  ! {p}")
            if r.pidfiles:
                print(r.pidfiles, end="")
            for line in only_k + only_v:
                mark = "  !" if line in bad else "   "
                why = expected.get((label, phase, line), "")
                print(f"{mark} {line}" + (f"    ({why})" if why else ""))
            if bad:
                unexplained += len(bad)
                for name in ("keepalived.log", "vigil.log"):
                    print(f"    --- {name} (last 8 lines)")
                    for line in open(f"{d}/{name}", errors="replace").read().splitlines()[-8:]:
                        print(f"    {line}")
        print(f"  [{min(first + jobs, len(pending))}/{len(pending)} runs, {time.monotonic() - started:.0f} s]", flush=True)
    for slot in range(jobs):
        for ns in (f"vipd-k{slot}", f"vipd-v{slot}"):
            sh(["ip", "netns", "del", ns])
    stale = [k for k in expected if k not in seen and (not only or any(o in k[0] for o in only))]
    for k in stale:
        print(f"stale      {k[0]} [{k[1]}] {k[2]} (listed in {os.path.relpath(TABLE, ROOT)}, no longer differs)")
    print(f"ipvs differential: {compared} runs, {unexplained} unexplained differing lines, {len(stale)} stale")
    return 1 if unexplained or stale else 0


if __name__ == "__main__":
    sys.exit(main())
