#!/usr/bin/python3
"""A remote load generator gets the command line a local one gets: ringside run with
two --client-exec prefixes that only record their argv and exec it (loopback, this
machine), checked against the run's own config: --warmup is the cell's warmup (the
suite's, at least warmup_per_connection_s per connection), --threads is
config.load_threads (capped by the host's share of connections), --duration,
--connections summed over the hosts, and the workload's mode and size. Before one
builder made both command lines, a remote host got --warmup 0.3 and --threads 1
here."""
import json
import os
import sys
import tempfile

from rs_harness import check, fail, need_binaries, run, run_checks, skip, validate

RECORDER = """import json, os, sys
with open(sys.argv[1], "a") as f:
    f.write(json.dumps(sys.argv[2:]) + "\\n")
os.execv(sys.argv[2], sys.argv[2:])
"""


def opt(argv, name):
    """The value after name in argv, None if absent."""
    return argv[argv.index(name) + 1] if name in argv else None


def main():
    need_binaries()
    if len(os.sched_getaffinity(0)) < 2:
        skip("needs two CPUs (config.load_threads of two client CPUs)")
    with tempfile.TemporaryDirectory(prefix="rs-remote-cmd-") as tmp:
        rec = os.path.join(tmp, "record.py")
        with open(rec, "w") as f:
            f.write(RECORDER)
        logs = [os.path.join(tmp, "host%d.log" % i) for i in (0, 1)]
        out = os.path.join(tmp, "out")
        # 400 connections: the per-connection warmup (1 ms each) beats the suite's 0.3 s,
        # and two client CPUs make config.load_threads 2, so both rules show.
        args = ["run", "--models", "epoll", "--connections", "400", "--duration", "0.5",
                "--repeat", "1", "--probes", "off", "--quiet", "--server-addr", "127.0.0.1",
                "--server-cpus", "0", "--client-cpus", "0,1", "--out", out]
        for log in logs:
            args += ["--client-exec", "%s %s %s" % (sys.executable, rec, log)]
        p = run(args, cwd=tmp)
        print(p.stdout, end="")
        print(p.stderr, end="")
        if p.returncode != 0:
            fail("ringside run exited %d" % p.returncode)
        doc = validate(os.path.join(out, "results.json"))
        cfg = doc["config"]
        cell = doc["cells"][0]
        check(cell["status"] == "ok", "the cell is %s: %s" % (cell["status"], cell["reason"]))
        conns = cell["connections"]
        warmup = max(cfg["warmup_s"], cfg["warmup_per_connection_s"] * conns)
        loads = []
        for log in logs:
            with open(log) as f:
                calls = [json.loads(line) for line in f if line.strip()]
            runs = [a for a in calls if "--target" in a]
            check(len(runs) == 1, "%s: %d load generator runs, want 1" % (log, len(runs)))
            loads += runs[:1]
        total = 0
        for argv in loads:
            share = int(opt(argv, "--connections"))
            total += share
            check(abs(float(opt(argv, "--warmup")) - warmup) < 1e-9,
                  "--warmup %s, the cell's warmup is %g" % (opt(argv, "--warmup"), warmup))
            check(int(opt(argv, "--threads")) == min(cfg["load_threads"], share),
                  "--threads %s, config.load_threads %d (share %d)"
                  % (opt(argv, "--threads"), cfg["load_threads"], share))
            check(float(opt(argv, "--duration")) == cfg["duration_s"],
                  "--duration %s, config.duration_s %g" % (opt(argv, "--duration"),
                                                            cfg["duration_s"]))
            check(opt(argv, "--mode") == "echo" and opt(argv, "--payload") is not None,
                  "workload options missing: %r" % argv)
            check(opt(argv, "--phase-fd") == "1" and "--exit-on-stdin-eof" in argv,
                  "a remote load generator reports on stdout and exits on stdin EOF: %r"
                  % argv)
        check(total == conns, "the hosts' connections add to %d, the cell has %d"
              % (total, conns))
        check(cfg["load_threads"] == 2, "config.load_threads %r with two client CPUs"
              % cfg["load_threads"])
        check(warmup > cfg["warmup_s"], "the test wants the per-connection warmup to count")


run_checks(main, "harness_remote_cmd")
