#!/usr/bin/python3
"""Where a request's time goes, end to end: `ringside run --suite smoke` with the probes
fills host.null_syscall_ns and, for each of the four models, every new summary figure
(syscall time on CPU and blocked, run-queue delay, wakeups, io_uring hidden work, the
client's side) with syscall_overhead_share between 0 and 1; results.json validates.
Needs root and the BPF probes: skips (77) with the reason otherwise."""
import os
import tempfile

from rs_harness import fail, need_binaries, run, skip, validate


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def median(s, path):
    for k in path.split("."):
        s = s.get(k) if isinstance(s, dict) else None
    return s["median"] if isinstance(s, dict) else s


need_binaries()
if os.geteuid() != 0:
    skip("not root (the BPF probes need CAP_BPF and CAP_PERFMON)")
with tempfile.TemporaryDirectory(prefix="rs-time-") as tmp:
    out = os.path.join(tmp, "smoke")
    p = run(["run", "--suite", "smoke", "--out", out, "--quiet"], cwd=tmp)
    if p.returncode != 0:
        fail("ringside run exited %d: %s" % (p.returncode, p.stderr[-500:]))
    doc = validate(os.path.join(out, "results.json"))
    if doc["probes"]["mode"] != "bpf":
        skip("the probes are off: %s" % doc["probes"]["reason"])
    ns = doc["host"]["null_syscall_ns"]
    print("null syscall: %.1f ns unprobed, %.1f ns probed (CPU %d)" %
          (ns["unprobed"], ns["probed"], ns["cpu"]))
    if not (num(ns["unprobed"]) and num(ns["probed"]) and 0 < ns["unprobed"] < 1e5):
        fail("host.null_syscall_ns %r" % ns)
    if ns["probed"] <= ns["unprobed"] * 0.9:
        fail("probed null syscall %.1f ns well under unprobed %.1f ns" % (ns["probed"], ns["unprobed"]))
    skipped, models = [], []
    for c in doc["cells"]:
        name = "%s c=%d" % (c["model"], c["connections"])
        if c["status"] == "skipped" and c["model"].startswith("uring") and c["reason"]:
            skipped.append("%s (%s)" % (name, c["reason"]))
            continue
        if c["status"] != "ok":
            fail("%s is %s: %s" % (name, c["status"], c["reason"]))
        models.append(c["model"])
        s = c["summary"]
        unavailable = set()
        for r in c["runs"]:
            unavailable |= set((r.get("probe_unavailable") or {}).keys())
        want = ["syscall_time_us_per_request.total", "syscall_blocked_us_per_request.total",
                "runqueue_delay_us.p50", "runqueue_delay_us.p99", "runqueue_delay_us.per_request",
                "wakeups_per_request", "client.syscall_time_us_per_request.total",
                "client.syscall_blocked_us_per_request.total", "client.runqueue_delay_us.p99",
                "client.wakeups_per_request", "syscall_overhead_share"]
        want += ["io_uring.%s" % k for k in ("iowq_punts_per_request", "poll_arms_per_request",
                                             "task_work_per_request", "cq_overflows")
                 if "io_uring.%s" % k not in unavailable]
        nulls = [k for k in want if not num(median(s, k))]
        if nulls:
            fail("%s: null or missing %s" % (name, nulls))
        if median(s, "syscall_time_us_per_request.total") <= 0:
            fail("%s: no on-CPU syscall time" % name)
        by = s["syscall_time_us_per_request"]["by_name"]
        if not by or not all(num(v) for v in by.values()):
            fail("%s: syscall_time_us_per_request.by_name %r" % (name, by))
        share = s["syscall_overhead_share"]
        lo, hi = share["ci95"]
        print("%s: overhead share %.3f [%.3f, %.3f], syscall time %.2f us/request, rq p99 %.1f us"
              % (name, share["median"], lo, hi, median(s, "syscall_time_us_per_request.total"),
                 median(s, "runqueue_delay_us.p99")))
        if not (0 < share["median"] < 1) or not (lo <= share["median"] <= hi):
            fail("%s: syscall_overhead_share %r" % (name, share))
        if share["ci95_kind"] != "ratio":
            fail("%s: ci95_kind %r" % (name, share["ci95_kind"]))
        if "io_uring.cq_overflows" not in unavailable and s["io_uring"]["cq_overflows"] != 0:
            fail("%s: %r CQ overflows in a smoke run" % (name, s["io_uring"]["cq_overflows"]))
if skipped:
    skip("the kernel refused %s" % "; ".join(skipped))
if models != ["blocking", "epoll", "uring", "uring-sqpoll"]:
    fail("cells are %r" % models)
print("ok: every time figure for %s" % ", ".join(models))
