#!/usr/bin/python3
"""nginx and haproxy as proxy peers: both start from the configs the harness writes,
serve through it with zero errors, and stop: afterwards no nginx/haproxy process
that ringside started (child of ringside, or pointing at its temp dir) is left."""
import os
import shutil
import subprocess
import tempfile
import time

from rs_harness import RINGSIDE, alive, fail, need_binaries, proc_table, skip, validate

need_binaries()
for tool in ("nginx", "haproxy"):
    if not any(os.access(os.path.join(d, tool), os.X_OK) for d in ("/usr/sbin", "/usr/bin")):
        skip("%s is not installed (apt-get install %s)" % (tool, tool))


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


with tempfile.TemporaryDirectory(prefix="rs-peers-") as tmp:
    out = os.path.join(tmp, "r")
    rs = subprocess.Popen([RINGSIDE, "run", "--workload", "proxy", "--models", "nginx,haproxy",
                           "--connections", "10", "--duration", "1", "--warmup", "0.2",
                           "--repeat", "1", "--probes", "off", "--out", out],
                          cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = {}  # pid -> comm of every peer process seen under ringside
    tmpdirs = set()
    deadline = time.monotonic() + 40
    while rs.poll() is None and time.monotonic() < deadline:
        table = proc_table()
        # ringside's children and their children (nginx workers).
        kids = {p for p, (pp, _, _) in table.items() if pp == rs.pid}
        kids |= {p for p, (pp, _, _) in table.items() if pp in kids}
        for p in kids:
            comm = table[p][1]
            if comm.startswith("nginx") or comm.startswith("haproxy"):
                seen[p] = comm
                for word in cmdline(p).split():
                    if word.startswith("/tmp/ringside-"):
                        tmpdirs.add(word[:len("/tmp/ringside-XXXXXX")])
        time.sleep(0.05)
    if rs.poll() is None:
        rs.kill()
        fail("ringside did not finish within 40 s")
    stdout, stderr = rs.communicate()
    print(stdout, end="")
    print(stderr, end="")
    if rs.returncode != 0:
        fail("ringside exited %d" % rs.returncode)
    doc = validate(os.path.join(out, "results.json"))
    cells = doc["cells"]
    if [c["model"] for c in cells] != ["nginx", "haproxy"]:
        fail("cells: %r" % [c["model"] for c in cells])
    for c in cells:
        if c["status"] != "ok":
            fail("%s: %s (%s)" % (c["model"], c["status"], c["reason"]))
        if c["workload"] != "proxy" or c["body_bytes"] != 4096:
            fail("%s: workload %r body_bytes %r" % (c["model"], c["workload"], c["body_bytes"]))
        if c["summary"]["errors"]["total"] != 0 or c["summary"]["requests"] <= 0:
            fail("%s: requests %r errors %r" % (c["model"], c["summary"]["requests"],
                                                 c["summary"]["errors"]))
        run = c["runs"][0]
        if run["load"]["body_bytes"] != 4096:
            fail("%s: mean body %r, want 4096" % (c["model"], run["load"]["body_bytes"]))
    comms = set(seen.values())
    if not any(c.startswith("nginx") for c in comms) or "haproxy" not in comms:
        fail("never saw both nginx and haproxy under ringside: %r" % comms)
    if not tmpdirs:
        fail("no peer command line named a /tmp/ringside-* directory")
    left = [p for p in seen if alive(p)]
    left += [p for p in proc_table() if any(d in cmdline(p) for d in tmpdirs)]
    if left:
        fail("peer processes outlived ringside: %r" % {p: cmdline(p) for p in left})
    for d in tmpdirs:
        if os.path.exists(d):
            shutil.rmtree(d, ignore_errors=True)
            fail("the run's temp dir %s was not removed" % d)
print("ok: nginx and haproxy served %s requests, %d peer processes, none left" %
      ([c["summary"]["requests"] for c in cells], len(seen)))
