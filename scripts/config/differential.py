#!/usr/bin/env python3
"""Differential test of Vigil's config reading against `keepalived -t` (issue #12).

Called by scripts/config/differential.sh inside a private network namespace (so `keepalived -t` sees the
same interfaces eth0..eth3 on every host). For each config of the corpus it runs

    VIGIL check --no-host-checks --json -i ID -f FILE   (exit 0: accepts, 1: refuses; diagnostics by kind)
    keepalived -t -i ID -f FILE                      (0 OK, 5 errors but it would run, 6 scripts without
                                                      script security: it runs; anything else: it refuses)

and reduces what they say to difference keys, one per finding:

    verdict            keepalived=runs vigil=refuses (or the reverse)
    unknown-in-vigil   Vigil calls the keyword unknown; keepalived knows it at that line
    unknown-in-keepalived  keepalived calls the keyword unknown; Vigil takes it (a newer keyword, or a gap)
    error-in-vigil     any other Vigil error on a line keepalived says nothing about (WHERE ends with the
                       error's kind from --json, e.g. `vrrp_instance/nopreempt [syntax]`)

A config whose first lines hold `# differential: vigil-should-know` has keywords keepalived 2.2.7 does not know
and Vigil should (added in 2.2.8 to 2.4, or 1.x keywords that old files still hold): there every keyword
keepalived calls unknown is listed (unknown-in-keepalived, expected), and so is every keyword Vigil calls unknown
(unknown-in-vigil, a gap), whatever the other side says.

A key is FILE, KIND and WHERE: the block path of the line (`vrrp_instance/track_file`), not its line number,
so that editing a corpus file does not renumber the table. Every key must be in
Tests/Corpus/expected-differences.tsv with a reason; an unexplained key fails, a reason `TODO` fails, and an
entry that no longer occurs is reported as stale (a warning; --strict makes it fail).
"""
import json
import os
import re
import subprocess
import sys
from collections import OrderedDict

ROOT = os.environ.get("VIGIL_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEBIAN_SAMPLES = "/usr/share/doc/keepalived/samples"
CORPUS = os.path.join(ROOT, "Tests", "Corpus", "keepalived")
TABLE = os.path.join(ROOT, "Tests", "Corpus", "expected-differences.tsv")
CONFIG_ID = "vigil-differential"
KEEPALIVED_RUNS = {0, 5, 6}
SHOULD_KNOW_MARK = "# differential: vigil-should-know"

KA_LINE = re.compile(r"^\((?:(?P<file>.+?): )?Line (?P<line>\d+)\) (?P<msg>.*)$")
KA_UNKNOWN = re.compile(r"^Unknown keyword '(?P<word>.*)'$")
VIGIL_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|note): (?P<msg>.*)$")
VIGIL_UNKNOWN = re.compile(r"^(?:unknown keyword '(?P<word>[^']*)'|'(?P<placed>[^']*)' is not a keyword (?:at the top level|in '[^']*'); it belongs in)")


def corpus_files():
    """(label, path) of every top-level config: Debian's samples in place, Samples/, Tests/Corpus/keepalived/*.conf."""
    if not os.path.isdir(DEBIAN_SAMPLES):
        sys.exit(f"differential: {DEBIAN_SAMPLES} is missing (Debian's keepalived package installs it); "
                 "the corpus needs Debian's samples")
    files = []
    for name in sorted(os.listdir(DEBIAN_SAMPLES)):
        if name.startswith("keepalived.conf"):
            files.append(("debian/" + name, os.path.join(DEBIAN_SAMPLES, name)))
    samples = os.path.join(ROOT, "Samples")
    for d, _, names in sorted(os.walk(samples)):
        for name in sorted(names):
            if name.endswith(".conf"):
                p = os.path.join(d, name)
                files.append(("samples/" + os.path.relpath(p, samples), p))
    if not os.path.isdir(CORPUS):
        sys.exit(f"differential: {CORPUS} is missing")
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith(".conf"):
            files.append(("corpus/" + name, os.path.join(CORPUS, name)))
    return files


def tokens(line):
    """Splits a config line into words, braces apart, dropping a comment (`#` or `!` outside quotes)."""
    out, cur, quote, subst = [], "", False, 0
    for ch in line:
        if subst:              # inside ${NAME}: its braces are no block
            cur += ch
            subst += {"{": 1, "}": -1}.get(ch, 0)
            continue
        if ch == "{" and cur.endswith("$"):
            cur += ch
            subst = 1
            continue
        if quote:
            cur += ch
            if ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
            cur += ch
        elif ch in "#!" and cur == "":
            break
        elif ch.isspace():
            if cur:
                out.append(cur)
                cur = ""
        elif ch in "{}":
            if cur:
                out.append(cur)
                cur = ""
            out.append(ch)
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


