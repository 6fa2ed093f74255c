#!/usr/bin/python3
"""Rate sweeps (`ringside run --sweep rate`), one check per argv[1]:
  knee    -- an epoll echo server with --work-us 100 on one CPU: the knee of its
             auto sweep lies within 15% of the capacity a 50-connection closed-loop
             run measures on the same server, and p99 is within the SLO below it.
             Skips (77) when that closed-loop run is not server-bound, a run had over
             10% steal or foreign CPU (server or client side), the client lagged its
             schedule at a point, or the low-load p99 leaves no room under the SLO:
             then the machine, not the server, would decide;
  client  -- the client's CPU shared with a busy-loop hog: the sweep ends at the
             client (ended_by "client", the last point client_bound_schedule);
  payload -- --payload 64,1024: two cells per model and connection count, every
             byte verified in both (zero errors, bytes = payload x requests)."""
import os
import sys
import tempfile

from rs_harness import fail, need_binaries, run, skip, validate
from rs_hog import start_hog

need_binaries()
COMMON = ["--server-cpus", "0", "--client-cpus", "1", "--probes", "off", "--quiet",
          "--load-threads", "1"]


def ringside(tmp, name, *args):
    out = os.path.join(tmp, name)
    p = run(["run"] + list(args) + COMMON + ["--out", out], cwd=tmp)
    if p.returncode != 0:
        print(p.stdout + p.stderr)
        fail("%s: ringside run exited %d" % (name, p.returncode))
    doc = validate(os.path.join(out, "results.json"))
    for c in doc["cells"]:
        if c["status"] == "skipped":
            skip("%s: %s" % (c["model"], c["reason"]))
    return doc


def fig(cell, path):
    v = cell["summary"]
    for k in path.split("."):
        v = v[k]
    return v["median"]


def curve_points(doc, curve):
    return [doc["cells"][i] for i in curve["points"]]


def load_text(cell):
    """Why a cell's runs say the machine was busy: utilisations, load average, noise."""
    out = []
    for r in cell["runs"]:
        n = r.get("noise") or {}
        out.append("server CPU %s, client CPU %s, loadavg %s, steal %s%%, foreign CPU %s%%, "
                   "client-side foreign CPU %s%%%s" %
                   (r.get("server_cpu_utilisation"), (r.get("client") or {}).get("cpu_utilisation"),
                    n.get("loadavg_1m"), n.get("steal_pct"), n.get("foreign_cpu_pct"),
                    n.get("client_foreign_cpu_pct"), " (noisy)" if n.get("noisy") else ""))
    return "; ".join(out)


def disturbed(cell):
    """Steal or foreign CPU (on the server's or the client's side) over 10% in a run:
    enough to move a capacity by more than the test's 15% tolerance allows, or to make
    the client lag (a VM's usual few % of steal does not)."""
    for r in cell["runs"]:
        n = r.get("noise") or {}
        if max(n.get("steal_pct") or 0, n.get("foreign_cpu_pct") or 0,
               n.get("client_foreign_cpu_pct") or 0) > 10:
            return True
    return False


def test_knee(tmp):
    closed = ringside(tmp, "closed", "--models", "epoll", "--connections", "50",
                      "--work-us", "100", "--repeat", "1", "--duration", "1",
                      "--warmup", "0.3")
    cell = closed["cells"][0]
    cap = fig(cell, "requests_per_sec")
    if closed["config"]["work_us"] != 100:
        fail("config.work_us is %r" % closed["config"]["work_us"])
    # The check compares the knee with the server's capacity: the closed-loop run must
    # measure that, with the server's CPU the limit. On a loaded machine it is not (the
    # server shares its CPU, or the client is starved): then no capacity is known to
    # compare with, and the test cannot tell.
    if cell["bound"] != "server" or disturbed(cell):
        skip("the closed-loop run at 50 connections read %.0f req/s, bound %r: the machine "
             "is too loaded for the server to be the limit (%s)" %
             (cap, cell["bound"], load_text(cell)))
    # The SLO leaves headroom over the latency floor: at least 5 ms, and 50 service times
    # (1 / capacity) where the server is slower than 10k req/s, so a slow-but-quiet CPU
    # is not cut short by the SLO rule before it reaches its knee.
    slo = max(5000, int(50 * 1e6 / cap))
    doc = ringside(tmp, "sweep", "--sweep", "rate", "--models", "epoll", "--connections",
                   "100", "--work-us", "100", "--slo-p99-us", str(slo), "--duration", "0.8",
                   "--warmup", "0.2")
    curve = doc["curves"][0]
    pts = curve_points(doc, curve)
    for c in pts:
        print("offered %8.0f achieved %s p99 %s us lag p99 %s client %s status %s %s" %
              (c["rate"], fig(c, "requests_per_sec"), fig(c, "latency_us.p99"),
               fig(c, "schedule_lag_us.p99"), c["client_bound_schedule"], c["status"],
               c["reason"] or ""))
    print("closed-loop capacity %.0f req/s (bound %s); SLO %d us; p99 floor %s us; curve ended "
          "by %s; knee %r" % (cap, cell["bound"], slo, curve["p99_floor_us"], curve["ended_by"],
                              curve["knee"]))
    noisy = [c for c in pts if disturbed(c)]
    if noisy:
        skip("%d sweep point(s) with over 10%% steal or foreign CPU, e.g. at %.0f req/s: %s" %
             (len(noisy), noisy[0]["rate"], load_text(noisy[0])))
    floor = curve["p99_floor_us"]
    # The two ways this machine, not the server, can end the test: the load generator's
    # timers lagging (a VM's steal shows up as send lag first), and a latency floor at
    # low load that leaves no room under the SLO. Both are reported, and the test says
    # it cannot tell rather than pass or fail on the machine's account.
    if floor is None or floor * 4 > slo:
        skip("p99 floor %r us at low load, within 4x of the %d us SLO: the client's timing "
             "on this machine leaves no room to find a knee" % (floor, slo))
    lagged = [c for c in pts if c.get("client_bound_schedule")]
    if lagged and curve["ended_by"] != "client":
        skip("the load generator lagged its schedule at %.0f req/s (send lag p99 %s us) "
             "below the server's capacity, so the knee search there measured the client" %
             (lagged[0]["rate"], fig(lagged[0], "schedule_lag_us.p99")))
    if curve["ended_by"] == "client":
        last = pts[-1]
        skip("the load generator could not keep its schedule at %.0f req/s (send lag p99 "
             "%s us): this machine cannot drive the sweep to the server's capacity" %
             (last["rate"], fig(last, "schedule_lag_us.p99")))
    if curve["ended_by"] not in ("saturation", "slo"):
        fail("ended_by %r: the sweep never reached the server's capacity" % curve["ended_by"])
    knee = curve["knee"]
    if not knee:
        fail("no knee")
    if abs(knee["achieved"] - cap) > 0.15 * cap:
        fail("knee at %.0f req/s, closed-loop capacity %.0f: more than 15%% apart" %
             (knee["achieved"], cap))
    for c in pts:
        if c["rate"] <= knee["offered"] and fig(c, "latency_us.p99") > slo:
            fail("p99 %.0f us over the SLO at %.0f req/s, below the knee" %
                 (fig(c, "latency_us.p99"), c["rate"]))
    if [c["rate"] for c in pts] != sorted(c["rate"] for c in pts):
        fail("curve.points are not in offered order")


