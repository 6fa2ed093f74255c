#!/usr/bin/python3
"""Tests for ringside plot/export/report/compare against the fixtures.

Usage: test_report.py CASE   (plot, plot_errors, plot_options, plot_kinds, plot_zero, export,
                             compare, report, curves, report_render, bad_input, fig_literals)
Exit 0 pass, 1 fail, 77 skip (reason printed first). Env: RS_BUILD, RS_SOURCE.
"""
import csv, html, json, os, re, shutil, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

try:
    from PIL import Image  # Debian's python3-pil: reads the charts' PNGs
except ImportError:
    Image = None

SRC = os.environ.get("RS_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RS_BUILD", os.path.join(SRC, "build"))
RINGSIDE = os.path.join(BUILD, "ringside")
FIX = os.path.join(SRC, "tests", "report", "fixtures")
SCRIPTS = os.path.join(SRC, "scripts")
ENV = dict(os.environ, RINGSIDE_GNUPLOT_DIR=SCRIPTS)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def run(*args, env=ENV, timeout=40):
    return subprocess.run([RINGSIDE, *args], capture_output=True, text=True, env=env, timeout=timeout)


def rundir(tmp, fixture):
    d = os.path.join(tmp, fixture)
    os.makedirs(d)
    shutil.copy(os.path.join(FIX, fixture + ".json"), os.path.join(d, "results.json"))
    return d


def load(fixture):
    with open(os.path.join(FIX, fixture + ".json")) as f:
        return json.load(f)


def expected_charts(doc):
    wl = {c["workload"] for c in doc["cells"]}
    names = []
    for w in sorted(wl):
        kinds = ["throughput", "syscalls", "context-switches", "latency", "cpu"]
        if w == "proxy":
            kinds += ["tinygate", "tinygate-p99"]
        names += ["%s-%s" % (w, k) for k in kinds + ["probe-overhead", "cpu-time", "runqueue-p99", "iowq-punts"]]
    return names


def png_info(path):
    """(width, height, pixels-are-not-all-one-colour) from a PNG; None if it is not one."""
    try:
        with Image.open(path) as im:
            if im.format != "PNG":
                return None
            im.load()
            return im.width, im.height, im.getcolors(maxcolors=1) is None
    except (OSError, SyntaxError):
        return None


def case_plot(tmp):
    if Image is None:
        skip("python3-pil is not installed (./scripts/test installs it): cannot read the PNGs")
    for fx in ("echo", "proxy", "noprobes"):
        d = rundir(tmp, fx)
        r = run("plot", d)
        check(r.returncode == 0, "plot %s: exit %d: %s" % (fx, r.returncode, r.stderr))
        check(r.stderr == "", "plot %s: gnuplot or ringside wrote to stderr: %r" % (fx, r.stderr))
        for name in expected_charts(load(fx)):
            png = os.path.join(d, "charts", name + ".png")
            svg = os.path.join(d, "charts", name + ".svg")
            info = png_info(png) if os.path.exists(png) else None
            check(info is not None, "%s: %s.png missing or not a PNG" % (fx, name))
            if info:
                check(info[:2] == (1200, 750), "%s: %s.png is %dx%d" % (fx, name, info[0], info[1]))
                check(info[2], "%s: %s.png is blank" % (fx, name))
            try:
                root = ET.parse(svg).getroot()
                check(root.tag.endswith("svg"), "%s: %s.svg root is %s" % (fx, name, root.tag))
            except (OSError, ET.ParseError) as e:
                check(False, "%s: %s.svg: %s" % (fx, name, e))
            check(os.path.exists(os.path.join(d, "charts", "data", name + ".dat")),
                  "%s: data file for %s missing" % (fx, name))
        leftovers = [f for f in os.listdir(os.path.join(d, "charts")) if ".tmp." in f]
        check(not leftovers, "%s: temp files left: %s" % (fx, leftovers))
    # probes off: the syscall chart draws nothing and says why; no row in its data
    d = os.path.join(tmp, "noprobes")
    with open(os.path.join(d, "charts", "data", "echo-syscalls.dat")) as f:
        rows = [l for l in f if l.strip() and not l.startswith("#")]
    check(rows == [], "noprobes: syscall data has rows %s" % rows[:2])
    with open(os.path.join(d, "charts", "echo-syscalls.svg")) as f:
        check("no data: probes off" in f.read(), "noprobes: syscall chart lacks the probes-off note")
    # skipped and failed cells are named on the charts, not drawn as zero
    d = os.path.join(tmp, "echo")
    with open(os.path.join(d, "charts", "echo-throughput.svg")) as f:
        s = f.read()
    check("skipped: io_uring+SQPOLL at 1000 connections" in s, "echo: skipped cell not noted")
    check("failed: blocking at 1000 connections" in s, "echo: failed cell not noted")
    with open(os.path.join(d, "charts", "data", "echo-throughput.dat")) as f:
        data = f.read()
    # the throughput data holds each ok cell's median, and only those
    doc = load("echo")
    ok = [c for c in doc["cells"] if c["status"] == "ok"]
    for c in ok:
        check("%d %.9g" % (c["connections"], c["summary"]["requests_per_sec"]["median"]) in data,
              "throughput data lacks %s@%d" % (c["model"], c["connections"]))
    rows = [l for l in data.splitlines() if l.strip() and not l.startswith("#")]
    check(len(rows) == len(ok), "throughput data has %d rows, %d ok cells" % (len(rows), len(ok)))


def case_plot_errors(tmp):
    d = rundir(tmp, "echo")
    broken = os.path.join(tmp, "gp")
    shutil.copytree(SCRIPTS, broken, ignore=shutil.ignore_patterns("bench", "lib", "test"))
    with open(os.path.join(broken, "lines.gp"), "a") as f:
        f.write("plot this_is_not_a_function(x)\n")
    r = run("plot", d, env=dict(ENV, RINGSIDE_GNUPLOT_DIR=broken))
    check(r.returncode == 1, "broken script: exit %d, want 1" % r.returncode)
    check("this_is_not_a_function" in r.stderr or "undefined" in r.stderr,
          "broken script: gnuplot's message not shown: %r" % r.stderr)
    charts = os.path.join(d, "charts")
    check(not any(".tmp." in f for f in os.listdir(charts)), "broken script: temp files left")
    # bad data: a chart script reading a column the data does not have
    with open(os.path.join(broken, "lines.gp"), "w") as f:
        f.write('load scripts."/common.gp"\nplot data index 0 using 1:(column(99)) notitle\n'
                'load scripts."/finish.gp"\n')
    r = run("plot", d, env=dict(ENV, RINGSIDE_GNUPLOT_DIR=broken))
    check(r.returncode == 1, "bad data: exit %d, want 1" % r.returncode)
    check("gnuplot" in r.stderr, "bad data: no message: %r" % r.stderr)
    # no gnuplot on PATH: one line, exit 1
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    r = run("plot", d, env=dict(ENV, PATH=empty))
    check(r.returncode == 1 and "install gnuplot" in r.stderr and r.stderr.count("\n") == 1,
          "no gnuplot: exit %d %r" % (r.returncode, r.stderr))


