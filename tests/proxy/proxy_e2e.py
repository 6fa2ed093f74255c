#!/usr/bin/python3
"""End-to-end tests of ringside-proxy in one I/O model (argv[1]) against ringside-origin.

Relays 2,000 requests over 100 keep-alive connections, a chunked upstream response, and
request bodies (Content-Length and chunked); sends every kind of bad input (request
line, Content-Length, Transfer-Encoding, chunk sizes, header floods) to a proxy in front
of a recording upstream and checks each gets its 4xx, a closed connection, and that
nothing of it reached the upstream; checks upstream faults (502, 504, reset); drops a
slowloris client (a head trickled 1 byte / 100 ms) while serving others, or, in the
blocking model, keeps it as documented; routes two hosts to two origins (404 for an
unknown one); checks no descriptor leaks. Exit 0 pass, 1 fail, 77 skip.
"""
import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import (ORIGIN, PROXY, Reader, RecordingUpstream, check,  # noqa: E402
                        closed_after, connect, exchange_raw, fd_count, get, pattern, run_checks,
                        silent_server, start, wait_fds, wait_until)


def test_relay(port, body_bytes):
    conns = [connect(port) for _ in range(100)]
    readers = [Reader(s) for s in conns]
    want = pattern(body_bytes)
    ok = 0
    for _ in range(20):
        for s in conns:
            s.sendall(b"GET /r HTTP/1.1\r\nHost: t\r\n\r\n")
        for r in readers:
            st, _, body = r.response()
            ok += st == 200 and body == want
    for s in conns:
        s.close()
    check(ok == 2000, "relay: %d of 2000 responses were 200 with the full body" % ok)


