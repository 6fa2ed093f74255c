/*
 * Rate sweeps (sweep.h): each curve's probe and open-loop points, measured
 * through the driver (drive.c); the stop rules, refinement, knee and capacity
 * at the SLO are core/curve.h's pure functions. The curves' keys are in
 * docs/results.md, "Curves".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/curve.h"
#include "core/doc.h"
#include "sweep.h"
#include "workloads.h"
#include "log.h"

/* ---- curves ---- */

#define SWEEP_MAX_POINTS (RUN_MAX_RATES + SWEEP_MAX_STEPS + CURVE_REFINE)

struct sweep {
	struct drive *d; /* doc.cells are its listed cells */
	const struct cell_plan *plan, *probe_plan;
	int done, total; /* points measured, and an estimate of all, for progress */
};

/*
 * Measures one point (or, with rate 0 and duration probe_s, the closed-loop
 * probe), its repetitions back to back, through the driver. Returns the cell (a
 * reference the caller drops), listed in doc.cells unless it is the probe, with
 * its index there in *index; NULL if interrupted or out of memory.
 */
static json_t *measure(struct sweep *w, const struct run_opts *so, const char *model,
		       unsigned long conns, double rate, double probe_s, json_int_t *index)
{
	struct drive *d = w->d;
	struct run_opts po = *so;
	struct cell_spec spec = {
	    .workload = so->workload,
	    .model = model,
	    .info = workloads_model_find(model),
	    .connections = conns,
	    .index = w->done,
	    .total = w->total > w->done ? w->total : w->done + 1,
	};
	struct cell probe, *c = &probe;
	int rc = 0;

	if (probe_s <= 0) {
		*index = d->ncells;
		c = drive_add(d);
		if (!c) {
			LOG_ERR("out of memory");
			d->write_failed++;
			return NULL;
		}
	}
	po.rate = rate;
	/* A point makes its repetitions back to back: --repeat N, else one; the probe one. */
	po.repeat = probe_s > 0 || !so->repeat ? 1 : so->repeat;
	if (probe_s > 0)
		po.duration_s = probe_s;
	d->pending = w->total > w->done + 1 ? w->total - w->done - 1 : 0;
	drive_cell_init(d, c, &po, &spec);
	/* The probe is one unprobed pass: the driver's plan for it, then the run's again. */
	d->plan = probe_s > 0 ? w->probe_plan : w->plan;
	for (d->round = 0; !c->done && !rc; d->round++)
		rc = drive_point(d, c);
	d->plan = w->plan;
	c->o = NULL; /* po ends here; the cell is only written from now on */
	w->done++;
	if (rc) {
		if (c == &probe)
			json_decref(probe.json);
		return NULL;
	}
	return c == &probe ? probe.json : json_incref(c->json);
}

/* Between the highest point that passes the knee's test and the lowest above it that fails it. */
static int refine(struct sweep *w, const struct run_opts *so, const char *model,
		  unsigned long conns, struct curve_point *pts, int n)
{
	double floor = curve_p99_floor(pts, n), good, bad;

	if (!curve_bracket(pts, n, so->slo_p99_us, &good, &bad))
		return n;
	for (int r = 0; r < CURVE_REFINE && !run_interrupted; r++) {
		double rate = sqrt(good * bad);
		json_int_t index = -1;
		json_t *cell = measure(w, so, model, conns, rate, 0, &index);

		if (!cell)
			break;
		json_object_set_new(cell, "sweep_step", json_integer(n));
		pts[n] = curve_point_of(cell, rate, index);
		json_decref(cell);
		if (!curve_refine_update(&pts[n++], floor, so->slo_p99_us, &good, &bad))
			break;
	}
	return n;
}