PNG_MAGIC, PDF_MAGIC = b"\x89PNG\r\n\x1a\n", b"%PDF-"


def chart_files(d):
    charts = os.path.join(d, "charts")
    return sorted(f for f in os.listdir(charts) if f != "data") if os.path.isdir(charts) else []


def help_kinds():
    """The chart kinds `plot --help` lists: the first word of each line under "Charts"."""
    r = run("plot", "--help")
    kinds, inside = [], False
    for line in r.stdout.splitlines():
        if line.startswith("Charts"):
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            kinds.append(line.split()[0])
    return kinds


def non_grey(colours):
    return [c for c in colours if not (c[0] == c[1] == c[2])]


def png_colours(path):
    with Image.open(path) as im:
        return {c for _, c in im.convert("RGB").getcolors(maxcolors=1 << 24)}


def svg_colours(path):
    text = open(path).read()
    out = {tuple(int(x) for x in m.groups())
           for m in re.finditer(r"rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)", text)}
    out |= {(int(h[:2], 16), int(h[2:4], 16), int(h[4:], 16)) for h in re.findall(r"#([0-9a-fA-F]{6})\b", text)}
    return out


def case_plot_options(tmp):
    if Image is None:
        skip("python3-pil is not installed (./scripts/test installs it): cannot read the PNGs")
    # --only, --format with all three, --size: exactly those charts, each of its type and size
    d = rundir(tmp, "echo")
    r = run("plot", "--only", "throughput,latency", "--format", "png,svg,pdf", "--size", "800,500", d)
    check(r.returncode == 0, "--only/--format/--size: exit %d: %s" % (r.returncode, r.stderr))
    want = sorted("echo-%s.%s" % (k, e) for k in ("throughput", "latency") for e in ("png", "svg", "pdf"))
    check(chart_files(d) == want, "--only throughput,latency: files %s, want %s" % (chart_files(d), want))
    check(sorted(os.listdir(os.path.join(d, "charts", "data"))) == ["echo-latency.dat", "echo-throughput.dat"],
          "--only: data files %s" % os.listdir(os.path.join(d, "charts", "data")))
    check(r.stdout.count("\n") == 2 and ".png, .svg and .pdf" in r.stdout, "--format stdout: %r" % r.stdout)
    for k in ("throughput", "latency"):
        base = os.path.join(d, "charts", "echo-" + k)
        with open(base + ".png", "rb") as f:
            check(f.read(8) == PNG_MAGIC, "%s.png: not PNG" % k)
        info = png_info(base + ".png")
        check(info is not None and info[:2] == (800, 500) and info[2], "%s.png: %s, want 800x500" % (k, info))
        with open(base + ".pdf", "rb") as f:
            pdf = f.read()
        check(pdf.startswith(PDF_MAGIC), "%s.pdf: not PDF: %r" % (k, pdf[:8]))
        check(re.search(rb"/MediaBox \[ *0 0 800 500 *\]", pdf) is not None,
              "%s.pdf: page is not 800x500 pt (%s)" % (k, re.findall(rb"/MediaBox[^]]*\]", pdf)[:1]))
        root = ET.parse(base + ".svg").getroot()
        check(root.tag.endswith("svg") and root.get("viewBox") == "0 0 800 500",
              "%s.svg: root %s viewBox %s" % (k, root.tag, root.get("viewBox")))
    # --format pdf alone: PDFs and nothing else
    d = os.path.join(tmp, "pdf-only")
    os.makedirs(d)
    shutil.copy(os.path.join(FIX, "echo.json"), os.path.join(d, "results.json"))
    r = run("plot", "--format", "pdf", "--only", "cpu", d)
    check(r.returncode == 0 and chart_files(d) == ["echo-cpu.pdf"], "--format pdf: exit %d, files %s %s"
          % (r.returncode, chart_files(d), r.stderr))
    # --mono: no colour anywhere (PNG pixels and SVG colours all grey), dash types on the
    # lines and fill patterns on the bars; the same charts in colour are not grey
    for mono in (False, True):
        d = os.path.join(tmp, "mono" if mono else "colour")
        os.makedirs(d)
        shutil.copy(os.path.join(FIX, "proxy.json"), os.path.join(d, "results.json"))
        r = run("plot", *(["--mono"] if mono else []), "--only", "throughput,tinygate,syscalls,latency", d)
        check(r.returncode == 0 and r.stderr == "", "mono=%s: exit %d %r" % (mono, r.returncode, r.stderr))
        for k in ("throughput", "tinygate", "syscalls", "latency"):
            base = os.path.join(d, "charts", "proxy-" + k)
            if not os.path.exists(base + ".png"):
                check(False, "mono=%s: proxy-%s.png missing" % (mono, k))
                continue
            pix, svgc = non_grey(png_colours(base + ".png")), non_grey(svg_colours(base + ".svg"))
            if mono:
                check(not pix, "--mono proxy-%s.png has colour pixels: %s" % (k, sorted(pix)[:4]))
                check(not svgc, "--mono proxy-%s.svg has colours: %s" % (k, sorted(svgc)[:4]))
            else:
                check(pix and svgc, "colour proxy-%s: no colour in PNG or SVG" % k)
        svg = {k: open(os.path.join(d, "charts", "proxy-%s.svg" % k)).read() for k in ("throughput", "tinygate")}
        # the model lines: dashed in mono only (colour throughput draws every line solid)
        check(("stroke-dasharray" in svg["throughput"]) == mono, "mono=%s: throughput dash types" % mono)
        check(("url(#gpPat" in svg["tinygate"]) == mono, "mono=%s: tinygate fill patterns" % mono)
    # bad values: one line on stderr, exit 2, nothing drawn
    d = os.path.join(tmp, "bad-values")
    os.makedirs(d)
    shutil.copy(os.path.join(FIX, "echo.json"), os.path.join(d, "results.json"))
    for args in (("--only", "nope"), ("--only", "throughput,,latency"), ("--only", ""), ("--format", "gif"),
                 ("--format", "png,"), ("--size", "800"), ("--size", "10,10"), ("--size", "800,x"),
                 ("--size", "800,500,3"), ("--format",)):
        r = run("plot", *args, d)
        check(r.returncode == 2 and r.stderr.count("\n") == 1, "plot %s: exit %d %r" % (args, r.returncode, r.stderr))
    check(chart_files(d) == [], "bad values: charts drawn %s" % chart_files(d))