def test_bodies(port):
    for size in (11, 100000):
        data = os.urandom(size)
        fnv = 1469598103934665603
        for b in data:
            fnv = ((fnv ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
        want = b"len=%d fnv=%016x\n" % (size, fnv)
        s = connect(port)
        s.sendall(b"POST /u HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % size + data)
        st, _, body = Reader(s).response()
        check(st == 200 and body == want, "Content-Length body of %d: %s %r" % (size, st, body))
        # chunked, in uneven chunks, with an extension and a trailer
        chunks, i = b"", 0
        while i < size:
            n = min(7777, size - i)
            chunks += b"%x;x=1\r\n" % n + data[i:i + n] + b"\r\n"
            i += n
        s.sendall(b"POST /u HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
                  + b"0\r\nX-T: 1\r\n\r\n")
        st, _, body = Reader(s).response()
        check(st == 200 and body == want, "chunked body of %d: %s %r" % (size, st, body))
        s.close()


H = b"Host: t\r\n"
# (request, status, what): each is answered before anything of it is forwarded.
BAD_REQUESTS = [
    (b"GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400, "malformed field"),
    (b"GET / HTTP/1.1\nHost: t\r\n\r\n", 400, "bare LF"),
    (b"GET\r\n\r\n", 400, "request line without target and version"),
    (b"GET / HTTP/1.1 extra\r\n" + H + b"\r\n", 400, "request line with an extra word"),
    (b"GET  / HTTP/1.1\r\n" + H + b"\r\n", 400, "two spaces in the request line"),
    (b"get / HTTP/1.1\r\n" + H + b"\r\n", 400, "lowercase method"),
    (b"G(T / HTTP/1.1\r\n" + H + b"\r\n", 400, "method with a separator"),
    (b"G\x7fT / HTTP/1.1\r\n" + H + b"\r\n", 400, "method with a control byte"),
    (b"GET / HTTP/1.2\r\n" + H + b"\r\n", 505, "HTTP/1.2"),
    (b"GET / HTTP/1.1\r\n\r\n", 400, "no Host"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n", 400, "two Hosts"),
    (b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400,
     "two different Content-Lengths"),
    (b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3, 4\r\n\r\nabcd", 400,
     "Content-Length: 3, 4"),
    (b"POST / HTTP/1.1\r\n" + H + b"Content-Length: -3\r\n\r\nabc", 400, "negative Content-Length"),
    (b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"
     b"\r\n3\r\nabc\r\n0\r\n\r\n", 400, "smuggling CL+TE"),
    (b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n"
     b"0\r\n\r\n", 400, "Transfer-Encoding: chunked, identity"),
    (b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\nabc", 400,
     "Transfer-Encoding: gzip"),
    (b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
     b"\r\n0\r\n\r\n", 400, "chunked twice"),
    (b"GET / HTTP/1.1\r\n" + H + b"X: " + b"y" * 17000 + b"\r\n\r\n", 431, "17 KiB header"),
    # > HTTP_MAX_HEADERS (64) fields is "too large" too, long before 16 KiB.
    (b"GET / HTTP/1.1\r\n" + H + b"a: b\r\n" * 3000 + b"\r\n", 431, "3,000 tiny fields (18 KiB)"),
    (b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 300) for i in range(60))
     + b"\r\n", 431, "60 fields of 300 bytes (18 KiB)"),
    (b"GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n", 403, "open proxy"),
    (b"GET / HTTP/1.1\r\n" + H + b"Upgrade: websocket\r\nConnection: upgrade\r\n\r\n", 501,
     "upgrade"),
]
CHUNK_HEAD = b"POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
# (chunked body, bytes of it before the first bad one, what)
BAD_CHUNKS = [
    (b"zz\r\nab\r\n0\r\n\r\n", 0, "non-hex chunk size"),
    (b"-1\r\nab\r\n0\r\n\r\n", 0, "negative chunk size"),
    (b"10000000000000000\r\n" + b"x" * 16, 15, "chunk size 2^64"),
    (b"3\r\nabcXY\r\n0\r\n\r\n", 6, "no CRLF after chunk data"),
]
CONTROL = b"GET /control HTTP/1.1\r\nHost: t\r\n\r\n"


def control(rec, port, what, n, allow=b""):
    """A good request after a bad one: served, and since upstream connection n the only
    thing the upstream got (besides a prefix of allow, for a chunked body)."""
    s = connect(port)
    s.sendall(CONTROL)
    st, _, body = Reader(s).response()
    s.close()
    check(st == 200 and body == b"ok", "served after %s: %s %r" % (what, st, body))
    got = [r["data"] for r in rec.since(n)]
    if allow and got and got[0] != CONTROL and allow.startswith(got[0]):
        got = got[1:]
    check(got == [CONTROL], "after %s the upstream got %d connections: %r" %
          (what, len(got), [g[:60] for g in got]))


def test_bad_input(model):
    """Every bad request gets its status and a close, and nothing reaches the upstream."""
    rec = RecordingUpstream()
    p, port = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % rec.port])
    base = fd_count(p.pid)
    for data, want, what in BAD_REQUESTS:
        n, _ = rec.snapshot()
        st, closed = exchange_raw(port, data)
        check(st == want and closed, "%s: status %s (want %d), closed %s" % (what, st, want, closed))
        control(rec, port, what, n)
    wait_fds(p.pid, base, "bad requests")

    for body, ok_len, what in BAD_CHUNKS:
        # All at once: the bad chunk arrives with the head, so nothing is forwarded.
        n, _ = rec.snapshot()
        st, closed = exchange_raw(port, CHUNK_HEAD + body)
        check(st == 400 and closed, "%s: status %s (want 400), closed %s" % (what, st, closed))
        control(rec, port, what, n, CHUNK_HEAD + body[:ok_len])
        # Head first, then the bad chunk: the head is forwarded; the bad bytes are not,
        # and the proxy closes that upstream connection by itself (client still open).
        n, _ = rec.snapshot()
        s = connect(port)
        s.sendall(CHUNK_HEAD)
        check(wait_until(lambda: any(r["data"] == CHUNK_HEAD for r in rec.since(n)), 2),
              "%s: head forwarded before the body" % what)
        s.sendall(body)
        try:
            st, _, _ = Reader(s).response()
        except (EOFError, ConnectionResetError):
            st = None
        check(st in (400, None) and closed_after(s), "%s after the head: %s" % (what, st))
        ups = rec.since(n)
        check(len(ups) == 1 and wait_until(lambda: ups[0]["rec"]["closed"], 2),
              "%s after the head: upstream connection closed by the proxy" % what)
        check(all((CHUNK_HEAD + body[:ok_len]).startswith(bytes(u["rec"]["data"])) for u in ups),
              "%s after the head: upstream got %r" % (what, [bytes(u["rec"]["data"]) for u in ups]))
        s.close()
    wait_fds(p.pid, base, "bad chunks")
    check(p.poll() is None, "proxy alive after bad input")


def test_faults(model, port, ppid):
    base = fd_count(ppid)
    # 502: nothing listens on the upstream port
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    dead_port = free.getsockname()[1]
    free.close()
    p502, port502 = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % dead_port])
    st, closed = exchange_raw(port502, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    check(st == 502 and closed, "refused upstream: status %s" % st)
    check(p502.poll() is None, "proxy alive after 502")

    # 504: the upstream accepts and never answers
    sport, sstop = silent_server("silent")
    p504, port504 = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % sport,
                           "--upstream-timeout", "300"])
    b504 = fd_count(p504.pid)
    t0 = time.time()
    st, closed = exchange_raw(port504, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    check(st == 504 and closed and time.time() - t0 < 3, "silent upstream: status %s" % st)
    # client gone while waiting for that upstream: both sides cleaned up
    s = connect(port504)
    s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    time.sleep(0.1)
    s.close()
    wait_fds(p504.pid, b504, "client gone mid-request")
    sstop.set()

    # reset: the upstream closes mid-response; the client sees a short, closed response
    rport, rstop = silent_server("reset")
    prst, portrst = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % rport])
    brst = fd_count(prst.pid)
    s = connect(portrst)
    s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    got = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except OSError:
        pass
    s.close()
    check(got.startswith(b"HTTP/1.1 200") and len(got.split(b"\r\n\r\n", 1)[1]) < 1000,
          "reset mid-response: got %d bytes" % len(got))
    wait_fds(prst.pid, brst, "upstream reset")
    rstop.set()
    check(get(port)[0] == 200, "main proxy serves after faults")
    wait_fds(ppid, base, "fault cases")


