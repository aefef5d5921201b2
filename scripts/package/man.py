#!/usr/bin/env python3
"""Man pages for the package (issue #17), generated from the binary so they never drift from it.

    man.py VIGIL_BIN OUTDIR

writes OUTDIR/vigil.8 (from `vigil --experimental-dump-help`, ArgumentParser's description of every command and
option, plus keepalived's command line as `vigil -n -h` prints it) and OUTDIR/vigil.conf.5 (from
`vigil check --keywords --markdown`, the keyword table by block with each keyword's status).
"""
import datetime
import json
import os
import re
import subprocess
import sys


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def esc(text):
    """roff-safe text: backslashes doubled, a leading dot or quote guarded."""
    text = text.replace("\\", "\\\\").replace("-", "\\-")
    return "\n".join(("\\&" + l) if l.startswith((".", "'")) else l for l in text.split("\n"))


def inline(md):
    """Markdown inline markup to roff: `code` and **x** bold, *x* italic, [text](link) text, \\| a bar."""
    md = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", md).replace("\\|", "|")
    out, pos = [], 0
    for m in re.finditer(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*", md):
        out.append(esc(md[pos:m.start()]))
        bold = m.group(1) if m.group(1) is not None else m.group(2)
        out.append(f"\\fB{esc(bold)}\\fR" if bold is not None else f"\\fI{esc(m.group(3))}\\fR")
        pos = m.end()
    out.append(esc(md[pos:]))
    return "".join(out)


def header(name, section, title, version, date):
    return [f'.TH {name.upper()} {section} "{date}" "Vigil {version}" "{title}"']


def option_lines(args):
    lines = []
    for a in args:
        if a.get("shouldDisplay") is False:
            continue
        names = a.get("names") or []
        forms = [("-" if n["kind"] == "short" else "--") + n["name"] for n in names]
        value = a.get("valueName")
        if a["kind"] == "positional":
            label = f"\\fI{esc(value or 'value')}\\fR"
        else:
            label = ", ".join(f"\\fB{esc(f)}\\fR" for f in forms)
            if a["kind"] == "option" and value:
                label += f" \\fI{esc(value)}\\fR"
        lines += [".TP", label, esc(a.get("abstract", "")) or "\\&"]
    return lines


def command_section(cmd, path):
    lines = [".SS " + esc(" ".join(path)), esc(cmd.get("abstract", ""))]
    if cmd.get("discussion"):
        lines += [".PP", esc(cmd["discussion"])]
    lines += option_lines(cmd.get("arguments", []))
    for sub in cmd.get("subcommands", []) or []:
        lines += command_section(sub, path + [sub["commandName"]])
    return lines


def vigil8(binary, version, date):
    dump = json.loads(run(binary, "--experimental-dump-help"))["command"]
    keepalived = run(binary, "-n", "-h")
    out = header("vigil", 8, "System Manager's Manual", version, date)
    out += [".SH NAME", "vigil \\- a keepalived\\-compatible VRRP and IPVS load\\-balancer controller",
            ".SH SYNOPSIS", "\\fBvigil\\fR [\\fIkeepalived options\\fR]", ".br",
            "\\fBvigil\\fR \\fIsubcommand\\fR [\\fIoptions\\fR]",
            ".SH DESCRIPTION", esc(dump.get("abstract", "")), ".PP", esc(dump.get("discussion", "")),
            ".PP", "Vigil reads \\fI/etc/keepalived/keepalived.conf\\fR unchanged (see \\fBvigil.conf\\fR(5)): it fails "
            "virtual IP addresses over between directors with VRRP, programs the kernel's IPVS table from the "
            "\\fBvirtual_server\\fR blocks over generic netlink, and health\\-checks the real servers.",
            ".SH KEEPALIVED'S COMMAND LINE", "With no subcommand (and through a link named \\fBkeepalived\\fR):",
            ".PP", ".nf", esc(keepalived.rstrip("\n")), ".fi",
            ".SH SUBCOMMANDS"]
    for sub in dump.get("subcommands", []) or []:
        if sub["commandName"] == "help":
            continue
        out += command_section(sub, ["vigil", sub["commandName"]])
    out += [".SH SIGNALS",
            "\\fBSIGHUP\\fR reloads the configuration (a broken file is refused and the running one kept); "
            "\\fBSIGTERM\\fR and \\fBSIGINT\\fR stop (priority\\-0 adverts, VIPs removed, owned IPVS services "
            "released); \\fBSIGUSR1\\fR and \\fBSIGUSR2\\fR write keepalived's data and statistics dumps; "
            "keepalived's real\\-time signals (\\fB\\-\\-signum\\fR) write the JSON dump.",
            ".SH FILES",
            ".TP", "\\fI/etc/keepalived/keepalived.conf\\fR", "the configuration (\\fB\\-f\\fR to use another)",
            ".TP", "\\fI/etc/default/vigil\\fR", "\\fBDAEMON_ARGS\\fR for \\fBvigil.service\\fR",
            ".TP", "\\fI/run/vigil.pid\\fR", "the pid file (\\fB\\-p\\fR)",
            ".TP", "\\fI/run/vigil/\\fR", "the record of the IPVS services Vigil owns (\\fB\\-\\-ipvs\\-state\\fR)",
            ".TP", "\\fI/usr/share/doc/vigil/\\fR", "the documentation and example configurations",
            ".SH SEE ALSO", "\\fBvigil.conf\\fR(5), \\fBkeepalived\\fR(8), \\fBkeepalived.conf\\fR(5), \\fBipvsadm\\fR(8)"]
    return "\n".join(out) + "\n"


def vigilconf5(binary, version, date):
    md = run(binary, "check", "--keywords", "--markdown").splitlines()
    out = header("vigil.conf", 5, "File Formats Manual", version, date)
    out += [".SH NAME", "vigil.conf \\- the keepalived.conf keywords Vigil reads, with their status",
            ".SH DESCRIPTION"]
    para, columns = [], None
    def flush():
        # The page's own note on how docs/keywords.md is made is not for the manual.
        if para and not para[0].startswith("Generated from"):
            out.extend([".PP", inline(" ".join(para))])
        para.clear()
    for line in md:
        if line.startswith("# "):
            continue
        if line.startswith("## ") or line.startswith("### "):
            flush()
            columns = None
            out.append((".SH " if line.startswith("## ") else ".SS ") + inline(line.split(" ", 1)[1]).upper()
                       if line.startswith("## ") else ".SS " + inline(line.split(" ", 1)[1]))
        elif line.startswith("|"):
            flush()
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            if columns is None:
                columns = cells
                continue
            if columns[:2] == ["keyword", "arguments"] and len(cells) >= 4:
                out += [".TP", inline(cells[0]) + ("  " + inline(cells[1]) if cells[1] else ""),
                        f"keepalived {inline(cells[2])}; Vigil: {inline(cells[3])}"]
            else:
                out += [".TP", inline(cells[0]), inline("; ".join(cells[1:]))]
        elif not line.strip():
            flush()
            columns = None
        else:
            para.append(line.strip())
    flush()
    out += [".SH SEE ALSO", "\\fBvigil\\fR(8), \\fBkeepalived.conf\\fR(5)"]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: man.py VIGIL_BIN OUTDIR")
    binary, outdir = sys.argv[1], sys.argv[2]
    version = run(binary, "--version").split()[1].lstrip("v")
    date = datetime.date.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or os.path.getmtime(binary))
    os.makedirs(outdir, exist_ok=True)
    for name, text in (("vigil.8", vigil8(binary, version, date.isoformat())),
                       ("vigil.conf.5", vigilconf5(binary, version, date.isoformat()))):
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
