#!/usr/bin/python3
"""End-to-end tests of ringside-proxy in one I/O model (argv[1]) against ringside-origin.

Relays 2,000 requests over 100 keep-alive connections, a chunked upstream response, and
request bodies (Content-Length and chunked); checks every bad-input and fault case gets
its status (400, 431, 502, 504, reset, client gone) while other clients keep being
served; routes two hosts to two origins (404 for an unknown one); checks no descriptor
leaks. Servers use --port 0 --ready-fd; only loopback. Exit 0 pass, 1 fail, 77 skip.
"""
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time

BUILD = os.environ.get("RS_BUILD", os.path.join(os.path.dirname(__file__), "../../build"))
ORIGIN = os.path.join(BUILD, "ringside-origin")
PROXY = os.path.join(BUILD, "ringside-proxy")
TIMEOUT = 5.0
procs = []
failures = []


class Skip(Exception):
    pass


def start(argv):
    """Starts a server with --port 0 --ready-fd; returns (proc, port)."""
    r, w = os.pipe()
    p = subprocess.Popen(argv + ["--port", "0", "--ready-fd", str(w)], pass_fds=(w,),
                         stderr=subprocess.PIPE)
    os.close(w)
    procs.append(p)
    with os.fdopen(r) as f:
        line = f.readline()
    if not line.startswith("ready "):
        rc = p.wait(timeout=TIMEOUT)
        err = p.stderr.read().decode(errors="replace").strip()
        if rc == 3:
            raise Skip(err or "server exited 3")
        raise RuntimeError("%s did not start (exit %s): %s" % (argv[0], rc, err))
    return p, int(line.split()[1])


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Reads HTTP/1.1 responses off a socket (Content-Length, chunked or close)."""

    def __init__(self, sock):
        self.s, self.buf = sock, b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def response(self, head_only=False):
        status = int(self.line().split()[1])
        headers = {}
        while True:
            line = self.line()
            if not line:
                break
            k, v = line.split(b":", 1)
            headers[k.strip().lower().decode()] = v.strip().decode()
        if head_only:
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    break
                body += self.take(size)
                self.take(2)
        elif "content-length" in headers:
            body = self.take(int(headers["content-length"]))
        else:
            body = self.buf
            self.buf = b""
            try:
                while True:
                    d = self.s.recv(65536)
                    if not d:
                        break
                    body += d
            except OSError:
                pass
        return status, headers, body


def pattern(n):
    return bytes(ord("a") + i % 26 for i in range(n))


def get(port, path="/", host="t", extra=b""):
    s = connect(port)
    try:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (path.encode(), host.encode(), extra))
        return Reader(s).response()
    finally:
        s.close()


def exchange_raw(port, data):
    """Sends raw bytes; returns (status, closed_after) or (None, True) if reset/closed."""
    s = connect(port)
    try:
        s.sendall(data)
        r = Reader(s)
        try:
            st, h, _ = r.response()
        except (EOFError, ConnectionResetError):
            return None, True
        try:
            closed = s.recv(1) == b""
        except (ConnectionResetError, socket.timeout):
            closed = True
        return st, closed
    finally:
        s.close()


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def wait_fds(pid, baseline, what):
    deadline = time.time() + 3
    while time.time() < deadline and fd_count(pid) > baseline:
        time.sleep(0.05)
    check(fd_count(pid) <= baseline, "%s: %d fds open, baseline %d" % (what, fd_count(pid), baseline))


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


def silent_server(mode):
    """Upstream helper: 'silent' accepts and never answers; 'reset' answers half a response
    then closes. Returns (port, stop)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    ls.settimeout(0.2)
    stop = threading.Event()
    held = []

    def run():
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except socket.timeout:
                continue
            if mode == "reset":
                c.settimeout(TIMEOUT)
                try:
                    c.recv(65536)
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100)
                except OSError:
                    pass
                c.close()
            else:
                held.append(c)
        for c in held:
            c.close()
        ls.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return ls.getsockname()[1], stop


def test_faults(model, port, oport, ppid):
    base = fd_count(ppid)
    cases = [
        (b"GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400, "malformed"),
        (b"GET / HTTP/1.1\nHost: t\r\n\r\n", 400, "bare LF"),
        (b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
         b"\r\n3\r\nabc\r\n0\r\n\r\n", 400, "smuggling CL+TE"),
        (b"GET / HTTP/1.1\r\nHost: t\r\nX: " + b"y" * 17000 + b"\r\n\r\n", 431, "17 KiB header"),
        (b"GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n", 403, "open proxy"),
        (b"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", 501,
         "upgrade"),
    ]
    for data, want, what in cases:
        st, closed = exchange_raw(port, data)
        check(st == want and closed, "%s: status %s (want %d), closed %s" % (what, st, want, closed))
        check(get(port)[0] == 200, "served after %s" % what)

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
    test_faults(model, port, oport, proxy.pid)
    test_idle(model, oport)
    test_routes(model, aport, bport)
    check(proxy.poll() is None, "proxy still running")


if __name__ == "__main__":
    rc = 0
    try:
        main()
        rc = 1 if failures else 0
    except Skip as e:
        print("skip:", e)
        rc = 77
    except Exception as e:  # a crash of the test itself is a failure
        import traceback
        traceback.print_exc()
        print("FAIL: %s: %s" % (type(e).__name__, e))
        rc = 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                rcp = p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                rcp = "killed"
                rc = rc or 1
            if rcp not in (0, -15) and rc != 77:
                print("FAIL: %s exited %s" % (p.args[0], rcp))
                rc = 1
    if rc == 0:
        print("proxy e2e %s: all checks passed" % sys.argv[1])
    sys.exit(rc)
