/*
 * The one table of figures: every figure a cell's summary holds (docs/results.md,
 * "Cell summary"), with where it comes from in a run, its unit, its label and how
 * a table shows it. The writer's summaries (summary.c) and every reader (the run
 * table, the report, claims, charts, compare) name a figure by its id here, so a
 * figure's paths and words are written once, in figs.c. A new row takes an id
 * below and its [FIG_...] designator there (the compiler rejects a row without).
 */
#ifndef RS_FIGS_H
#define RS_FIGS_H

#include <stdbool.h>
#include <stddef.h>

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

/* The rows of figs[], in the order the summary lists the figures. */
enum fig_id {
	FIG_REQUESTS_PER_SEC,
	FIG_BYTES_PER_SEC,
	FIG_LATENCY_P50,
	FIG_LATENCY_P90,
	FIG_LATENCY_P99,
	FIG_LATENCY_P999,
	FIG_LATENCY_MAX,
	FIG_CPU_USER,
	FIG_CPU_SYSTEM,
	FIG_CPU_SQPOLL,
	FIG_CPU_TOTAL,
	FIG_CPU_CORE,
	FIG_CPU_NS,
	FIG_CPU_SCHED_TICKS,
	FIG_CTX_PROC_VOLUNTARY,
	FIG_CTX_PROC_INVOLUNTARY,
	FIG_RSS,
	FIG_RSS_PER_CONNECTION,
	FIG_CLIENT_UTILISATION,
	FIG_LAG_P50,
	FIG_LAG_P99,
	FIG_LAG_MAX,
	FIG_SYSCALLS,
	FIG_SYSCALLS_BY_NAME,
	FIG_CLIENT_SYSCALLS,
	FIG_CLIENT_SYSCALLS_BY_NAME,
	FIG_ENTER_CALLS,
	FIG_SQES_PER_ENTER,
	FIG_CQES_PER_ENTER,
	FIG_CTX_VOLUNTARY,
	FIG_CTX_INVOLUNTARY,
	FIG_CTX_TOTAL,
	FIG_SYSCALL_TIME,
	FIG_SYSCALL_TIME_BY_NAME,
	FIG_SYSCALL_BLOCKED,
	FIG_SYSCALL_BLOCKED_BY_NAME,
	FIG_RUNQ_P50,
	FIG_RUNQ_P99,
	FIG_RUNQ_PER_REQUEST,
	FIG_WAKEUPS,
	FIG_IOWQ_PUNTS,
	FIG_POLL_ARMS,
	FIG_TASK_WORK,
	FIG_CLIENT_SYSCALL_TIME,
	FIG_CLIENT_SYSCALL_TIME_BY_NAME,
	FIG_CLIENT_SYSCALL_BLOCKED,
	FIG_CLIENT_RUNQ_P50,
	FIG_CLIENT_RUNQ_P99,
	FIG_CLIENT_RUNQ_PER_REQUEST,
	FIG_CLIENT_WAKEUPS,
	/* derived: summary.c computes them from the runs and the host costs */
	FIG_ERRORS,
	FIG_OUTLIERS,
	FIG_NOISY_RUNS,
	FIG_SYSCALL_OVERHEAD_SHARE,
	FIG_WAKEUP_SHARE,
	FIG_PROBE_OVERHEAD,
	FIG_N
};

/*
 * One summarised figure: where it goes in summary, where it comes from in a run,
 * and how the readers show it.
 */
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
	/* Written by summary.c from other figures (no from): errors, shares, marks. */
	bool derived;
	/* How readers show it. */
	const char *head; /* a table's column head or a legend's word: "p99 µs", "user" */
	const char *abbr; /* the run table's terse ASCII head ("cpu us/rq"); NULL: none */
	const char *fmt;  /* printf format of its value in the report's tables: "%.1f" */
	/* A total's parts (NULL-ended): their sum stands in where an older file lacks it. */
	const struct fig *parts[4];
	const char *older; /* where files older than this path held the figure; NULL */
};

/* The table, indexed by enum fig_id; the NULL name of figs[FIG_N] ends it. */
extern const struct fig figs[FIG_N + 1];
/* The row named name ("latency_us.p99"); NULL when there is none. */
const struct fig *fig_find(const char *name);

/*
 * A cell's median of the figure (doc_fig on summary.NAME), else at its older
 * path, else the sum of its parts that the cell has; false when none is there.
 */
bool fig_cell(const json_t *cell, const struct fig *f, double *v);
/* summary.NAME.KEY of a by-name figure ("syscalls_by_name.read"), as fig_cell reads it. */
bool fig_cell_key(const json_t *cell, const struct fig *f, const char *key, double *v);
/* The figure's median formatted with its fmt, "—" when the cell lacks it. */
void fig_text(const json_t *cell, const struct fig *f, char *buf, size_t len);
/* The head in ASCII, for terminals ("p99 µs" -> "p99 us"). */
void fig_head_ascii(const struct fig *f, char *buf, size_t len);

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