def case_plot_kinds(tmp):
    """plot --help lists the registry: every chart a plot draws is of a listed kind,
    and --only KIND draws exactly that kind's charts for each listed kind."""
    kinds = help_kinds()
    for k in ("throughput", "cpu-time", "runqueue-p99", "iowq-punts", "curve-p99", "throughput-by-size"):
        check(k in kinds, "plot --help does not list %s: %s" % (k, kinds))
    check(len(set(kinds)) == len(kinds) and len(kinds) >= 16, "plot --help kinds %s" % kinds)

    def kind_of(name):
        # file stems are GROUP-KIND, SET-KIND, or WORKLOAD-KIND-COUNTc[-rRATE]
        hits = [k for k in kinds if name.endswith("-" + k) or re.search("-%s-\\d+c(-r\\d+)?$" % re.escape(k), name)]
        return max(hits, key=len) if hits else None

    seen = set()
    for fx in ("proxy", "sweep", "equal"):
        d = rundir(tmp, fx)
        r = run("plot", "--format", "svg", d)
        check(r.returncode == 0, "plot %s: exit %d %s" % (fx, r.returncode, r.stderr))
        everything = chart_files(d)
        for f in everything:
            k = kind_of(f[:-4])
            check(k is not None, "%s: chart %s is of no kind plot --help lists" % (fx, f))
            seen.add(k)
        union = []
        for k in kinds:
            shutil.rmtree(os.path.join(d, "charts"))
            r = run("plot", "--format", "svg", "--only", k, d)
            check(r.returncode == 0, "%s --only %s: exit %d %s" % (fx, k, r.returncode, r.stderr))
            got = chart_files(d)
            check(all(kind_of(f[:-4]) == k for f in got), "%s --only %s drew %s" % (fx, k, got))
            union += got
        check(sorted(union) == everything, "%s: the kinds' charts %s != all charts %s" % (fx, sorted(union), everything))
    check(seen == set(kinds) - {"knee-by-size"}, "kinds drawn from the fixtures %s, listed %s" % (sorted(seen), kinds))
    # every chart script is installed (curve.gp was not: an installed plot of a sweep failed)
    cmake = open(os.path.join(SRC, "CMakeLists.txt")).read()
    rule = [r for r in re.findall(r"install\(FILES([^)]*)\)", cmake) if "share/ringside/scripts" in r]
    installed = set(re.findall(r"scripts/([\w-]+\.gp)", rule[0])) if rule else set()
    scripts = {f for f in os.listdir(SCRIPTS) if f.endswith(".gp")}
    check(scripts <= installed, "scripts not installed: %s" % sorted(scripts - installed))


def case_plot_zero(tmp):
    """io-wq punts all 0 (the echo suite): no gnuplot warning reaches stderr; the chart
    says "none measured" and the report gives the reason."""
    doc = load("echo")
    for c in doc["cells"]:
        if c["summary"]:
            c["summary"].setdefault("io_uring", {})["iowq_punts_per_request"] = 0.0
    d = os.path.join(tmp, "zero")
    os.makedirs(d)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(doc, f)
    r = run("plot", d)
    check(r.returncode == 0, "plot: exit %d %s" % (r.returncode, r.stderr))
    check(r.stderr == "", "plot wrote to stderr: %r" % r.stderr)
    rows = [l for b in data_blocks(os.path.join(d, "charts", "data", "echo-iowq-punts.dat")) for l in b]
    check(rows and all(float(l[1]) == 0 for l in rows), "iowq data rows %s" % rows[:3])
    svg = open(os.path.join(d, "charts", "echo-iowq-punts.svg")).read()
    check("none measured: io-wq punts per request is 0 in every cell drawn" in svg, "iowq chart lacks 'none measured'")
    check("echo-iowq-punts.png and .svg  (none measured" in r.stdout, "plot's line: %r" % r.stdout)
    r = run("report", d)
    check(r.returncode == 0 and "Warning" not in r.stderr, "report: exit %d %r" % (r.returncode, r.stderr))
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    check("none measured: io-wq punts per request is 0 in every cell drawn" in md, "report.md lacks the reason")


def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def case_export(tmp):
    for fx in ("echo", "proxy", "noprobes"):
        d = rundir(tmp, fx)
        out = os.path.join(tmp, fx + ".csv")
        r = run("export", d, "--csv", "--out", out)
        check(r.returncode == 0, "export %s: exit %d %s" % (fx, r.returncode, r.stderr))
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
        head, body = rows[0], rows[1:]
        check(len(set(head)) == len(head), "%s: duplicate columns" % fx)
        check(all(len(r) == len(head) for r in body), "%s: ragged rows" % fx)
        doc = load(fx)
        check(len(body) == len(doc["cells"]), "%s: %d rows for %d cells" % (fx, len(body), len(doc["cells"])))
        compared = 0
        for cell, row in zip(doc["cells"], body):
            got = dict(zip(head, row))
            check(got["model"] == cell["model"] and int(got["connections"]) == cell["connections"],
                  "%s: row order" % fx)
            for key, want in flatten(cell["summary"] or {}).items():
                if key not in got:
                    check(want is None, "%s: column %s missing" % (fx, key))
                    continue
                if want is None:
                    check(got[key] == "", "%s: %s null but %r" % (fx, key, got[key]))
                elif isinstance(want, bool):
                    check(got[key] == str(want).lower(), "%s: %s" % (fx, key))
                elif isinstance(want, (int, float)):
                    check(got[key] != "" and float(got[key]) == float(want),
                          "%s %s@%d: %s = %r, want %r" % (fx, cell["model"], cell["connections"], key, got[key], want))
                    compared += 1
            if cell["summary"] is None:
                check(all(got[k] == "" for k in head[7:]), "%s: skipped cell has figures" % fx)
        check(compared > 100, "%s: only %d figures compared" % (fx, compared))
        for col in ("requests_per_sec.median", "latency_us.p99"):
            check(col in head, "%s: no column %s" % (fx, col))
        if fx != "noprobes":
            check("syscalls_by_name.read" in head, "%s: no syscalls_by_name.read" % fx)
    # --out - writes the CSV, and only the CSV, to standard output, and no file
    for fx in ("echo", "verdict"):
        d = os.path.join(tmp, fx + "-stdout")
        os.makedirs(d)
        shutil.copy(os.path.join(FIX, fx + ".json"), os.path.join(d, "results.json"))
        r = run("export", d, "--csv", "--out", "-")
        check(r.returncode == 0, "export %s --out -: exit %d %s" % (fx, r.returncode, r.stderr))
        want = os.path.join(tmp, fx + "-file.csv")
        run("export", d, "--csv", "--out", want)
        with open(want, newline="") as f:
            check(r.stdout == f.read(), "%s: --out - differs from the file's CSV" % fx)
        check(r.stdout.startswith("workload,model,connections,") and r.stdout.count("\n") == len(load(fx)["cells"]) + 1,
              "%s: stdout is not just the CSV: %r" % (fx, r.stdout[-200:]))
        check(sorted(os.listdir(d)) == ["results.json"], "%s --out -: files written %s" % (fx, os.listdir(d)))
    r = run("export", d, "--data", "--out", "-")
    check(r.returncode == 2 and r.stderr.count("\n") == 1, "--data --out -: exit %d %r" % (r.returncode, r.stderr))
    d = os.path.join(tmp, "echo")
    r = run("export", d)
    check(r.returncode == 0 and os.path.exists(os.path.join(d, "results.csv")), "default CSV path")
    r = run("export", d, "--data")
    check(r.returncode == 0 and os.path.exists(os.path.join(d, "charts", "data", "echo-latency.dat")),
          "export --data")


