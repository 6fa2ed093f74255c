/*
 * The driver (drive.h): one point at a time (a repetition of one cell), the
 * rounds over the matrix, the stop rule of --repeat N|auto, progress and the
 * document's write after every point. Uses cell.c for the measuring itself.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/doc.h"
#include "core/estimate.h"
#include "core/stats.h"
#include "core/stop.h"
#include "core/summary.h"
#include "core/verdict.h"
#include "drive.h"
#include "progress.h"
#include "results.h"
#include "log.h"
#include "clock.h"

int drive_init(struct drive *d, const struct run_opts *o, const struct cell_plan *plan, json_t *doc,
	       const char *path, int cap)
{
	*d = (struct drive){.o = o,
			    .plan = plan,
			    .doc = doc,
			    .path = path,
			    .cap = cap > 0 ? cap : 16,
			    .eta_min = o->repeat == 0};
	d->cells = calloc(d->cap, sizeof(*d->cells));
	d->t0_ns = now_ns();
	return d->cells ? 0 : -1;
}

struct cell *drive_add(struct drive *d)
{
	if (d->ncells == d->cap) {
		struct cell *more = realloc(d->cells, 2 * d->cap * sizeof(*more));

		if (!more)
			return NULL;
		d->cells = more;
		d->cap *= 2;
	}
	memset(&d->cells[d->ncells], 0, sizeof(d->cells[0]));
	return &d->cells[d->ncells++];
}

/* One of the cells that make doc.cells (not a sweep's probe). */
static bool listed(const struct drive *d, const struct cell *c)
{
	return c >= d->cells && c < d->cells + d->ncells;
}

static const struct run_opts *opts_of(const struct drive *d, const struct cell *c)
{
	return c->o ? c->o : d->o;
}

void drive_cell_init(struct drive *d, struct cell *c, const struct run_opts *co,
		     const struct cell_spec *spec)
{
	cell_init(c, co ? co : d->o, spec);
	c->o = co;
	json_object_set_new(c->json, "repeat_stopped", json_null());
	summary_update_cell(c->json, d->doc);
	if (c->done && listed(d, c))
		progress_cell_line(opts_of(d, c), &c->spec, c->json);
}

/* The --repeat stop rule of o (core/stop.h). */
static struct stop_rule stop_rule(const struct run_opts *o)
{
	return (struct stop_rule){.repeat = o->repeat,
				  .max_repeat = o->max_repeat,
				  .max_rounds = stop_max_rounds(o->max_repeat),
				  .min_rounds = RUN_MIN_ROUNDS,
				  .target_ci_pct = o->target_ci_pct};
}

static void on_progress(void *arg, const struct cell *c, bool probed)
{
	const struct drive *d = arg;
	double per_run = d->o->warmup_s + d->o->duration_s + 0.5,
	       left = (double)d->pending * d->plan->passes;

	if (d->runs_done)
		per_run = (now_ns() - d->t0_ns) / 1e9 / d->runs_done;
	for (int i = 0; i < d->ncells; i++) {
		const struct run_opts *co = opts_of(d, &d->cells[i]);
		struct stop_rule r = stop_rule(co);
		int reps = d->cells[i].reps, n = stop_reps_left(&r, reps, d->cells[i].done);
		int with_probes = n; /* the repetitions that add a probed run (--probe-rounds) */

		if (d->cells[i].unprobed_only)
			with_probes = 0;
		else if (co->probe_rounds)
			with_probes = (unsigned long)reps >= co->probe_rounds
					  ? 0
					  : (int)fmin(n, (double)(co->probe_rounds - reps));
		left += n + with_probes * (d->plan->passes - 1);
	}
	left -= probed;
	progress_show(opts_of(d, c), c, d->round, probed, left * per_run, d->eta_min);
}

/* doc.cells: the listed cells that have runs or are done, in order. */
static void sync_cells(struct drive *d)
{
	json_t *arr = json_object_get(d->doc, "cells");

	json_array_clear(arr);
	for (int i = 0; i < d->ncells; i++)
		if (json_array_size(json_object_get(d->cells[i].json, "runs")) || d->cells[i].done)
			json_array_append(arr, d->cells[i].json);
}

