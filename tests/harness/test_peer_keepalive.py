#!/usr/bin/python3
"""Fair peers: nginx proxying 1,000 connections keeps one upstream connection per
client, as our proxies do: the probed run makes fewer than 0.001 connect calls per
request, and the config that ran is in DIR/peers/ naming keepalive 1000, with its
settings in run.peer_config. (With the old fixed pool of 64 it was ~0.2.)"""
import os
import re
import tempfile

from rs_harness import fail, need_binaries, run, run_validated, skip

need_binaries()
if os.geteuid() != 0:
    skip("needs root for the BPF probes")
if not any(os.access(os.path.join(d, "nginx"), os.X_OK) for d in ("/usr/sbin", "/usr/bin")):
    skip("nginx is not installed (apt-get install nginx)")
doctor = run(["doctor"])
m = re.search(r"^\s*BPF probes\s+(\S+)\s*(.*)$", doctor.stdout, re.M)
if not m or m.group(1) != "ok":
    skip("BPF probes unavailable: %s" % (m.group(2) if m else "doctor did not say"))

CONNS = 1000
WARMUP = 1
with tempfile.TemporaryDirectory(prefix="rs-keepalive-") as tmp:
    out = os.path.join(tmp, "r")
    # Warmup long enough for every client to finish a request, so the pool is full.
    doc = run_validated(["run", "--workload", "proxy", "--models", "nginx", "--connections",
                         str(CONNS), "--duration", "1", "--warmup", str(WARMUP), "--repeat",
                         "1", "--probes", "on"], out, tmp)
    cell = doc["cells"][0]
    if cell["status"] != "ok":
        fail("nginx cell %s: %s" % (cell["status"], cell["reason"]))
    probed = [r for r in cell["runs"] if r["probed"]]
    if not probed or not probed[0]["syscalls"]:
        fail("no probed run with syscalls: %r" % [r["probed"] for r in cell["runs"]])
    r = probed[0]
    connect = r["syscalls"]["server"]["by_name"].get("connect", 0)
    # The pool fills as each client's first request goes through: if the warmup held
    # fewer than two rounds of requests (a machine busy with others), connects in the
    # window say nothing about the pool size.
    if connect >= 0.001 and r["requests_per_sec"] * WARMUP < 2 * CONNS:
        skip("only %.0f requests/s: a %g s warmup cannot fill a %d-connection pool here"
             % (r["requests_per_sec"], WARMUP, CONNS))
    if connect >= 0.001:
        fail("nginx made %.4f connect calls per request at %d connections" % (connect, CONNS))
    pc = r["peer_config"]
    want = "peers/nginx-proxy-c%d.conf" % CONNS
    if not pc or pc["tool"] != "nginx" or pc["file"] != want or pc["keepalive"] < CONNS:
        fail("peer_config %r, want nginx, %s, keepalive >= %d" % (pc, want, CONNS))
    if pc["worker_connections"] < 2 * CONNS:
        fail("worker_connections %r < 2 x %d" % (pc["worker_connections"], CONNS))
    path = os.path.join(out, pc["file"])
    if not os.path.isfile(path):
        fail("%s is not in the result directory" % path)
    with open(path) as f:
        conf = f.read()
    if not re.search(r"^\s*keepalive %d;" % pc["keepalive"], conf, re.M):
        fail("%s does not name keepalive %d:\n%s" % (path, pc["keepalive"], conf))
    if "worker_connections %d;" % pc["worker_connections"] not in conf:
        fail("%s does not name worker_connections %d" % (path, pc["worker_connections"]))
print("ok: nginx at %d connections: %.5f connect/request, %s keepalive %d" %
      (CONNS, connect, pc["file"], pc["keepalive"]))
