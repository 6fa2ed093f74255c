#!/usr/bin/python3
"""A build without the BPF probes (RINGSIDE_HAVE_BPF OFF) says so everywhere, with the
reason CMake found: `ringside trace` fails (exit 1) naming it, `ringside doctor` shows
it, `ringside run` runs without probes and results.json's probes.reason gives it, and
`--probes on` is refused."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)) + "/../harness")
from rs_harness import RINGSIDE, fail, need_binaries, run, validate  # noqa: E402

WHY = "built without BPF: "
need_binaries()
r = subprocess.run([RINGSIDE, "trace", "--", "/bin/true"], capture_output=True, text=True,
                   timeout=30)
if r.returncode != 1 or WHY not in r.stderr or r.stdout:
    fail("trace: exit %d, stdout %r, stderr %r" % (r.returncode, r.stdout, r.stderr))
reason = r.stderr[r.stderr.index(WHY):].strip()
print("trace says: " + reason)
r = run(["doctor"])
if not any("BPF probes" in line and WHY in line for line in r.stdout.splitlines()):
    fail("doctor does not say the probes are not built: %r" % r.stdout)
with tempfile.TemporaryDirectory(prefix="rs-nobpf-") as tmp:
    out = os.path.join(tmp, "r")
    quick = ["run", "--models", "epoll", "--connections", "1", "--duration", "0.3",
             "--warmup", "0", "--repeat", "1", "--quiet"]
    r = run(quick + ["--out", out], cwd=tmp)
    if r.returncode != 0:
        fail("run without probes: exit %d: %s" % (r.returncode, r.stderr))
    doc = validate(os.path.join(out, "results.json"))
    if doc["probes"]["mode"] != "off" or doc["probes"]["reason"] != reason:
        fail("probes %r, want off with %r" % (doc["probes"], reason))
    r = run(quick + ["--probes", "on", "--out", os.path.join(tmp, "on")], cwd=tmp)
    if r.returncode == 0 or WHY not in r.stderr:
        fail("--probes on: exit %d, stderr %r" % (r.returncode, r.stderr))
print("ok: no probes, and every command says why")