def compare(base, new, *args):
    return run("compare", os.path.join(FIX, base + ".json"), os.path.join(FIX, new + ".json"), *args)


def compare_json(base, new, *args):
    r = compare(base, new, "--json", *args)
    check(r.returncode in (0, 1), "compare %s %s --json: exit %d %s" % (base, new, r.returncode, r.stderr))
    return json.loads(r.stdout) if r.stdout.strip() else {"cells": []}


def case_compare(tmp):
    # old-shape fixtures (3 runs a side): changes are the medians' own, and no change
    # can be named, since 3 against 3 runs give no 95% Mann-Whitney interval (the
    # smallest p they allow is 0.1)
    base, new = load("echo"), load("echo-new")
    key = lambda c: (c["workload"], c["model"], c["connections"], c.get("payload_bytes"))
    bmap = {key(c): c for c in base["cells"]}
    out = compare_json("echo", "echo-new")
    seen = 0
    for row in out["cells"]:
        k = (row["workload"], row["model"], row["connections"], row["size"])
        b = bmap[k]["summary"]
        n = [c for c in new["cells"] if key(c) == k][0]["summary"]
        pairs = {"requests_per_sec": (b["requests_per_sec"]["median"], n["requests_per_sec"]["median"]),
                 "latency_us_p99": (b["latency_us"]["p99"], n["latency_us"]["p99"])}
        for m, (bv, nv) in pairs.items():
            got = row["metrics"][m]
            want = (nv - bv) / bv * 100
            check(abs(got["change_pct"] - want) < 1e-6, "%s %s: %.4f%%, want %.4f%%" % (k, m, got["change_pct"], want))
            check(not got["significant"] and got["decision"] == "cannot-tell" and
                  got["verdict"].startswith("cannot tell (") and "no 95% interval" in got["verdict"],
                  "%s %s: 3 runs a side decided: %s" % (k, m, got["verdict"]))
            check(got["runs_base"] == 3 and got["runs_new"] == 3 and got["ratio_ci95"] is None
                  and got["ratio"] > 0,
                  "%s %s: runs %s/%s CI %s" % (k, m, got["runs_base"], got["runs_new"], got["ratio_ci95"]))
            seen += 1
    check(seen == 2 * 14, "compared %d figures, want 28" % seen)
    rows = {(r["model"], r["connections"]): r for r in out["cells"]}
    check(abs(rows[("epoll", 100)]["metrics"]["requests_per_sec"]["change_pct"] - 20) < 1e-6, "epoll@100 +20%")
    check([c["model"] for c in out["only_in_base"]] == ["uring-sqpoll"], "only_in_base %s" % out["only_in_base"])
    check([(c["model"], c["connections"]) for c in out["only_in_new"]] == [("epoll", 10000)],
          "only_in_new %s" % out["only_in_new"])
    check(len(out["not_comparable"]) == 1, "not_comparable %s" % out["not_comparable"])
    # --fail-above needs an interval: 3 runs a side (a 20% fall at epoll@100) gate nothing
    r = compare("echo", "echo-new", "--fail-above", "0")
    check(r.returncode == 0 and "FAIL:" not in r.stdout, "--fail-above 0 without intervals: exit %d" % r.returncode)
    check("only in BASE: echo uring-sqpoll 1000" in r.stdout and "only in NEW: echo epoll 10000" in r.stdout,
          "one-sided cells not listed:\n" + r.stdout)
    r = compare("echo", "echo", "--fail-above", "0")
    check(r.returncode == 0, "self-compare with --fail-above 0: exit %d" % r.returncode)

    # new shape, 6 tight runs a side, 10% apart: significant, named, with a CI
    r = compare("cmp-base", "cmp-faster")
    check(r.returncode == 0, "base -> faster: exit %d %s" % (r.returncode, r.stderr))
    check(r.stdout.count("faster by 10.0% (95% CI ") == 2, "base -> faster:\n" + r.stdout)
    check(r.stdout.count("p99 lower by ") == 2, "base -> faster: p99 not lower:\n" + r.stdout)
    out = compare_json("cmp-base", "cmp-faster")
    for row in out["cells"]:
        g = row["metrics"]["requests_per_sec"]
        check(g["significant"] and g["decision"] == "winner" and
              1.05 < g["ratio_ci95"][0] < 1.1 < g["ratio_ci95"][1] < 1.15,
              "base -> faster %s: %s" % (row["model"], g))
        check(g["verdict"].startswith("faster by 10.0% (95% CI "), "JSON verdict %r" % g["verdict"])
        c = row["metrics"]["cpu_us_per_request"]
        check(not c["significant"] and c["decision"] in ("equivalent", "cannot-tell") and
              c["verdict"].startswith(("equivalent within", "cannot tell")), "CPU %s" % c)
        check(row["labels"] == [], "labels %s" % row["labels"])
    r = compare("cmp-base", "cmp-faster", "--fail-above", "5")
    check(r.returncode == 0, "base -> faster --fail-above 5: exit %d" % r.returncode)
    r = compare("cmp-faster", "cmp-base", "--fail-above", "5")
    check(r.returncode == 1 and "slower by 9.1% (95% CI " in r.stdout and "FAIL:" in r.stdout,
          "faster -> base --fail-above 5: exit %d\n%s" % (r.returncode, r.stdout))
    r = compare("cmp-faster", "cmp-base", "--fail-above", "12")
    check(r.returncode == 0, "faster -> base --fail-above 12: exit %d" % r.returncode)
    r = compare("cmp-base", "cmp-faster", "--min-effect", "15")
    check("faster by" not in r.stdout and "under --min-effect 15% (+10.0%, 95% CI +9." in r.stdout,
          "--min-effect 15 still names a 10% change:\n" + r.stdout)
    # overlapping runs: no significant change, and no gate
    r = compare("cmp-base", "cmp-same", "--fail-above", "5")
    check(r.returncode == 0, "base -> same --fail-above 5: exit %d" % r.returncode)
    lines = [l for l in r.stdout.splitlines() if l.startswith("  ")]
    check(len(lines) == 8 and all("equivalent within" in l or "cannot tell (" in l for l in lines) and
          not any(" by " in l for l in lines), "base -> same:\n" + r.stdout)
    # client-bound and noisy cells are labelled
    out = compare_json("verdict", "verdict")
    rows = {(r["model"], r["connections"]): r for r in out["cells"]}
    check(rows[("uring-sqpoll", 1000)]["labels"] == ["client-bound"], "client-bound label %s" % rows[("uring-sqpoll", 1000)])
    check(rows[("epoll", 1000)]["labels"] == ["noisy"], "noisy label %s" % rows[("epoll", 1000)])
    check(rows[("uring", 10)]["labels"] == [], "uring@10 labels %s" % rows[("uring", 10)]["labels"])
    r = compare("verdict", "verdict")
    check("echo uring-sqpoll 1000 conns 64B [client-bound: both]" in r.stdout and
          "echo epoll 1000 conns 64B [noisy: both]" in r.stdout, "labels in text:\n" + r.stdout)


