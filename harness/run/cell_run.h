/*
 * Private to cell.c and cell_json.c: what one run (one repetition, probed or
 * not) gathers before it becomes the run object of docs/results.md.
 */
#ifndef RS_CELL_RUN_H
#define RS_CELL_RUN_H

#include "cell.h"
#include "proc.h"

#define RS_MAX_WORKERS 64

enum run_rc { RUN_OK, RUN_FAILED, RUN_SKIPPED, RUN_INTERRUPTED };

/* Everything one run gathers before it becomes JSON. */
struct run_state {
	const struct run_opts *o;
	const struct cell_spec *c;
	int rep;
	bool probed, probe_attached;
	char reason[320];
	struct proc_child server, load, origin; /* origin: proxy cells only */
	unsigned port, origin_port;
	pid_t workers[RS_MAX_WORKERS]; /* server processes forked before ready (nginx) */
	int nworkers;
	bool started, stopped;
	struct proc_snap snap0, snap1;
	long rss_ready, rss_peak;
	json_t *load_json;
	json_t *clients; /* remote runs: each host's figures (remote_run_merge) */
};

/* The run object of docs/results.md, from what st gathered (cell_json.c). */
json_t *cell_run_json(struct run_state *st, enum run_rc rc);

#endif
