#!/usr/bin/python3
"""Regression: a burst of closes that fills the io_uring SQ must not strand connections.

Each connection the uring models close takes two cancel SQEs (client and upstream
socket); uring.c once skipped a cancel when it got no SQE, leaving that connection
waiting forever for a CQE with both descriptors open. This test holds N keep-alive
connections through ringside-proxy in one model (argv[1]), each with one exchange done
(both recvs armed), stops the proxy (SIGSTOP), closes every client and lets it go on
(SIGCONT), then requires every descriptor of those connections released and the proxy
still serving. With uring-sqpoll the kernel thread posts the N EOFs while the loop is
stopped, so one loop turn queues 2N cancels and overfills the 1024-entry SQ (a copy
that drops cancels when the SQ is nearly full strands hundreds of connections here).
With uring (DEFER_TASKRUN) the kernel hands completions over in small batches per
wait and the SQ does not fill; it and epoll run the same burst as controls.
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import resource
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import (ORIGIN, PROXY, Reader, check, connect, fd_count, get,  # noqa: E402
                        run_checks, skip, start, wait_until)

CONNS = 1500  # 3000 cancels: the 1024-entry SQ fills twice over
SPARE_FDS = 64


def raise_nofile():
    """The test, origin and proxy each hold N to 2N descriptors; children inherit it."""
    need = 2 * CONNS + SPARE_FDS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        skip("RLIMIT_NOFILE hard limit %d < %d (2 descriptors per proxied connection)"
             % (hard, need))
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


def main():
    model = sys.argv[1]
    raise_nofile()
    _, oport = start([ORIGIN, "--threads", "1", "--body-bytes", "64"])
    proxy, port = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % oport,
                         "--threads", "1"])
    base = fd_count(proxy.pid)
    socks = []
    for _ in range(CONNS):
        s = connect(port)
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        socks.append(s)
    ok = 0
    for s in socks:
        try:
            st, _, body = Reader(s).response()
            ok += st == 200 and len(body) == 64
        except (OSError, EOFError):
            pass
    if not check(ok == CONNS, "%d of %d keep-alive exchanges answered 200" % (ok, CONNS)):
        return
    held = fd_count(proxy.pid)
    check(held >= 2 * CONNS, "proxy holds %d descriptors: not a client and an upstream "
          "socket for each of %d connections" % (held, CONNS))
    os.kill(proxy.pid, signal.SIGSTOP)
    try:
        for s in socks:
            s.close()  # FIN
        time.sleep(0.3)  # the FINs reach the proxy's sockets while it is stopped
    finally:
        os.kill(proxy.pid, signal.SIGCONT)
    released = wait_until(lambda: fd_count(proxy.pid) <= base, 10)
    check(released, "after %d clients closed at once the proxy still holds %d descriptors "
          "(baseline %d): connections stranded" % (CONNS, fd_count(proxy.pid), base))
    st, _, body = get(port)
    check(st == 200 and len(body) == 64, "served after the burst: %d, %d bytes" % (st, len(body)))
    check(proxy.poll() is None, "proxy alive")


if __name__ == "__main__":
    run_checks(main, "proxy close burst %s (%d connections)" % (sys.argv[1], CONNS))