def project_claims():
    """(claim, measured as, rule) rows of docs/claims.md: the claims the report checks."""
    path = os.path.join(SRC, "docs", "claims.md")
    rows, table = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("| claim |"):
                table = True
            elif table and line.startswith("|---"):
                continue
            elif table and line.startswith("|"):
                rows.append(tuple(c.strip() for c in line.strip().strip("|").split(" | ")))
            elif table:
                break
    return rows


def md_escaped(s):
    return "".join("\\" + c if c in "\\|*_<>[]`#" else c for c in s)


def report(tmp, fx, charts):
    d = rundir(tmp, fx)
    r = run("report", d, *([] if charts else ["--no-charts"]))
    check(r.returncode == 0, "report %s: exit %d %s" % (fx, r.returncode, r.stderr))
    with open(os.path.join(d, "report.html"), encoding="utf-8") as f:
        page = f.read()
    with open(os.path.join(d, "report.md"), encoding="utf-8") as f:
        md = f.read()
    return d, page, md


def claim_verdicts(page, claims):
    rows = [l for l in page.split("<tr>") if any(c[0] in html.unescape(l) for c in claims)]
    rows = [l for l in rows if "<td" in l]
    return ["agrees" if 'class="agrees"' in l else "disagrees" if 'class="disagrees"' in l
            else "cannot tell" for l in rows]


