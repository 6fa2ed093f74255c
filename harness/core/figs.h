/*
 * The one table of figures: every figure a cell's summary holds (docs/results.md,
 * "Cell summary"), with where it comes from in a run, its unit and a label. The
 * writer's summaries (summary.c), the run table and compare read it, so a figure's
 * paths are written once, here.
 */
#ifndef RS_FIGS_H
#define RS_FIGS_H

#include <stdbool.h>

#include <jansson.h>

/* Most runs a cell's figures are summarised over (more are left out). */
#define FIG_RUNS_MAX 256

/* Which runs a figure is counted on: the unprobed ("head") or the probed ones. */
enum fig_set { FIG_HEAD, FIG_PROBED };
enum fig_kind {
	FIG_OBJ, /* {"median","min","max","n","ci95","ci95_kind"} (docs/results.md) */
	FIG_NUM, /* the median alone */
	FIG_MAP, /* an object of name -> median (syscalls by name) */
};

/* One summarised figure: where it goes in summary, where it comes from in a run. */
struct fig {
	const char *name;    /* dotted path in summary (and in spread) */
	const char *from[3]; /* dotted paths in a run, summed; a run lacking one is left out */
	enum fig_set set;
	enum fig_kind kind;
	const char *unit;  /* "req/s", "us", "" for a count or a ratio */
	const char *label; /* a few words for tables and charts */
	bool no_spread;	   /* newer than summary.spread: not mirrored there */
	bool optional;	   /* left out of summary when no run has it */
	/*
	 * Where the figure comes from when no run of set has from[0]: the same
	 * figure from another source (context switches: BPF, else /proc), on alt_set.
	 */
	const char *alt[3];
	enum fig_set alt_set;
};

/* The table, in the order the summary lists the figures; NULL name ends it. */
extern const struct fig figs[];
/* The row named name ("latency_us.p99"); NULL when there is none. */
const struct fig *fig_find(const char *name);

/* The run is ok and probed (FIG_PROBED) or unprobed (FIG_HEAD). */
bool fig_run_in_set(const json_t *run, enum fig_set set);
/* The sum of the numbers at the from paths of run; false when one is missing. */
bool fig_run_value(const json_t *run, const char *const from[3], double *out);
/*
 * The values of from (summed) over the runs of set that have them, into v[0..cap);
 * who (if given) gets the runs. Returns how many.
 */
int fig_collect(const json_t *runs, const char *const from[3], enum fig_set set, double *v,
		const json_t **who, int cap);
/* The same for a figure of the table, its alt source taken when the runs lack from. */
int fig_values(const json_t *runs, const struct fig *f, double *v, int cap);

#endif