def test_idle(model, oport):
    if model == "blocking":
        args = ["--idle-timeout", "200"]  # SO_RCVTIMEO on the client socket
    else:
        args = ["--idle-timeout", "200", "--threads", "1"]
    p, port = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % oport] + args)
    s = connect(port)
    t0 = time.time()
    try:
        closed = s.recv(1) == b""
    except (socket.timeout, ConnectionResetError):
        closed = False
    check(closed and time.time() - t0 < 2, "idle client dropped after %.2fs" % (time.time() - t0))
    s.close()


def test_routes(model, a_port, b_port):
    p, port = start([PROXY, "--model", model, "--route", "a.test=127.0.0.1:%d" % a_port,
                     "--route", "b.test=127.0.0.1:%d" % b_port])
    st, _, body = get(port, host="a.test")
    check(st == 200 and len(body) == 1000, "route a.test: %s %d" % (st, len(body)))
    st, _, body = get(port, host="B.test:8080")
    check(st == 200 and len(body) == 2000, "route b.test: %s %d" % (st, len(body)))
    st, _, _ = get(port, host="c.test")
    check(st == 404, "unknown host: %s" % st)
    st, _ = exchange_raw(port, b"GET http://c.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n")
    check(st == 404, "absolute-form to an unknown host: %s" % st)
    st, _, body = get(port, path="http://b.test/x", host="a.test")
    check(st == 200 and len(body) == 2000, "absolute-form picks b.test: %s" % st)


SLOW_HEAD = b"GET / HTTP/1.0\r\n\r\n"  # 18 bytes: 1.8 s at 1 byte / 100 ms


def trickle(port, out):
    """Sends SLOW_HEAD 1 byte / 100 ms; out gets when the proxy closed the connection
    (seconds after connect, None if it did not) and what it answered."""
    s = connect(port)
    t0, got, closed = time.time(), b"", None
    try:
        for i in range(len(SLOW_HEAD) + 30):  # the head, then up to 3 s for the answer
            if i < len(SLOW_HEAD):
                s.send(SLOW_HEAD[i:i + 1])
            if select.select([s], [], [], 0.1)[0]:
                d = s.recv(65536)
                got += d
                if not d:
                    closed = time.time() - t0
                    break
    except OSError:
        closed = time.time() - t0
    s.close()
    out.update(closed=closed, got=got)


