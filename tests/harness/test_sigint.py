#!/usr/bin/python3
"""SIGINT to ringside mid-suite: exit 130, within 5 s none of its servers or load
generators is left, and results.json is valid, "interrupted", with the finished cells."""
import json
import os
import signal
import subprocess
import tempfile
import time

from rs_harness import RINGSIDE, alive, children, fail, need_binaries, validate

need_binaries()
with tempfile.TemporaryDirectory(prefix="rs-sigint-") as tmp:
    out = os.path.join(tmp, "r")
    path = os.path.join(out, "results.json")
    rs = subprocess.Popen([RINGSIDE, "run", "--models", "epoll,uring,blocking", "--connections",
                           "10", "--duration", "1.5", "--warmup", "0.2", "--repeat", "1",
                           "--out", out], cwd=tmp, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    seen = set()
    deadline = time.monotonic() + 15
    # Interrupt once one cell is in results.json and the second cell's load is running.
    interrupted = False
    while time.monotonic() < deadline and rs.poll() is None:
        kids = children(rs.pid, "ringside-")
        seen.update(kids)
        try:
            with open(path) as f:
                done = len(json.load(f)["cells"])
        except (OSError, ValueError):
            done = 0
        if done >= 1 and children(rs.pid, "ringside-load"):
            time.sleep(0.3)
            seen.update(children(rs.pid, "ringside-"))
            os.kill(rs.pid, signal.SIGINT)
            interrupted = True
            break
        time.sleep(0.02)
    if not interrupted:
        rs.kill()
        fail("never reached the second cell")
    t0 = time.monotonic()
    try:
        stdout, stderr = rs.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        rs.kill()
        fail("ringside did not exit within 5 s of SIGINT")
    print(stderr, end="")
    left = [p for p in seen if alive(p)]
    if left:
        fail("children still alive after ringside exited: %r" % left)
    if rs.returncode != 130:
        fail("exit %d, want 130" % rs.returncode)
    doc = validate(path)
    if doc["status"] != "interrupted" or doc["finished_at"] is None:
        fail("status %r finished_at %r" % (doc["status"], doc["finished_at"]))
    if len(doc["cells"]) != 1 or doc["cells"][0]["status"] != "ok":
        fail("want the one finished cell, got %r" % [c["status"] for c in doc["cells"]])
    if os.path.exists(path + ".tmp"):
        fail("left a temporary file behind")
print("ok: interrupted after %.2f s, %d children gone, 1 cell kept" % (time.monotonic() - t0,
                                                                      len(seen)))
