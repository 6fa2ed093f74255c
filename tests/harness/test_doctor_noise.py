#!/usr/bin/python3
"""`ringside doctor` lists the noise sources around the server CPUs, one line each,
exits 0, and names a busy-loop hog that the test starts (pinned to a server CPU)
among the busy processes; a CPU that does not exist is a usage error (exit 2)."""
import os
import re
import time

from rs_harness import fail, need_binaries, run
from rs_hog import start_hog, stop_hog

need_binaries()
cpu = min(os.sched_getaffinity(0))
LINES = ("governor", "SMT siblings", "steal since boot", "busy processes",
         "IRQs on server CPUs", "transparent hugepages", "irq time accounting", "loopback")
hog = start_hog(cpu)
try:
    time.sleep(0.2)
    p = run(["doctor", "--server-cpus", str(cpu)])
finally:
    stop_hog(hog)
print(p.stdout, end="")
print(p.stderr, end="")
if p.returncode != 0:
    fail("doctor exited %d" % p.returncode)
if not re.search(r"^noise \(server CPUs %d\)$" % cpu, p.stdout, re.M):
    fail("no 'noise (server CPUs %d)' section" % cpu)
section = p.stdout.split("\nnoise (", 1)[1].split("\n\n", 1)[0]
for what in LINES:
    m = re.search(r"^  %s\s+(ok|warn|)\s*(\S.*)$" % re.escape(what), section, re.M)
    if not m:
        fail("doctor has no readable '%s' line in its noise section" % what)
busy = re.search(r"^  busy processes\s+\S+\s+(.*)$", section, re.M).group(1)
if "(%d)" % hog not in busy:
    fail("the hog (pid %d) is not among the busy processes: %s" % (hog, busy))
bad = run(["doctor", "--server-cpus", "4095"])
if bad.returncode != 2:
    fail("doctor --server-cpus 4095 exited %d, want 2" % bad.returncode)
print("ok: doctor's %d noise lines, the hog (pid %d) named busy" % (len(LINES), hog))
