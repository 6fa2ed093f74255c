#!/usr/bin/python3
"""`ringside trace -o FILE`: the report goes to FILE (JSON or table) and the traced
command keeps stdout and stderr to itself; `-o -` is stdout; an -o that cannot be
written fails (exit 1) before the command runs, and no temporary file is left.
Needs root and the BPF probes: skips (77) with the reason otherwise."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import RINGSIDE, fail, skip  # noqa: E402

# dash's echo is a builtin: exactly two write(2) calls, one per stream.
CMD = ["/bin/sh", "-c", "echo out; echo err >&2"]


def trace(args, cwd):
    return subprocess.run([RINGSIDE, "trace"] + args + ["--"] + CMD, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


if os.geteuid() != 0:
    skip("not root (the BPF probes need CAP_BPF and CAP_PERFMON)")
with tempfile.TemporaryDirectory(prefix="rs-trace-o-") as tmp:
    report = os.path.join(tmp, "trace.json")
    r = trace(["--json", "-o", report], tmp)
    if r.returncode == 1 and not os.path.exists(report):
        skip("the probes cannot load: %s" % r.stderr.strip())
    if r.returncode != 0:
        fail("trace --json -o: exit %d, stderr %r" % (r.returncode, r.stderr))
    if r.stdout != "out\n":
        fail("stdout is not the command's alone: %r" % r.stdout)
    if r.stderr != "err\n":
        fail("stderr is not the command's alone: %r" % r.stderr)
    with open(report) as f:
        doc = json.load(f)
    if doc["command"] != CMD or doc["exit"] != {"code": 0}:
        fail("report: command %r exit %r" % (doc["command"], doc["exit"]))
    if doc["syscalls"]["by_name"].get("write", 0) < 2:
        fail("report counts %r write calls, the command made 2 at least"
             % doc["syscalls"]["by_name"].get("write"))
    # The table goes to the file just the same.
    table = os.path.join(tmp, "trace.txt")
    r = trace(["--output", table], tmp)
    with open(table) as f:
        text = f.read()
    if r.returncode != 0 or r.stdout != "out\n" or "ringside trace: /bin/sh" not in text:
        fail("trace --output (table): exit %d stdout %r file %r" % (r.returncode, r.stdout,
                                                                    text[:200]))
    # "-" is stdout: the command's line, then the report.
    r = trace(["--json", "-o", "-"], tmp)
    if r.returncode != 0 or not r.stdout.startswith("out\n"):
        fail("-o -: exit %d stdout %r" % (r.returncode, r.stdout[:200]))
    if json.loads(r.stdout[len("out\n"):])["exit"] != {"code": 0}:
        fail("-o -: the report after the command's output is not the JSON")
    # A report that cannot be written: fails before the command runs.
    r = trace(["--json", "-o", os.path.join(tmp, "no-such-dir", "t.json")], tmp)
    if r.returncode != 1 or "out" in r.stdout or "no-such-dir" not in r.stderr:
        fail("unwritable -o: exit %d stdout %r stderr %r" % (r.returncode, r.stdout, r.stderr))
    left = sorted(f for f in os.listdir(tmp) if ".tmp." in f)
    if left:
        fail("temporary files left: %r" % left)
print("ok: trace -o keeps the report apart from the command's output")