class Structure:
    """Block path of each line of one file, and the extent of each block, from its braces alone."""

    def __init__(self, path):
        self.path_of = {}      # line -> "a/b/keyword"
        self.block_end = {}    # line of a block's head -> line of its closing brace
        try:
            with open(path, errors="replace") as f:
                lines = f.read().split("\n")
        except OSError:
            lines = []
        stack = []             # (keyword, head line)
        last_head = None       # (keyword, line) of the last statement, for a `{` on its own line
        for n, text in enumerate(lines, 1):
            words = tokens(text)
            if words and words[0].startswith("@"):   # conditional line: @ID or @^ID
                words = words[1:]
            first = next((w for w in words if w not in "{}"), None)
            if first is not None:
                self.path_of[n] = "/".join([k for k, _ in stack] + [first])
                last_head = (first, n)
            for w in words:
                if w == "{":
                    if last_head is not None:
                        stack.append(last_head)
                elif w == "}":
                    if stack:
                        _, head = stack.pop()
                        self.block_end[head] = n

    def where(self, line, word=None):
        p = self.path_of.get(line)
        if p is None:
            return word or f"line {line}"
        if word and p.rsplit("/", 1)[-1] != word:
            return p + "/" + word
        return p


def head_of(path, lines=10):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readline() for _ in range(lines))
    except OSError:
        return ""


def run(cmd, cwd, timeout=60):
    """Exit status and output (stdout then stderr); a run past the timeout is exit 124, like timeout(1)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, errors="replace",
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, f"{cmd[0]}: no answer in {timeout} s"
    return p.returncode, p.stdout + p.stderr


def vigil_diagnostics(out):
    """Vigil's diagnostics from `check --json` (kind, severity, file, line, message); text lines as a fallback."""
    start = out.find("{")
    if start >= 0:
        try:
            doc = json.JSONDecoder().raw_decode(out[start:])[0]
            return [{"kind": d.get("kind", ""), "severity": d.get("severity", ""),
                     "file": (d.get("location") or {}).get("file"), "line": (d.get("location") or {}).get("line"),
                     "message": d.get("message", "")} for d in doc.get("diagnostics", [])]
        except (ValueError, AttributeError):
            pass
    found = []
    for raw in out.splitlines():
        m = VIGIL_LINE.match(raw)
        if m:
            u = VIGIL_UNKNOWN.match(m.group("msg"))
            found.append({"kind": "unknownKeyword" if u else "", "severity": m.group("sev"), "file": m.group("file"),
                          "line": int(m.group("line")), "message": m.group("msg")})
    return found


def file_key(name, main_path, cwd, labels):
    """The label of a file named in a message (the main file, or an included one), by its real path."""
    if name is None:
        return labels[os.path.realpath(main_path)]
    real = os.path.realpath(os.path.join(cwd, name))
    if real not in labels:
        base = labels[os.path.realpath(main_path)].rsplit("/", 1)[0]
        labels[real] = base + "/" + os.path.basename(real)
    return labels[real]


