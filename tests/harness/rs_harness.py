"""The one helper module of ringside's Python tests (standard library only, plus
python3-jsonschema for validate()). Tests in tests/harness/ import it directly;
tests elsewhere put tests/harness/ on sys.path first:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
    from rs_harness import ...

What it holds: where the binaries are ($RS_BUILD, $RS_SOURCE), exits (fail 1, skip
77, each saying why), schema validation, /proc scans (children, descriptors, CPU),
servers started with --port 0 --ready-fd and stopped by run_checks(), HTTP/1.1
responses read off sockets, and two test upstreams (silent/resetting, recording).
Only loopback addresses; every wait is bounded.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("RS_BUILD") or os.path.join(_HERE, "../../build")
SOURCE = os.environ.get("RS_SOURCE") or os.path.join(_HERE, "../..")
RINGSIDE = os.path.join(BUILD, "ringside")
ECHO = os.path.join(BUILD, "ringside-echo")
ORIGIN = os.path.join(BUILD, "ringside-origin")
PROXY = os.path.join(BUILD, "ringside-proxy")
LOAD = os.path.join(BUILD, "ringside-load")
SCHEMA = os.path.join(SOURCE, "docs", "results.schema.json")
# The smoke-suite run that harness_smoke makes and harness_time reads (tests/harness/CMakeLists.txt).
SMOKE_DIR = os.path.join(BUILD, "tests", "harness_smoke")
# It overrides the suite's 1 s windows and 0.3 s warmups: every cell and figure is the same.
SMOKE_RUN = ["run", "--suite", "smoke", "--duration", "0.4", "--warmup", "0.1"]
SKIP = 77
TIMEOUT = 5.0  # seconds any one socket operation of a test may take

procs = []  # servers (and other children) that run_checks() stops
failures = []  # check() failures so far
_cleanups = []


def fail(msg):
    """Fails the test now (exit 1)."""
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def skip(msg):
    """Skips the test now (exit 77), saying why."""
    print("SKIP: " + msg, flush=True)
    sys.exit(SKIP)


def check(cond, what):
    """Records a failure (the test goes on; run_checks() exits 1 at the end)."""
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


def wait_until(cond, seconds):
    """Polls cond() until it is true or seconds have passed; returns its last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def need_binaries():
    for name in ("ringside", "ringside-echo", "ringside-load", "ringside-proxy",
                 "ringside-origin"):
        if not os.access(os.path.join(BUILD, name), os.X_OK):
            fail("%s is not built in %s" % (name, BUILD))
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        skip("python3-jsonschema is not installed (apt-get install python3-jsonschema)")


def ok_cells(doc):
    """doc's cells as (name, cell) for the ok ones, and the io_uring cells the kernel
    refused ("model c=N (reason)"); any other cell that is not ok fails the test."""
    ok, refused = [], []
    for c in doc["cells"]:
        name = "%s c=%d" % (c["model"], c["connections"])
        if c["status"] == "skipped" and c["model"].startswith("uring") and c["reason"]:
            refused.append("%s (%s)" % (name, c["reason"]))
        elif c["status"] != "ok":
            fail("%s is %s: %s" % (name, c["status"], c["reason"]))
        else:
            ok.append((name, c))
    return ok, refused


def validate(path, schema_path=SCHEMA):
    """Loads results.json and checks it against the schema; fails the test if invalid."""
    import jsonschema
    with open(schema_path) as f:
        schema = json.load(f)
    with open(path) as f:
        doc = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = list(cls(schema).iter_errors(doc))
    for e in errors[:10]:
        print("schema: %s: %s" % ("/".join(str(p) for p in e.path) or "(top)", e.message))
    if errors:
        fail("%s does not validate against %s" % (path, schema_path))
    return doc


def schema_rejects(doc):
    """True if the schema rejects doc (to show the validation can fail)."""
    import jsonschema
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    return any(True for _ in cls(schema).iter_errors(doc))