/* One curve: the probe (auto), the points until a stop rule, refinement, the summary. */
static void run_curve(struct sweep *w, const struct run_opts *so, const char *model,
		      unsigned long conns, json_t *curve)
{
	struct curve_point pts[SWEEP_MAX_POINTS];
	bool autor = so->nrates == 0;
	int n = 0, over = 0, steps = autor ? SWEEP_MAX_STEPS : so->nrates;
	const char *ended = autor ? "steps" : "rates", *stop;
	double cap = 0;

	if (autor) {
		json_t *probe = measure(w, so, model, conns, 0, SWEEP_PROBE_S, NULL);

		if (!probe) {
			curve_finish(curve, pts, 0, so->slo_p99_us, "interrupted");
			return;
		}
		doc_fig(probe, "requests_per_sec", &cap);
		json_object_set_new(curve, "probe",
				    json_pack("{s:o,s:f,s:s,s:O}", "requests_per_sec",
					      cap > 0 ? json_real(cap) : json_null(), "duration_s",
					      SWEEP_PROBE_S, "status", doc_cell_status(probe),
					      "reason", json_object_get(probe, "reason")));
		json_decref(probe);
		if (!(cap > 0)) {
			curve_finish(curve, pts, 0, so->slo_p99_us,
				     !strcmp(doc_str(curve, "probe.status"), "skipped") ? "skipped"
											: "failed");
			return;
		}
	}
	for (int k = 0; k < steps; k++) {
		double rate = autor ? cap * SWEEP_START_FRAC * pow(SWEEP_STEP, k) : so->rates[k];
		json_int_t index = -1;
		json_t *cell = measure(w, so, model, conns, rate, 0, &index);

		if (!cell) {
			curve_finish(curve, pts, n, so->slo_p99_us, "interrupted");
			return;
		}
		json_object_set_new(cell, "sweep_step", json_integer(k));
		pts[n] = curve_point_of(cell, rate, index);
		json_decref(cell);
		stop = curve_stop(&pts[n++], so->slo_p99_us, &over);
		/* --rates LIST: every rate, unless a point failed or was skipped */
		if (stop && (autor || !pts[n - 1].ok)) {
			ended = stop;
			break;
		}
	}
	if (autor && (!strcmp(ended, "saturation") || !strcmp(ended, "slo")))
		n = refine(w, so, model, conns, pts, n);
	curve_finish(curve, pts, n, so->slo_p99_us, run_interrupted ? "interrupted" : ended);
}

void sweep_run(struct drive *d, const struct run_opts *size_opts)
{
	const struct run_opts *o = d->o;
	struct cell_plan probe_plan = cell_plan_make(NULL);
	json_t *curves = json_array();
	struct sweep w = {.d = d, .plan = d->plan, .probe_plan = &probe_plan};
	int per_curve = o->nrates ? o->nrates : 1 + SWEEP_MAX_STEPS / 2 + CURVE_REFINE;

	w.total = o->nmodels * o->nconns * o->nsizes * per_curve;
	d->eta_min = true;
	json_object_set_new(d->doc, "curves", curves);
	for (int m = 0; m < o->nmodels && !run_interrupted; m++)
		for (int c = 0; c < o->nconns && !run_interrupted; c++)
			for (int s = 0; s < o->nsizes && !run_interrupted; s++) {
				json_t *curve = json_pack(
				    "{s:s,s:s,s:I,s:I,s:o,s:s,s:n,s:n,s:n,s:n,s:n,s:n}", "workload",
				    o->workload->name, "model", o->models[m], "connections",
				    (json_int_t)o->conns[c], o->workload->size_key,
				    (json_int_t)o->sizes[s], "slo_p99_us",
				    o->slo_p99_us > 0 ? json_real(o->slo_p99_us) : json_null(),
				    "rates", o->nrates ? "list" : "auto", "probe", "points", "knee",
				    "p99_floor_us", "capacity_at_slo", "ended_by");

				json_array_append_new(curves, curve);
				run_curve(&w, &size_opts[s], o->models[m], o->conns[c], curve);
				drive_write(d);
			}
}