def compare(label, path, vigil):
    cwd = os.path.dirname(path)
    labels = {os.path.realpath(path): label}
    structures = {}

    def structure(lbl, real):
        if lbl not in structures:
            structures[lbl] = Structure(real)
        return structures[lbl]

    real_of = {label: path}
    ka_rc, ka_out = run(["keepalived", "-t", "-i", CONFIG_ID, "-f", path], cwd)
    v_rc, v_out = run([*vigil, "check", "--no-host-checks", "--json", "-i", CONFIG_ID, "-f", path], cwd)

    ka_unknown = {}   # (file, line) -> word
    ka_any = set()    # (file, line) with any message
    ka_said = OrderedDict()  # (file, line) -> keepalived's first message there
    ka_msgs = []
    for raw in ka_out.splitlines():
        m = KA_LINE.match(raw.strip())
        if not m:
            if raw.strip():
                ka_msgs.append(raw.strip())
            continue
        f = file_key(m.group("file"), path, cwd, labels)
        real_of.setdefault(f, os.path.realpath(os.path.join(cwd, m.group("file") or path)))
        line = int(m.group("line"))
        ka_any.add((f, line))
        ka_msgs.append(f"{f}:{line}: {m.group('msg')}")
        ka_said.setdefault((f, line), m.group("msg"))
        u = KA_UNKNOWN.match(m.group("msg"))
        if u and u.group("word") not in ("{", "}"):
            ka_unknown[(f, line)] = u.group("word")

    v_unknown = {}    # (file, line) -> word
    v_errors = []     # (file, line, message)
    v_msgs = []
    v_lines = set()   # (file, line) with any Vigil diagnostic
    for d in vigil_diagnostics(v_out):
        if d["line"] is None:
            continue
        f = file_key(d["file"], path, cwd, labels)
        real_of.setdefault(f, os.path.realpath(os.path.join(cwd, d["file"])))
        line = d["line"]
        v_lines.add((f, line))
        v_msgs.append(f"{f}:{line}: {d['severity']}: {d['message']}")
        if d["severity"] != "error":
            continue
        if d["kind"] == "unknownKeyword":
            u = VIGIL_UNKNOWN.match(d["message"])
            v_unknown[(f, line)] = (u.group("word") or u.group("placed")) if u else d["message"]
        else:
            v_errors.append((f, line, d["kind"], d["message"]))

    found = OrderedDict()   # key -> (line info, detail)

    def add(f, kind, where, line, detail):
        key = (f, kind, where)
        if key not in found:
            found[key] = (line, detail)

    ka_verdict = "runs" if ka_rc in KEEPALIVED_RUNS else f"refuses({ka_rc})"
    if v_rc == 0:
        v_verdict = "accepts"
    elif v_rc == 1:
        v_verdict = "refuses"
    else:
        v_verdict = f"failed({v_rc})"
    # A Vigil exit other than 0 or 1 (a crash, a signal) is always a difference, whatever keepalived says.
    if (ka_verdict == "runs") != (v_verdict == "accepts") or v_verdict.startswith("failed"):
        add(label, "verdict", f"keepalived={ka_verdict} vigil={v_verdict}", None,
            f"keepalived -t exit {ka_rc}, vigil check exit {v_rc}")

    # Lines inside a block whose head either tool calls unknown: Vigil skips the block, keepalived reads each
    # line as a keyword of the enclosing block, so its complaints there follow from the head (which is listed).
    skipped = set()
    for (f, line) in list(v_unknown) + list(ka_unknown):
        s = structure(f, real_of.get(f, path))
        end = s.block_end.get(line)
        if end:
            skipped.update((f, n) for n in range(line + 1, end + 1))

    # A config marked `# differential: vigil-should-know` holds keywords keepalived 2.2.7 does not know (newer or
    # 1.x ones): there keepalived's "unknown" is expected and Vigil's is a gap, whatever the other side says.
    newer = SHOULD_KNOW_MARK in head_of(path)
    for (f, line), word in v_unknown.items():
        if newer or (f, line) not in ka_unknown:
            s = structure(f, real_of.get(f, path))
            add(f, "unknown-in-vigil", s.where(line, word), line, f"Vigil: unknown keyword '{word}'")
    for (f, line), word in ka_unknown.items():
        if (newer or (f, line) not in v_unknown) and (f, line) not in skipped:
            s = structure(f, real_of.get(f, path))
            add(f, "unknown-in-keepalived", s.where(line, word), line, f"keepalived: Unknown keyword '{word}'")
    for f, line, kind, msg in v_errors:
        if (f, line) not in ka_any:
            s = structure(f, real_of.get(f, path))
            where = s.where(line) + (f" [{kind}]" if kind else "")
            add(f, "error-in-vigil", where, line, f"Vigil: {msg}")
    # Not keys: lines keepalived comments on (a warning, a deprecation, a value it corrects) where Vigil says
    # nothing, for --notes. Strictness as keepalived's starts from this list.
    notes = [f"{f}:{line}: keepalived: {msg}" for (f, line), msg in ka_said.items()
             if (f, line) not in v_lines and (f, line) not in ka_unknown and not msg.startswith("Unknown keyword")]
    return found, (ka_rc, ka_msgs, v_rc, v_msgs), notes


def read_table():
    table = OrderedDict()
    if not os.path.exists(TABLE):
        return table
    with open(TABLE) as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 4:
                sys.exit(f"{TABLE}:{n}: expected 4 tab-separated columns (file, kind, where, reason), got {len(cols)}")
            table[tuple(cols[:3])] = (cols[3], n)
    return table