def case_report(tmp):
    claims = project_claims()
    check(len(claims) == 8 and all(len(c) == 3 and all(c) for c in claims),
          "docs/claims.md: want 8 rows of claim | measured as | rule, got %s" % claims)
    charts = shutil.which("gnuplot") is not None
    if not charts:
        print("note: gnuplot is not installed: reports without charts, chart checks left out")
    verdicts = {}
    for fx in ("echo", "proxy", "noprobes", "verdict", "proxy-v2", "proxy-clientbound"):
        d, page, md = report(tmp, fx, charts)
        text = html.unescape(page)
        for claim, measured, rule in claims:
            for what in (claim, measured, rule):
                check(what in text, "%s: missing from HTML: %s" % (fx, what[:80]))
                check(md_escaped(what) in md, "%s: missing from markdown: %s" % (fx, what[:80]))
        # strings from the JSON are escaped: the fixture's command has <it"s & fine>
        check("&lt;it&quot;s &amp; fine&gt;" in page and '<it"s' not in page, "%s: command not escaped" % fx)
        srcs = page.count('src="')
        check(srcs == page.count('src="data:'), "%s: HTML refers to outside files" % fx)
        if charts and fx in ("echo", "proxy", "noprobes"):
            # each chart once, and the throughput chart again beside "Which model wins here"
            check(page.count("data:image/svg+xml;base64,") == len(expected_charts(load(fx))) + 1,
                  "%s: not every chart inlined" % fx)
            for name in expected_charts(load(fx)):
                check("(charts/%s.png)" % name in md, "%s: markdown lacks %s.png" % (fx, name))
        verdicts[fx] = claim_verdicts(page, claims)
        if fx == "verdict":
            vpage = text
    check(verdicts["echo"] == ["agrees"] * 5 + ["cannot tell"] * 3, "echo verdicts %s" % verdicts["echo"])
    # 3 runs a side and no rounds: too few for a two-sample 95% interval (it needs 4 and 5)
    check(verdicts["proxy"][5] == "cannot tell", "proxy TinyGate verdict %s" % verdicts["proxy"])
    page = html.unescape(open(os.path.join(tmp, "proxy", "report.html"), encoding="utf-8").read())
    check("3 runs a side give no 95% interval" in page, "proxy: the too-few-runs reason is not named")
    check(verdicts["noprobes"][:3] == ["cannot tell"] * 3, "noprobes verdicts %s" % verdicts["noprobes"])
    check(verdicts["proxy-v2"][5] == "agrees", "proxy-v2 TinyGate verdict %s" % verdicts["proxy-v2"])
    # nginx and haproxy client-bound, but paired by round: the ratio still decides the order
    check(verdicts["proxy-clientbound"][5] == "agrees",
          "client-bound peers: TinyGate verdict %s" % verdicts["proxy-clientbound"])

    # per connection count the best against the runner-up (in "Which model wins here" and
    # again under the summary): a winner, an equivalence (0.3% apart in every round), a
    # client-bound winner; and, in the answer section, uring against epoll at each count
    lines = [html.unescape(l.split("</li>")[0]) for l in vpage.split("<li>")[1:]]
    lines = [l for l in lines if l.startswith("echo 64B, ")]
    check(len(lines) == 9 and len(set(lines)) == 6, "verdict lines %s" % lines)
    for c in (10, 100, 1000):
        start = "echo 64B, %d connections: uring wins on throughput: " % c
        check(any(l.startswith(start) and "faster than epoll" in l for l in lines),
              "no uring-against-epoll line at %d in %s" % (c, lines))
    check(vpage.index("Which model wins here") < vpage.index("Command line"), "the answer is not first")
    want = {10: "echo 64B, 10 connections: uring-sqpoll wins on throughput: 7.3% faster than uring (95% CI ",
            100: "echo 64B, 100 connections: uring-sqpoll and uring equivalent on throughput: ratio 1.003 ",
            1000: "echo 64B, 1000 connections: uring-sqpoll wins on throughput: 7.9% faster than uring "}
    for c, start in want.items():
        check(any(l.startswith(start) for l in lines), "no verdict line %r in %s" % (start, lines))
    check(all("95% CI" in l and "paired over 6 rounds" in l for l in lines), "verdict lines %s" % lines)
    check(any("client-bound, but paired by round" in l for l in lines), "client-bound pairing not said")
    # the summary shows CIs, each cell's bound, noisy and outlier marks
    md = open(os.path.join(tmp, "verdict", "report.md"), encoding="utf-8").read()
    rows = {tuple(c.strip() for c in l.split("|")[1:3]): l for l in md.splitlines() if l.startswith("| ")}
    check("| client |" in rows.get(("io\\_uring+SQPOLL", "1000"), ""), "bound column: %s" % rows.get(("io\\_uring+SQPOLL", "1000")))
    check("noisy (6 of 12 runs)" in rows.get(("epoll", "1000"), ""), "noisy mark: %s" % rows.get(("epoll", "1000")))
    check("1 outlier run" in rows.get(("epoll", "10"), ""), "outlier mark: %s" % rows.get(("epoll", "10")))
    doc = load("verdict")
    c = [c for c in doc["cells"] if c["model"] == "uring" and c["connections"] == 10][0]["summary"]["requests_per_sec"]
    check("%.0f (95%% CI %.0f–%.0f)" % (c["median"], c["ci95"][0], c["ci95"][1]) in rows.get(("io\\_uring", "10"), ""),
          "requests/s CI: %s" % rows.get(("io\\_uring", "10")))
    # at equal load the answer section shows the figure the efficiency verdict compares
    # (the scheduler's ns: cpu-ns), not the ticks' stacked CPU chart
    d, page, md = report(tmp, "equal", charts)
    wins = md[md.index("## Which model wins here"):md.index("## Command line")]
    check("uring wins on efficiency: 8.0% less server CPU per request than epoll (95% CI " in wins,
          "equal: no efficiency verdict in the answer:\n" + wins)
    if charts:
        check("](charts/echo-equal-cpu-ns.png)" in wins and "](charts/echo-equal-cpu.png)" not in wins and
              os.path.exists(os.path.join(d, "charts", "echo-equal-cpu-ns.png")),
              "equal: the answer's charts:\n" + wins)
    old = open(os.path.join(tmp, "echo", "report.md"), encoding="utf-8").read()
    check("(min–max " in old and "95% CI" not in [l for l in old.splitlines() if l.startswith("| epoll | 100")][0],
          "old-shape report should show min–max, not a CI")
    # peer settings where the cells carry them
    md = open(os.path.join(tmp, "proxy-v2", "report.md"), encoding="utf-8").read()
    check("Peer settings" in md and "| nginx | 100 | file nginx.conf, keepalive 100, worker\\_connections 1424 |" in md
          and "| haproxy | 10 | file haproxy.cfg, keepalive http-reuse always, maxconn 1064 |" in md,
          "peer settings missing from proxy-v2 report")
    check("Peer settings" not in old, "echo report lists peer settings")


def case_claim_switch(tmp):
    """The seventh claim: epoll's syscall_overhead_share above 0.25 at some count agrees,
    0.25 or less everywhere disagrees, and no null-syscall figure cannot tell."""
    claims = project_claims()
    for share, want in ((0.31, "agrees"), (0.25, "disagrees"), (None, "cannot tell")):
        doc = load("verdict")
        if share is not None:
            doc["host"]["null_syscall_ns"] = {"unprobed": 120.0, "probed": 300.0, "cpu": 0}
        for c in doc["cells"]:
            v = (share or 0.3 if c["connections"] == 100 else 0.05) if c["model"] == "epoll" else 0.01
            c["summary"]["syscall_overhead_share"] = {"median": v, "min": None, "max": None, "n": 6,
                                                      "ci95": [v * 0.9, v * 1.1], "ci95_kind": "ratio"}
        d = os.path.join(tmp, "switch-%s" % share)
        os.makedirs(d)
        with open(os.path.join(d, "results.json"), "w") as f:
            json.dump(doc, f)
        r = run("report", d, "--no-charts")
        check(r.returncode == 0, "report: exit %d %s" % (r.returncode, r.stderr))
        page = open(os.path.join(d, "report.html"), encoding="utf-8").read()
        got = claim_verdicts(page, claims)[6]
        check(got == want, "share %s: claim 7 %s, want %s" % (share, got, want))
        if share:
            check("null syscall 120 ns (300 ns probed)" in html.unescape(page), "null-syscall cost not quoted")


def case_claim_sleep(tmp):
    """The sleep/wake row: epoll's or blocking's wakeup_share above 0.25 at some count
    agrees (uring's does not count), 0.25 or less everywhere disagrees, and no
    sleep-and-wake cost in the file cannot tell."""
    claims = project_claims()
    cases = ((("blocking", 0.4), "agrees"), (("epoll", 0.3), "agrees"), (("uring", 0.9), "disagrees"),
             (("epoll", 0.25), "disagrees"), (None, "cannot tell"))
    for i, (high, want) in enumerate(cases):
        doc = load("verdict")
        if high is not None:
            lay = {"unprobed": 25.0, "probed": 30.0, "side_us": [26.0, 26.0], "pair_us": 1.0,
                   "wall_us": 80.0, "client_cpu": 1}
            doc["host"]["wakeup_cpu_us"] = {"same_cpu": dict(lay, unprobed=3.0, client_cpu=0),
                                            "cross_cpu": lay, "server_cpu": 0, "charged": "cross_cpu",
                                            "round_trips": 200, "passes": 5}
        if high and high[0] == "blocking":  # the fixture has none: its SQPOLL cells stand in
            for c in doc["cells"]:
                if c["model"] == "uring-sqpoll":
                    c["model"] = "blocking"
            doc["config"]["models"] = ["blocking" if m == "uring-sqpoll" else m
                                       for m in doc["config"]["models"]]
        for c in doc["cells"]:
            v = high[1] if high and c["model"] == high[0] and c["connections"] == 100 else 0.05
            c["summary"]["wakeup_share"] = {"median": v, "min": None, "max": None, "n": 6,
                                            "ci95": [v * 0.9, v * 1.1], "ci95_kind": "ratio"}
        d = os.path.join(tmp, "sleep-%d" % i)
        os.makedirs(d)
        with open(os.path.join(d, "results.json"), "w") as f:
            json.dump(doc, f)
        r = run("report", d, "--no-charts")
        check(r.returncode == 0, "report: exit %d %s" % (r.returncode, r.stderr))
        page = open(os.path.join(d, "report.html"), encoding="utf-8").read()
        got = claim_verdicts(page, claims)[7]
        check(got == want, "%s: sleep/wake claim %s, want %s" % (high, got, want))
        if high:
            check("sleep and wake 3.0 µs on one CPU, 25.0 µs across CPUs" in html.unescape(page),
                  "sleep-and-wake costs not quoted")


