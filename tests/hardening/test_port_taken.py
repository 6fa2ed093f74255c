#!/usr/bin/python3
"""A port that is already taken: every server (each echo and proxy model, the origin)
refuses to start, fast, with one line on stderr naming the port, and exit 1. Taken
twice over: by a plain listener, and by an SO_REUSEPORT listener of the same user,
which the kernel would otherwise let a new SO_REUSEPORT server share silently.
A model the kernel refuses (exit 3) is not checked: the test then skips (77), naming it."""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import BUILD, skip  # noqa: E402

MODELS = ["blocking", "epoll", "uring", "uring-sqpoll"]
SERVERS = ([["ringside-echo", "--model", m] for m in MODELS] + [["ringside-origin"]] +
           [["ringside-proxy", "--model", m, "--upstream", "127.0.0.1:9"] for m in MODELS])

failures = 0
refused = []


def holder(reuseport):
    s = socket.socket()
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


for reuseport in (False, True):
    h = holder(reuseport)
    port = h.getsockname()[1]
    for argv in SERVERS:
        cmd = [os.path.join(BUILD, argv[0])] + argv[1:] + ["--port", str(port)]
        what = "%s (%s holder)" % (" ".join(argv[:3]), "SO_REUSEPORT" if reuseport else "plain")
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=5)
        except subprocess.TimeoutExpired:
            print("FAIL: %s: still running after 5 s: it shares a taken port" % what)
            failures += 1
            continue
        lines = r.stderr.splitlines()
        if r.returncode == 3:  # the kernel refuses the model: nothing to check here
            refused.append("%s: %s" % (what, r.stderr.strip()))
            print("not checked: " + refused[-1])
            continue
        ok = r.returncode == 1 and len(lines) == 1 and str(port) in lines[0] and not r.stdout
        print("%s: %s: exit %d: %s" % ("ok" if ok else "FAIL", what, r.returncode,
                                       r.stderr.strip()))
        failures += not ok
    h.close()
if failures:
    sys.exit(1)
if refused:
    skip("the kernel refused %d of %d servers: %s" % (len(refused), 2 * len(SERVERS),
                                                     "; ".join(refused)))
print("ok: %d servers refused a taken port" % (2 * len(SERVERS)))
