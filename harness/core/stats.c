/*
 * Medians and their order-statistic CIs, modified z-scores, a seeded shuffle,
 * bootstrap CIs of ratios and the rank statistics' critical values: see stats.h.
 * The binomial and U distributions are computed exactly (small n is the usual case).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double stats_median(double *v, int n)
{
	if (n <= 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* P(B(n, 1/2) <= k), exactly enough for n up to a few hundred. */
static double binom_cdf_half(int n, int k)
{
	double p = 0, term = pow(0.5, n); /* C(n,0) / 2^n */

	for (int i = 0; i <= k && i <= n; i++) {
		p += term;
		term = term * (n - i) / (i + 1);
	}
	return p;
}

int stats_ci_rank(int n)
{
	int best = 0;

	/* Coverage of [x(k), x(n+1-k)] is 1 - 2 P(B <= k-1). */
	for (int k = 1; k <= n / 2; k++) {
		if (1 - 2 * binom_cdf_half(n, k - 1) >= 0.95)
			best = k;
		else
			break;
	}
	return best;
}

void stats_summarise(double *v, int n, struct stats_sum *s)
{
	int k;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n <= 0) {
		s->median = s->min = s->max = s->ci_lo = s->ci_hi = NAN;
		return;
	}
	s->median = stats_median(v, n); /* sorts v */
	s->min = v[0];
	s->max = v[n - 1];
	k = stats_ci_rank(n);
	s->ci_exact = k > 0;
	s->ci_lo = k ? v[k - 1] : s->min;
	s->ci_hi = k ? v[n - k] : s->max;
}

double stats_ci_halfwidth_pct(const struct stats_sum *s)
{
	if (s->n <= 0 || !(s->median != 0) || !isfinite(s->median))
		return NAN;
	return (s->ci_hi - s->ci_lo) / 2 / fabs(s->median) * 100;
}

void stats_modified_z(const double *v, int n, double *z)
{
	double *tmp, med, mad, scale;

	if (n <= 0)
		return;
	tmp = malloc(sizeof(*tmp) * (size_t)n);
	if (!tmp) {
		memset(z, 0, sizeof(*z) * (size_t)n);
		return;
	}
	memcpy(tmp, v, sizeof(*tmp) * (size_t)n);
	med = stats_median(tmp, n);
	for (int i = 0; i < n; i++)
		tmp[i] = fabs(v[i] - med);
	mad = stats_median(tmp, n);
	if (mad > 0) {
		scale = 0.6745 / mad;
	} else {
		double mean = 0;

		for (int i = 0; i < n; i++)
			mean += fabs(v[i] - med);
		mean /= n;
		scale = mean > 0 ? 1 / (1.2533 * mean) : 0;
	}
	for (int i = 0; i < n; i++)
		z[i] = (v[i] - med) * scale;
	free(tmp);
}

uint64_t stats_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n) without modulo bias. */
static uint64_t rng_below(uint64_t *state, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, r;

	do
		r = stats_rng_next(state);
	while (r >= limit);
	return r % n;
}

void stats_shuffle(int *idx, int n, uint64_t *state)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rng_below(state, (uint64_t)i + 1), t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
}

static double resample_median(const double *v, int n, double *buf, uint64_t *state)
{
	for (int i = 0; i < n; i++)
		buf[i] = v[rng_below(state, (uint64_t)n)];
	return stats_median(buf, n);
}

bool stats_ratio_ci(const double *a, int na, const double *b, int nb, int iters, uint64_t seed,
		    double *ratio, double *lo, double *hi)
{
	double *buf, *r, ma, mb;
	int m = 0;

	if (na <= 0 || nb <= 0 || iters <= 0)
		return false;
	buf = malloc(sizeof(*buf) * (size_t)(na > nb ? na : nb));
	r = malloc(sizeof(*r) * (size_t)iters);
	if (!buf || !r) {
		free(buf);
		free(r);
		return false;
	}
	memcpy(buf, a, sizeof(*a) * (size_t)na);
	ma = stats_median(buf, na);
	memcpy(buf, b, sizeof(*b) * (size_t)nb);
	mb = stats_median(buf, nb);
	if (ma == 0) {
		free(buf);
		free(r);
		return false;
	}
	*ratio = mb / ma;
	for (int i = 0; i < iters; i++) {
		double ra = resample_median(a, na, buf, &seed);
		double rb = resample_median(b, nb, buf, &seed);

		if (ra != 0)
			r[m++] = rb / ra;
	}
	if (m == 0) {
		free(buf);
		free(r);
		return false;
	}
	qsort(r, (size_t)m, sizeof(*r), cmp_double);
	*lo = r[(int)floor(0.025 * (m - 1))];
	*hi = r[(int)ceil(0.975 * (m - 1))];
	free(buf);
	free(r);
	return true;
}

