#!/usr/bin/python3
"""An origin killed mid-cell: that proxy cell is failed with a reason naming the
origin, the next cell (fresh origin) still runs and is ok, results.json validates."""
import tempfile

from rs_harness import fail, kill_mid_cell, need_binaries

need_binaries()
with tempfile.TemporaryDirectory(prefix="rs-origin-killed-") as tmp:
    args = ["--workload", "proxy", "--models", "epoll,blocking", "--connections", "10",
            "--duration", "1.5", "--warmup", "0.2", "--repeat", "1", "--probes", "off",
            "--order", "sequential"]
    doc, stdout = kill_mid_cell(args, "ringside-origi", "ringside-origin", tmp)
    c0, c1 = doc["cells"]
    if c0["model"] != "epoll" or c0["status"] != "failed":
        fail("cell 0: %s %s, want epoll failed" % (c0["model"], c0["status"]))
    if not c0["reason"].startswith("origin") or "signal 9" not in c0["reason"]:
        fail("cell 0 reason does not name the origin and signal: %r" % c0["reason"])
    if c1["model"] != "blocking" or c1["status"] != "ok" or c1["summary"]["requests"] <= 0:
        fail("cell 1 after the failure: %s %s %r" % (c1["model"], c1["status"], c1["reason"]))
    if c1["summary"]["errors"]["total"] != 0:
        fail("cell 1 errors: %r" % c1["summary"]["errors"])
print("ok: killed origin -> %r; the next cell ran" % c0["reason"])
