/*
 * The one builder of a ringside-load command line (load_cmd.c), for the local
 * load generator (cell_spawn.c) and each remote one (remote_run.c), so that both
 * get the cell's warmup (load_cmd_warmup_s), the thread count config.load_threads
 * records, and the same workload options; only where the window is announced and
 * the CPU list differ (a remote host's CPUs are not ours to name).
 */
#ifndef RS_LOAD_CMD_H
#define RS_LOAD_CMD_H

#include <stdbool.h>

#include "cell_spec.h"
#include "options.h"

#define LOAD_CMD_MAX_ARGS 40

struct load_cmd {
	const char *argv[LOAD_CMD_MAX_ARGS]; /* NULL-terminated */
	int n;
	/* backing for the numbers in argv */
	char target[300], conns[24], threads[24], cpus[256], dur[32], warm[32], size[24], depth[24],
	    rate[48];
};

/* Where one load generator runs and what share of the cell it takes. */
struct load_cmd_share {
	const char *bin;     /* ringside-load's path where it runs */
	const char *target;  /* "ADDR:PORT" (remote_target) */
	unsigned long conns; /* its share of the cell's connections */
	double rate;	     /* its share of --rate, <= 0 for a closed loop */
	bool remote; /* window on stdout (--phase-fd 1) and --exit-on-stdin-eof; no --cpus */
};

/*
 * The cell's warmup: --warmup, or the suite's and at least warmup_per_conn_s per
 * connection. What its load generators get and what the cell's deadline allows.
 */
double load_cmd_warmup_s(const struct run_opts *o, const struct cell_spec *c);
/*
 * Threads for a load generator with conns connections: --load-threads, else one
 * per client CPU (what config.load_threads records), at most conns, at least 1.
 */
unsigned long load_cmd_threads(const struct run_opts *o, unsigned long conns);
/* Fills lc->argv for the cell c under o; -1 if it does not fit (never with today's options). */
int load_cmd_build(struct load_cmd *lc, const struct run_opts *o, const struct cell_spec *c,
		   const struct load_cmd_share *sh);

#endif
