/*
 * The I/O models every ringside list reads: the servers' --model and --help,
 * `ringside list`, the suites, `ringside run --help` and the harness's workload
 * table. A model's properties are flags of its entry, never matches on its name.
 */
#ifndef RS_MODELS_H
#define RS_MODELS_H

#include <stddef.h>

enum model_flag {
	MODEL_SQPOLL = 1u << 0,	      /* io_uring with IORING_SETUP_SQPOLL */
	MODEL_CQ_BUSY_POLL = 1u << 1, /* the loop spins on the CQ ring instead of waiting */
	MODEL_ECHO = 1u << 2,	      /* served by ringside-echo */
	MODEL_PROXY = 1u << 3,	      /* a proxy of the proxy workload (ringside-proxy or a peer) */
	MODEL_ORIGIN = 1u << 4,	      /* served by ringside-origin */
	MODEL_PEER = 1u << 5,	/* not a ringside binary: nginx, haproxy (harness/run/peers.c) */
	MODEL_OPT_IN = 1u << 6, /* only when named: not in the default suites */
	/* `ringside run --server NAME=COMMAND`: the harness's run-time entries, never this table */
	MODEL_CUSTOM = 1u << 7,
};

struct model_info {
	const char *name;
	const char *help;   /* one line */
	unsigned flags;	    /* enum model_flag */
	const char *label;  /* in charts and reports: "io_uring+SQPOLL"; NULL: the name */
	const char *colour; /* its line and bar colour in charts, "#rrggbb" */
};

/*
 * The table, ending with a {NULL} entry. Its order is the order in which the
 * reports and charts show models (models_rank), the simplest first.
 */
extern const struct model_info models_table[];

/* The entry called name; NULL if there is none. */
const struct model_info *models_find(const char *name);
/* The entry called name if it has every flag in all; NULL otherwise. */
const struct model_info *models_find_with(const char *name, unsigned all);
/* The entry's place in the table (0 first); -1 for a name not in it. */
int models_rank(const char *name);
/*
 * Joins the names of the entries that have every flag in all and none in none,
 * separated by sep, into buf (truncated to len); returns how many matched.
 */
int models_join(unsigned all, unsigned none, const char *sep, char *buf, size_t len);

#endif
