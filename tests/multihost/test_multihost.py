"""Load generators on other hosts, for real: two network namespaces joined to this
one by veth pairs, an sshd of the test's own in each (own keys, config and port;
the system's sshd and /etc/ssh are never touched), and `ringside run` with
--client-host over ssh and with --client-exec 'ip netns exec NS'. Checks the exact
merge (requests summed, percentiles = a merge by hand of the hosts' histograms),
an unreachable host, a remote load generator killed mid-run, and SIGINT.

Addresses are from the RFC 2544 benchmarking range 198.18.0.0/15 only, two /30s
picked from the pid (so concurrent runs do not collide); every name has the pid
in it; everything is torn down in a finally block, also on failure.
Exit 77 (skip) when not root, without network namespaces, or without sshd/ip."""
import atexit
import ipaddress
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import rs_harness as H  # noqa: E402

SSHD = "/usr/sbin/sshd"
PORT = 2200
PID = os.getpid()
NS = ["rsmh%da" % PID, "rsmh%db" % PID]
VETH = ["rsv%da" % PID, "rsv%db" % PID]   # root side (<= 15 characters)
PEER = ["rsp%da" % PID, "rsp%db" % PID]   # inside the namespace
_k = PID % 16384
_base = int(ipaddress.IPv4Address("198.18.0.0"))
ROOT_ADDR = [str(ipaddress.IPv4Address(_base + (2 * _k + i) * 4 + 1)) for i in (0, 1)]
NS_ADDR = [str(ipaddress.IPv4Address(_base + (2 * _k + i) * 4 + 2)) for i in (0, 1)]
SERVER_ADDR = ROOT_ADDR[0]

state = {"tmp": None, "sshd": [], "made_privsep": False, "ns_made": [], "veth_made": []}


def sh(*args, check=True):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=20)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def ns_pids(ns):
    r = sh("ip", "netns", "pids", ns, check=False)
    return [int(p) for p in r.stdout.split() if p.isdigit()]


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def our_loads():
    """ringside-load processes anywhere (namespaces or here) aimed at our server address."""
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit() and comm(int(d)) == "ringside-load" and SERVER_ADDR in cmdline(int(d)):
            if H.alive(int(d)):
                found.append(int(d))
    return found


def teardown():
    for p in state["sshd"]:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=5)
    state["sshd"] = []
    for ns in state["ns_made"]:
        for pid in ns_pids(ns):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        sh("ip", "netns", "del", ns, check=False)
    state["ns_made"] = []
    for v in state["veth_made"]:  # gone with its peer's namespace; make sure
        if os.path.exists("/sys/class/net/" + v):
            sh("ip", "link", "del", v, check=False)
    state["veth_made"] = []
    if state["made_privsep"]:
        try:
            os.rmdir("/run/sshd")
        except OSError:
            pass
        state["made_privsep"] = False
    if state["tmp"]:
        shutil.rmtree(state["tmp"], ignore_errors=True)
        state["tmp"] = None


def preflight():
    if os.geteuid() != 0:
        H.skip("needs root (network namespaces, veth pairs, sshd)")
    for tool in ("ip", "ssh", "ssh-keygen"):
        if not shutil.which(tool):
            H.skip("%s is not installed (apt-get install iproute2 openssh-client)" % tool)
    if not os.access(SSHD, os.X_OK):
        H.skip("%s is missing (apt-get install openssh-server)" % SSHD)
    r = sh("ip", "netns", "add", NS[0], check=False)
    if r.returncode != 0:
        H.skip("network namespaces are unavailable: " + r.stderr.strip())
    state["ns_made"].append(NS[0])


def setup_net():
    for i in (0, 1):
        if NS[i] not in state["ns_made"]:
            sh("ip", "netns", "add", NS[i])
            state["ns_made"].append(NS[i])
        sh("ip", "link", "add", VETH[i], "type", "veth", "peer", "name", PEER[i])
        state["veth_made"].append(VETH[i])
        sh("ip", "link", "set", PEER[i], "netns", NS[i])
        sh("ip", "addr", "add", ROOT_ADDR[i] + "/30", "dev", VETH[i])
        sh("ip", "link", "set", VETH[i], "up")
        sh("ip", "-n", NS[i], "addr", "add", NS_ADDR[i] + "/30", "dev", PEER[i])
        sh("ip", "-n", NS[i], "link", "set", PEER[i], "up")
        sh("ip", "-n", NS[i], "link", "set", "lo", "up")
    # The server binds ROOT_ADDR[0]: the second namespace reaches it through its own pair.
    sh("ip", "-n", NS[1], "route", "add", ROOT_ADDR[0] + "/32", "via", ROOT_ADDR[1])


