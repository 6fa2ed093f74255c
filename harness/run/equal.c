/*
 * The equal-load phase (equal.h): one open-loop cell per model and group at the
 * group's common rate (core/equal.h), then the driver's rounds over them.
 */
#include <stdlib.h>

#include "core/doc.h"
#include "core/equal.h"
#include "equal.h"
#include "options.h"
#include "plan.h"
#include "log.h"

int equal_load_run(struct drive *d, const struct run_opts *size_opts, struct run_opts **opts)
{
	const struct run_opts *o = d->o;
	int ngroups = o->nconns * o->nsizes, ncells = plan_ncells(o), added = 0;
	json_t *groups = json_array();
	struct run_opts *g = calloc(ngroups, sizeof(*g));
	bool *has = calloc(ngroups, sizeof(*has));

	*opts = g;
	if (!g || !has || !groups) {
		free(has);
		json_decref(groups);
		LOG_ERR("out of memory");
		return -1;
	}
	drive_write(d); /* doc.cells holds every closed-loop cell */
	for (int k = 0; k < ngroups; k++) {
		const struct run_opts *so = &size_opts[k % o->nsizes];
		long long conns = (long long)o->conns[k / o->nsizes];
		struct equal_load e;

		if (equal_load_rate(d->doc, o->workload->name, (long long)so->size, conns,
				    o->equal_load, &e))
			continue;
		g[k] = *so;
		g[k].rate = e.rate;
		has[k] = true;
		json_array_append_new(groups,
				      equal_load_json(o->workload->name, (long long)so->size, conns,
						      o->equal_load, &e));
	}
	json_object_set_new(d->doc, "equal_load",
			    json_pack("{s:f,s:o}", "fraction", o->equal_load, "groups", groups));
	/*
	 * Model-major like the closed-loop matrix (d->cells[i] is its cell i), for the
	 * models whose closed-loop cell was ok; the index counts on after it.
	 */
	for (int i = 0; i < ncells; i++)
		added += has[i % ngroups] && doc_cell_ok(d->cells[i].json);
	for (int i = 0, n = 0; i < ncells; i++) {
		struct cell_spec spec;
		struct cell *c;
		int size;

		if (!has[i % ngroups] || !doc_cell_ok(d->cells[i].json))
			continue;
		c = drive_add(d);
		if (!c) {
			free(has);
			LOG_ERR("out of memory");
			return -1;
		}
		plan_cell(o, i, &spec, &size);
		spec.index = ncells + n++;
		spec.total = ncells + added;
		drive_cell_init(d, c, &g[i % ngroups], &spec);
		/* Compared by CPU, which probes would add to: the closed loop has the counts. */
		c->unprobed_only = true;
		json_object_set_new(c->json, "equal_load", json_true());
	}
	free(has);
	if (added)
		drive_rounds(d);
	return 0;
}
