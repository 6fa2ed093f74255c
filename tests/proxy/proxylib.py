"""Helpers shared by the ringside-proxy tests (Python 3 standard library only).

Starts servers with --port 0 --ready-fd and stops every one of them at exit, reads
HTTP/1.1 responses off sockets, counts a process's descriptors, and provides two test
upstreams: a silent/resetting one and a recording one that keeps every byte the proxy
sends it. Only loopback addresses; every wait is bounded. Exit 0 pass, 1 fail, 77 skip.
"""
import os
import socket
import subprocess
import sys
import threading
import time

BUILD = os.environ.get("RS_BUILD", os.path.join(os.path.dirname(__file__), "../../build"))
ORIGIN = os.path.join(BUILD, "ringside-origin")
PROXY = os.path.join(BUILD, "ringside-proxy")
LOAD = os.path.join(BUILD, "ringside-load")
TIMEOUT = 5.0
procs = []
failures = []
_cleanups = []


class Skip(Exception):
    pass


def start(argv, preexec_fn=None, stderr=subprocess.PIPE):
    """Starts a server with --port 0 --ready-fd; returns (proc, port)."""
    r, w = os.pipe()
    p = subprocess.Popen(argv + ["--port", "0", "--ready-fd", str(w)], pass_fds=(w,),
                         stderr=stderr, preexec_fn=preexec_fn)
    os.close(w)
    procs.append(p)
    with os.fdopen(r) as f:
        line = f.readline()
    if not line.startswith("ready "):
        rc = p.wait(timeout=TIMEOUT)
        err = p.stderr.read().decode(errors="replace").strip() if p.stderr else ""
        if rc == 3:
            raise Skip(err or "server exited 3")
        raise RuntimeError("%s did not start (exit %s): %s" % (argv[0], rc, err))
    return p, int(line.split()[1])


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


def connect(port, timeout=TIMEOUT):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
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


def closed_after(s):
    """True if the peer closes s (FIN or reset) within the socket's timeout."""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def exchange_raw(port, data):
    """Sends raw bytes; returns (status, closed_after) or (None, True) if reset/closed."""
    s = connect(port)
    try:
        try:
            s.sendall(data)
        except (ConnectionResetError, BrokenPipeError):
            pass  # answered and closed before all was sent: read what came back
        r = Reader(s)
        try:
            st, h, _ = r.response()
        except (EOFError, ConnectionResetError):
            return None, True
        return st, closed_after(s)
    finally:
        s.close()


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def wait_fds(pid, baseline, what):
    deadline = time.time() + 3
    while time.time() < deadline and fd_count(pid) > baseline:
        time.sleep(0.05)
    check(fd_count(pid) <= baseline, "%s: %d fds open, baseline %d" % (what, fd_count(pid), baseline))


def _listener():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    ls.settimeout(0.2)
    return ls


def silent_server(mode):
    """Upstream helper: 'silent' accepts and never answers; 'reset' answers half a response
    then closes. Returns (port, stop)."""
    ls = _listener()
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
    _cleanups.append(stop.set)
    return ls.getsockname()[1], stop


def _request_end(buf):
    """Length of the first complete request in buf (Content-Length, chunked or no
    body), or None while it is incomplete."""
    he = buf.find(b"\r\n\r\n")
    if he < 0:
        return None
    head, i = buf[:he].lower(), he + 4
    length, chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip() == b"content-length":
            length = int(v.strip())
        elif k.strip() == b"transfer-encoding":
            chunked = v.strip().endswith(b"chunked")
    if not chunked:
        return i + length if len(buf) >= i + length else None
    while True:  # chunk-size [ext] CRLF data CRLF ... 0 CRLF trailers CRLF
        le = buf.find(b"\r\n", i)
        if le < 0:
            return None
        size = int(buf[i:le].split(b";")[0], 16)
        i = le + 2
        if size == 0:
            te = buf.find(b"\r\n\r\n", i - 2)
            return te + 4 if te >= 0 else None
        i += size + 2
        if len(buf) < i:
            return None


class RecordingUpstream:
    """An upstream that records every byte it receives, one record per connection
    ({"data": bytearray, "closed": time or None}), and answers 200 "ok" to each
    complete request. It never answers an incomplete one."""

    def __init__(self):
        self.ls = _listener()
        self.port = self.ls.getsockname()[1]
        self.conns = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        _cleanups.append(self.stop.set)

    def _accept(self):
        while not self.stop.is_set():
            try:
                c, _ = self.ls.accept()
            except socket.timeout:
                continue
            rec = {"data": bytearray(), "closed": None}
            with self.lock:
                self.conns.append(rec)
            threading.Thread(target=self._serve, args=(c, rec), daemon=True).start()
        self.ls.close()

    def _serve(self, c, rec):
        c.settimeout(0.2)
        pending = b""
        while not self.stop.is_set():
            try:
                d = c.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                d = b""
            if not d:
                rec["closed"] = time.time()
                break
            with self.lock:
                rec["data"] += d
            pending += d
            n = _request_end(pending)
            while n is not None:
                pending = pending[n:]
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                n = _request_end(pending)
        c.close()

    def snapshot(self):
        with self.lock:
            return len(self.conns), sum(len(r["data"]) for r in self.conns)

    def since(self, n):
        with self.lock:
            return [{"data": bytes(r["data"]), "closed": r["closed"], "rec": r}
                    for r in self.conns[n:]]


def wait_until(cond, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def task_cpu_s(pid, skip_prefix="iou-"):
    """CPU seconds (user + system) of pid's threads, leaving out the kernel's io_uring
    helpers (an SQPOLL thread polls by design)."""
    hz = os.sysconf("SC_CLK_TCK")
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        if comm.startswith(skip_prefix):
            continue
        fields = st[st.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total / hz


def run(main, name):
    """Runs main(), then stops every server; exits 0, 1 or 77."""
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
        for f in _cleanups:
            f()
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                rcp = p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rcp = "killed"
                rc = rc or 1
            if rcp not in (0, -15) and rc != 77:
                print("FAIL: %s exited %s" % (p.args[0], rcp))
                rc = 1
    if rc == 0:
        print("%s: all checks passed" % name)
    sys.exit(rc)
