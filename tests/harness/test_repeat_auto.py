#!/usr/bin/python3
"""--repeat auto: a steady cell stops once its requests/s CI is narrow enough
(repeat_stopped "ci", after the 3 minimum rounds), and a deliberately jittery one
(ringside-echo --jitter-us: each server process draws its own reply delay) runs until
--max-repeat (repeat_stopped "max"). Both figures carry their CI objects and outlier
marks."""
import os
import tempfile

from rs_harness import fail, need_binaries, run, skip, validate

need_binaries()


def measure(tmp, name, *extra):
    out = os.path.join(tmp, name)
    p = run(["run", "--models", "epoll", "--connections", "4", "--repeat", "auto",
             "--max-repeat", "5", "--duration", "0.2", "--warmup", "0.05", "--probes", "off",
             "--out", out, "--quiet"] + list(extra), cwd=tmp)
    if p.returncode != 0:
        print(p.stdout + p.stderr)
        fail("%s: ringside run exited %d" % (name, p.returncode))
    doc = validate(os.path.join(out, "results.json"))
    c = doc["cells"][0]
    if c["status"] == "skipped":
        skip(c["reason"])
    if c["status"] != "ok":
        fail("%s: %s" % (name, c["reason"]))
    cfg = doc["config"]
    if cfg["repeat"] != "auto" or cfg["max_repeat"] != 5:
        fail("config repeat %r max_repeat %r" % (cfg["repeat"], cfg["max_repeat"]))
    rps = c["summary"]["requests_per_sec"]
    if rps["n"] != len(c["runs"]) or rps["ci95_kind"] not in ("range", "order-statistic"):
        fail("%s: requests_per_sec %r for %d runs" % (name, rps, len(c["runs"])))
    if rps["n"] < 6 and rps["ci95"] != [rps["min"], rps["max"]]:
        fail("%s: under 6 runs the CI must be [min, max]: %r" % (name, rps))
    outliers = sum(1 for r in c["runs"] if r["outlier"])
    if c["summary"]["outliers"] != outliers:
        fail("%s: summary.outliers %r, runs marked %d" % (name, c["summary"]["outliers"],
                                                          outliers))
    return c


with tempfile.TemporaryDirectory(prefix="rs-auto-") as tmp:
    # A loose target (the test machine is shared: runs of a plain echo cell can differ
    # several-fold there): a cell without jitter meets it after the 3 minimum rounds.
    steady = measure(tmp, "steady", "--target-ci", "100")
    if steady["repeat_stopped"] != "ci" or len(steady["runs"]) != 3:
        fail("steady cell: stopped %r after %d runs (want ci after 3): %r"
             % (steady["repeat_stopped"], len(steady["runs"]),
                [r["requests_per_sec"] for r in steady["runs"]]))
    # Replies delayed 0..20 ms, drawn per server: runs disagree far beyond 2%.
    jitter = measure(tmp, "jitter", "--target-ci", "2", "--server-arg=--jitter-us=20000")
    if jitter["repeat_stopped"] != "max" or len(jitter["runs"]) != 5:
        fail("jittery cell: stopped %r after %d runs (want max after 5): %r"
             % (jitter["repeat_stopped"], len(jitter["runs"]),
                [r["requests_per_sec"] for r in jitter["runs"]]))
print("ok: steady stops at the CI target, jittery at --max-repeat")