def setup_sshd():
    tmp = state["tmp"]
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(tmp, "id"))
    shutil.copy(os.path.join(tmp, "id.pub"), os.path.join(tmp, "authorized_keys"))
    if not os.path.isdir("/run/sshd"):  # sshd's compiled-in privilege separation dir
        os.mkdir("/run/sshd", 0o755)
        state["made_privsep"] = True
    known = []
    for i in (0, 1):
        d = os.path.join(tmp, "sshd%d" % i)
        os.mkdir(d)
        key = os.path.join(d, "hostkey")
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
        with open(key + ".pub") as f:
            known.append("[%s]:%d %s" % (NS_ADDR[i], PORT, " ".join(f.read().split()[:2])))
        cfg = os.path.join(d, "sshd_config")
        with open(cfg, "w") as f:
            f.write("\n".join([
                "ListenAddress %s" % NS_ADDR[i], "Port %d" % PORT, "HostKey %s" % key,
                "AuthorizedKeysFile %s" % os.path.join(tmp, "authorized_keys"),
                "PidFile %s" % os.path.join(d, "sshd.pid"), "StrictModes no", "UsePAM no",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password", "PubkeyAuthentication yes",
                "LogLevel INFO", ""]))  # INFO: one "Accepted" line per login
        log = open(os.path.join(d, "log"), "w")
        state["sshd"].append(subprocess.Popen(
            ["ip", "netns", "exec", NS[i], SSHD, "-D", "-e", "-f", cfg],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL))
    with open(os.path.join(tmp, "known_hosts"), "w") as f:
        f.write("\n".join(known) + "\n")
    for i in (0, 1):
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((NS_ADDR[i], PORT), timeout=1).close()
                break
            except OSError:
                if state["sshd"][i].poll() is not None or time.monotonic() > deadline:
                    with open(os.path.join(tmp, "sshd%d" % i, "log")) as f:
                        H.fail("sshd in %s did not start: %s" % (NS[i], f.read().strip()))
                time.sleep(0.05)


def ssh_args():
    tmp = state["tmp"]
    return ["--ssh-option", "UserKnownHostsFile=" + os.path.join(tmp, "known_hosts"),
            "--ssh-option", "StrictHostKeyChecking=yes",
            "--ssh-option", "IdentityFile=" + os.path.join(tmp, "id"),
            "--ssh-option", "IdentitiesOnly=yes", "--ssh-timeout", "3"]


def env():
    e = dict(os.environ)
    e["RINGSIDE_SSH_OPTS"] = "-F /dev/null"  # not the user's ssh config, and the env path
    return e


CELL = ["run", "--models", "epoll", "--connections", "4", "--duration", "0.5", "--warmup", "0.1",
        "--repeat", "1", "--probes", "off", "--quiet", "--server-addr", SERVER_ADDR]
HOSTS = ["--client-host", "root@%s:%d" % (NS_ADDR[0], PORT),
         "--client-host", "root@%s:%d" % (NS_ADDR[1], PORT)]
EXECS = ["--client-exec", "ip netns exec " + NS[0], "--client-exec", "ip netns exec " + NS[1]]


def ringside(args, name, timeout=90):
    out = os.path.join(state["tmp"], name)
    r = subprocess.run([H.RINGSIDE] + args + ["--out", out], capture_output=True, text=True,
                       timeout=timeout, env=env(), cwd=state["tmp"])
    return r, os.path.join(out, "results.json")


def bucket_mid(i, sub_bits):
    sub = 1 << sub_bits
    if i < 2 * sub:
        return float(i)
    shift = (i - 2 * sub) // sub + 1
    lo = (sub + (i - 2 * sub) % sub) << shift
    return lo + ((1 << shift) - 1) / 2.0


