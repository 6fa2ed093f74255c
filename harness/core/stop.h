/*
 * When a cell has made enough repetitions (docs/results.md, "Repetitions"):
 * --repeat N stops at N; --repeat auto makes at least min_rounds, then stops
 * once the requests/s CI's half-width is within target_ci_pct of the median,
 * or at max_repeat. Pure: run/ passes the counts and the CI it read.
 */
#ifndef RS_STOP_H
#define RS_STOP_H

#include <stdbool.h>

struct stop_rule {
	unsigned long repeat;	  /* N, or 0 for auto */
	unsigned long max_repeat; /* auto's cap */
	unsigned long min_rounds; /* auto's floor */
	double target_ci_pct;	  /* auto's goal: CI half-width in % of the median */
};

/*
 * After reps repetitions whose CI half-width is ci_halfwidth_pct (NaN when
 * undefined): "fixed", "ci" or "max" when the cell stops, NULL when it goes on.
 */
const char *stop_after(const struct stop_rule *r, int reps, double ci_halfwidth_pct);
/* Repetitions the cell will still make at least (exact for --repeat N); 0 when done. */
int stop_reps_left(const struct stop_rule *r, int reps, bool done);

#endif
