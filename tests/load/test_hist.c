/*
 * Histogram: percentiles of known distributions within 1% of the exact
 * nearest-rank value from sorting; merge equals one histogram of all values;
 * out-of-range values are clamped, not lost; mean and max exact.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define N 200000

#include "check.h"

static uint64_t rng = 0x853c49e6748fea9bull;

static double uniform01(void) /* (0, 1) */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Records v[0..n), then compares percentiles with the sorted values. */
static void check_dist(const char *name, uint64_t *v, size_t n)
{
	static const double ps[] = {0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
	struct hist *h = malloc(sizeof(*h));
	double sum = 0, worst = 0;

	hist_init(h);
	for (size_t i = 0; i < n; i++) {
		hist_record(h, v[i]);
		sum += (double)v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	CHECK(hist_count(h) == n);
	CHECK(hist_max(h) == v[n - 1]);
	CHECK(hist_min(h) == v[0]);
	CHECK(fabs(hist_mean(h) - sum / n) <= 1e-9 * sum / n);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		size_t rank = (size_t)ceil(ps[i] / 100 * n);
		double exact = (double)v[(rank ? rank : 1) - 1];
		double got = hist_percentile(h, ps[i]);
		double err = fabs(got - exact) / exact;

		if (err > worst)
			worst = err;
		if (err > 0.01) {
			fprintf(stderr, "%s p%g: histogram %.1f, exact %.1f (%.3f%%)\n", name,
				ps[i], got, exact, err * 100);
			check_failures++;
		}
	}
	fprintf(stderr, "%s: worst relative error %.4f%%\n", name, worst * 100);
	hist_free(h);
	free(h);
}

int main(void)
{
	uint64_t *v = malloc(N * sizeof(*v)), *all;
	struct hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)), *c = malloc(sizeof(*c));
	size_t n;

	/* Uniform 1..N µs. */
	for (n = 0; n < N; n++)
		v[n] = (n + 1) * 1000;
	check_dist("uniform", v, N);

	/* Exponential, mean 200 µs, shifted by 1 µs so nothing is clamped. */
	for (n = 0; n < N; n++)
		v[n] = 1000 + (uint64_t)(-log(uniform01()) * 200000);
	check_dist("exponential", v, N);

	/* A constant. */
	for (n = 0; n < 1000; n++)
		v[n] = 123457;
	check_dist("constant", v, 1000);

	/* Bimodal: 90% around 50 µs, 10% around 20 ms. */
	for (n = 0; n < N; n++)
		v[n] = uniform01() < 0.9 ? 45000 + (uint64_t)(uniform01() * 10000)
					 : 19000000 + (uint64_t)(uniform01() * 2000000);
	check_dist("bimodal", v, N);

	/* Long tail up to the top of the range. */
	for (n = 0; n < N; n++)
		v[n] = 1000 + (uint64_t)(pow(uniform01(), 8) * 59e9);
	check_dist("tail", v, N);

	/* merge(a, b) equals one histogram of everything. */
	hist_init(a);
	hist_init(b);
	hist_init(c);
	all = v;
	for (n = 0; n < N; n++) {
		all[n] = 1000 + (uint64_t)(-log(uniform01()) * 5e6);
		hist_record(n % 3 ? a : b, all[n]);
		hist_record(c, all[n]);
	}
	hist_merge(a, b);
	CHECK(a->count == c->count && a->sum == c->sum && a->min == c->min && a->max == c->max);
	CHECK(!memcmp(a->buckets, c->buckets, sizeof(a->buckets)));
	CHECK(hist_percentile(a, 99) == hist_percentile(c, 99));

	/* Clamping: below 1 µs and above 60 s are counted at the bounds. */
	hist_init(a);
	hist_record(a, 0);
	hist_record(a, 5);
	hist_record(a, 100000000000ull);
	hist_record(a, UINT64_MAX);
	CHECK(hist_count(a) == 4);
	CHECK(hist_min(a) == HIST_MIN_NS);
	CHECK(hist_max(a) == HIST_MAX_NS);
	CHECK(fabs(hist_percentile(a, 50) - HIST_MIN_NS) <= 0.01 * HIST_MIN_NS);
	CHECK(fabs(hist_percentile(a, 75) - HIST_MAX_NS) <= 0.01 * HIST_MAX_NS);
	CHECK(hist_percentile(a, 100) == HIST_MAX_NS);
	CHECK(hist_mean(a) == (2.0 * HIST_MIN_NS + 2.0 * HIST_MAX_NS) / 4);

	/* Empty. */
	hist_init(a);
	CHECK(hist_count(a) == 0 && hist_max(a) == 0 && hist_percentile(a, 99) == 0 &&
	      hist_mean(a) == 0);
	hist_merge(a, b);
	CHECK(hist_count(a) == hist_count(b));

	free(v);
	free(a);
	free(b);
	free(c);
	return check_exit();
}
