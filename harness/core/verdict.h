/*
 * Verdicts on throughput: which model is best by requests/s at one (workload,
 * size, connection count), and whether the run can say so. Shared by the run
 * side's summary table and by report/ (report, claims); reads json_t only.
 *
 * The rule (docs/claims.md, "Verdict rules"): a cell beats another only when
 * its 95% CI of the median requests/s (doc_ci; [min, max] when too few runs
 * for one) lies wholly above the other's, and neither cell is client-bound
 * (bound.h: cell.bound "client" or "both"; in older files without bound, a
 * median client CPU utilisation of BOUND_UTIL or more). A client-bound cell measured its
 * load generator, so its rate is a floor, not the server's: "cannot tell".
 * Overlapping CIs are a "tie". Noisy cells (steal or foreign CPU) are named
 * but do not change the verdict.
 */
#ifndef RS_VERDICT_H
#define RS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/doc.h"

enum verdict_kind {
	VERDICT_NONE,	      /* fewer than two models with a requests/s figure */
	VERDICT_WINNER,	      /* best's CI is clear of the runner-up's, neither client-bound */
	VERDICT_TIE,	      /* the two CIs overlap */
	VERDICT_CLIENT_BOUND, /* best or runner-up was client-bound */
};

/* One of the two cells a verdict rests on. */
struct verdict_side {
	const json_t *cell; /* borrowed from the document; NULL when absent */
	const char *model;
	double median, lo, hi; /* requests/s: median and its interval */
	bool exact;	       /* lo..hi is an order-statistic CI, not only [min, max] */
	bool client_bound, noisy;
};

struct verdict {
	enum verdict_kind kind;
	const char *workload;
	long long size, conns;
	struct verdict_side best, runner_up; /* best has the higher median */
	int candidates;			     /* ok cells with a requests/s figure */
	const char *rule;		     /* the rule that decided, one sentence */
};

/*
 * The verdict for the best model by requests/s among doc's ok closed-loop cells
 * (no "rate": an open-loop cell's throughput is what it was offered) with this
 * workload, size (payload_bytes or body_bytes; -1 matches cells without one)
 * and connection count. 0 when two or more cells were compared, -1 (kind
 * VERDICT_NONE, rule saying why) otherwise.
 */
int verdict_best(const json_t *doc, const char *workload, long long size, long long conns,
		 struct verdict *v);
/* The same rule between two (ok) cells: v->best is the one with the higher median. */
int verdict_pair(const json_t *a, const json_t *b, struct verdict *v);

/*
 * One line: "echo 64B, 100 connections: uring-sqpoll wins: 160000 req/s (95% CI
 * 158000–162000) vs uring 151000 (95% CI 150000–152000); rule: ...". Returns
 * what snprintf returns.
 */
int verdict_format(const struct verdict *v, char *buf, size_t len);
/* "wins", "tie (CIs overlap)", "cannot tell (client-bound)", "no verdict". */
const char *verdict_kind_text(enum verdict_kind k);

/* core/bound.h's rule: cell.bound is "client" or "both" (older files: client CPU). */
bool verdict_client_bound(const json_t *cell);
/* cell.noisy is true. */
bool verdict_noisy(const json_t *cell);
/* cell.bound, or "" when the file does not say. */
const char *verdict_bound(const json_t *cell);

#endif
