#!/usr/bin/python3
"""`ringside run --suite smoke` (its windows shortened by --duration and --warmup, which
override the suite's and are recorded): four cells, each ok with requests > 0 and no
errors; results.json validates against docs/results.schema.json and the schema can
reject; a second run with the same --out writes a new directory and leaves the first
alone. The run stays in $RS_BUILD/tests/harness_smoke/smoke for harness_time."""
import copy
import os
import shutil

from rs_harness import (SMOKE_DIR, SMOKE_RUN, fail, need_binaries, ok_cells, run,
                        schema_rejects, skip, validate)

need_binaries()
shutil.rmtree(SMOKE_DIR, ignore_errors=True)  # never a stale run for harness_time
os.makedirs(SMOKE_DIR)
tmp = SMOKE_DIR
out = os.path.join(tmp, "smoke")
p = run(SMOKE_RUN + ["--out", out, "--quiet"], cwd=tmp)
print(p.stdout, end="")
print(p.stderr, end="")
if p.returncode != 0:
    fail("ringside run exited %d" % p.returncode)
path = os.path.join(out, "results.json")
if "results: %s" % path not in p.stdout:
    fail("the table does not end with 'results: %s'" % path)
doc = validate(path)
if doc["status"] != "complete" or doc["suite"] != "smoke":
    fail("status %r suite %r" % (doc["status"], doc["suite"]))
cfg = doc["config"]
if (cfg["duration_s"], cfg["warmup_s"]) != (0.4, 0.1):
    fail("--duration 0.4 --warmup 0.1 over the suite's: config says %r s, %r s" %
         (cfg["duration_s"], cfg["warmup_s"]))
models = [c["model"] for c in doc["cells"]]
if models != ["blocking", "epoll", "uring", "uring-sqpoll"]:
    fail("cells are %r" % models)
cells, skipped = ok_cells(doc)
for name, c in cells:
    s = c["summary"]
    if not s["requests"] or s["requests"] <= 0:
        fail("%s completed no requests" % name)
    if s["errors"]["total"] != 0:
        fail("%s counted errors: %r" % (name, s["errors"]))
    for key in ("median", "min", "max"):
        if not isinstance(s["requests_per_sec"][key], (int, float)):
            fail("%s requests_per_sec.%s is not a number" % (name, key))
    figures = [s["latency_us"][k]["median"] for k in ("p50", "p90", "p99", "p999", "max")]
    figures += [s["cpu_us_per_request"][k]["median"]
                for k in ("user", "system", "sqpoll", "total")]
    figures += [s["context_switches_per_request"][k]["median"]
                for k in ("voluntary", "involuntary", "total")]
    figures += [s["rss_kib"], s["client_cpu_utilisation"]]
    if not all(isinstance(v, (int, float)) for v in figures):
        fail("%s has null headline figures: %r" % (name, figures))
    run0 = c["runs"][0]
    if run0["requests"] != run0["load"]["requests"] or run0["server"]["exit"]["code"] != 0:
        fail("%s run 0: requests or server exit code wrong" % name)
    if c["model"] == "uring-sqpoll" and s["cpu_us_per_request"]["sqpoll"]["median"] <= 0:
        fail("uring-sqpoll shows no iou-sqp CPU time")
    if doc["probes"]["mode"] == "off" and s["syscalls_per_request"]["median"] is not None:
        fail("%s has syscall figures without probes" % name)
# The schema must be able to say no.
bad = copy.deepcopy(doc)
bad["cells"][0]["summary"]["requests_per_sec"]["median"] = "fast"
if not schema_rejects(bad):
    fail("the schema accepts a string median")
bad = copy.deepcopy(doc)
del bad["cells"][0]["runs"][0]["server"]
if not schema_rejects(bad):
    fail("the schema accepts a run without server")
# A second run given the same --out never overwrites the first: it makes smoke-2.
with open(path, "rb") as f:
    first = f.read()
p = run(["run", "--models", "epoll", "--connections", "1", "--duration", "0.3", "--warmup",
         "0", "--repeat", "1", "--probes", "off", "--out", out, "--quiet"], cwd=tmp)
second = os.path.join(out + "-2", "results.json")
if p.returncode != 0 or "results: %s" % second not in p.stdout:
    fail("second run into the same --out: exit %d, %r" % (p.returncode, p.stdout[-300:]))
with open(path, "rb") as f:
    if f.read() != first:
        fail("the second run changed the first run's results.json")
validate(second)
if skipped:  # everything else passed, but those cells were not checked
    skip("the kernel refused %s" % "; ".join(skipped))
print("ok: smoke suite, %d cells" % len(models))
