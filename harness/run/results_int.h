/*
 * Inside the results document's summaries: the figure table's row type and the
 * helpers results.c shares with results_time.c (where a request's time goes).
 * Not for other modules: they read summaries through doc.h.
 */
#ifndef RS_RESULTS_INT_H
#define RS_RESULTS_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "options.h"

enum fig_set { SET_HEAD, SET_PROBED };
enum fig_kind {
	FIG_OBJ, /* {"median","min","max","n","ci95","ci95_kind"} (docs/results.md) */
	FIG_NUM, /* the median alone */
	FIG_MAP, /* an object of name -> median (syscalls by name) */
};

/* One summarised figure: where it goes in summary, where it comes from in a run. */
struct fig {
	const char *to;	     /* dotted path in summary (and in spread) */
	const char *from[3]; /* dotted paths in a run, summed; a run lacking one is left out */
	enum fig_set set;
	enum fig_kind kind;
	bool no_spread; /* newer than summary.spread: not mirrored there */
	bool optional;	/* left out of summary when no run has it */
};

/* Summarises f over runs into sum (and spread unless f->no_spread). */
void results_put(json_t *sum, json_t *spread, const json_t *runs, const struct fig *f);
/* The values of the sum of the from paths over the ok runs of set; how many. */
int results_collect(const json_t *runs, const char *const *from, int nfrom, enum fig_set set,
		    double *v, int cap);
/* Sets obj.path (creating intermediate objects), stealing v (NULL: null). */
void results_set_path(json_t *obj, const char *path, json_t *v);

/* results_time.c: host.null_syscall_ns, measured now (see docs/results.md). */
json_t *results_time_host(const struct run_opts *o);
/* host.wakeup_cpu_us, measured now (bpf/wakeup.h, docs/time.md). */
json_t *results_time_wakeup(const struct run_opts *o);
/* The time figures of summary, syscall_overhead_share included. */
void results_time_summarise(json_t *sum, json_t *spread, const json_t *runs);

#endif
