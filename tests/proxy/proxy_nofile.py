#!/usr/bin/python3
"""ringside-proxy in one I/O model (argv[1]) out of descriptors (RLIMIT_NOFILE = 64).

Opens keep-alive connections (2 descriptors each: client and upstream) and then idle
ones until the proxy holds all 64, and checks: a client accepted with no descriptor left
for its upstream gets 502; a further client is not accepted (EMFILE) and waits, while the
proxy neither spins (its loop uses < 25% of a CPU) nor floods its log; the keep-alive
connections are still served; once some connections close, the waiting client and new
ones are served. Exit 0 pass, 1 fail, 77 skip.
"""
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import (ORIGIN, PROXY, Reader, check, connect, fd_count,  # noqa: E402
                        run_checks, start, task_cpu_s, wait_until)

LIMIT = 64
KEEP = 12
REQ = b"GET /k HTTP/1.1\r\nHost: t\r\n\r\n"


def low_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


def ask(s, timeout=2.0):
    """One request on s: the status, or None if no answer came (closed or timed out)."""
    s.settimeout(timeout)
    try:
        s.sendall(REQ)
        st, _, body = Reader(s).response()
        return st if st != 200 or len(body) == 4096 else -1
    except (OSError, EOFError):
        return None


def main():
    model = sys.argv[1]
    _, oport = start([ORIGIN, "--threads", "1", "--body-bytes", "4096"])
    log = tempfile.TemporaryFile()
    args = [PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % oport, "--threads", "1"]
    if model == "uring-sqpoll":
        args += ["--sq-idle-ms", "10"]
    p, port = start(args, preexec_fn=low_limit, stderr=log)
    pid = p.pid

    kept = [connect(port) for _ in range(KEEP)]
    sts = [ask(s) for s in kept]
    check(sts == [200] * KEEP, "keep-alive connections served: %s" % sts)
    # Idle connections (no request, so no upstream) until every descriptor is taken.
    idle = []
    while fd_count(pid) < LIMIT and len(idle) < LIMIT:
        n = fd_count(pid)
        idle.append(connect(port))
        if not wait_until(lambda: fd_count(pid) > n, 2):
            break
    check(fd_count(pid) == LIMIT, "proxy holds %d descriptors (limit %d) after %d idle "
          "connections" % (fd_count(pid), LIMIT, len(idle)))

    # Accepted, but no descriptor left for its upstream socket: 502, then closed.
    s = idle.pop()
    st = ask(s)
    s.close()
    check(st == 502, "request with no descriptor for the upstream: %s (want 502)" % st)
    idle.append(connect(port))  # takes the descriptor back
    check(wait_until(lambda: fd_count(pid) == LIMIT, 2), "refilled: %d fds" % fd_count(pid))

    # Not accepted (EMFILE): the client waits in the backlog. The proxy must not spin.
    waiting = connect(port)
    waiting.sendall(REQ)
    cpu0, t0 = task_cpu_s(pid), time.time()
    waiting.settimeout(1.0)
    try:
        early = waiting.recv(1)
    except OSError:
        early = None
    cpu = (task_cpu_s(pid) - cpu0) / (time.time() - t0)
    check(early is None, "client over the limit got %r instead of waiting" % early)
    check(cpu < 0.25, "proxy loop used %.0f%% of a CPU while out of descriptors" % (cpu * 100))
    sts = [ask(s) for s in kept]
    check(sts == [200] * KEEP, "keep-alive connections served while out of descriptors: %s" % sts)

    # Recover: free some descriptors; the waiting client and new ones are served.
    for s in idle[:6]:
        s.close()
    del idle[:6]
    waiting.settimeout(3.0)
    try:
        st, _, body = Reader(waiting).response()
    except (OSError, EOFError) as e:
        st, body = repr(e), b""
    check(st == 200 and len(body) == 4096, "waiting client served once descriptors were freed: "
          "%s" % st)
    waiting.close()
    fresh = connect(port)
    st = ask(fresh)
    check(st == 200, "new connection served after recovery: %s" % st)
    for s in kept + idle + [fresh]:
        s.close()
    check(wait_until(lambda: fd_count(pid) < 10, 3), "descriptors released: %d" % fd_count(pid))
    check(p.poll() is None, "proxy alive")
    log.seek(0)
    lines = log.read().decode(errors="replace").splitlines()
    check(0 < len(lines) <= 10, "proxy log while out of descriptors: %d lines (want the "
          "EMFILE warning, once per episode): %s" % (len(lines), lines[:3]))


if __name__ == "__main__":
    run_checks(main, "proxy nofile %s" % sys.argv[1])
