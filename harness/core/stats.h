/*
 * The statistics ringside's verdicts rest on (docs/results.md, "Statistics"):
 * medians with a distribution-free 95% CI (order statistics from the binomial),
 * outliers by modified z-score (median and MAD), a seeded generator for the
 * round order, a bootstrap CI of the ratio of two medians (calibrate), and the
 * exact critical values of the Wilcoxon and Mann-Whitney statistics behind the
 * estimator's intervals (core/estimate.h).
 * Pure functions over arrays of doubles: run/ and report/ both use them.
 */
#ifndef RS_STATS_H
#define RS_STATS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A summary of n samples. ci_lo..ci_hi is the 95% CI of the median: the order
 * statistics x(k) and x(n+1-k), with k the largest index for which
 * P(k <= B(n, 1/2) <= n-k) >= 0.95. Such an interval exists from n = 6 on; below
 * that ci_exact is false and the CI is [min, max], which covers the median with
 * probability 1 - 2^(1-n) only (75% at n = 3).
 */
struct stats_sum {
	int n;
	double median, min, max;
	double ci_lo, ci_hi;
	bool ci_exact;
};

/* Summarises v[0..n) (v is sorted in place). n = 0 gives n = 0 and NaNs. */
void stats_summarise(double *v, int n, struct stats_sum *s);
/* The median of v[0..n) (sorted in place); NaN for n = 0. */
double stats_median(double *v, int n);
/* The 1-based order-statistic index k of the 95% CI of a median of n; 0 if none. */
int stats_ci_rank(int n);
/* Half the CI's width as a percentage of the median; NaN when undefined. */
double stats_ci_halfwidth_pct(const struct stats_sum *s);

/*
 * Modified z-score of each sample, 0.6745 (x - median) / MAD into z[0..n);
 * when MAD is 0 the mean absolute deviation times 1.2533 stands in for it, and
 * when that is 0 too every z is 0. v is not modified.
 */
void stats_modified_z(const double *v, int n, double *z);
#define STATS_OUTLIER_Z 3.5

/* splitmix64: a small seeded generator, the same sequence for the same seed. */
uint64_t stats_rng_next(uint64_t *state);
/* Fisher-Yates shuffle of idx[0..n) with the generator. */
void stats_shuffle(int *idx, int n, uint64_t *state);

/*
 * Percentile-bootstrap 95% CI of median(b) / median(a): `iters` resamples of each
 * side with replacement, seeded, so the same data give the same interval.
 * Returns false when either side is empty or a median is 0.
 */
bool stats_ratio_ci(const double *a, int na, const double *b, int nb, int iters, uint64_t seed,
		    double *ratio, double *lo, double *hi);

/*
 * Critical values of the two rank statistics behind the estimator's intervals
 * (core/estimate.h): the largest c with P(T <= c) <= alpha / 2 under no
 * difference, for T the Wilcoxon signed-rank statistic of n pairs
 * (stats_wsr_crit) or the Mann-Whitney U of na and nb samples (stats_mw_crit).
 * Exact from the null distribution for small samples (n <= 60, na * nb <= 900),
 * else the normal approximation. -1 when no c exists: too few samples for an
 * interval at this level.
 */
int stats_wsr_crit(int n, double alpha);
int stats_mw_crit(int na, int nb, double alpha);

#endif