def data_blocks(path):
    """A chart data file's blocks (split at two blank lines), each a list of rows."""
    with open(path) as f:
        text = "".join(l for l in f if not l.startswith("#"))
    return [[l.split() for l in b.splitlines() if l.strip()] for b in text.split("\n\n\n")]


def case_curves(tmp):
    """Rate sweeps: the curve charts, the report's curve table, and closed-loop charts,
    tables and verdicts that never meet a rate cell (fixtures/sweep.json)."""
    doc = load("sweep")
    curves = {c["model"]: c for c in doc["curves"]}
    closed = [c for c in doc["cells"] if c["rate"] is None]
    charts = shutil.which("gnuplot") is not None
    d = rundir(tmp, "sweep")
    new = ["echo-curve-p99", "echo-curve-p50", "echo-curve-cpu", "echo-throughput-by-size-100c"]
    if charts:
        r = run("plot", d)
        check(r.returncode == 0 and r.stderr == "", "plot sweep: exit %d: %r" % (r.returncode, r.stderr))
        for name in new + ["echo-64B-throughput", "echo-1024B-latency"]:
            png = os.path.join(d, "charts", name + ".png")
            info = png_info(png) if os.path.exists(png) else None
            check(info is not None and info[:2] == (1200, 750) and info[2], "sweep: %s.png missing or blank" % name)
            try:
                check(ET.parse(os.path.join(d, "charts", name + ".svg")).getroot().tag.endswith("svg"),
                      "sweep: %s.svg is not SVG" % name)
            except (OSError, ET.ParseError) as e:
                check(False, "sweep: %s.svg: %s" % (name, e))
        svg = open(os.path.join(d, "charts", "echo-curve-p99.svg")).read()
        check("SLO p99 1000 µs" in svg, "p99 curve: no SLO line label")
        check(svg.count("knee ") >= 3, "p99 curve: knees not labelled")
        check("the client ended the io_uring+SQPOLL sweep" in svg, "p99 curve: client-ended sweep not noted")
    else:
        print("note: gnuplot is not installed: data files checked, not the images")
        r = run("export", d, "--data")
        check(r.returncode == 0, "export --data sweep: exit %d: %s" % (r.returncode, r.stderr))
    data = os.path.join(d, "charts", "data")
    # p99 vs achieved: a block per model (achieved p99 offered) in rising offered rate,
    # then the knees (achieved p99 label), then the client-bound points
    for name, fig in (("echo-curve-p99", "p99"), ("echo-curve-p50", "p50")):
        blocks = data_blocks(os.path.join(data, name + ".dat"))
        check(len(blocks) == 5, "%s: %d blocks, want 3 models + knees + client" % (name, len(blocks)))
        for model, rows in zip(("epoll", "uring", "uring-sqpoll"), blocks):
            pts = [doc["cells"][i] for i in curves[model]["points"]]
            want = [(p["summary"]["requests_per_sec"]["median"], p["summary"]["latency_us"][fig]["median"], p["rate"])
                    for p in pts]
            check([tuple(float(x) for x in r) for r in rows] == want, "%s %s: rows %s, want %s" % (name, model, rows, want))
        if len(blocks) == 5:
            knees = [(float(r[0]), float(r[1])) for r in blocks[3]]
            want = [(c["knee"]["achieved"], c["knee"]["p99_us"] if fig == "p99" else
                     doc["cells"][c["knee"]["cell"]]["summary"]["latency_us"]["p50"]["median"])
                    for c in doc["curves"]]
            check(knees == want, "%s: knees %s, want %s" % (name, knees, want))
            check(len(blocks[4]) == 1 and float(blocks[4][0][0]) == 150000, "%s: client points %s" % (name, blocks[4]))
    blocks = data_blocks(os.path.join(data, "echo-curve-cpu.dat"))
    check(len(blocks) == 4 and [float(r[1]) for r in blocks[0]] == [12.0, 10.5, 9.6, 9.0, 8.7, 8.6]
          and [float(r[0]) for r in blocks[0]] == [20000, 40000, 60000, 80000, 100000, 110000],
          "cpu curve: epoll block %s" % blocks[:1])
    blocks = data_blocks(os.path.join(data, "echo-throughput-by-size-100c.dat"))
    want = [[(s, [c for c in closed if c["model"] == m and c["payload_bytes"] == s][0]
              ["summary"]["requests_per_sec"]["median"]) for s in (64, 1024)] for m in ("epoll", "uring")]
    check([[(int(r[0]), float(r[1])) for r in b] for b in blocks] == want, "size chart: %s, want %s" % (blocks, want))
    # closed-loop charts hold the closed-loop cells only
    for size in (64, 1024):
        rows = [r for b in data_blocks(os.path.join(data, "echo-%dB-throughput.dat" % size)) for r in b]
        want = sorted(c["summary"]["requests_per_sec"]["median"] for c in closed if c["payload_bytes"] == size)
        check(sorted(float(r[1]) for r in rows) == want, "echo-%dB-throughput: rows %s, want %s" % (size, rows, want))

    r = run("report", d, *([] if charts else ["--no-charts"]))
    check(r.returncode == 0, "report sweep: exit %d %s" % (r.returncode, r.stderr))
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    page = html.unescape(open(os.path.join(d, "report.html"), encoding="utf-8").read())
    check("Curves: echo, 100 connections, 64-byte messages (rate sweep, SLO p99 1000 µs)" in page,
          "no curve table heading")
    table = md.split("### Curves: ")[-1].split("#### Points")[0]
    rows = {l.split("|")[1].strip(): [c.strip() for c in l.split("|")[2:-1]] for l in table.splitlines()
            if l.startswith("| ") and not l.startswith("| model |")}
    points = md.split("#### Points")[-1].split("\n\n")[1]
    check(points.count("\n| ") == 1 + sum(len(c["points"]) for c in doc["curves"]) and
          "| 160000 | 150000 |" in points and "yes: measures the client" in points, "points table:\n" + points)
    for model, label in (("epoll", "epoll"), ("uring", "io\\_uring"), ("uring-sqpoll", "io\\_uring+SQPOLL")):
        c, row = curves[model], rows.get(label, [])
        want = ["%d" % len(c["points"]), "%.1f" % c["p99_floor_us"], "%.0f" % c["knee"]["offered"],
                "%.0f" % c["knee"]["achieved"], "%.1f" % c["knee"]["p99_us"], "%.0f" % c["capacity_at_slo"]]
        check(row[:6] == want, "curve row %s: %s, want %s" % (model, row, want))
        check(row[6:7] and row[6].startswith(c["ended_by"] + ": "), "curve row %s: ended by %s" % (model, row[6:]))
    check("the client ended this sweep" in rows.get("io\\_uring+SQPOLL", [""])[-1], "client-ended sweep not spelled out")
    # verdicts and summary tables: closed-loop cells only (a sweep point would make it "cannot tell")
    lines = [l.split("</li>")[0] for l in page.split("<li>")[1:] if l.startswith("echo ")]
    check(len(lines) == 4 and len(set(lines)) == 2 and
          all(" connections: uring wins on throughput: " in l and "sqpoll" not in l for l in lines),
          "verdicts %s" % lines)
    summary = [l for l in md.splitlines() if l.startswith("| ") and l.count("|") == 14
               and not l.startswith("| model |")]
    check(len(summary) == len(closed), "summary rows %d, closed-loop cells %d" % (len(summary), len(closed)))
    if charts:
        for name in new:
            check("(charts/%s.png)" % name in md, "report.md lacks %s.png" % name)