def coverage(census_path):
    """Which (block path, keyword) rows of a keyword census the corpus files use at least once."""
    used = set()
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith((".conf", ".inc")):
            used.update(Structure(os.path.join(CORPUS, name)).path_of.values())
    rows = []
    with open(census_path) as f:
        for raw in f:
            cols = raw.rstrip("\n").split("\t")
            if len(cols) < 2 or raw.startswith("#") or cols[1] in ("keyword", ""):
                continue
            block = cols[0].strip().strip("/")
            path = cols[1] if block in ("", "(root)", "root", "top", "-") else block + "/" + cols[1]
            rows.append(path)
    rows = list(OrderedDict.fromkeys(rows))
    missing = [r for r in rows if r not in used]
    for r in missing:
        print(f"not covered: {r}")
    print(f"coverage: {len(rows) - len(missing)} of {len(rows)} (block path, keyword) pairs of {census_path} "
          f"appear in {CORPUS}")
    return 0


def main(argv):
    if argv[:1] == ["--coverage"] and len(argv) == 2:
        return coverage(argv[1])
    update = "--update" in argv
    strict = "--strict" in argv
    verbose = "-v" in argv or "--verbose" in argv
    show_notes = "--notes" in argv
    all_notes = []
    args = [a for a in argv if not a.startswith("-")]
    vigil = (args[0] if args else os.environ.get("VIGIL_BIN", os.path.join(ROOT, ".build", "debug", "vigil")))
    if not (os.path.isfile(vigil) and os.access(vigil, os.X_OK)):
        sys.exit(f"differential: no Vigil binary at {vigil} (make build, or pass "
                 ".build-config-standalone/config-standalone from scripts/config/standalone.sh check)")
    vigil = [os.path.abspath(vigil)]

    table = read_table()
    seen = OrderedDict()
    files = corpus_files()
    for label, path in files:
        found, (ka_rc, ka_msgs, v_rc, v_msgs), notes = compare(label, path, vigil)
        all_notes += notes
        for key, info in found.items():
            seen[key] = info
        if verbose:
            print(f"== {label}: keepalived -t {ka_rc}, vigil check {v_rc}")
            for m in ka_msgs:
                print(f"   keepalived  {m}")
            for m in v_msgs:
                print(f"   vigil       {m}")

    unexplained = [k for k in seen if k not in table]
    todo = [k for k in seen if k in table and table[k][0].strip().upper().startswith("TODO")]
    stale = [k for k in table if k not in seen]

    if update:
        print("# candidate lines for Tests/Corpus/expected-differences.tsv (replace each TODO with the reason)")
        for k in unexplained:
            line, detail = seen[k]
            print(f"# {k[0]}{f':{line}' if line else ''}: {detail}")
            print("\t".join(k) + "\tTODO")
        return 0

    print(f"{'status':<11} {'file':<42} {'kind':<22} where / reason")
    for k, (line, detail) in seen.items():
        status = "UNEXPLAINED" if k in unexplained else ("TODO" if k in todo else "expected")
        reason = table[k][0] if k in table else detail
        at = f"{k[0]}:{line}" if line else k[0]
        print(f"{status:<11} {at:<42} {k[1]:<22} {k[2]}\n{'':<11} {'':<42} {'':<22}   {reason}")
    for k in stale:
        print(f"{'STALE':<11} {k[0]:<42} {k[1]:<22} {k[2]}\n{'':<11} {'':<42} {'':<22}   "
              f"no longer occurs: remove line {table[k][1]} of the table")
    if show_notes:
        print(f"notes (not keys): {len(all_notes)} lines keepalived comments on where Vigil says nothing")
        for n in all_notes:
            print(f"  {n}")
    cats = OrderedDict()
    for k in seen:
        if k in table:
            reason = table[k][0].strip()
            cat = "TODO" if reason.upper().startswith("TODO") else (reason.split(":", 1)[0] if ":" in reason else "other")
            cats[cat] = cats.get(cat, 0) + 1
    print(f"differential: {len(files)} configs, {len(seen)} differences "
          f"({', '.join(f'{n} {c}' for c, n in cats.items()) or 'none expected'}), "
          f"{len(unexplained)} unexplained, {len(todo)} TODO, {len(stale)} stale")
    failed = bool(unexplained or todo or (strict and stale))
    if unexplained:
        print("differential: FAIL: unexplained differences; fix Vigil, or add each key with its reason to "
              "Tests/Corpus/expected-differences.tsv (--update prints candidate lines)", file=sys.stderr)
    if todo:
        print("differential: FAIL: reasons still TODO in the table", file=sys.stderr)
    if stale and strict:
        print("differential: FAIL (--strict): stale entries in the table", file=sys.stderr)
    elif stale:
        print("differential: warning: stale entries in the table (they no longer occur); remove them",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
