#!/usr/bin/python3
"""Runs come in rounds: a two-model, two-count run with --repeat 3 --seed S holds each
cell once per round, in an order shuffled afresh each round (the order differs between
rounds for some seed) that keeps a verdict group's cells (here, one connection count)
together, the same seed gives the same order again, and --order sequential
gives model-major order with each cell's repetitions back to back."""
import os
import tempfile

from rs_harness import fail, need_binaries, run, skip, validate

need_binaries()
CELLS = [("epoll", 1), ("epoll", 2), ("uring", 1), ("uring", 2)]


def measure(tmp, name, *extra):
    """The run order as [(round, index, (model, connections))], sorted by started_at.
    Runs are short (0.1 s): only their order is checked here."""
    out = os.path.join(tmp, name)
    p = run(["run", "--models", "epoll,uring", "--connections", "1,2", "--repeat", "3",
             "--duration", "0.1", "--warmup", "0", "--probes", "off", "--out", out,
             "--quiet"] + list(extra), cwd=tmp)
    if p.returncode != 0:
        print(p.stdout + p.stderr)
        fail("%s: ringside run exited %d" % (name, p.returncode))
    doc = validate(os.path.join(out, "results.json"))
    for c in doc["cells"]:
        if c["status"] == "skipped":
            skip("%s: %s" % (c["model"], c["reason"]))
        if c["status"] != "ok":
            fail("%s c=%d: %s" % (c["model"], c["connections"], c["reason"]))
        if c["repeat_stopped"] != "fixed" or [r["index"] for r in c["runs"]] != [0, 1, 2]:
            fail("%s c=%d: runs %r, stopped %r" % (c["model"], c["connections"],
                                                   [r["index"] for r in c["runs"]],
                                                   c["repeat_stopped"]))
    runs = sorted((r["started_at"], r["round"], r["index"], (c["model"], c["connections"]))
                  for c in doc["cells"] for r in c["runs"])
    return doc, [(rnd, idx, cell) for _, rnd, idx, cell in runs]


with tempfile.TemporaryDirectory(prefix="rs-rounds-") as tmp:
    differs = None
    for seed in (1, 2, 3):
        doc, order = measure(tmp, "s%d" % seed, "--seed", str(seed))
        cfg = doc["config"]
        if cfg["seed"] != seed or cfg["order"] != "interleaved" or cfg["repeat"] != 3:
            fail("config seed/order/repeat: %r %r %r" % (cfg["seed"], cfg["order"],
                                                         cfg["repeat"]))
        rounds = [[cell for rnd, _, cell in order if rnd == k] for k in range(3)]
        if [rnd for rnd, _, _ in order] != [0] * 4 + [1] * 4 + [2] * 4:
            fail("seed %d: runs are not in rounds: %r" % (seed, order))
        for k, cells in enumerate(rounds):
            if sorted(cells) != CELLS:
                fail("seed %d round %d holds %r, not each cell once" % (seed, k, cells))
            # a verdict group's cells (one connection count) run back to back
            conns = [c for _, c in cells]
            if conns[0] != conns[1] or conns[2] != conns[3]:
                fail("seed %d round %d: groups not kept together: %r" % (seed, k, cells))
        for rnd, idx, cell in order:
            if rnd != idx:
                fail("seed %d: %r repetition %d ran in round %d" % (seed, cell, idx, rnd))
        if seed == 1:
            first = order
        if len(set(tuple(r) for r in rounds)) > 1:
            differs = seed
            break
    if not differs:
        fail("seeds 1-3 gave the same order in every round: no shuffle")
    _, again = measure(tmp, "again", "--seed", "1")
    if again != first:
        fail("--seed 1 twice gave %r and %r" % (first, again))
    doc, order = measure(tmp, "seq", "--order", "sequential", "--seed", "1")
    if doc["config"]["order"] != "sequential":
        fail("config.order is %r" % doc["config"]["order"])
    want = [(k, k, cell) for cell in CELLS for k in range(3)]
    if order != want:
        fail("--order sequential ran %r, not model-major %r" % (order, want))
print("ok: rounds are shuffled per round (seed %d), reproducible, sequential is model-major"
      % differs)