/*
 * The number of arrangements of na a's and nb b's with U = u, for every u, by
 * the recurrence f(na, nb, u) = f(na-1, nb, u-nb) + f(na, nb-1, u). counts has
 * na*nb + 1 entries. Only for small na*nb.
 */
static int u_counts(int na, int nb, double *counts)
{
	int umax = na * nb;
	/* f[i][j][u] kept as a rolling table over i, for all j. */
	double *prev = calloc((size_t)(nb + 1) * (umax + 1), sizeof(double));
	double *cur = calloc((size_t)(nb + 1) * (umax + 1), sizeof(double));

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return -1;
	}
#define F(t, j, u) (t)[(size_t)(j) * (umax + 1) + (u)]
	for (int j = 0; j <= nb; j++)
		F(prev, j, 0) = 1; /* i = 0: U is 0 */
	for (int i = 1; i <= na; i++) {
		memset(cur, 0, sizeof(double) * (size_t)(nb + 1) * (umax + 1));
		F(cur, 0, 0) = 1;
		for (int j = 1; j <= nb; j++)
			for (int u = 0; u <= i * j; u++)
				F(cur, j, u) = (u >= j ? F(prev, j, u - j) : 0) + F(cur, j - 1, u);
		double *t = prev;
		prev = cur;
		cur = t;
	}
	for (int u = 0; u <= umax; u++)
		counts[u] = F(prev, nb, u);
#undef F
	free(prev);
	free(cur);
	return 0;
}

/* The standard normal quantile by bisection on erfc: enough for critical values. */
static double norm_upper(double p)
{
	double lo = 0, hi = 10;

	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;

		if (erfc(mid / sqrt(2)) / 2 > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* The largest c with cum(c) <= alpha/2 over counts[0..max] of total; -1 if none. */
static int crit_from_counts(const double *counts, int max, double total, double alpha)
{
	double cum = 0;
	int c = -1;

	for (int k = 0; k <= max; k++) {
		cum += counts[k];
		if (cum / total > alpha / 2)
			break;
		c = k;
	}
	return c;
}

int stats_wsr_crit(int n, double alpha)
{
	int max = n * (n + 1) / 2, c;
	double *counts, total;

	if (n <= 0)
		return -1;
	if (n > 60) {
		double mu = max / 2.0, sd = sqrt(n * (n + 1.0) * (2 * n + 1) / 24);

		c = (int)floor(mu - norm_upper(alpha / 2) * sd - 0.5);
		return c < 0 ? -1 : c;
	}
	counts = calloc((size_t)max + 1, sizeof(*counts));
	if (!counts)
		return -1;
	/* W+ = the sum of a subset of {1..n}: the subset-sum counts, one rank at a time. */
	counts[0] = 1;
	for (int r = 1; r <= n; r++)
		for (int s = r * (r + 1) / 2; s >= r; s--)
			counts[s] += counts[s - r];
	total = pow(2, n);
	c = crit_from_counts(counts, max, total, alpha);
	free(counts);
	return c;
}

int stats_mw_crit(int na, int nb, double alpha)
{
	int max = na * nb, c;
	double *counts, total = 0;

	if (na <= 0 || nb <= 0)
		return -1;
	if (max > 900) {
		double mu = max / 2.0, sd = sqrt(na * nb * (na + nb + 1.0) / 12);

		c = (int)floor(mu - norm_upper(alpha / 2) * sd - 0.5);
		return c < 0 ? -1 : c;
	}
	counts = malloc(sizeof(*counts) * ((size_t)max + 1));
	if (!counts || u_counts(na, nb, counts)) {
		free(counts);
		return -1;
	}
	for (int k = 0; k <= max; k++)
		total += counts[k];
	c = crit_from_counts(counts, max, total, alpha);
	free(counts);
	return c;
}
