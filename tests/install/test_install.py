#!/usr/bin/python3
"""`cmake --install $RS_BUILD --prefix P` gives a working ringside: from a directory
outside the source and build trees, P/bin/ringside runs the smoke suite (0.3-s windows) with the
workload programs of P/bin (not the build tree's), results.json validates against
the installed schema, `P/bin/ringside plot` draws the charts with P/share/ringside/
scripts, and with those scripts moved away plot fails instead of finding the source
tree's. Usage: test_install.py CMAKE. Exit 0 pass, 1 fail, 77 skip (no gnuplot, or
the kernel refused a cell)."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../harness"))
from rs_harness import BUILD, children, fail, need_binaries, proc_table, skip, validate  # noqa: E402

PROGRAMS = ("ringside", "ringside-echo", "ringside-proxy", "ringside-origin", "ringside-load")
need_binaries()
if not shutil.which("gnuplot"):
    skip("gnuplot is not installed (apt-get install gnuplot-nox)")
env = {k: v for k, v in os.environ.items()
       if k not in ("RINGSIDE_GNUPLOT_DIR", "RS_BUILD", "RS_SOURCE")}
with tempfile.TemporaryDirectory(prefix="rs-install-") as tmp:
    prefix = os.path.join(tmp, "prefix")
    r = subprocess.run([sys.argv[1], "--install", BUILD, "--prefix", prefix],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail("cmake --install: exit %d: %s" % (r.returncode, r.stderr))
    for name in PROGRAMS:
        if not os.access(os.path.join(prefix, "bin", name), os.X_OK):
            fail("%s not installed in %s/bin" % (name, prefix))
    share = os.path.join(prefix, "share")
    for f in ("ringside/scripts/common.gp", "ringside/results.schema.json",
              "doc/ringside/README.md", "doc/ringside/results.md",
              "doc/ringside/results.schema.json"):
        if not os.path.isfile(os.path.join(share, f)):
            fail("share/%s not installed" % f)

    work = os.path.join(tmp, "work")  # outside the source and build trees
    os.mkdir(work)
    ringside = os.path.join(prefix, "bin", "ringside")
    out = os.path.join(work, "smoke")
    rs = subprocess.Popen([ringside, "run", "--suite", "smoke", "--duration", "0.3",
                           "--warmup", "0.1", "--out", out, "--quiet"],
                          cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    exes = set()
    deadline = time.monotonic() + 100
    while rs.poll() is None and time.monotonic() < deadline:
        table = proc_table()
        exes.update(table[p][2] for p in children(rs.pid, "ringside-") if p in table)
        time.sleep(0.02)
    try:
        stdout, stderr = rs.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        rs.kill()
        fail("the installed ringside run did not finish within 100 s")
    print(stdout, end="")
    print(stderr, end="")
    if rs.returncode != 0:
        fail("installed ringside run: exit %d" % rs.returncode)
    exes.discard("")
    bindir = os.path.realpath(os.path.join(prefix, "bin"))
    if not exes or any(os.path.dirname(os.path.realpath(e)) != bindir for e in exes):
        fail("the workload programs did not all come from %s: %r" % (bindir, sorted(exes)))
    doc = validate(os.path.join(out, "results.json"),
                   os.path.join(share, "ringside", "results.schema.json"))
    refused = ["%s (%s)" % (c["model"], c["reason"]) for c in doc["cells"]
               if c["status"] == "skipped"]
    bad = [c["model"] for c in doc["cells"] if c["status"] not in ("ok", "skipped")]
    if bad or doc["status"] != "complete":
        fail("status %s, cells not ok: %r" % (doc["status"], bad))

    r = subprocess.run([ringside, "plot", out], cwd=work, env=env, capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        fail("installed ringside plot: exit %d: %s" % (r.returncode, r.stderr))
    pngs = glob.glob(os.path.join(out, "charts", "*.png"))
    svgs = glob.glob(os.path.join(out, "charts", "*.svg"))
    if not pngs or len(pngs) != len(svgs) or any(os.path.getsize(f) == 0 for f in pngs + svgs):
        fail("charts: %d PNG, %d SVG in %s/charts" % (len(pngs), len(svgs), out))
    # Without its installed scripts it must fail, not use the source tree's.
    scripts = os.path.join(share, "ringside", "scripts")
    os.rename(scripts, scripts + ".away")
    r = subprocess.run([ringside, "plot", out], cwd=work, env=env, capture_output=True,
                       text=True, timeout=60)
    if r.returncode == 0 or "cannot find the gnuplot scripts" not in r.stderr:
        fail("plot without P/share/ringside/scripts: exit %d, stderr %r: it found scripts "
             "outside its prefix" % (r.returncode, r.stderr))
    print("ok: installed in %s: %d cells, %d charts, exes %s" % (
        prefix, len(doc["cells"]), len(pngs), ", ".join(sorted(os.path.basename(e)
                                                              for e in exes))))
if refused:  # everything else passed, but those cells were not checked
    skip("the kernel refused %s" % "; ".join(refused))