def proc_table():
    """{pid: (ppid, comm, exe)} for every process now."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            try:
                exe = os.readlink("/proc/%s/exe" % d)
            except OSError:
                exe = ""
            table[int(d)] = (ppid, comm, exe)
        except (OSError, ValueError):
            continue
    return table


def children(pid, comm_prefix=None):
    """PIDs whose parent is pid (optionally only those whose comm starts with comm_prefix)."""
    return [p for p, (pp, comm, _) in proc_table().items()
            if pp == pid and (comm_prefix is None or comm.startswith(comm_prefix))]


def descendants(pid, table=None):
    """Every process below pid (children, their children, ...) in table (default: now)."""
    table = proc_table() if table is None else table
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for p, (pp, _, _) in table.items():
            if pp == parent and p not in found:
                found.add(p)
                todo.append(p)
    return found


def alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] != "Z"
    except OSError:
        return False


def run(args, **kw):
    """Runs `ringside ARGS`; returns the CompletedProcess (text, captured)."""
    return subprocess.run([RINGSIDE] + args, capture_output=True, text=True, timeout=120, **kw)


def kill_mid_cell(args, victim_comm, what, tmp):
    """Runs `ringside run ARGS --out TMP/r`, SIGKILLs the first child whose comm starts
    with victim_comm 0.8 s into the first cell's load (so ARGS give a --duration over
    1 s), and waits for ringside to finish
    (exit 0). The cells run in --order sequential, so the first cell in results.json is
    the one that was hit. Returns (validated results, ringside's stdout)."""
    out = os.path.join(tmp, "r")
    rs = subprocess.Popen([RINGSIDE, "run"] + args + ["--order", "sequential", "--out", out],
                          cwd=tmp,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and rs.poll() is None:
        if children(rs.pid, "ringside-load"):
            found = children(rs.pid, victim_comm)
            if found:
                time.sleep(0.8)  # well inside a measured window of over 1 s
                victim = found[0]
                os.kill(victim, signal.SIGKILL)
                break
        time.sleep(0.02)
    if victim is None:
        rs.kill()
        fail("never saw %s and ringside-load running under ringside" % what)
    try:
        stdout, stderr = rs.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        rs.kill()
        fail("ringside did not finish within 30 s after the %s was killed" % what)
    print(stdout, end="")
    print(stderr, end="")
    if rs.returncode != 0:
        fail("ringside exited %d" % rs.returncode)
    doc = validate(os.path.join(out, "results.json"))
    if len(doc["cells"]) != 2 or doc["status"] != "complete":
        fail("want 2 cells and status complete, got %d, %s" % (len(doc["cells"]),
                                                              doc["status"]))
    return doc, stdout


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
            skip("%s refused by the kernel: %s" % (os.path.basename(argv[0]),
                                                   err or "server exited 3"))
        raise RuntimeError("%s did not start (exit %s): %s" % (argv[0], rc, err))
    return p, int(line.split()[1])


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
    wait_until(lambda: fd_count(pid) <= baseline, 3)
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
                rec["closed"] = time.monotonic()
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


def run_checks(main, name):
    """Runs main(), then stops every process in procs; exits 0 (no failed check),
    1 (a failed check, a crash of the test, a server that exited badly) or 77."""
    rc = 0
    try:
        main()
        rc = 1 if failures else 0
    except SystemExit as e:  # fail() or skip()
        rc = e.code if isinstance(e.code, int) else 1
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
            if rcp not in (0, -15) and rc != SKIP:
                print("FAIL: %s exited %s" % (p.args[0], rcp))
                rc = 1
    if rc == 0:
        print("%s: all checks passed" % name)
    sys.exit(rc)


def run_validated(args, out, cwd):
    """`ringside ARGS --out OUT --quiet`: echoes its output, fails the test unless it
    exits 0, and returns OUT/results.json validated."""
    p = run(args + ["--out", out, "--quiet"], cwd=cwd)
    print(p.stdout, end="")
    print(p.stderr, end="")
    if p.returncode != 0:
        fail("ringside %s exited %d" % (args[0], p.returncode))
    return validate(os.path.join(out, "results.json"))