def merged_percentiles(hists):
    """The merge hist_merge does and the rule hist_percentile applies, by hand."""
    buckets, count, lo, hi, total = {}, 0, None, None, 0
    for h in hists:
        if h["sub_bits"] != hists[0]["sub_bits"]:
            H.fail("hosts' histograms have different constants")
        for i, n in h["buckets"]:
            buckets[i] = buckets.get(i, 0) + n
        count += h["count"]
        total += h["sum_ns"]
        if h["count"]:
            lo = h["min_ns"] if lo is None else min(lo, h["min_ns"])
            hi = h["max_ns"] if hi is None else max(hi, h["max_ns"])
    out = {}
    for key, p in (("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9)):
        rank = max(1, math.ceil(p / 100.0 * count))
        seen = 0
        for i in sorted(buckets):
            seen += buckets[i]
            if seen >= rank:
                out[key] = min(max(bucket_mid(i, hists[0]["sub_bits"]), lo), hi) / 1e3
                break
    out["max"] = hi / 1e3
    out["mean"] = total / count / 1e3
    return out, count


def check_merged(path, what, labels):
    doc = H.validate(path)
    cell = doc["cells"][0]
    if cell["status"] != "ok":
        H.fail("%s: cell %s: %s" % (what, cell["status"], cell["reason"]))
    got = [c["host"] or c["exec"] for c in doc["config"]["clients"]]
    if got != labels or doc["config"]["server_addr"] != SERVER_ADDR:
        H.fail("%s: config.clients %s / server_addr %s" % (what, got, doc["config"]["server_addr"]))
    if [c["connections"] for c in doc["config"]["clients"]] != [[2], [2]]:
        H.fail("%s: connections not divided 2 + 2: %s" % (what, doc["config"]["clients"]))
    run = cell["runs"][0]
    if run["remote"] is not True or len(run["clients"] or []) != 2:
        H.fail("%s: run.remote/clients missing: %s" % (what, run.get("clients")))
    hosts = run["clients"]
    if [h["host"] for h in hosts] != labels:
        H.fail("%s: clients %s, expected %s" % (what, [h["host"] for h in hosts], labels))
    if any(h["requests"] <= 0 for h in hosts):
        H.fail("%s: a host sent no requests: %s" % (what, [h["requests"] for h in hosts]))
    if run["requests"] != sum(h["requests"] for h in hosts):
        H.fail("%s: requests %d != the hosts' sum %d" %
               (what, run["requests"], sum(h["requests"] for h in hosts)))
    if run["errors"]["total"] != 0 or any(h["errors"]["total"] for h in hosts):
        H.fail("%s: errors: %s" % (what, run["errors"]))
    want, count = merged_percentiles([h["histogram"] for h in hosts])
    if count != run["load"]["histogram"]["count"]:
        H.fail("%s: merged histogram holds %d, the hosts' %d" %
               (what, run["load"]["histogram"]["count"], count))
    for k, v in want.items():
        if abs(run["latency_us"][k] - v) > 1e-6 * max(1.0, abs(v)):
            H.fail("%s: latency_us.%s = %r, the merge by hand gives %r" %
                   (what, k, run["latency_us"][k], v))
    rps = sum(h["requests_per_sec"] for h in hosts)
    if abs(run["requests_per_sec"] - rps) > 1e-6 * rps:
        H.fail("%s: requests_per_sec %r != the hosts' sum %r" % (what, run["requests_per_sec"], rps))
    print("ok: %s: %d + %d requests, p99 %.1f us, merged exactly" %
          (what, hosts[0]["requests"], hosts[1]["requests"], run["latency_us"]["p99"]))


def masters():
    """Our ssh connection masters (ssh names itself after its ControlPath) and their
    directories: none may outlive a run."""
    procs = [p for p in os.listdir("/proc") if p.isdigit() and "ringside-ssh." in cmdline(int(p))]
    return procs, sorted(d for d in os.listdir("/tmp") if d.startswith("ringside-ssh."))


def check_no_masters(what, before):
    deadline = time.monotonic() + 3
    while True:
        procs, dirs = masters()
        dirs = sorted(set(dirs) - set(before))
        if not procs and not dirs:
            return
        if time.monotonic() > deadline:
            H.fail("%s: ssh masters %s or their directories %s outlived the run" %
                   (what, [(p, cmdline(p)) for p in procs], dirs))
        time.sleep(0.05)


def logins():
    """Logins each test sshd has accepted so far."""
    n = []
    for i in (0, 1):
        with open(os.path.join(state["tmp"], "sshd%d" % i, "log")) as f:
            n.append(sum("Accepted publickey" in line for line in f))
    return n


def test_ssh():
    before = set(d for d in os.listdir("/tmp") if d.startswith("ringside-load."))
    ctl_before, logins_before = masters()[1], logins()
    r, path = ringside(CELL + HOSTS + ssh_args(), "ssh")
    if r.returncode != 0:
        H.fail("ssh cell: ringside exited %d: %s" % (r.returncode, r.stderr.strip()[-600:]))
    check_merged(path, "ssh", [HOSTS[1], HOSTS[3]])
    if "load: 2 load generators" not in r.stdout:
        H.fail("the table does not say where the load came from:\n" + r.stdout)
    left = set(d for d in os.listdir("/tmp") if d.startswith("ringside-load.")) - before
    if left:
        H.fail("the copied load generators were not removed: %s" % sorted(left))
    # One connection per host, shared by every step (mktemp, the copy, --version, the
    # run, rm): each sshd saw one login.
    got = [a - b for a, b in zip(logins(), logins_before)]
    if got != [1, 1]:
        H.fail("ssh: the hosts' sshds saw %s logins, want one each" % got)
    check_no_masters("ssh", ctl_before)
    print("ok: ssh: one login per host, no master left")


def test_exec():
    r, path = ringside(CELL + EXECS, "exec")
    if r.returncode != 0:
        H.fail("exec cell: ringside exited %d: %s" % (r.returncode, r.stderr.strip()[-600:]))
    check_merged(path, "client-exec", [EXECS[1], EXECS[3]])


def test_unreachable():
    bad = "root@%s:%d" % (NS_ADDR[0], PORT + 1)  # nothing listens there
    args = [a if a != "epoll" else "epoll,blocking" for a in CELL]
    t0 = time.monotonic()
    r, path = ringside(args + ["--client-host", bad] + ssh_args(), "unreachable")
    took = time.monotonic() - t0
    doc = H.validate(path)
    cells = doc["cells"]
    if len(cells) != 2:
        H.fail("unreachable: the suite did not go on: %d cells" % len(cells))
    for c in cells:
        if c["status"] != "failed" or bad not in (c["reason"] or "") or \
                "refused" not in c["reason"]:
            H.fail("unreachable: cell %s %s: %r" % (c["model"], c["status"], c["reason"]))
    if took > 30:
        H.fail("unreachable: took %.1f s" % took)
    print("ok: unreachable host: both cells failed in %.1f s: %s" % (took, cells[0]["reason"]))


def wait_loads(ns_list, deadline_s):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        found = {ns: [p for p in ns_pids(ns) if comm(p) == "ringside-load"] for ns in ns_list}
        if all(found.values()):
            return found
        time.sleep(0.05)
    return None


def start_long(name):
    args = list(CELL)
    args[args.index("--duration") + 1] = "5"
    out = os.path.join(state["tmp"], name)
    return subprocess.Popen([H.RINGSIDE] + args + HOSTS + ssh_args() + ["--out", out],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env(), cwd=state["tmp"]), os.path.join(out, "results.json")


def test_remote_dies():
    rs, path = start_long("dies")
    found = wait_loads(NS, 15)
    if not found:
        rs.kill()
        H.fail("remote dies: never saw ringside-load in both namespaces")
    time.sleep(0.8)
    os.kill(found[NS[1]][0], signal.SIGKILL)
    _, err = rs.communicate(timeout=30)
    cell = H.validate(path)["cells"][0]
    if cell["status"] != "failed" or HOSTS[3] not in (cell["reason"] or ""):
        H.fail("remote dies: cell %s: %r" % (cell["status"], cell["reason"]))
    print("ok: a remote killed mid-run fails the cell: %s" % cell["reason"])


def test_sigint():
    ctl_before = masters()[1]
    rs, path = start_long("sigint")
    if not wait_loads(NS, 15):
        rs.kill()
        H.fail("sigint: never saw ringside-load in both namespaces")
    time.sleep(0.5)
    rs.send_signal(signal.SIGINT)
    try:
        rs.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        rs.kill()
        H.fail("sigint: ringside did not exit within 20 s of SIGINT")
    if rs.returncode != 130:
        H.fail("sigint: ringside exited %d, not 130" % rs.returncode)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [p for ns in NS for p in ns_pids(ns) if comm(p) == "ringside-load"] + our_loads()
        if not left:
            break
        time.sleep(0.05)
    if left:
        H.fail("sigint: ringside-load still running: %s" % [(p, cmdline(p)) for p in left])
    check_no_masters("sigint", ctl_before)
    if H.validate(path)["status"] != "interrupted":
        H.fail("sigint: results.json does not say interrupted")
    print("ok: SIGINT left no ringside-load in %s, %s or here" % tuple(NS))


def main():
    H.need_binaries()
    atexit.register(teardown)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        preflight()
        state["tmp"] = tempfile.mkdtemp(prefix="rs-multihost-")
        setup_net()
        setup_sshd()
        print("network: %s <-> %s in %s, %s <-> %s in %s; server on %s" %
              (ROOT_ADDR[0], NS_ADDR[0], NS[0], ROOT_ADDR[1], NS_ADDR[1], NS[1], SERVER_ADDR))
        test_ssh()
        test_exec()
        test_unreachable()
        test_remote_dies()
        test_sigint()
    finally:
        teardown()
    print("PASS")


if __name__ == "__main__":
    main()
