/*
 * Verdicts: which of two models is better at one (workload, size, connection
 * count), by how much, with what confidence. Built on core/estimate.h (the
 * ratio of the two cells' figure with its 95% CI and the three-way decision),
 * written into results.json as the top-level "verdicts" array (verdict_doc),
 * and read from there by the run's table, report, claims and compare.
 *
 * Two bases (docs/claims.md, "Verdict rules"):
 * - "throughput": closed-loop cells by requests/s, higher is better; the best
 *   by median against the runner-up. Paired by round when both cells ran in the
 *   same rounds of an interleaved run. A client-bound cell's rate is a floor
 *   for its server: unpaired, that is "cannot-tell"; paired, the estimate
 *   decides and the reason says that the client bounded it.
 * - "efficiency": open-loop cells at one common offered rate by server CPU per
 *   request, lower is better; valid whatever bound the closed loop, provided the
 *   schedule was kept: runs that skipped sends (a request could not go out
 *   within --max-lag-ms of its time) are left out, and a cell whose median
 *   served under 97% of the offered rate cannot be compared.
 *   The lag mark of a curve (client_bound_schedule, 10% of a connection's
 *   interval) is not required: both cells met the same client.
 */
#ifndef RS_VERDICT_H
#define RS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/doc.h"
#include "core/estimate.h"
#include "core/stop.h"

enum verdict_kind {
	VERDICT_NONE,	    /* fewer than two models with the figure */
	VERDICT_WINNER,	    /* the CI of the ratio excludes 1 and the effect is over --min-effect */
	VERDICT_EQUIVALENT, /* the whole CI lies within ±--equivalence */
	VERDICT_CANNOT_TELL, /* neither: reason says why and how many more rounds */
};

enum verdict_basis { VERDICT_THROUGHPUT, VERDICT_EFFICIENCY };

/* One of the two cells a verdict rests on. */
struct verdict_side {
	const json_t *cell; /* borrowed from the document; NULL when absent */
	const char *model;
	double median, lo, hi; /* the figure: median and its own interval */
	bool exact;	       /* lo..hi is an order-statistic CI, not only [min, max] */
	bool client_bound, noisy;
};

/* The thresholds of a decision: fractions (0.01 = 1%). */
struct verdict_opts {
	double min_effect, equivalence;
};

struct verdict {
	enum verdict_kind kind;
	enum verdict_basis basis;
	const char *workload;
	long long size, conns;
	double rate;			     /* efficiency: the common offered rate */
	struct verdict_side best, runner_up; /* best: the better median (a); runner_up: b */
	int candidates;			     /* ok cells with the figure */
	bool estimated;			     /* est holds the ratio best / runner_up */
	struct est est;
	const char *winner; /* model name, when kind is VERDICT_WINNER */
	int more;	    /* cannot-tell: about this many more rounds; -1 unknown */
	double look_alpha;  /* the look's alpha; 0: the document's (its last look) */
	const char *rule;   /* = reason */
	char reason[512];
};

/* min_effect and equivalence from doc.config (min_effect_pct, equivalence_pct), else defaults. */
void verdict_opts_doc(const json_t *doc, struct verdict_opts *o);
/*
 * Throughput: the best model by requests/s among doc's ok closed-loop cells (no
 * "rate") with this workload, size (-1 matches cells without one) and
 * connection count, against the runner-up. 0 when two or more cells were
 * compared, -1 (kind VERDICT_NONE, reason saying why) otherwise.
 */
int verdict_best(const json_t *doc, const char *workload, long long size, long long conns,
		 struct verdict *v);
/* The same between two cells of doc: v->best is the one with the higher median. */
int verdict_pair(const json_t *doc, const json_t *a, const json_t *b, struct verdict *v);
/* Efficiency: the lowest server CPU per request among the open-loop cells at rate. */
int verdict_efficiency(const json_t *doc, const char *workload, long long size, long long conns,
		       double rate, struct verdict *v);

/* Every verdict of doc, as docs/results.md's "verdicts" array (a new reference). */
json_t *verdict_doc(const json_t *doc);
/* Sets doc.verdicts to verdict_doc(doc): the writer calls it before each write. */
void verdict_attach(json_t *doc);
/* doc.verdicts when present, else computed (a new reference either way). */
json_t *verdict_list(const json_t *doc);
/*
 * The state of cell's comparisons for --repeat auto (core/stop.h): the verdicts
 * of its group that name its model, made at alpha (an interim look's,
 * EST_INTERIM_ALPHA): STOP_CMP_NONE when none does, STOP_CMP_OPEN when one
 * cannot tell yet, STOP_CMP_DECIDED when all are decided.
 */
enum stop_cmp verdict_cell_state(const json_t *doc, const json_t *cell, double alpha);
/* One verdict object as JSON. */
json_t *verdict_json(const struct verdict *v);

/*
 * One line from a verdict object: "echo 64B, 100 connections: uring faster than
 * epoll by 16.0% (95% CI 12.1–19.8%, paired over 10 rounds)" or "...: cannot
 * tell uring from epoll: REASON". Returns what snprintf returns.
 */
int verdict_line(const json_t *vj, char *buf, size_t len);
/* The same line straight from a struct verdict. */
int verdict_format(const struct verdict *v, char *buf, size_t len);
/* "wins", "equivalent", "cannot tell", "no verdict". */
const char *verdict_kind_text(enum verdict_kind k);

/* core/bound.h's rule: cell.bound is "client" or "both" (older files: client CPU). */
bool verdict_client_bound(const json_t *cell);
/*
 * Two cells compete in one verdict group: the same workload, size and
 * connection count, and both closed loop or both open loop at one rate. The
 * driver runs a group's cells back to back within a round (run/drive.c).
 */
bool verdict_same_group(const json_t *a, const json_t *b);
/*
 * The cell's unprobed ok runs that lost over 5% of the CPU to steal: left out
 * of every comparison (docs/claims.md), so --repeat auto replaces them.
 */
int verdict_stolen_runs(const json_t *cell);
/* cell.noisy is true. */
bool verdict_noisy(const json_t *cell);
/* cell.bound, or "" when the file does not say. */
const char *verdict_bound(const json_t *cell);

#endif
