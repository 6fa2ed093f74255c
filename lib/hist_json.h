/*
 * A latency histogram (hist.h) as JSON: the load generator prints it so that the
 * harness can merge several hosts' histograms exactly (hist_merge) instead of
 * averaging their percentiles. Sparse: only non-empty buckets are listed.
 *
 *   {"unit": "ns", "sub_bits": 7, "buckets_total": 3968, "count": N, "sum_ns": S,
 *    "min_ns": MIN, "max_ns": MAX, "buckets": [[index, count], ...]}
 *
 * min_ns and max_ns are null when count is 0. sub_bits and buckets_total are the
 * constants a reader needs for the bucket bounds (hist_bucket_bounds); a reader
 * built with other constants refuses the histogram rather than misread it.
 */
#ifndef RS_HIST_JSON_H
#define RS_HIST_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "hist.h"

/* A new JSON object for h (NULL only when out of memory). */
json_t *hist_to_json(const struct hist *h);
/*
 * Reads j into h (h is initialised first). -1 with a one-line why when j is not
 * such an object, has other constants, or its bucket counts do not add up.
 */
int hist_from_json(struct hist *h, const json_t *j, char *why, size_t whylen);

#endif
