#!/usr/bin/python3
"""Bad options to `ringside run`: each gives exactly one line on stderr, exit 2,
nothing on stdout and no result directory (neither --out nor results/)."""
import os
import tempfile

from rs_harness import fail, need_binaries, run

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
]

need_binaries()
with tempfile.TemporaryDirectory(prefix="rs-badopts-") as tmp:
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
