#!/usr/bin/python3
"""An origin killed mid-cell: that proxy cell is failed with a reason naming the
origin, the next cell (fresh origin) still runs and is ok, results.json validates."""
import os
import signal
import subprocess
import tempfile
import time

from rs_harness import RINGSIDE, children, fail, need_binaries, validate

need_binaries()
with tempfile.TemporaryDirectory(prefix="rs-origin-killed-") as tmp:
    out = os.path.join(tmp, "r")
    rs = subprocess.Popen([RINGSIDE, "run", "--workload", "proxy", "--models", "epoll,blocking",
                           "--connections", "10", "--duration", "3", "--warmup", "0.2",
                           "--repeat", "1", "--probes", "off", "--out", out],
                          cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and rs.poll() is None:
        if children(rs.pid, "ringside-load"):
            origins = children(rs.pid, "ringside-origi")
            if origins:
                time.sleep(0.8)  # inside the 3-s measured window
                victim = origins[0]
                os.kill(victim, signal.SIGKILL)
                break
        time.sleep(0.02)
    if victim is None:
        rs.kill()
        fail("never saw ringside-origin and ringside-load running under ringside")
    try:
        stdout, stderr = rs.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        rs.kill()
        fail("ringside did not finish within 30 s after the origin was killed")
    print(stdout, end="")
    print(stderr, end="")
    if rs.returncode != 0:
        fail("ringside exited %d" % rs.returncode)
    doc = validate(os.path.join(out, "results.json"))
    cells = doc["cells"]
    if len(cells) != 2 or doc["status"] != "complete":
        fail("want 2 cells and status complete, got %d, %s" % (len(cells), doc["status"]))
    c0, c1 = cells
    if c0["model"] != "epoll" or c0["status"] != "failed":
        fail("cell 0: %s %s, want epoll failed" % (c0["model"], c0["status"]))
    if not c0["reason"].startswith("origin") or "signal 9" not in c0["reason"]:
        fail("cell 0 reason does not name the origin and signal: %r" % c0["reason"])
    if c1["model"] != "blocking" or c1["status"] != "ok" or c1["summary"]["requests"] <= 0:
        fail("cell 1 after the failure: %s %s %r" % (c1["model"], c1["status"], c1["reason"]))
    if c1["summary"]["errors"]["total"] != 0:
        fail("cell 1 errors: %r" % c1["summary"]["errors"])
print("ok: killed origin -> %r; the next cell ran" % c0["reason"])
