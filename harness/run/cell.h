/*
 * One cell: a workload, a model and a connection count, measured as
 * repetitions of fresh server + load generator (+ origin) runs (cell.c). A cell
 * keeps its identity across the rounds of run.c: its object gains runs.
 */
#ifndef RS_CELL_H
#define RS_CELL_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cell_spec.h"
#include "options.h"

/*
 * Probe hook points (probes.c has the BPF ones). In a probed run, cell.c calls
 *   attach(server)      once the server is ready, before the load generator exists;
 *   add_server(pid)     after attach, for each process the server forked before it
 *                       was ready (nginx workers); later forks are followed by BPF;
 *   add_client(load)    right after the load generator is spawned (before it connects);
 *   start() / stop()    at the load generator's "start" / "stop" lines, next to the
 *                       /proc snapshots, to snapshot the BPF counters;
 *   detach()            after the load generator exited, before the server is stopped
 *                       (also on every failure path once attach() succeeded);
 *   fill(run, requests) after detach on a run that completed, to set "syscalls",
 *                       "io_uring" and "context_switches_bpf" (per request).
 * A nonzero return marks the run failed with the message in err.
 */
struct cell_probe_ops {
	int (*attach)(pid_t server, char *err, size_t errlen);
	int (*add_server)(pid_t pid, char *err, size_t errlen);
	int (*add_client)(pid_t load, char *err, size_t errlen);
	int (*start)(char *err, size_t errlen);
	int (*stop)(char *err, size_t errlen);
	void (*detach)(void);
	void (*fill)(json_t *run, double requests);
};

/*
 * How every repetition runs, decided once (run.c, from probes_init) and handed
 * to whatever needs it: with probes, a repetition is two passes, unprobed then
 * probed (run.probed = true); without, one unprobed pass.
 */
struct cell_plan {
	const struct cell_probe_ops *probes; /* NULL: no probed pass */
	int passes;			     /* 1 or 2 */
};

/* The plan for probe ops (NULL when the probes are off). */
struct cell_plan cell_plan_make(const struct cell_probe_ops *probes);

/* A cell across rounds: its object (docs/results.md, "A cell") and where it stands. */
struct cell {
	struct cell_spec spec;
	const struct run_opts *o; /* this cell's options (its size); NULL: the run's */
	json_t *json;		  /* owned; runs accumulate in json.runs */
	int reps;		  /* repetitions finished */
	bool done;		  /* skipped, failed, or enough repetitions: not run again */
	bool unprobed_only;	  /* no probed pass (equal-load cells: their figure is CPU) */
};

/* Progress callback: a pass of the cell's next repetition is starting. */
typedef void (*cell_progress_fn)(void *arg, const struct cell *c, bool probed);

/* Makes the cell's object; a missing peer makes it "skipped" (and done) at once. */
void cell_init(struct cell *cell, const struct run_opts *o, const struct cell_spec *spec);
/*
 * Runs one repetition of the cell (plan->passes runs: unprobed, then probed;
 * one unprobed run for a cell.unprobed_only),
 * appending each run with its round and started_at. A failed or skipped run marks
 * the cell so (status, reason) and done. -1 when interrupted (that run is dropped).
 */
int cell_measure(const struct cell_plan *plan, const struct run_opts *o, struct cell *cell,
		 int round, cell_progress_fn progress, void *arg);

#endif