void drive_write(struct drive *d)
{
	sync_cells(d);
	/* The verdicts are data: recomputed from the cells at every write (core/verdict.h). */
	verdict_attach(d->doc);
	d->write_failed += doc_write(d->path, d->doc) != 0;
}

/*
 * Decides, after a repetition, whether the cell goes on; records why it stopped.
 * Under --repeat auto a listed cell that a verdict compares follows its
 * comparisons, looked at with the interim alpha (core/stop.h, docs/claims.md);
 * doc.cells must hold the cell's latest runs.
 */
static void judge_cell(struct drive *d, struct cell *c)
{
	const struct run_opts *o = opts_of(d, c);
	struct stop_rule r = stop_rule(o);
	enum stop_cmp cmp = STOP_CMP_NONE;
	const char *why;

	if (c->done)
		return;
	if (!o->repeat && listed(d, c))
		cmp = verdict_cell_state(d->doc, c->json, EST_INTERIM_ALPHA);
	why = stop_after_compared(&r, c->reps, verdict_stolen_runs(c->json),
				  summary_ci_halfwidth_pct(c->json), cmp);
	if (why) {
		json_object_set_new(c->json, "repeat_stopped", json_string(why));
		c->done = true;
	}
}

int drive_point(struct drive *d, struct cell *c)
{
	size_t before = json_array_size(json_object_get(c->json, "runs"));
	int rc = cell_measure(d->plan, opts_of(d, c), c, d->round, on_progress, d);

	d->runs_done += json_array_size(json_object_get(c->json, "runs")) - before;
	summary_update_cell(c->json, d->doc);
	if (rc)
		return -1;
	if (listed(d, c))
		sync_cells(d);
	judge_cell(d, c);
	if (!listed(d, c))
		return 0;
	if (c->done)
		progress_cell_line(opts_of(d, c), &c->spec, c->json);
	drive_write(d);
	return 0;
}

/*
 * Keeps a shuffled round's cells of one verdict group together: the groups in
 * the order their first cell came out of the shuffle, each group's cells in
 * their shuffled order. The two runs a paired comparison divides then lie
 * seconds apart, not the whole round, so a burst of steal or a drift of the
 * kernel's path costs meets both (a randomised block design: blocks are
 * (round, group)).
 */
static void block_order(const struct drive *d, int *order, int n)
{
	for (int k = 0; k < n; k++) {
		const json_t *lead = d->cells[order[k]].json;

		/* pull the later cells of k's group up behind it, keeping their order */
		for (int j = k + 1; j < n; j++)
			if (verdict_same_group(lead, d->cells[order[j]].json)) {
				int c = order[j];

				memmove(&order[k + 2], &order[k + 1], (j - k - 1) * sizeof(*order));
				order[++k] = c;
			}
	}
}

void drive_rounds(struct drive *d)
{
	uint64_t rng = d->o->seed;
	int *order = calloc(d->ncells + 1, sizeof(*order));

	if (!order) {
		LOG_ERR("out of memory");
		d->write_failed++;
		return;
	}
	if (d->o->sequential) {
		for (int i = 0; i < d->ncells && !run_interrupted; i++)
			for (d->round = 0; !d->cells[i].done && !run_interrupted; d->round++)
				if (drive_point(d, &d->cells[i]))
					break;
		free(order);
		return;
	}
	for (d->round = 0; !run_interrupted; d->round++) {
		int n = 0;

		/* A comparison decided in the last round ends its cells' rounds here. */
		for (int i = 0; i < d->ncells && d->round > 0; i++)
			if (!d->cells[i].done && d->cells[i].reps > 0) {
				judge_cell(d, &d->cells[i]);
				if (d->cells[i].done)
					progress_cell_line(opts_of(d, &d->cells[i]),
							   &d->cells[i].spec, d->cells[i].json);
			}
		for (int i = 0; i < d->ncells; i++)
			if (!d->cells[i].done)
				order[n++] = i;
		if (!n)
			break;
		stats_shuffle(order, n, &rng);
		block_order(d, order, n);
		for (int k = 0; k < n && !run_interrupted; k++)
			if (drive_point(d, &d->cells[order[k]]))
				break;
	}
	free(order);
}

void drive_fini(struct drive *d)
{
	for (int i = 0; d->cells && i < d->ncells; i++)
		json_decref(d->cells[i].json);
	free(d->cells);
	d->cells = NULL;
	d->ncells = 0;
}
