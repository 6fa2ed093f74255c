/*
 * The repetition stop rule (stop.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/stop.h"

unsigned long stop_max_rounds(unsigned long max_repeat)
{
	return max_repeat + max_repeat / 2;
}

const char *stop_after_compared(const struct stop_rule *r, int reps, int stolen, double hw,
				enum stop_cmp cmp)
{
	unsigned long n = reps > 0 ? (unsigned long)reps : 0;
	unsigned long kept = stolen <= 0 ? n : stolen >= reps ? 0 : (unsigned long)(reps - stolen);
	unsigned long most = r->max_rounds > r->max_repeat ? r->max_rounds : r->max_repeat;

	if (r->repeat)
		return n >= r->repeat ? "fixed" : NULL;
	if (n < r->min_rounds && n < r->max_repeat)
		return NULL;
	/* A compared cell's own CI does not end its comparison. */
	if (cmp == STOP_CMP_NONE && isfinite(hw) && hw <= r->target_ci_pct && n >= r->min_rounds)
		return "ci";
	if (cmp == STOP_CMP_NONE)
		return n >= r->max_repeat ? "max" : NULL;
	if (kept >= r->max_repeat || n >= most)
		return "cap";
	return cmp == STOP_CMP_DECIDED ? "decided" : NULL;
}

const char *stop_after(const struct stop_rule *r, int reps, double hw)
{
	return stop_after_compared(r, reps, 0, hw, STOP_CMP_NONE);
}

int stop_reps_left(const struct stop_rule *r, int reps, bool done)
{
	unsigned long want = r->repeat			     ? r->repeat
			     : r->max_repeat < r->min_rounds ? r->max_repeat
							     : r->min_rounds;

	if (done)
		return 0;
	return (unsigned long)reps < want ? (int)(want - (unsigned long)reps) : 1;
}
