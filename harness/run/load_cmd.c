/*
 * The ringside-load command line of one load generator, local or remote
 * (load_cmd.h): target, share of connections and rate, the cell's warmup and
 * duration, the workload's mode and size, depth, Host header and churn.
 */
#include <stdio.h>
#include <string.h>

#include "load_cmd.h"
#include "opts.h"
#include "workloads.h"

double load_cmd_warmup_s(const struct run_opts *o, const struct cell_spec *c)
{
	double per_conn = o->warmup_per_conn_s * (double)c->connections;

	return per_conn > o->warmup_s ? per_conn : o->warmup_s;
}

unsigned long load_cmd_threads(const struct run_opts *o, unsigned long conns)
{
	unsigned long n = o->load_threads ? o->load_threads : CPU_COUNT(&o->client_cpus);

	if (n > conns)
		n = conns;
	return n < 1 ? 1 : n;
}

static void add(struct load_cmd *lc, const char *w)
{
	if (lc->n < LOAD_CMD_MAX_ARGS - 1)
		lc->argv[lc->n] = w;
	lc->n++;
}

int load_cmd_build(struct load_cmd *lc, const struct run_opts *o, const struct cell_spec *c,
		   const struct load_cmd_share *sh)
{
	lc->n = 0;
	snprintf(lc->target, sizeof(lc->target), "%s", sh->target);
	snprintf(lc->conns, sizeof(lc->conns), "%lu", sh->conns);
	snprintf(lc->threads, sizeof(lc->threads), "%lu", load_cmd_threads(o, sh->conns));
	snprintf(lc->dur, sizeof(lc->dur), "%g", o->duration_s);
	snprintf(lc->warm, sizeof(lc->warm), "%g", load_cmd_warmup_s(o, c));
	snprintf(lc->size, sizeof(lc->size), "%lu", o->size);
	add(lc, sh->bin);
	add(lc, "--target");
	add(lc, lc->target);
	add(lc, "--connections");
	add(lc, lc->conns);
	add(lc, "--threads");
	add(lc, lc->threads);
	if (!sh->remote) {
		format_cpu_list(&o->client_cpus, lc->cpus, sizeof(lc->cpus));
		add(lc, "--cpus");
		add(lc, lc->cpus);
	}
	add(lc, "--duration");
	add(lc, lc->dur);
	add(lc, "--warmup");
	add(lc, lc->warm);
	add(lc, "--mode");
	add(lc, c->workload->load_mode);
	/* HTTP: every response must carry exactly the origin's body. */
	add(lc, c->workload->size_opt ? c->workload->size_opt : "--expect-body");
	add(lc, lc->size);
	if (o->depth > 1) {
		snprintf(lc->depth, sizeof(lc->depth), "%lu", o->depth);
		add(lc, "--depth");
		add(lc, lc->depth);
	}
	if (o->host_header) {
		add(lc, "--host-header");
		add(lc, o->host_header);
	}
	if (sh->rate > 0) {
		snprintf(lc->rate, sizeof(lc->rate), "%.6f", sh->rate);
		add(lc, "--rate");
		add(lc, lc->rate);
	}
	if (o->churn)
		add(lc, "--new-connection-per-request");
	add(lc, "--phase-fd");
	if (sh->remote) {
		/* ssh carries no fd 3; stdin EOF ends it when ssh or ringside goes. */
		add(lc, "1");
		add(lc, "--exit-on-stdin-eof");
	} else {
		add(lc, "3");
	}
	if (lc->n >= LOAD_CMD_MAX_ARGS) {
		lc->argv[0] = NULL;
		return -1;
	}
	lc->argv[lc->n] = NULL;
	return 0;
}
