#!/usr/bin/python3
"""10,000 concurrent connections through ringside-proxy in one I/O model (argv[1]).

ringside-load holds 10,000 keep-alive HTTP connections (2 threads, 5 s, no warmup)
through the proxy to ringside-origin and must report requests > 0 and zero errors;
the proxy must have held a client and an upstream socket for every one of them at once.
The proxy needs 2 descriptors per connection. Where RLIMIT_NOFILE's hard limit (which
only CAP_SYS_RESOURCE may raise) is below what 10,000 need, as on the reference machine
(hard limit 20,000, so at most 9,968), it runs the most connections that limit allows
and says so on its first line; below 5,000 it exits 77 saying why, as it does if the
blocking model's threads do not fit the thread limits. RS_C10K_CONNECTIONS=N runs N.
Exit 0 pass, 1 fail, 77 skip.
"""
import json
import os
import resource
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import (LOAD, ORIGIN, PROXY, check, fd_count, procs,  # noqa: E402
                        run_checks, skip, start)

SPARE_FDS = 64  # listeners, ring, epoll, stdio, ...
MIN_CONNS = 5000
CONNS = 0  # set by main()


def connections():
    if os.environ.get("RS_C10K_CONNECTIONS"):
        return int(os.environ["RS_C10K_CONNECTIONS"])
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY or hard >= 2 * 10000 + SPARE_FDS:
        return 10000
    try:  # a privileged process may raise the hard limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (2 * 10000 + SPARE_FDS,) * 2)
        return 10000
    except (ValueError, OSError):
        pass
    n = (hard - SPARE_FDS) // 2
    if n < MIN_CONNS:
        skip("RLIMIT_NOFILE hard limit is %d: 2 descriptors per proxied connection allow "
             "only %d connections (raising it needs CAP_SYS_RESOURCE)" % (hard, n))
    print("NOTE: running %d connections, not 10,000: RLIMIT_NOFILE hard limit is %d and a "
          "proxied connection takes 2 descriptors (raising it needs CAP_SYS_RESOURCE)"
          % (n, hard))
    return n


def raise_nofile(need):
    """Raises this process's RLIMIT_NOFILE (children inherit it) or skips the test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
            return
        except (ValueError, OSError):
            skip("RLIMIT_NOFILE hard limit is %d; %d connections through the proxy need "
                 "%d descriptors (2 per connection) and raising it is not permitted "
                 "(needs CAP_SYS_RESOURCE; or run with RS_C10K_CONNECTIONS=%d)"
                 % (hard, CONNS, need, (hard - SPARE_FDS) // 2))
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))


def check_threads(model):
    if model != "blocking":
        return
    need = CONNS + 100
    with open("/proc/sys/kernel/threads-max") as f:
        tmax = int(f.read())
    with open("/proc/sys/kernel/pid_max") as f:
        pmax = int(f.read())
    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    if tmax < need or pmax < need or (os.geteuid() != 0 and nproc != resource.RLIM_INFINITY
                                      and nproc < need):
        skip("the blocking model needs %d threads: threads-max %d, pid_max %d, "
             "RLIMIT_NPROC %s" % (need, tmax, pmax, nproc))


def main():
    global CONNS
    model = sys.argv[1]
    CONNS = connections()
    raise_nofile(2 * CONNS + SPARE_FDS)
    check_threads(model)
    _, oport = start([ORIGIN, "--threads", "1", "--body-bytes", "4096"])
    proxy, port = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % oport,
                         "--threads", "1"])
    peak, stop = [0], threading.Event()

    def sample():  # the proxy's descriptors, a few times a second
        while not stop.wait(0.1):
            try:
                peak[0] = max(peak[0], fd_count(proxy.pid))
            except OSError:
                pass

    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.time()
    load = subprocess.Popen([LOAD, "--mode", "http", "--target", "127.0.0.1:%d" % port,
                             "--connections", str(CONNS), "--threads", "2", "--duration", "5",
                             "--warmup", "0", "--timeout", "10", "--expect-body", "4096"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.append(load)
    try:
        out, err = load.communicate(timeout=60)
    finally:
        stop.set()
        sampler.join()
    print("ringside-load: exit %d after %.1f s; proxy held up to %d descriptors"
          % (load.returncode, time.time() - t0, peak[0]))
    if not check(load.returncode == 0, "ringside-load exit %d: %s" % (load.returncode,
                                                                     err.decode()[-500:])):
        return
    res = json.loads(out)
    print("requests %d, %.0f/s, p99 %.0f ms, errors %s" % (
        res["requests"], res["requests_per_sec"], res["latency_us"]["p99"] / 1000,
        res["errors"]))
    check(res["connections"] == CONNS, "connections %s" % res["connections"])
    check(res["requests"] > 0, "requests: %d" % res["requests"])
    check(res["errors"]["total"] == 0, "errors: %s" % res["errors"])
    check(peak[0] >= 2 * CONNS, "proxy held at most %d descriptors: not %d client and upstream "
          "sockets at once" % (peak[0], CONNS))
    check(proxy.poll() is None, "proxy alive")


if __name__ == "__main__":
    run_checks(main, "proxy c10k %s (%d connections)" % (sys.argv[1], CONNS))