def stall(port, out):
    """Sends half a head, then nothing: out["closed"] says after how long it was dropped."""
    s = connect(port, timeout=3)
    t0 = time.time()
    s.sendall(SLOW_HEAD[:8])
    out["closed"] = time.time() - t0 if closed_after(s) else None
    s.close()


def test_slowloris(model, oport):
    """--idle-timeout 300: the whole head must arrive within 300 ms (event models) while
    others are served; the blocking model times out each receive instead (proxy.h)."""
    p, port = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % oport,
                     "--idle-timeout", "300", "--threads", "1"])
    slow, stalled = {}, {}
    threads = [threading.Thread(target=trickle, args=(port, slow)),
               threading.Thread(target=stall, args=(port, stalled))]
    for t in threads:
        t.start()
    # A normal keep-alive client, one request every 100 ms, served all along.
    s = connect(port)
    r, ok, sent = Reader(s), 0, 0
    while (any(t.is_alive() for t in threads) or sent < 8) and sent < 60:
        s.sendall(b"GET /n HTTP/1.1\r\nHost: t\r\n\r\n")
        sent += 1
        st, _, body = r.response()
        ok += st == 200 and len(body) == 4096
        time.sleep(0.1)
    for t in threads:
        t.join(10)
    s.sendall(b"GET /n HTTP/1.1\r\nHost: t\r\n\r\n")
    st, _, _ = r.response()
    s.close()
    check(ok == sent and st == 200,
          "normal client during slowloris: %d of %d served, then %s" % (ok, sent, st))
    check(get(port)[0] == 200, "a new client is served after slowloris")
    if model == "blocking":
        check(slow.get("closed") is not None and slow["got"].startswith(b"HTTP/1.1 200")
              and slow["closed"] > 1.7,
              "blocking: a trickler is kept while it trickles (SO_RCVTIMEO per receive) and "
              "served: closed after %s s, got %r" % (slow.get("closed"), slow.get("got", b"")[:20]))
    else:
        check(slow.get("closed") is not None and 0.25 <= slow["closed"] <= 1.5 and not slow["got"],
              "slowloris dropped within 1.5 s without a reply: closed after %s s, got %r"
              % (slow.get("closed"), slow.get("got", b"")[:20]))
    check(stalled.get("closed") is not None and 0.25 <= stalled["closed"] <= 1.5,
          "a client silent mid-head dropped: after %s s" % stalled.get("closed"))
    # A slow body is progress: 5 pieces 150 ms apart (750 ms > 300 ms) all get through.
    s = connect(port)
    s.sendall(b"POST /u HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n")
    for b in b"abcde":
        time.sleep(0.15)
        s.sendall(bytes([b]))
    st, _, body = Reader(s).response()
    s.close()
    check(st == 200 and body.startswith(b"len=5 "), "slow body upload served: %s %r" % (st, body))


def main():
    model = sys.argv[1]
    _, oport = start([ORIGIN, "--threads", "1", "--body-bytes", "4096"])
    _, cport = start([ORIGIN, "--threads", "1", "--body-bytes", "5000", "--chunked"])
    _, aport = start([ORIGIN, "--body-bytes", "1000"])
    _, bport = start([ORIGIN, "--body-bytes", "2000"])
    proxy, port = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % oport])
    base = fd_count(proxy.pid)

    test_relay(port, 4096)
    wait_fds(proxy.pid, base, "after 100 keep-alive connections")
    pc, cport_p = start([PROXY, "--model", model, "--upstream", "127.0.0.1:%d" % cport])
    st, h, body = get(cport_p)
    check(st == 200 and h.get("transfer-encoding") == "chunked" and body == pattern(5000),
          "chunked upstream response relayed: %s %d bytes" % (st, len(body)))
    test_bodies(port)
    test_bad_input(model)
    test_faults(model, port, proxy.pid)
    test_idle(model, oport)
    test_slowloris(model, oport)
    test_routes(model, aport, bport)
    check(proxy.poll() is None, "proxy still running")


if __name__ == "__main__":
    run_checks(main, "proxy e2e %s" % sys.argv[1])
