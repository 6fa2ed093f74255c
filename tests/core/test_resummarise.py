#!/usr/bin/python3
"""`ringside resummarise` on a genuine run's results file (fixtures/run-echo.json,
written by `ringside run`): in place it gives back a JSON-equal document (numbers
within 1e-9: the file keeps 12 digits), still valid against the schema; after a
summary, a bound, an outlier mark and an open-loop mark are broken in a copy, it
restores them; a file that is not a results document is refused (exit 2) and left
alone. Starts no server: one short ringside process per case."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import BUILD, fail, validate  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RINGSIDE = os.path.join(BUILD, "ringside")


def diff(a, b, where=""):
    """The first difference between two JSON values, or None."""
    if isinstance(a, bool) or isinstance(b, bool) or not (
            isinstance(a, (int, float)) and isinstance(b, (int, float))):
        if type(a) is not type(b):
            return "%s: %r != %r" % (where, a, b)
        if isinstance(a, dict):
            if list(a) != list(b):
                return "%s: keys %r != %r" % (where, list(a), list(b))
            for k in a:
                d = diff(a[k], b[k], where + "." + k)
                if d:
                    return d
            return None
        if isinstance(a, list):
            if len(a) != len(b):
                return "%s: %d != %d items" % (where, len(a), len(b))
            for i, (x, y) in enumerate(zip(a, b)):
                d = diff(x, y, "%s[%d]" % (where, i))
                if d:
                    return d
            return None
        return None if a == b else "%s: %r != %r" % (where, a, b)
    if abs(a - b) <= 1e-9 * max(abs(a), abs(b)):
        return None
    return "%s: %r != %r" % (where, a, b)


def resummarise(*args):
    p = subprocess.run([RINGSIDE, "resummarise"] + list(args), capture_output=True,
                       text=True, timeout=30)
    return p


if not os.access(RINGSIDE, os.X_OK):
    fail("no %s: build first" % RINGSIDE)
with open(os.path.join(HERE, "fixtures", "run-echo.json")) as f:
    orig = json.load(f)
with tempfile.TemporaryDirectory(prefix="rs-resum-") as tmp:
    path = os.path.join(tmp, "results.json")
    with open(path, "w") as f:
        json.dump(orig, f, indent=2)
    p = resummarise(tmp)
    if p.returncode != 0 or p.stdout.strip() != path:
        fail("resummarise %s: exit %d: %s%s" % (tmp, p.returncode, p.stdout, p.stderr))
    if os.listdir(tmp) != ["results.json"]:
        fail("resummarise left %r behind" % os.listdir(tmp))
    again = validate(path)
    d = diff(orig, again)
    if d:
        fail("resummarised document differs: %s" % d)

    broken = copy.deepcopy(orig)
    cell = broken["cells"][1]
    cell["summary"]["requests_per_sec"]["median"] = 1.0
    cell["summary"]["latency_us"]["p99"]["ci95"] = [0, 1]
    del cell["summary"]["syscall_overhead_share"]
    cell["bound"] = "both"
    cell["noisy"] = not cell["noisy"]
    cell["client_bound_schedule"] = True
    cell["runs"][0]["outlier"] = not cell["runs"][0]["outlier"]
    if not diff(orig, broken):
        fail("the corruption changed nothing")
    with open(path, "w") as f:
        json.dump(broken, f)
    out = os.path.join(tmp, "mended.json")
    p = resummarise(path, "--out", out)
    if p.returncode != 0:
        fail("resummarise --out: exit %d: %s" % (p.returncode, p.stderr))
    with open(out) as f:
        mended = json.load(f)
    d = diff(orig, mended)
    if d:
        fail("the broken summary was not restored: %s" % d)
    with open(path) as f:
        if diff(broken, json.load(f)):
            fail("--out changed the input file")

    notdoc = os.path.join(tmp, "other.json")
    with open(notdoc, "w") as f:
        json.dump({"cells": []}, f)
    p = resummarise(notdoc)
    if p.returncode != 2 or "ringside/1" not in p.stderr:
        fail("a file without schema: exit %d: %s" % (p.returncode, p.stderr))
    with open(notdoc) as f:
        if json.load(f) != {"cells": []}:
            fail("the refused file was changed")
print("ok: resummarise gives the document back and restores a broken summary")
