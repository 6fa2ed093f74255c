/*
 * Hodges-Lehmann estimates of a log-ratio with their rank-based intervals
 * (paired: Wilcoxon signed rank; two samples: Mann-Whitney), the three-way
 * decision and the sequential alpha: see estimate.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/estimate.h"
#include "core/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorted m values; the HL estimate is their median, the interval [v(c+1), v(m-c)]. */
static void finish(struct est *e, double *v, int m, int c)
{
	qsort(v, (size_t)m, sizeof(*v), cmp_double);
	e->ratio = exp(m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2);
	e->ci = c >= 0;
	e->lo = e->ci ? exp(v[c]) : e->ratio;
	e->hi = e->ci ? exp(v[m - 1 - c]) : e->ratio;
}

int est_paired(const double *a, const double *b, int n, double alpha, struct est *e)
{
	double *d, *w;
	int m = n * (n + 1) / 2, k = 0;

	memset(e, 0, sizeof(*e));
	if (n < 1)
		return -1;
	d = malloc(sizeof(*d) * (size_t)n);
	w = malloc(sizeof(*w) * (size_t)m);
	if (!d || !w)
		goto fail;
	for (int i = 0; i < n; i++) {
		if (!(a[i] > 0) || !(b[i] > 0))
			goto fail;
		d[i] = log(a[i]) - log(b[i]);
	}
	for (int i = 0; i < n; i++)
		for (int j = i; j < n; j++)
			w[k++] = (d[i] + d[j]) / 2;
	e->paired = true;
	e->n = e->na = e->nb = n;
	e->alpha = alpha;
	finish(e, w, m, stats_wsr_crit(n, alpha));
	free(d);
	free(w);
	return 0;
fail:
	free(d);
	free(w);
	return -1;
}

int est_two_sample(const double *a, int na, const double *b, int nb, double alpha, struct est *e)
{
	double *v;
	int k = 0;

	memset(e, 0, sizeof(*e));
	if (na < 1 || nb < 1)
		return -1;
	v = malloc(sizeof(*v) * (size_t)na * (size_t)nb);
	if (!v)
		return -1;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++) {
			if (!(a[i] > 0) || !(b[j] > 0)) {
				free(v);
				return -1;
			}
			v[k++] = log(a[i]) - log(b[j]);
		}
	e->n = na + nb;
	e->na = na;
	e->nb = nb;
	e->alpha = alpha;
	finish(e, v, k, stats_mw_crit(na, nb, alpha));
	free(v);
	return 0;
}

const char *est_decision_name(enum est_decision d)
{
	return d == EST_WINNER ? "winner" : d == EST_EQUIVALENT ? "equivalent" : "cannot-tell";
}

/* Samples per side at which a half-width h (now, at n) would shrink to target. */
static int needed(int n, double h, double target)
{
	double x = n * (h / target) * (h / target);

	return target > 0 && x < 1e6 ? (int)ceil(x) : -1;
}

/* The smallest n per side with an interval at alpha (paired or two-sample). */
static int min_n(const struct est *e)
{
	for (int n = 1; n < 64; n++)
		if ((e->paired ? stats_wsr_crit(n, e->alpha) : stats_mw_crit(n, n, e->alpha)) >= 0)
			return n;
	return -1;
}

enum est_decision est_decide(const struct est *e, double min_effect, double equiv, bool *a_wins,
			     int *more, char *why, size_t len)
{
	double c = log(e->ratio), h, lmin = log1p(min_effect), leq = log1p(equiv);
	int per = e->paired ? e->n : (e->na < e->nb ? e->na : e->nb), nw, ne, need;

	if (a_wins)
		*a_wins = e->ratio > 1;
	if (more)
		*more = -1;
	if (!e->ci) {
		need = min_n(e);
		if (more && need > per)
			*more = need - per;
		snprintf(why, len, "%d %s give%s no %.3g%% interval; at least %d needed", per,
			 e->paired ? (per == 1 ? "round" : "rounds")
				   : (per == 1 ? "run a side" : "runs a side"),
			 per == 1 ? "s" : "", (1 - e->alpha) * 100, need);
		return EST_CANNOT_TELL;
	}
	h = (log(e->hi) - log(e->lo)) / 2;
	if ((e->lo > 1 || e->hi < 1) && fabs(c) > lmin) {
		snprintf(why, len,
			 "the %.3g%% interval excludes no change and the effect is over %g%%",
			 (1 - e->alpha) * 100, min_effect * 100);
		return EST_WINNER;
	}
	if (e->lo >= 1 / (1 + equiv) && e->hi <= 1 + equiv) {
		snprintf(why, len, "the whole %.3g%% interval lies within ±%g%%",
			 (1 - e->alpha) * 100, equiv * 100);
		return EST_EQUIVALENT;
	}
	/* More samples narrow h as 1/sqrt(n): to clear 1 (if the effect is big enough) or ±equiv.
	 */
	nw = fabs(c) > lmin ? needed(per, h, fabs(c)) : -1;
	ne = needed(per, h, leq - fabs(c));
	need = nw < 0 ? ne : ne < 0 ? nw : nw < ne ? nw : ne;
	if (more && need > per)
		*more = need - per;
	else if (more && need >= 0)
		*more = 1;
	if (need < 0)
		snprintf(why, len,
			 "the interval spans no change and the effect (%+.1f%%) is within the %g%% "
			 "minimum but not clearly inside ±%g%%: more %s may not decide",
			 (e->ratio - 1) * 100, min_effect * 100, equiv * 100,
			 e->paired ? "rounds" : "runs");
	else
		snprintf(why, len,
			 "the %.3g%% interval (%+.1f%% to %+.1f%%) is too wide to decide; about %d "
			 "more %s would",
			 (1 - e->alpha) * 100, (e->lo - 1) * 100, (e->hi - 1) * 100,
			 need > per + 1 ? need - per : 1,
			 need > per + 1 ? (e->paired ? "rounds" : "runs a side")
					: (e->paired ? "round" : "run a side"));
	return EST_CANNOT_TELL;
}

double est_look_alpha(int look, int looks)
{
	if (looks <= 1)
		return EST_ALPHA;
	if (look < looks)
		return EST_INTERIM_ALPHA;
	return EST_ALPHA - (looks - 1) * EST_INTERIM_ALPHA;
}
