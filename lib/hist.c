/*
 * Log-linear latency histogram (see hist.h): bucket index from the position of
 * the highest set bit and the next HIST_SUB_BITS bits, as HdrHistogram does.
 */
#include <math.h>
#include <string.h>

#include "hist.h"

static unsigned hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * HIST_SUB)
		return (unsigned)v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	return 2 * HIST_SUB + (shift - 1) * HIST_SUB + (unsigned)((v >> shift) - HIST_SUB);
}

void hist_bucket_bounds(unsigned i, uint64_t *lo, uint64_t *width)
{
	unsigned shift;

	if (i < 2 * HIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	shift = (i - 2 * HIST_SUB) / HIST_SUB + 1;
	*lo = (uint64_t)(HIST_SUB + (i - 2 * HIST_SUB) % HIST_SUB) << shift;
	*width = 1ull << shift;
}

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_record(struct hist *h, uint64_t ns)
{
	if (ns < HIST_MIN_NS)
		ns = HIST_MIN_NS;
	else if (ns > HIST_MAX_NS)
		ns = HIST_MAX_NS;
	h->buckets[hist_index(ns)]++;
	h->count++;
	h->sum += ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

double hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (p <= 0)
		return (double)h->min;
	if (p >= 100)
		return (double)h->max;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		uint64_t lo, width;
		double mid;

		seen += h->buckets[i];
		if (seen < rank)
			continue;
		hist_bucket_bounds(i, &lo, &width);
		mid = (double)lo + (double)(width - 1) / 2.0;
		/* The true value lies in [min, max]: never report outside it. */
		if (mid < (double)h->min)
			mid = (double)h->min;
		if (mid > (double)h->max)
			mid = (double)h->max;
		return mid;
	}
	return (double)h->max;
}

uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

uint64_t hist_max(const struct hist *h)
{
	return h->count ? h->max : 0;
}

uint64_t hist_min(const struct hist *h)
{
	return h->count ? h->min : 0;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0;
}

void hist_free(struct hist *h)
{
	(void)h;
}
