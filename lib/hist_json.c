/*
 * The sparse JSON form of a latency histogram (hist_json.h): written by
 * ringside-load, read back by the harness to merge hosts exactly.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hist_json.h"

json_t *hist_to_json(const struct hist *h)
{
	json_t *j = json_object(), *b = json_array();
	bool have = h->count > 0;

	if (!j || !b) {
		json_decref(j);
		json_decref(b);
		return NULL;
	}
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		if (h->buckets[i])
			json_array_append_new(
			    b, json_pack("[I,I]", (json_int_t)i, (json_int_t)h->buckets[i]));
	json_object_set_new(j, "unit", json_string("ns"));
	json_object_set_new(j, "sub_bits", json_integer(HIST_SUB_BITS));
	json_object_set_new(j, "buckets_total", json_integer(HIST_BUCKETS));
	json_object_set_new(j, "count", json_integer((json_int_t)h->count));
	json_object_set_new(j, "sum_ns", json_integer((json_int_t)h->sum));
	json_object_set_new(j, "min_ns", have ? json_integer((json_int_t)h->min) : json_null());
	json_object_set_new(j, "max_ns", have ? json_integer((json_int_t)h->max) : json_null());
	json_object_set_new(j, "buckets", b);
	return j;
}

static int get_uint(const json_t *j, const char *key, uint64_t *v)
{
	const json_t *x = json_object_get(j, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -1;
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

int hist_from_json(struct hist *h, const json_t *j, char *why, size_t whylen)
{
	const json_t *b = json_object_get(j, "buckets"), *e;
	uint64_t sub, total, count, sum, seen = 0;
	size_t k;

	hist_init(h);
	if (!json_is_object(j) || !json_is_array(b) || get_uint(j, "sub_bits", &sub) ||
	    get_uint(j, "buckets_total", &total) || get_uint(j, "count", &count) ||
	    get_uint(j, "sum_ns", &sum)) {
		snprintf(why, whylen, "the histogram is not the expected JSON object");
		return -1;
	}
	if (sub != HIST_SUB_BITS || total != HIST_BUCKETS) {
		snprintf(why, whylen,
			 "the histogram has %llu sub-bucket bits and %llu buckets, not %d and %d",
			 (unsigned long long)sub, (unsigned long long)total, HIST_SUB_BITS,
			 HIST_BUCKETS);
		return -1;
	}
	json_array_foreach(b, k, e)
	{
		json_int_t i, n;

		if (json_unpack((json_t *)e, "[II]", &i, &n) || i < 0 || i >= HIST_BUCKETS ||
		    n <= 0) {
			snprintf(why, whylen, "bucket %zu of the histogram is malformed", k);
			return -1;
		}
		h->buckets[i] += (uint64_t)n;
		seen += (uint64_t)n;
	}
	if (seen != count) {
		snprintf(why, whylen,
			 "the histogram's buckets hold %llu values, its count says %llu",
			 (unsigned long long)seen, (unsigned long long)count);
		return -1;
	}
	h->count = count;
	h->sum = sum;
	if (count && (get_uint(j, "min_ns", &h->min) || get_uint(j, "max_ns", &h->max))) {
		snprintf(why, whylen, "the histogram has values but no min_ns/max_ns");
		return -1;
	}
	return 0;
}