def test_client(tmp):
    start_hog(1)
    doc = ringside(tmp, "hog", "--sweep", "rate", "--models", "epoll", "--connections", "4",
                   "--duration", "0.5", "--warmup", "0.2")
    curve = doc["curves"][0]
    pts = curve_points(doc, curve)
    for c in pts:
        print("offered %8.0f achieved %s lag p99 %s us client %s bound %s" %
              (c["rate"], fig(c, "requests_per_sec"), fig(c, "schedule_lag_us.p99"),
               c["client_bound_schedule"], c["bound"]))
    if curve["ended_by"] != "client":
        fail("with a hog on the client's CPU the sweep ended by %r, not the client" %
             curve["ended_by"])
    last = pts[-1]
    if last["client_bound_schedule"] is not True or last["bound"] != "client":
        fail("the last point is not marked client bound: %r %r" %
             (last["client_bound_schedule"], last["bound"]))
    lag = last["runs"][0]["schedule_lag_us"]
    if not lag or lag["p99"] is None:
        fail("the run has no schedule_lag_us: %r" % lag)


def test_payload(tmp):
    doc = ringside(tmp, "payload", "--models", "epoll,uring", "--connections", "10",
                   "--payload", "64,1024", "--repeat", "1", "--duration", "0.3",
                   "--warmup", "0.1")
    if doc["config"]["sizes"] != [64, 1024]:
        fail("config.sizes %r" % doc["config"]["sizes"])
    for model in ("epoll", "uring"):
        cells = [c for c in doc["cells"] if c["model"] == model]
        if sorted(c["payload_bytes"] for c in cells) != [64, 1024]:
            fail("%s: cells of sizes %r" % (model, [c["payload_bytes"] for c in cells]))
        for c in cells:
            s = c["summary"]
            if s["errors"]["total"] != 0 or s["errors"]["mismatch"] != 0:
                fail("%s %d B: errors %r" % (model, c["payload_bytes"], s["errors"]))
            for r in c["runs"]:
                if r["requests"] <= 0 or r["bytes"] != r["requests"] * c["payload_bytes"]:
                    fail("%s %d B: %r bytes for %r requests" %
                         (model, c["payload_bytes"], r["bytes"], r["requests"]))
                if r["load"]["payload_bytes"] != c["payload_bytes"]:
                    fail("%s: the load generator sent %r B" % (model, r["load"]["payload_bytes"]))
            if c["rate"] is not None or c["client_bound_schedule"] is not None:
                fail("closed loop: rate %r, client_bound_schedule %r" %
                     (c["rate"], c["client_bound_schedule"]))


TESTS = {"knee": test_knee, "client": test_client, "payload": test_payload}
if len(sys.argv) != 2 or sys.argv[1] not in TESTS:
    fail("usage: test_curve.py knee|client|payload")
if (os.cpu_count() or 1) < 2:
    skip("needs two CPUs (server on 0, client on 1)")
with tempfile.TemporaryDirectory(prefix="rs-curve-") as tmp:
    TESTS[sys.argv[1]](tmp)
print("test_curve %s: all checks passed" % sys.argv[1])
