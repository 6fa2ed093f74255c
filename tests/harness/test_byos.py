#!/usr/bin/python3
"""Bring your own server (`ringside run --server NAME='COMMAND'`), with socat as the
server. Usage: test_byos.py CASE, one of
  echo        a socat echo cell (a process per connection): ok, requests > 0, zero
              errors, with probes syscalls per request > 0 (only the forks do I/O),
              the expanded command in the run, no socat left afterwards;
  proxy       the same for a socat byte forwarder in the proxy workload;
  sigint      SIGINT mid-cell: exit 130, results "interrupted", no socat left;
  bad         every bad --server/--server-config/--peer-config gives exit 2 and one
              line; a server that never listens fails its cell saying so;
  peer_config --peer-config nginx=FILE: the expanded template is what nginx ran (its
              copy in DIR/peers/), the cell is ok, and nginx run by this test with
              the same template sends the template's header in a real response.
Traffic only to 127.0.0.1."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from rs_harness import (ORIGIN, RINGSIDE, children, descendants, fail, need_binaries,
                        proc_table, procs, run, run_checks, skip, start, validate, wait_until)

CASE = sys.argv[1] if len(sys.argv) > 1 else "echo"
SHORT = ["--duration", "0.5", "--warmup", "0.2", "--repeat", "1", "--connections", "4"]
ECHO = "socat-echo=socat TCP-LISTEN:{port},bind={host},reuseaddr,fork EXEC:cat"
PROXY = "socat-proxy=socat TCP-LISTEN:{port},bind={host},reuseaddr,fork TCP:{upstream}"


def socats(before=()):
    """PIDs of socat processes now, less those in before."""
    return {p for p, (_, comm, _) in proc_table().items() if comm == "socat"} - set(before)


def need_socat():
    if not shutil.which("socat"):
        skip("socat is not installed (apt-get install socat)")


def check_cell(doc, model, workload):
    if doc["status"] != "complete" or [c["model"] for c in doc["cells"]] != [model]:
        fail("status %r, cells %r" % (doc["status"], [c["model"] for c in doc["cells"]]))
    c = doc["cells"][0]
    if c["status"] != "ok" or c["workload"] != workload:
        fail("%s: %s (%s)" % (model, c["status"], c["reason"]))
    srv = doc["config"]["servers"]
    if [s["name"] for s in srv] != [model] or "{port}" not in srv[0]["command"]:
        fail("config.servers %r" % srv)
    probed = doc["probes"]["mode"] == "bpf"
    for r in c["runs"]:
        if r["status"] != "ok" or not r["requests"] or r["errors"]["total"] != 0:
            fail("%s run %d: %s requests %r errors %r" % (model, r["index"], r["status"],
                                                        r["requests"], r["errors"]))
        cmd = r["server_command"]
        if not cmd or "{" in cmd or not cmd.startswith("socat TCP-LISTEN:"):
            fail("%s: server_command %r" % (model, cmd))
        # The listener plus a process per connection (echo: and its cat).
        if r["server"]["threads"] < 1 + 4:
            fail("%s: %r threads, want the listener and its 4 forks" % (model,
                                                                      r["server"]["threads"]))
        if r["probed"]:
            sc = r["syscalls"]["server"]["per_request"]
            # The listener only accepts: syscalls per request come from the forks.
            if not sc or sc <= 0:
                fail("%s: server syscalls per request %r (forks not followed?)" % (model, sc))
    if probed and not any(r["probed"] for r in c["runs"]):
        fail("probes on but no probed run")
    s = c["summary"]
    print("ok: %s %.0f req/s, %s syscalls/request" % (
        model, s["requests_per_sec"]["median"],
        "%.1f" % s["syscalls_per_request"]["median"] if probed else "no probes:"))
    return probed


def cell_case(tmp, server, model, workload):
    before = socats()
    args = ["run", "--server", server, "--models", model] + SHORT
    if workload == "proxy":
        args[1:1] = ["--workload", "proxy"]
    p = run(args + ["--out", os.path.join(tmp, "r"), "--quiet"], cwd=tmp)
    print(p.stdout, end="")
    print(p.stderr, end="")
    if p.returncode != 0:
        fail("ringside exited %d" % p.returncode)
    doc = validate(os.path.join(tmp, "r", "results.json"))
    probed = check_cell(doc, model, workload)
    left = socats(before)
    if left:
        fail("socat left after the run: %r" % sorted(left))
    if not probed:
        skip("probes off (%s): syscalls across the forks not checked" % doc["probes"]["reason"])


def sigint_case(tmp):
    before = socats()
    out = os.path.join(tmp, "r")
    rs = subprocess.Popen([RINGSIDE, "run", "--server", ECHO, "--models", "socat-echo",
                           "--duration", "5", "--warmup", "0.2", "--repeat", "1",
                           "--connections", "4", "--probes", "off", "--out", out],
                          cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    forks = lambda: [p for p in descendants(rs.pid) if p in socats(before)]
    # The cell has started once the load runs and socat has forked for its connections.
    if not wait_until(lambda: rs.poll() is not None or (children(rs.pid, "ringside-load")
                                                        and len(forks()) >= 2), 15):
        rs.kill()
        fail("never saw socat's forks under ringside")
    if rs.poll() is not None:
        fail("ringside ended before the SIGINT: %s" % rs.communicate()[1])
    time.sleep(0.5)
    seen = forks()
    os.kill(rs.pid, signal.SIGINT)
    try:
        _, stderr = rs.communicate(timeout=8)
    except subprocess.TimeoutExpired:
        rs.kill()
        fail("ringside did not exit within 8 s of SIGINT")
    print(stderr, end="")
    if rs.returncode != 128 + signal.SIGINT:
        fail("exit %d, want %d" % (rs.returncode, 128 + signal.SIGINT))
    doc = validate(os.path.join(out, "results.json"))
    if doc["status"] != "interrupted":
        fail("status %r, want interrupted" % doc["status"])
    if socats(before):
        fail("socat left after SIGINT: %r (it had %r)" % (sorted(socats(before)), seen))
    print("ok: SIGINT with %d socat processes running left none" % len(seen))


def bad_case(tmp):
    with open(os.path.join(tmp, "bad.ini"), "w") as f:
        f.write("port = {nope}\n")
    with open(os.path.join(tmp, "ok.ini"), "w") as f:
        f.write("port = {port}\n")
    bad = [  # (args, what the one line must say)
        (["--server", "epoll=socat -"], "built-in model"),
        (["--server", "nginx=socat -"], "built-in model"),
        (["--server", "x="], "empty command"),
        (["--server", "x=  "], "empty command"),
        (["--server", "x=cat {bogus}"], "{bogus}"),
        (["--server", "x=cat {upstream}"], "{upstream} has no value"),
        (["--server", "x=cat {config}"], "{config} has no value"),
        (["--server", "Big=cat"], "lowercase"),
        (["--server", "noequals"], "NAME=VALUE"),
        (["--server", "x=cat {port}", "--server", "x=cat {port}"], "twice"),
        (["--server-config", "y=ok.ini"], "no --server y"),
        (["--server", "x=cat {config}", "--server-config", "x=/nonexistent"], "cannot read"),
        (["--server", "x=cat {config}", "--server-config", "x=bad.ini"], "{nope}"),
        (["--server", "x=cat {port}", "--models", "socat"], "unknown model 'socat'"),
        (["--peer-config", "nginx=ok.ini"], "not a model of the echo workload"),
        (["--workload", "proxy", "--peer-config", "epoll=ok.ini"], "not a peer"),
        (["--workload", "proxy", "--peer-config", "nginx=bad.ini"], "{nope}"),
        (["--host-header", "localhost"], "proxy workload"),
    ]
    out = os.path.join(tmp, "out")
    for args, want in bad:
        p = run(["run", "--out", out] + args, cwd=tmp)
        lines = p.stderr.splitlines()
        if p.returncode != 2 or len(lines) != 1 or want not in lines[0] or p.stdout:
            fail("%r: exit %d, stderr %r (want exit 2 and one line with %r)" % (
                args, p.returncode, p.stderr, want))
        if os.path.exists(out):
            fail("%r: made %s" % (args, out))
    print("ok: %d bad inputs: exit 2, one line each" % len(bad))
    # A server that never listens: its cell fails, bounded by the ready timeout
    # (--timeout 1.5 instead of the default 10 s: the test waits that long).
    t0 = time.monotonic()
    p = run(["run", "--server", "mute=sh -c 'echo waiting on {port} >&2; exec sleep 60'", "--models",
             "mute", "--duration", "0.2", "--repeat", "1", "--connections", "1", "--timeout",
             "1.5", "--out", os.path.join(tmp, "mute"), "--quiet"], cwd=tmp)
    doc = validate(os.path.join(tmp, "mute", "results.json"))
    c = doc["cells"][0]
    if c["status"] != "failed" or not re.search(
            r"never accepted on port \d+ within 1.5 s; its stderr: waiting on \d+", c["reason"]):
        fail("mute server: %s (%s)" % (c["status"], c["reason"]))
    if doc["config"]["timeout_s"] != 1.5:
        fail("config.timeout_s %r, want 1.5" % doc["config"]["timeout_s"])
    if time.monotonic() - t0 > 16.5:
        fail("the mute server took %.0f s to give up" % (time.monotonic() - t0))
    if sleeping_60():
        fail("the mute server's sleep is left: %r" % sleeping_60())
    print("ok: a server that never listens: %s" % c["reason"])


NGINX_TMPL = """{user}master_process on;
worker_processes {{threads}};
pid {{tmpdir}}/byos.pid;
error_log {{tmpdir}}/byos.error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {{tmpdir}}/body;
  proxy_temp_path {{tmpdir}}/proxy;
  fastcgi_temp_path {{tmpdir}}/fastcgi;
  uwsgi_temp_path {{tmpdir}}/uwsgi;
  scgi_temp_path {{tmpdir}}/scgi;
  upstream origin {{ server {{upstream}}; keepalive 16; }}
  server {{
    listen 127.0.0.1:{{port}};
    location / {{
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      add_header X-Ringside-Test 1 always;
    }}
  }}
}}
"""


def expand(tmpl, values):
    return re.sub(r"\{(port|upstream|tmpdir|threads)\}", lambda m: str(values[m.group(1)]),
                  tmpl)


def peer_config_case(tmp):
    nginx = shutil.which("nginx", path="/usr/sbin:/usr/bin")
    if not nginx:
        skip("nginx is not installed (apt-get install nginx)")
    tmpl = NGINX_TMPL.format(user="user root root;\n" if os.geteuid() == 0 else "")
    path = os.path.join(tmp, "nginx.conf.in")
    with open(path, "w") as f:
        f.write(tmpl)
    p = run(["run", "--workload", "proxy", "--models", "nginx", "--peer-config",
             "nginx=" + path, "--body", "100"] + SHORT + ["--out", os.path.join(tmp, "r"),
                                                          "--quiet"], cwd=tmp)
    print(p.stdout, end="")
    print(p.stderr, end="")
    if p.returncode != 0:
        fail("ringside exited %d" % p.returncode)
    doc = validate(os.path.join(tmp, "r", "results.json"))
    c = doc["cells"][0]
    if c["status"] != "ok" or c["summary"]["errors"]["total"] != 0:
        fail("nginx with the template: %s (%s)" % (c["status"], c["reason"]))
    if doc["config"]["peer_configs"] != [{"tool": "nginx", "template": path}]:
        fail("config.peer_configs %r" % doc["config"]["peer_configs"])
    for r in c["runs"]:
        pc = r["peer_config"]
        if pc["template"] != path or pc["keepalive"] is not None or \
                pc["worker_connections"] is not None or pc["file"] != "peers/nginx-proxy-c4.conf":
            fail("run.peer_config %r" % pc)
    with open(os.path.join(tmp, "r", pc["file"])) as f:
        ran = f.read()
    # What nginx ran is the template with only the placeholders filled in.
    rx = re.escape(tmpl)
    for name, grp in (("port", r"(?P<port>\d+)"), ("upstream", r"127\.0\.0\.1:\d+"),
                      ("tmpdir", r"/tmp/ringside-\w+"), ("threads", r"1")):
        rx = rx.replace(re.escape("{%s}" % name), grp, 1).replace(re.escape("{%s}" % name),
                                                                  grp.replace("?P<port>", ""))
    if not re.fullmatch(rx, ran) or "add_header X-Ringside-Test 1 always;" not in ran:
        fail("peers/nginx-proxy-c4.conf is not the expanded template:\n" + ran)
    # The same template, run by hand: the header arrives in a real response.
    _, oport = start([ORIGIN, "--body-bytes", "100"])
    ndir = tempfile.mkdtemp(prefix="ngx.", dir=tmp)
    nport = free_port()
    conf = os.path.join(ndir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(expand(tmpl, {"port": nport, "upstream": "127.0.0.1:%d" % oport,
                              "tmpdir": ndir, "threads": 1}))
    ng = subprocess.Popen([nginx, "-c", conf, "-p", ndir, "-e", os.path.join(ndir, "e.log"),
                           "-g", "daemon off;"], stderr=subprocess.PIPE,
                          start_new_session=True)
    procs.append(ng)
    got = {}

    def fetch():
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % nport, timeout=2) as resp:
                got.update(status=resp.status, header=resp.headers.get("X-Ringside-Test"),
                           body=len(resp.read()))
            return True
        except OSError:
            return ng.poll() is not None
    if not wait_until(fetch, 10) or not got:
        fail("nginx with the template never answered (exit %r)" % ng.poll())
    if got != {"status": 200, "header": "1", "body": 100}:
        fail("response %r, want status 200, X-Ringside-Test: 1, 100 bytes" % got)
    print("ok: --peer-config reached nginx: %r" % got)


def sleeping_60():
    """PIDs running `sleep 60` (the mute server)."""
    found = []
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if f.read() == b"sleep\x0060\x00":
                    found.append(int(d))
        except (OSError, ValueError):
            continue
    return found


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    need_binaries()
    with tempfile.TemporaryDirectory(prefix="rs-byos-") as tmp:
        if CASE == "echo":
            need_socat()
            cell_case(tmp, ECHO, "socat-echo", "echo")
        elif CASE == "proxy":
            need_socat()
            cell_case(tmp, PROXY, "socat-proxy", "proxy")
        elif CASE == "sigint":
            need_socat()
            sigint_case(tmp)
        elif CASE == "bad":
            bad_case(tmp)
        elif CASE == "peer_config":
            peer_config_case(tmp)
        else:
            fail("unknown case %r" % CASE)


run_checks(main, "byos " + CASE)
