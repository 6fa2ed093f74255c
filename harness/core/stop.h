/*
 * When a cell has made enough repetitions (docs/results.md, "Repetitions"):
 * --repeat N stops at N; --repeat auto makes at least min_rounds, then stops
 * once the requests/s CI's half-width is within target_ci_pct of the median,
 * or at max_repeat. A cell that a verdict compares follows the comparison
 * instead of its own CI (docs/claims.md, "Sequential rule"): it goes on while
 * one of its comparisons is undecided, and stops ("decided") once all of them
 * are decided at an interim look, or at max_repeat. Pure: run/ passes the
 * counts, the CI and the comparisons' state it read.
 */
#ifndef RS_STOP_H
#define RS_STOP_H

#include <stdbool.h>

struct stop_rule {
	unsigned long repeat;	  /* N, or 0 for auto */
	unsigned long max_repeat; /* auto's cap */
	/*
	 * auto, a compared cell: rounds whose run was stolen (core/verdict.h) do not
	 * count toward the cap, up to this many rounds in all (stop_max_rounds).
	 */
	unsigned long max_rounds;
	unsigned long min_rounds; /* auto's floor */
	double target_ci_pct;	  /* auto's goal: CI half-width in % of the median */
};

/* Where a cell stands in the verdicts that compare it (core/verdict.h, verdict_cell_state). */
enum stop_cmp {
	STOP_CMP_NONE,	  /* no verdict compares it: its own CI decides */
	STOP_CMP_OPEN,	  /* a comparison of it is not decided yet */
	STOP_CMP_DECIDED, /* every comparison of it is decided */
};

/*
 * After reps repetitions whose CI half-width is ci_halfwidth_pct (NaN when
 * undefined): "fixed", "ci" or "max" when the cell stops, NULL when it goes on.
 */
const char *stop_after(const struct stop_rule *r, int reps, double ci_halfwidth_pct);
/*
 * The same for a cell whose comparisons stand at cmp: "decided" when they all
 * are, "cap" when a compared cell has max_repeat repetitions besides the
 * `stolen` ones the verdicts leave out, or max_rounds in all (its own CI aside).
 */
const char *stop_after_compared(const struct stop_rule *r, int reps, int stolen,
				double ci_halfwidth_pct, enum stop_cmp cmp);
/*
 * The most rounds a compared cell makes under --repeat auto at a cap of
 * max_repeat: half as many again, to replace rounds lost to steal.
 */
unsigned long stop_max_rounds(unsigned long max_repeat);
/* Repetitions the cell will still make at least (exact for --repeat N); 0 when done. */
int stop_reps_left(const struct stop_rule *r, int reps, bool done);

#endif
