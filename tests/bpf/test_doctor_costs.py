#!/usr/bin/python3
"""`ringside doctor` prints the two switches a syscall can cost: the null syscall and a
sleep and wake (on one CPU, across CPUs), their ratio, the cpuidle setup and whether the
host is virtualised; each figure positive, the ratio the one the two costs give.
usage: test_doctor_costs.py RINGSIDE"""
import os
import re
import subprocess
import sys

p = subprocess.run([sys.argv[1], "doctor"], capture_output=True, text=True, timeout=60)
out = p.stdout
print(out[:1200])
bad = []
if p.returncode != 0:
    bad.append("doctor exited %d" % p.returncode)
null = re.search(r"null syscall\s+ok\s+(\d+) ns", out)
wake = re.search(r"sleep and wake\s+ok\s+([\d.]+) us on one CPU; ([\d.]+|nan) us across CPUs", out)
if not null or not wake:
    bad.append("no null-syscall or sleep-and-wake row")
elif os.cpu_count() >= 2:
    ratio = re.search(r"a syscall costs ([\d.]+) us here; a sleep and wake across CPUs "
                      r"(\d+) us, (\d+)x", out)
    if not ratio:
        bad.append("no ratio line")
    else:
        want = float(wake.group(2)) * 1e3 / float(null.group(1))
        if abs(float(ratio.group(3)) - want) > max(2, 0.05 * want):
            bad.append("ratio %s, the costs give %.0f" % (ratio.group(3), want))
    if not float(wake.group(2)) > 0:
        bad.append("cross-CPU cost %s" % wake.group(2))
if wake and not float(wake.group(1)) > 0:
    bad.append("same-CPU cost %s" % wake.group(1))
for row in ("cpuidle", "virtualised"):
    if not re.search(r"^  %s\s+\S" % row, out, re.M):
        bad.append("no %s row" % row)
for b in bad:
    print("FAIL: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
