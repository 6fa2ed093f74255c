#!/usr/bin/python3
"""Where a request's time goes, end to end: the `ringside run --suite smoke` run that
harness_smoke made (ctest runs it first: the fixture smoke_run), with the probes, fills
host.null_syscall_ns and host.wakeup_cpu_us and, for each of the four models, every new
summary figure (syscall time on CPU and blocked, run-queue delay, wakeups, io_uring hidden work, the
client's side) with syscall_overhead_share and wakeup_share between 0 and 1 and the
cost model's residual beside them; results.json validates.
Needs root and the BPF probes: skips (77) with the reason otherwise."""
import os

from rs_harness import SMOKE_DIR, SMOKE_RUN, fail, need_binaries, ok_cells, skip, validate


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def median(s, path):
    for k in path.split("."):
        s = s.get(k) if isinstance(s, dict) else None
    return s["median"] if isinstance(s, dict) else s


need_binaries()
if os.geteuid() != 0:
    skip("not root (the BPF probes need CAP_BPF and CAP_PERFMON)")
path = os.path.join(SMOKE_DIR, "smoke", "results.json")
if not os.path.isfile(path):
    fail("no %s: harness_smoke makes it (`%s`; ctest runs it first)" % (path, " ".join(SMOKE_RUN)))
doc = validate(path)
if doc["probes"]["mode"] != "bpf":
    skip("the probes are off: %s" % doc["probes"]["reason"])
ns = doc["host"]["null_syscall_ns"]
print("null syscall: %.1f ns unprobed, %.1f ns probed (CPU %d)" %
      (ns["unprobed"], ns["probed"], ns["cpu"]))
if not (num(ns["unprobed"]) and num(ns["probed"]) and 0 < ns["unprobed"] < 1e5):
    fail("host.null_syscall_ns %r" % ns)
if ns["probed"] <= ns["unprobed"] * 0.9:
    fail("probed null syscall %.1f ns well under unprobed %.1f ns" % (ns["probed"], ns["unprobed"]))
w = doc["host"]["wakeup_cpu_us"]
for lay in ("same_cpu", "cross_cpu"):
    f = w[lay]
    print("sleep and wake %s: %r us unprobed, %r us probed (sides %r, pair %r us)" %
          (lay, f["unprobed"], f["probed"], f["side_us"], f["pair_us"]))
    if f["client_cpu"] is None and lay == "cross_cpu":
        continue
    if not (num(f["unprobed"]) and num(f["probed"]) and 0 < f["unprobed"] < 1e4):
        fail("host.wakeup_cpu_us.%s %r" % (lay, f))
    if not f["side_us"][0] > f["pair_us"] > 0:
        fail("host.wakeup_cpu_us.%s: side %r us not above the pair %r us" %
             (lay, f["side_us"], f["pair_us"]))
if w["charged"] != ("same_cpu" if w["cross_cpu"]["client_cpu"] is None else "cross_cpu"):
    fail("host.wakeup_cpu_us.charged %r" % w["charged"])
same, charged = w["same_cpu"]["unprobed"], w[w["charged"]]["unprobed"]
models = []
cells, skipped = ok_cells(doc)
for name, c in cells:
    models.append(c["model"])
    s = c["summary"]
    unavailable = set()
    for r in c["runs"]:
        unavailable |= set((r.get("probe_unavailable") or {}).keys())
    want = ["syscall_time_us_per_request.total", "syscall_blocked_us_per_request.total",
            "runqueue_delay_us.p50", "runqueue_delay_us.p99", "runqueue_delay_us.per_request",
            "wakeups_per_request", "client.syscall_time_us_per_request.total",
            "client.syscall_blocked_us_per_request.total", "client.runqueue_delay_us.p99",
            "client.wakeups_per_request", "syscall_overhead_share", "wakeup_share",
            "cpu_model_residual_share"]
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
    wake, rest = s["wakeup_share"], s["cpu_model_residual_share"]
    print("%s: wakeup share %.3f %r, residual %.3f %r" %
          (name, wake["median"], wake["ci95"], rest["median"], rest["ci95"]))
    if not (0 < wake["median"] < 2) or not (wake["ci95"][0] <= wake["median"] <= wake["ci95"][1]):
        fail("%s: wakeup_share %r" % (name, wake))
    # Every sleep at the same-CPU cost, one that left the CPU idle at the charged one.
    vols = [r["context_switches_bpf"]["server"]["voluntary"] for r in c["runs"]
            if r["probed"] and r["status"] == "ok" and not r.get("outlier")]
    idles = [r["context_switches_bpf"]["server"]["voluntary_to_idle"] for r in c["runs"]
             if r["probed"] and r["status"] == "ok" and not r.get("outlier")]
    vol, idle = sorted(vols)[len(vols) // 2], sorted(idles)[len(idles) // 2]
    cpu = median(s, "cpu_us_per_request.total")
    if len(vols) % 2 == 1 and not 0 <= idle <= vol * 1.5:
        fail("%s: %r sleeps to idle of %r per request" % (name, idle, vol))
    want_share = (vol * same + idle * (charged - same)) / cpu
    if len(vols) % 2 == 1 and abs(wake["median"] - want_share) > 1e-6 * max(1, want_share):
        fail("%s: wakeup_share %.6f != (%.3f x %.3f + %.3f x (%.3f - %.3f)) us / %.3f us" %
             (name, wake["median"], vol, same, idle, charged, same, cpu))
    if abs(rest["median"] - (1 - share["median"] - wake["median"])) > 1e-9:
        fail("%s: residual %r != 1 - %r - %r" % (name, rest["median"], share["median"], wake["median"]))
    if not rest["ci95"][0] <= rest["median"] <= rest["ci95"][1] or rest["ci95_kind"] != "ratio":
        fail("%s: residual ci %r" % (name, rest))
    if "io_uring.cq_overflows" not in unavailable and s["io_uring"]["cq_overflows"] != 0:
        fail("%s: %r CQ overflows in a smoke run" % (name, s["io_uring"]["cq_overflows"]))
if skipped:
    skip("the kernel refused %s" % "; ".join(skipped))
if models != ["blocking", "epoll", "uring", "uring-sqpoll"]:
    fail("cells are %r" % models)
print("ok: every time figure for %s" % ", ".join(models))
