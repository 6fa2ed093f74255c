/*
 * The difference between two cells, estimated: the ratio of one figure
 * (requests/s, server CPU per request) of cell a to cell b, with a
 * distribution-free confidence interval, and the decision it supports.
 * Pure arithmetic over arrays; core/verdict.c feeds it the runs of a results
 * document, and every reader (the run's table, report, claims, compare,
 * validate) gets its verdicts from there. docs/claims.md, "Verdict rules".
 *
 * Paired (both cells ran in the same rounds): each round gives one log-ratio
 * d = log a - log b, so drift between rounds cancels; the estimate is the
 * Hodges-Lehmann median of the Walsh averages (d_i + d_j) / 2 and the interval
 * comes from the Wilcoxon signed-rank distribution. Two-sample (no common
 * rounds): the Hodges-Lehmann median of all log a_i - log b_j with the
 * Mann-Whitney interval. Both assume only that the noise of the log figure is
 * the same shape in both cells (paired: symmetric differences).
 */
#ifndef RS_ESTIMATE_H
#define RS_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>

/* The confidence level of a single look: alpha = 0.05. */
#define EST_ALPHA 0.05
/* Interim looks of a sequential comparison (Haybittle-Peto): alpha 0.001 each. */
#define EST_INTERIM_ALPHA 0.001
/* Defaults of --min-effect and --equivalence, as fractions. */
#define EST_MIN_EFFECT	0.01
#define EST_EQUIVALENCE 0.02

struct est {
	bool paired;
	int n;		      /* pairs (paired) or na + nb */
	int na, nb;	      /* samples of a and b (paired: n each) */
	double alpha;	      /* the level the interval was made at */
	bool ci;	      /* an interval exists: enough samples for this alpha */
	double ratio, lo, hi; /* a / b: estimate and interval (lo = hi = ratio without one) */
};

/* From n pairs a[i], b[i] (all > 0). 0, or -1 when n < 1 or a value is not > 0. */
int est_paired(const double *a, const double *b, int n, double alpha, struct est *e);
/* From two independent samples (all > 0). 0, or -1 when a side is empty or not > 0. */
int est_two_sample(const double *a, int na, const double *b, int nb, double alpha, struct est *e);

enum est_decision { EST_CANNOT_TELL, EST_WINNER, EST_EQUIVALENT };

/*
 * The decision on an estimate of a / b:
 * - EST_WINNER: the interval excludes 1 and the estimate differs from 1 by more
 *   than min_effect (a fraction, 0.01 = 1%). *a_wins says which way.
 * - EST_EQUIVALENT: the whole interval lies within [1/(1+equiv), 1+equiv]
 *   (two one-sided tests at alpha/2 each, so conservative).
 * - EST_CANNOT_TELL otherwise; *more (when not NULL) gets roughly how many more
 *   samples per side would decide, from the interval's width scaling as
 *   1/sqrt(n), or -1 when more would not help (the effect sits at min_effect).
 * why gets one sentence.
 */
enum est_decision est_decide(const struct est *e, double min_effect, double equiv, bool *a_wins,
			     int *more, char *why, size_t len);
const char *est_decision_name(enum est_decision d); /* "winner" ... */

/*
 * The sequential rule of --repeat auto (docs/claims.md): a comparison looked
 * at K times stops early only at alpha EST_INTERIM_ALPHA per interim look; its
 * last look (at the cap) uses 0.05 - (K - 1) * EST_INTERIM_ALPHA, so the
 * false-winner rate over all looks is at most 0.05 (Bonferroni). The alpha of
 * look `look` (1-based) of `looks`.
 */
double est_look_alpha(int look, int looks);

#endif
