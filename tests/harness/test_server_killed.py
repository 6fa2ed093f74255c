#!/usr/bin/python3
"""A server killed mid-cell: that cell is failed with a reason naming the signal,
the next cell still runs and is ok, and results.json validates."""
import tempfile

from rs_harness import fail, kill_mid_cell, need_binaries

need_binaries()
with tempfile.TemporaryDirectory(prefix="rs-killed-") as tmp:
    args = ["--models", "epoll,blocking", "--connections", "10", "--duration", "1.5", "--warmup",
            "0.2", "--repeat", "1", "--order", "sequential"]
    doc, stdout = kill_mid_cell(args, "ringside-echo", "ringside-echo", tmp)
    c0, c1 = doc["cells"]
    if c0["model"] != "epoll" or c0["status"] != "failed":
        fail("cell 0: %s %s, want epoll failed" % (c0["model"], c0["status"]))
    if "signal 9" not in c0["reason"] or "Killed" not in c0["reason"]:
        fail("cell 0 reason does not name the signal: %r" % c0["reason"])
    if c0["runs"][0]["server"]["exit"]["signal"] != 9:
        fail("cell 0 run 0 server.exit: %r" % c0["runs"][0]["server"]["exit"])
    if c1["model"] != "blocking" or c1["status"] != "ok" or c1["summary"]["requests"] <= 0:
        fail("cell 1 after the failure: %s %s" % (c1["model"], c1["status"]))
    if "failed" not in stdout:
        fail("the summary table does not show the failed cell")
print("ok: killed server -> %r; the next cell ran" % c0["reason"])
