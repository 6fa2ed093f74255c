/*
 * Latency histogram: log-linear buckets over nanoseconds, 1 µs to 60 s, at most
 * 0.4% relative error (each power of two is split into 128 linear buckets and a
 * bucket reports its midpoint). A fixed-size struct: no allocation anywhere, so
 * hist_record is a few instructions and safe in a hot loop.
 *
 * Values are recorded in NANOSECONDS. Values below HIST_MIN_NS or above
 * HIST_MAX_NS are clamped to those bounds (counted, never lost); min, max and
 * mean are over the clamped values. One histogram per thread, hist_merge at the
 * end; nothing here is thread-safe.
 */
#ifndef RS_HIST_H
#define RS_HIST_H

#include <stdint.h>

#define HIST_MIN_NS   1000ull	     /* 1 µs */
#define HIST_MAX_NS   60000000000ull /* 60 s */
#define HIST_SUB_BITS 7		     /* 128 linear buckets per power of two */
#define HIST_SUB      (1u << HIST_SUB_BITS)
/* Exact buckets for v < 2*HIST_SUB, then HIST_SUB per octave up to 2^36 ns. */
#define HIST_BUCKETS (2 * HIST_SUB + (36 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum; /* ns; overflows only after ~300 years of total latency */
	uint64_t min, max;
	uint64_t buckets[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_record(struct hist *h, uint64_t ns);
/* Adds every value of src into dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/*
 * The nearest-rank p-th percentile (0 < p <= 100) in ns: the value at rank
 * ceil(p/100 * count) of the sorted values, to within the bucket error. 0 when empty.
 */
double hist_percentile(const struct hist *h, double p);
uint64_t hist_count(const struct hist *h);
uint64_t hist_max(const struct hist *h); /* 0 when empty */
uint64_t hist_min(const struct hist *h); /* 0 when empty */
double hist_mean(const struct hist *h);	 /* 0 when empty */
/*
 * Bucket i holds the values [*lo, *lo + *width): i < 2*HIST_SUB is the value i
 * itself; above, shift = (i - 2*HIST_SUB) / HIST_SUB + 1 and
 * lo = (HIST_SUB + (i - 2*HIST_SUB) % HIST_SUB) << shift, width = 1 << shift.
 * hist_percentile reports lo + (width - 1) / 2, clamped to [min, max].
 */
void hist_bucket_bounds(unsigned i, uint64_t *lo, uint64_t *width);
/* Nothing to free (fixed size); kept so callers read like every other object. */
void hist_free(struct hist *h);

#endif
