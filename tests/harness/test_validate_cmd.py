#!/usr/bin/python3
"""`ringside validate --json` (A/A and A/B with a known --work-us) gives the documented
shape: aa {trials, false_winners, efficiency {trials, false_winners}}, ab {trials,
detected, known_us, measured_us, measured_total_us, efficiency {trials, detected}},
smallest_effect_pct, equal_load (the efficiency verdicts' rate, 0.5 by default); one trial of 3 short rounds, so the figures
themselves are not judged here (they belong to the command's run in the README). A
bad option is one line on stderr and exit 2."""
import json

from rs_harness import fail, need_binaries, run


def main():
    need_binaries()
    r = run(["validate", "--trials", "1", "--rounds", "3", "--duration", "0.1", "--work-us", "2",
             "--json"])
    if r.returncode != 0:
        fail("validate exit %d: %s" % (r.returncode, r.stderr[-2000:]))
    try:
        out = json.loads(r.stdout)
    except ValueError as e:
        fail("validate --json is not JSON (%s): %r" % (e, r.stdout[:500]))
    aa, ab = out.get("aa"), out.get("ab")
    if not isinstance(aa, dict) or aa.get("trials") != 1 or aa.get("false_winners") not in (0, 1):
        fail("aa %r" % aa)
    if (not isinstance(ab, dict) or ab.get("trials") != 1 or ab.get("detected") not in (0, 1)
            or ab.get("known_us") != 2):
        fail("ab %r" % ab)
    for k in ("measured_us", "measured_total_us"):
        if k not in ab or not (ab[k] is None or isinstance(ab[k], (int, float))):
            fail("ab.%s %r" % (k, ab.get(k)))
    for side, key in (("aa", "false_winners"), ("ab", "detected")):
        e = out[side].get("efficiency")
        if not isinstance(e, dict) or e.get("trials") != 1 or e.get(key) not in (0, 1):
            fail("%s.efficiency %r (the equal-load verdict of the trial)" % (side, e))
    if out.get("equal_load") != 0.5:
        fail("equal_load %r" % out.get("equal_load"))
    if "smallest_effect_pct" not in out or not (out["smallest_effect_pct"] is None or
                                                out["smallest_effect_pct"] > 0):
        fail("smallest_effect_pct %r" % out.get("smallest_effect_pct"))
    if out.get("workload") != "echo":
        fail("workload %r (echo by default)" % out.get("workload"))
    for bad in (["--equal-load", "1"], ["--equal-load", "x"], ["--workload", "http"]):
        r = run(["validate"] + bad)
        if r.returncode != 2 or r.stdout or len(r.stderr.strip().splitlines()) != 1:
            fail("%s: exit %d, stderr %r" % (" ".join(bad), r.returncode, r.stderr))
    r = run(["validate", "--trials", "0"])
    if r.returncode != 2 or r.stdout or len(r.stderr.strip().splitlines()) != 1:
        fail("--trials 0: exit %d, stderr %r" % (r.returncode, r.stderr))
    print("validate: ok")


main()
