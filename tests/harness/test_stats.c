/*
 * Unit tests of harness/core/stats.c against hand computations: the order-statistic
 * CI of a median (ranks from the binomial), the [min, max] fallback below n = 6,
 * modified z-scores, the seeded shuffle, the bootstrap ratio CI and the U test.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "core/stats.h"

static bool near(double a, double b, double eps)
{
	return fabs(a - b) <= eps;
}

static void test_ci(void)
{
	/* n = 9: coverage of [x(2), x(8)] is 1 - 2 (1 + 9) / 512 = 0.961; of [x(3), x(7)] 0.820. */
	double v9[] = {18, 11, 17, 12, 16, 13, 15, 14, 10};
	/* n = 20: P(B <= 5) = 0.0207 (coverage 0.959), P(B <= 6) = 0.0577 (0.885): k = 6. */
	double v20[20];
	double v5[] = {5, 1, 4, 2, 3};
	struct stats_sum s;

	CHECK(stats_ci_rank(5) == 0);
	CHECK(stats_ci_rank(6) == 1);
	CHECK(stats_ci_rank(8) == 1);
	CHECK(stats_ci_rank(9) == 2);
	CHECK(stats_ci_rank(20) == 6);

	stats_summarise(v9, 9, &s);
	CHECK(s.n == 9 && s.ci_exact);
	CHECK(s.median == 14 && s.min == 10 && s.max == 18);
	CHECKF(s.ci_lo == 11 && s.ci_hi == 17, "ci [%g, %g]", s.ci_lo, s.ci_hi);
	CHECK(near(stats_ci_halfwidth_pct(&s), 3.0 / 14 * 100, 1e-9));

	for (int i = 0; i < 20; i++)
		v20[i] = 100 + (i * 7) % 20; /* a permutation of 100..119 */
	stats_summarise(v20, 20, &s);
	CHECK(s.ci_exact && s.ci_lo == 105 && s.ci_hi == 114);
	CHECK(s.ci_lo >= s.min && s.ci_hi <= s.max);
	CHECK(s.median == 109.5);

	stats_summarise(v5, 5, &s);
	CHECK(!s.ci_exact && s.ci_lo == 1 && s.ci_hi == 5 && s.median == 3);

	stats_summarise(NULL, 0, &s);
	CHECK(s.n == 0 && isnan(s.median));
}

static void test_outliers(void)
{
	double v[] = {10, 10.1, 9.9, 10, 30}, z[5];
	double flat[] = {5, 5, 5, 5}, zf[4];

	stats_modified_z(v, 5, z);
	/* median 10, MAD 0.1: z(30) = 0.6745 * 20 / 0.1 */
	CHECKF(near(z[4], 134.9, 1e-6), "z = %g", z[4]);
	CHECK(fabs(z[1]) < STATS_OUTLIER_Z && fabs(z[0]) < STATS_OUTLIER_Z);
	stats_modified_z(flat, 4, zf);
	CHECK(zf[0] == 0 && zf[3] == 0);
}

static void test_shuffle(void)
{
	int a[10], b[10], c[10], seen[10] = {0};
	uint64_t s1 = 42, s2 = 42, s3 = 43;

	for (int i = 0; i < 10; i++)
		a[i] = b[i] = c[i] = i;
	stats_shuffle(a, 10, &s1);
	stats_shuffle(b, 10, &s2);
	stats_shuffle(c, 10, &s3);
	CHECK(!memcmp(a, b, sizeof(a)));
	CHECK(memcmp(a, c, sizeof(a)) != 0);
	for (int i = 0; i < 10; i++)
		seen[a[i]]++;
	for (int i = 0; i < 10; i++)
		CHECK(seen[i] == 1);
}

static void test_compare(void)
{
	double a[] = {100, 101, 99, 100, 100}, b[] = {110, 111, 109, 110, 110};
	double over[] = {100, 102, 98, 101, 99};
	double r, lo, hi, lo2, hi2, r2;

	CHECK(stats_ratio_ci(a, 5, b, 5, 2000, 7, &r, &lo, &hi));
	CHECK(near(r, 1.1, 1e-12));
	CHECKF(lo >= 1.07 && hi <= 1.13 && lo <= r && r <= hi, "[%g, %g]", lo, hi);
	CHECK(stats_ratio_ci(a, 5, b, 5, 2000, 7, &r2, &lo2, &hi2) && lo2 == lo && hi2 == hi);
	CHECK(stats_ratio_ci(a, 5, over, 5, 2000, 7, &r, &lo, &hi) && lo < 1 && hi > 1);

}

int main(void)
{
	test_ci();
	test_outliers();
	test_shuffle();
	test_compare();
	return check_exit();
}
