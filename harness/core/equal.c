/*
 * The common offered rate of an equal-load comparison (equal.h).
 */
#include <math.h>
#include <string.h>

#include "core/doc.h"
#include "core/equal.h"
#include "core/figs.h"

int equal_load_rate(const json_t *doc, const char *workload, long long size, long long conns,
		    double fraction, struct equal_load *e)
{
	const json_t *cell;
	size_t i;

	memset(e, 0, sizeof(*e));
	json_array_foreach(json_object_get(doc, "cells"), i, cell)
	{
		double rps;

		if (strcmp(doc_str(cell, "workload"), workload) || doc_cell_size(cell) != size ||
		    json_integer_value(json_object_get(cell, "connections")) != conns ||
		    json_is_number(json_object_get(cell, "rate")) ||
		    json_is_number(json_object_get(cell, "sweep_step")) || !doc_cell_ok(cell) ||
		    !doc_fig(cell, figs[FIG_REQUESTS_PER_SEC].name, &rps) || !(rps > 0))
			continue;
		if (!e->models++ || rps < e->lowest_rps) {
			e->lowest_rps = rps;
			e->lowest_model = doc_str(cell, "model");
		}
	}
	if (e->models < 2 || !(fraction > 0)) {
		memset(e, 0, sizeof(*e));
		return -1;
	}
	/* Whole requests/s: the rate names the group in verdicts and charts. */
	e->rate = fmax(1, round(fraction * e->lowest_rps));
	return 0;
}

json_t *equal_load_json(const char *workload, long long size, long long conns, double fraction,
			const struct equal_load *e)
{
	return json_pack("{s:s,s:o,s:I,s:f,s:f,s:f,s:s,s:i}", "workload", workload, "size_bytes",
			 size >= 0 ? json_integer(size) : json_null(), "connections",
			 (json_int_t)conns, "fraction", fraction, "rate", e->rate, "lowest_rps",
			 e->lowest_rps, "lowest_model", e->lowest_model ? e->lowest_model : "",
			 "models", e->models);
}
