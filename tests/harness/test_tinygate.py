#!/usr/bin/python3
"""The tinygate suite, shortened: six proxy cells (four models, nginx, haproxy),
every one ok with zero errors and the exact body, and results.json validates."""
import os
import subprocess
import tempfile

from rs_harness import RINGSIDE, fail, need_binaries, skip, validate

need_binaries()
for tool in ("nginx", "haproxy"):
    if not any(os.access(os.path.join(d, tool), os.X_OK) for d in ("/usr/sbin", "/usr/bin")):
        skip("%s is not installed (apt-get install %s)" % (tool, tool))
with tempfile.TemporaryDirectory(prefix="rs-tinygate-") as tmp:
    out = os.path.join(tmp, "r")
    r = subprocess.run([RINGSIDE, "run", "--suite", "tinygate", "--connections", "10",
                        "--duration", "0.4", "--warmup", "0.1", "--repeat", "1", "--out", out],
                       cwd=tmp, capture_output=True, text=True, timeout=100)
    print(r.stdout, end="")
    print(r.stderr, end="")
    if r.returncode != 0:
        fail("ringside exited %d" % r.returncode)
    doc = validate(os.path.join(out, "results.json"))
    want = ["blocking", "epoll", "uring", "uring-sqpoll", "nginx", "haproxy"]
    if doc["suite"] != "tinygate" or doc["config"]["workload"] != "proxy":
        fail("suite %r workload %r" % (doc["suite"], doc["config"]["workload"]))
    if [c["model"] for c in doc["cells"]] != want:
        fail("models %r, want %r" % ([c["model"] for c in doc["cells"]], want))
    refused = []
    for c in doc["cells"]:
        if c["status"] == "skipped" and c["model"] == "uring-sqpoll":
            refused.append("%s (%s)" % (c["model"], c["reason"]))
            continue
        if c["status"] != "ok":
            fail("%s: %s (%s)" % (c["model"], c["status"], c["reason"]))
        s = c["summary"]
        if s["errors"]["total"] != 0 or s["requests"] <= 0 or c["body_bytes"] != 4096:
            fail("%s: requests %r errors %r" % (c["model"], s["requests"], s["errors"]))
        for run in c["runs"]:
            if run["load"]["body_bytes"] != 4096 or run["load"]["mode"] != "http":
                fail("%s: load %r" % (c["model"], run["load"]))
    for m in want:
        if m not in r.stdout:
            fail("the summary table does not show %s" % m)
if refused:  # everything else passed, but that cell was not checked
    skip("the kernel refused %s" % "; ".join(refused))
print("ok: tinygate: %s" % ", ".join("%s %.0f req/s" % (c["model"],
                                                       c["summary"]["requests_per_sec"]["median"])
                                     for c in doc["cells"] if c["status"] == "ok"))
