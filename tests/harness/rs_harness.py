"""Shared helpers for the `ringside run` tests: where the binaries are, schema
validation, and /proc scans for the children of a ringside process."""
import json
import os
import signal
import subprocess
import sys
import time

BUILD = os.environ.get("RS_BUILD") or os.path.join(os.path.dirname(__file__), "../../build")
SOURCE = os.environ.get("RS_SOURCE") or os.path.join(os.path.dirname(__file__), "../..")
RINGSIDE = os.path.join(BUILD, "ringside")
SCHEMA = os.path.join(SOURCE, "docs", "results.schema.json")
SKIP = 77


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(SKIP)


def need_binaries():
    for name in ("ringside", "ringside-echo", "ringside-load", "ringside-proxy",
                 "ringside-origin"):
        if not os.access(os.path.join(BUILD, name), os.X_OK):
            fail("%s is not built in %s" % (name, BUILD))
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        skip("python3-jsonschema is not installed (apt-get install python3-jsonschema)")


def validate(path):
    """Loads results.json and checks it against the schema; fails the test if invalid."""
    import jsonschema
    with open(SCHEMA) as f:
        schema = json.load(f)
    with open(path) as f:
        doc = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = list(cls(schema).iter_errors(doc))
    for e in errors[:10]:
        print("schema: %s: %s" % ("/".join(str(p) for p in e.path) or "(top)", e.message))
    if errors:
        fail("%s does not validate against %s" % (path, SCHEMA))
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


def alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] != "Z"
    except OSError:
        return False


def run(args, **kw):
    return subprocess.run([RINGSIDE] + args, capture_output=True, text=True, timeout=120, **kw)


def kill_mid_cell(args, victim_comm, what, tmp):
    """Runs `ringside run ARGS --out TMP/r`, SIGKILLs the first child whose comm starts
    with victim_comm 0.8 s into the first cell's load, and waits for ringside to finish
    (exit 0). Returns (validated results, ringside's stdout)."""
    out = os.path.join(tmp, "r")
    rs = subprocess.Popen([RINGSIDE, "run"] + args + ["--out", out], cwd=tmp,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and rs.poll() is None:
        if children(rs.pid, "ringside-load"):
            found = children(rs.pid, victim_comm)
            if found:
                time.sleep(0.8)  # well inside the 3-s measured window
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


def run_validated(args, out, cwd):
    """`ringside ARGS --out OUT --quiet`: echoes its output, fails the test unless it
    exits 0, and returns OUT/results.json validated."""
    p = run(args + ["--out", out, "--quiet"], cwd=cwd)
    print(p.stdout, end="")
    print(p.stderr, end="")
    if p.returncode != 0:
        fail("ringside %s exited %d" % (args[0], p.returncode))
    return validate(os.path.join(out, "results.json"))
