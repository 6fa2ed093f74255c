#!/usr/bin/python3
"""Bad options to `ringside run`: each gives exactly one line on stderr, exit 2,
nothing on stdout and no result directory (neither --out nor results/). And the
option rows (harness/run/options.c): every option `--dry-run` lists is in --help and
the other way round, each one's record is in the config --dry-run prints (and documented
in docs/results.md), and a value given is the value recorded."""
import json
import os
import re
import tempfile

from rs_harness import SOURCE, fail, need_binaries, run

BAD = [
    ["--models", "kqueue"],
    ["--models", "epoll,,uring"],
    ["--connections", "0"],
    ["--connections", "100001"],
    ["--connections", "10,abc"],
    ["--repeat", "0"],
    ["--duration", "0"],
    ["--duration", "-1"],
    ["--warmup", "x"],
    ["--suite", "nope"],
    ["--server-cpus", "4096"],
    ["--client-cpus", "%d" % (os.cpu_count() + 7)],
    ["--sqpoll-cpu", "%d" % (os.cpu_count() + 7)],
    ["--payload", "0"],
    ["--probes", "maybe"],
    ["--timeout", "0.1"],
    ["--timeout", "601"],
    ["--bogus"],
    ["--duration"],
    ["stray-argument"],
    # Remote load generators (docs/multihost.md): --server-addr is required with them.
    ["--client-host", "root@198.18.0.2"],
    ["--client-exec", "ip netns exec ns1"],
    ["--client-host", "root@198.18.0.2", "--server-addr", "not-an-address"],
    ["--client-host", "-oProxyCommand=x", "--server-addr", "127.0.0.1"],
    ["--client-host", "h:0", "--server-addr", "127.0.0.1"],
    ["--client-exec", "no-such-command-here", "--server-addr", "127.0.0.1"],
    ["--ssh-option", "BatchMode=no"],
    ["--client-host", "h", "--server-addr", "127.0.0.1", "--ssh-option", "nokey"],
    ["--client-host", "a", "--client-host", "b", "--server-addr", "127.0.0.1",
     "--connections", "1"],
    # The checks that need more than one option (the plan's, once in options.c).
    ["--churn", "--depth", "2"],
    ["--suite", "tinygate", "--models", "nginx", "--work-us", "5"],
    ["--sweep", "size"],
    ["--rates", "100,200"],
    ["--sweep", "rate", "--rates", "200,100"],
    ["--repeat", "3", "--max-repeat", "4"],
    ["--rate", "100", "--depth", "2"],
    ["--equal-load", "1.5"],
    ["--probe-rounds", "all"],
    ["--equal-load", "0.5", "--rate", "1000"],
    ["--equal-load", "0.5", "--suite", "curve"],
    ["--body", "64"],
    ["--dry-run", "--connections", "0"],
]


def lookup(doc, path):
    """doc's value at the dotted path; KeyError when a step is missing."""
    for step in path.split("."):
        doc = doc[step]
    return doc


