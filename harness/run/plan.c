/*
 * The plan (plan.h): the cell matrix and the size axis the options make, and
 * the repetitions the stop rule allows each cell. Starts no process.
 */
#include <stdlib.h>

#include "core/stop.h"
#include "options.h"
#include "plan.h"
#include "workloads.h"

struct run_opts *plan_size_opts(const struct run_opts *o)
{
	struct run_opts *v = calloc(o->nsizes, sizeof(*v));

	for (int i = 0; v && i < o->nsizes; i++) {
		v[i] = *o;
		v[i].size = o->sizes[i];
	}
	return v;
}

int plan_ncells(const struct run_opts *o)
{
	return o->nmodels * o->nconns * o->nsizes;
}

void plan_cell(const struct run_opts *o, int i, struct cell_spec *spec, int *size)
{
	const char *model = o->models[i / (o->nconns * o->nsizes)];

	*spec = (struct cell_spec){
	    .workload = o->workload,
	    .model = model,
	    .info = workloads_model_find(model),
	    .connections = o->conns[i / o->nsizes % o->nconns],
	    .index = i,
	    .total = plan_ncells(o),
	};
	*size = i % o->nsizes;
}

json_t *plan_json(const struct run_opts *o)
{
	int n = plan_ncells(o);
	json_int_t lo = o->repeat ? (json_int_t)o->repeat
				  : (json_int_t)(o->max_repeat < RUN_MIN_ROUNDS ? o->max_repeat
										: RUN_MIN_ROUNDS),
		   hi = o->repeat ? (json_int_t)o->repeat
				  : (json_int_t)stop_max_rounds(o->max_repeat);

	json_t *plan;

	if (o->sweep_rate)
		return json_pack("{s:i,s:n,s:n}", "curves", n, "repeat", "runs");
	plan = json_pack("{s:i,s:{s:I,s:I},s:{s:I,s:I}}", "cells", n, "repeat", "min", lo, "max",
			 hi, "runs", "min", lo * n, "max", hi * n);
	/* Equal load: up to one more cell per closed-loop cell, its rate known after them. */
	if (o->equal_load > 0)
		json_object_set_new(plan, "equal_load",
				    json_pack("{s:f,s:i,s:{s:I,s:I}}", "fraction", o->equal_load,
					      "cells", n, "runs", "min", (json_int_t)0, "max",
					      hi * n));
	return plan;
}
