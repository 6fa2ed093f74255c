#!/usr/bin/python3
"""A signal to ringside mid-suite: exit 128+signal, within 5 s none of its servers, peers
or load generators is left, and results.json is valid, "interrupted", with the finished
cells. Usage: test_sigint.py [INT|TERM] [echo|peers]: SIGINT over echo cells, or
SIGTERM while an nginx and a haproxy cell run (their workers are grandchildren)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from rs_harness import (RINGSIDE, alive, children, descendants, fail, need_binaries, skip,
                        validate)

SIG = getattr(signal, "SIG" + (sys.argv[1] if len(sys.argv) > 1 else "INT"))
PEERS = len(sys.argv) > 2 and sys.argv[2] == "peers"
if PEERS:
    MODELS = ["--workload", "proxy", "--models", "nginx,haproxy,epoll"]
    for tool in ("nginx", "haproxy"):
        if not shutil.which(tool, path="/usr/sbin:/usr/bin"):
            skip("%s is not installed (apt-get install %s)" % (tool, tool))
else:
    MODELS = ["--models", "epoll,uring,blocking"]


need_binaries()
with tempfile.TemporaryDirectory(prefix="rs-sigint-") as tmp:
    out = os.path.join(tmp, "r")
    path = os.path.join(out, "results.json")
    rs = subprocess.Popen([RINGSIDE, "run"] + MODELS + ["--connections", "10", "--duration",
                                                        "0.8", "--warmup", "0.2", "--repeat",
                                                        "1", "--out", out],
                          cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = set()
    deadline = time.monotonic() + 30
    # Interrupt once one cell is in results.json and the second cell's load is running.
    interrupted = False
    while time.monotonic() < deadline and rs.poll() is None:
        seen.update(descendants(rs.pid))
        try:
            with open(path) as f:
                done = len(json.load(f)["cells"])
        except (OSError, ValueError):
            done = 0
        if done >= 1 and children(rs.pid, "ringside-load"):
            time.sleep(0.3)
            seen.update(descendants(rs.pid))
            os.kill(rs.pid, SIG)
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
        fail("ringside did not exit within 5 s of %s" % SIG.name)
    print(stderr, end="")
    left = [p for p in seen if alive(p)]
    if left:
        fail("children still alive after ringside exited: %r" % left)
    if rs.returncode != 128 + SIG:
        fail("exit %d, want %d" % (rs.returncode, 128 + SIG))
    if PEERS and len(seen) < 4:
        fail("saw only %d processes under ringside: the peer's workers were missed" % len(seen))
    doc = validate(path)
    if doc["status"] != "interrupted" or doc["finished_at"] is None:
        fail("status %r finished_at %r" % (doc["status"], doc["finished_at"]))
    if len(doc["cells"]) != 1 or doc["cells"][0]["status"] != "ok":
        fail("want the one finished cell, got %r" % [c["status"] for c in doc["cells"]])
    if os.path.exists(path + ".tmp"):
        fail("left a temporary file behind")
print("ok: %s: exited %.2f s after it, %d processes gone, 1 cell kept" % (
    SIG.name, time.monotonic() - t0, len(seen)))