def case_report_render(tmp):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        skip("chromium is not installed (apt-get install chromium)")
    report(tmp, "echo", shutil.which("gnuplot") is not None)
    # headless Chromium renders the page to something that is not blank
    shot = os.path.join(tmp, "shot.png")
    profile = tempfile.mkdtemp(dir=tmp)
    page = "file://" + os.path.join(tmp, "echo", "report.html")
    try:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--screenshot=" + shot, "--window-size=1200,2000", page],
                       capture_output=True, timeout=45)
    except subprocess.TimeoutExpired:
        check(False, "chromium did not finish within 45 s")
        return
    info = png_info(shot) if os.path.exists(shot) else None
    check(info is not None, "chromium wrote no screenshot")
    if info:
        check(info[0] == 1200 and info[1] == 2000, "screenshot is %dx%d" % info[:2])
        check(info[2], "the rendered report is blank")


def case_bad_input(tmp):
    good = load("echo")
    cases = {"truncated": open(os.path.join(FIX, "echo.json")).read()[:5000],
             "not-json": "hello\n",
             "foreign": json.dumps(dict(good, schema="other/9")),
             "no-schema": json.dumps({k: v for k, v in good.items() if k != "schema"}),
             "array": "[1, 2]\n",
             "bad-cells": json.dumps(dict(good, cells=[{"model": 3}]))}
    for name, content in cases.items():
        d = os.path.join(tmp, name)
        os.makedirs(d)
        with open(os.path.join(d, "results.json"), "w") as f:
            f.write(content)
        for args in (("plot", d), ("export", d, "--csv"), ("report", d),
                     ("compare", d, os.path.join(FIX, "echo.json")), ("compare", os.path.join(FIX, "echo.json"), d)):
            r = run(*args)
            check(r.returncode == 2, "%s %s: exit %d, want 2" % (args[0], name, r.returncode))
            check(r.stderr.count("\n") == 1, "%s %s: want one line, got %r" % (args[0], name, r.stderr))
        check(sorted(os.listdir(d)) == ["results.json"], "%s: files written: %s" % (name, os.listdir(d)))
    for args in (("plot", "--bogus", tmp), ("export", "--nope"), ("compare", "a"), ("report",),
                 ("compare", "a", "b", "--fail-above", "x")):
        r = run(*args)
        check(r.returncode == 2 and r.stderr.count("\n") == 1, "%s: exit %d %r" % (args, r.returncode, r.stderr))
    for cmd in ("plot", "export", "report", "compare"):
        r = run(cmd, "--help")
        check(r.returncode == 0 and "usage: ringside " + cmd in r.stdout, "%s --help" % cmd)
    r = run("plot", os.path.join(tmp, "does-not-exist"))
    check(r.returncode == 2, "missing path: exit %d" % r.returncode)


def case_fig_literals(tmp):
    """A figure is named in one place, harness/core/figs.c: no reader spells a figure's
    summary path ("latency_us.p99", "syscalls_by_name.read", "summary.outliers") as a
    string; each takes it from its row. compare's --json keys (its metrics table) are
    names of their own that may coincide."""
    import glob
    figs = open(os.path.join(SRC, "harness", "core", "figs.c")).read()
    names = re.findall(r'\[FIG_\w+\] = \{"([^"]+)"', figs)
    check(len(names) > 40, "only %d rows read from figs.c" % len(names))
    readers = sorted(glob.glob(os.path.join(SRC, "harness", "report", "*.c")))
    readers += [os.path.join(SRC, "harness", "core", f) for f in ("celltext.c", "curve.c", "verdict.c")]
    for path in readers:
        for no, line in enumerate(open(path), 1):
            if line.lstrip().startswith("[M_"):
                continue
            for n in names:
                if re.search(r'"(summary\.)?%s(\.[%%a-z_]*)?"' % re.escape(n), line):
                    check(False, "%s:%d spells the figure %s: %s" % (os.path.relpath(path, SRC), no, n,
                                                                      line.strip()))


def main():
    if len(sys.argv) != 2 or "case_" + sys.argv[1] not in globals():
        print(__doc__)
        return 2
    if not os.access(RINGSIDE, os.X_OK):
        print("FAIL: %s is not built" % RINGSIDE)
        return 1
    if sys.argv[1].startswith("plot"):
        if not shutil.which("gnuplot"):
            skip("gnuplot is not installed (apt-get install gnuplot-nox)")
    tmp = tempfile.mkdtemp(prefix="rs-report-")
    try:
        globals()["case_" + sys.argv[1]](tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s: %s" % (sys.argv[1], "FAIL (%d)" % len(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