def check_rows(tmp):
    """Every row is in --help and in config; values given are the values recorded."""
    p = run(["run", "--help"], cwd=tmp)
    if p.returncode != 0:
        fail("run --help: exit %d" % p.returncode)
    section = p.stdout.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    in_help = set(re.findall(r"^  (?:-\w, )?--([a-z0-9-]+)", section, re.M))
    p = run(["run", "--dry-run"], cwd=tmp)
    if p.returncode != 0 or p.stderr:
        fail("run --dry-run: exit %d, stderr %r" % (p.returncode, p.stderr))
    plain = json.loads(p.stdout)
    rows = plain["options"]
    if set(rows) != in_help:
        fail("rows but not in --help: %r; in --help but no row: %r" %
             (sorted(set(rows) - in_help), sorted(in_help - set(rows))))
    # Only options that change nothing measured are recorded nowhere.
    unrecorded = sorted(k for k, v in rows.items() if v is None)
    if unrecorded != ["dry-run", "help", "out", "quiet"]:
        fail("options recorded nowhere: %r" % unrecorded)
    # config.ssh is null without remote load generators: a remote dry run fills it.
    remote = ["--client-exec", "env", "--server-addr", "127.0.0.1"]
    p = run(["run", "--dry-run"] + remote, cwd=tmp)
    if p.returncode != 0:
        fail("run --dry-run %r: exit %d, stderr %r" % (remote, p.returncode, p.stderr))
    with_remote = json.loads(p.stdout)
    for name, path in rows.items():
        if path is None:
            continue
        try:
            lookup(with_remote, path)
            if not path.startswith("config.ssh"):
                lookup(plain, path)
        except (KeyError, TypeError):
            fail("--%s: its record %s is not in the --dry-run document" % (name, path))
    with open(os.path.join(SOURCE, "docs", "results.md")) as f:
        doc_text = f.read()
    for key in plain["config"]:
        if "`%s`" % key not in doc_text:
            fail("config.%s is not documented in docs/results.md" % key)
    # A value given is recorded (the default echo suite keeps its cap of 6; custom 10).
    given = {
        "--models": ("epoll,uring", "config.models", ["epoll", "uring"]),
        "--connections": ("3,7", "config.connections", [3, 7]),
        "--payload": ("100,200", "config.sizes", [100, 200]),
        "--duration": ("0.7", "config.duration_s", 0.7),
        "--warmup": ("0.2", "config.warmup_s", 0.2),
        "--repeat": ("auto", "config.repeat", "auto"),
        "--max-repeat": ("4", "config.max_repeat", 4),
        "--probe-rounds": ("2", "config.probe_rounds", 2),
        "--target-ci": ("3", "config.target_ci_pct", 3),
        "--order": ("sequential", "config.order", "sequential"),
        "--seed": ("42", "config.seed", 42),
        "--server-arg": ("--jitter-us=5", "config.server_args", ["--jitter-us=5"]),
        "--load-threads": ("2", "config.load_threads", 2),
        "--rate": ("1000", "config.rate", 1000),
        "--probes": ("off", "config.probes", "off"),
        "--timeout": ("3", "config.timeout_s", 3),
        "--work-us": ("7", "config.work_us", 7),
        "--churn": (None, "config.churn", True),
        "--server-cpus": ("0", "config.cpu_layout.server", "0"),
        "--sqpoll-cpu": ("0", "config.cpu_layout.sqpoll", "0"),
    }
    args = ["run", "--dry-run"]
    for opt, (val, _, _) in given.items():
        args += [opt] + ([val] if val is not None else [])
    p = run(args, cwd=tmp)
    if p.returncode != 0:
        fail("%r: exit %d, stderr %r" % (args, p.returncode, p.stderr))
    doc = json.loads(p.stdout)
    for opt, (val, path, want) in given.items():
        if lookup(doc, path) != want:
            fail("%s %s: %s is %r, want %r" % (opt, val, path, lookup(doc, path), want))
    if doc["suite"] != "custom" or plain["suite"] != "echo":
        fail("suites %r and %r, want custom and echo" % (doc["suite"], plain["suite"]))
    # the cap is 8; a compared cell replaces stolen rounds up to 12; probed runs in 3
    cfg = plain["config"]
    if (cfg["max_repeat"] != 8 or cfg["max_rounds"] != 12 or cfg["probe_rounds"] != 3 or
            plain["plan"]["repeat"] != {"min": 3, "max": 12}):
        fail("the default echo suite: max_repeat %r, max_rounds %r, probe_rounds %r, plan %r, "
             "want 8, 12, 3 (README)" % (cfg["max_repeat"], cfg.get("max_rounds"),
                                         cfg.get("probe_rounds"), plain["plan"]))
    p = run(["run", "--dry-run", "--models", "epoll"], cwd=tmp)
    if json.loads(p.stdout)["config"]["max_repeat"] != 10:
        fail("a custom run's max_repeat is not 10: %s" % p.stdout)
    if os.listdir(tmp):
        fail("--dry-run created %r" % os.listdir(tmp))
    print("ok: %d option rows, each in --help and recorded; the default cap 8" % len(rows))


need_binaries()
with tempfile.TemporaryDirectory(prefix="rs-badopts-") as tmp:
    check_rows(tmp)
    for args in BAD:
        out = os.path.join(tmp, "out")
        p = run(["run", "--suite", "smoke", "--out", out] + args if args[0] != "--suite"
                else ["run", "--out", out] + args, cwd=tmp)
        lines = p.stderr.splitlines()
        if p.returncode != 2:
            fail("%r: exit %d, want 2 (stderr %r)" % (args, p.returncode, p.stderr))
        if len(lines) != 1 or not lines[0].startswith("ringside: "):
            fail("%r: want one 'ringside: ...' line on stderr, got %r" % (args, p.stderr))
        if p.stdout:
            fail("%r: printed on stdout: %r" % (args, p.stdout))
        if os.listdir(tmp):
            fail("%r: created %r" % (args, os.listdir(tmp)))
        print("ok: %-28s -> %s" % (" ".join(args), lines[0]))
    # Without --out, the default results/ directory must not appear either.
    p = run(["run", "--models", "nope"], cwd=tmp)
    if p.returncode != 2 or os.listdir(tmp):
        fail("--models nope without --out: exit %d, dir %r" % (p.returncode, os.listdir(tmp)))
    # The other commands: the same one 'ringside: ...' line and exit 2.
    for args in (["bogus-command"], ["list", "--bogus"], ["doctor", "--bogus"], ["trace"],
                 ["trace", "--bogus", "--", "true"], ["trace", "--", "/nonexistent/cmd"],
                 ["compare", "--fail-above", "x", "a", "b"], ["compare", "a"],
                 ["plot", "--bogus", "x"], ["export", "a", "b"], ["report"]):
        p = run(args, cwd=tmp)
        lines = p.stderr.splitlines()
        if (p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("ringside: ") or
                p.stdout or os.listdir(tmp)):
            fail("%r: exit %d, stdout %r, stderr %r" % (args, p.returncode, p.stdout, p.stderr))
        print("ok: %-28s -> %s" % (" ".join(args), lines[0]))
print("ok: %d bad option sets rejected" % (len(BAD) + 12))
