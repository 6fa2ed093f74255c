/*
 * Rate sweeps (sweep.h): each curve's probe and open-loop points, measured
 * through the driver (drive.c), the stop rules, refinement, knee and capacity
 * at the SLO, and the client-lag mark of open-loop cells. The curves' keys
 * are in docs/results.md, "Curves".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/doc.h"
#include "sweep.h"
#include "workloads.h"
#include "log.h"

/* ---- marking cells ---- */

void sweep_mark_cell(json_t *cell)
{
	const json_t *rate = json_object_get(cell, "rate"), *run;
	bool open = json_is_number(rate);
	double lag, conns;
	size_t i;

	json_array_foreach(json_object_get(cell, "runs"), i, run)
	{
		json_t *lagj = doc_get(run, "load.schedule_lag_us"), *rps;

		rps = json_object_get(run, "requests_per_sec");
		json_object_set_new((json_t *)run, "offered_rate",
				    open ? json_real(json_number_value(rate)) : json_null());
		json_object_set((json_t *)run, "achieved_rate", rps ? rps : json_null());
		json_object_set((json_t *)run, "schedule_lag_us",
				open && lagj ? lagj : json_null());
	}
	if (!open || !doc_num(cell, "connections", &conns) ||
	    !doc_fig(cell, "schedule_lag_us.p99", &lag)) {
		json_object_set_new(cell, "client_bound_schedule", json_null());
		return;
	}
	/* One connection sends every connections/rate seconds: late by a tenth of it = client. */
	if (lag > SWEEP_LAG_FRAC * conns / json_number_value(rate) * 1e6) {
		json_object_set_new(cell, "client_bound_schedule", json_true());
		json_object_set_new(cell, "bound", json_string("client"));
	} else {
		json_object_set_new(cell, "client_bound_schedule", json_false());
	}
}

/* ---- curves ---- */

/* A point of a curve as the stop rules and the knee read it. */
struct point {
	double offered, achieved, p99;
	bool ok, client, skipped;
	json_int_t index; /* in doc.cells */
};

#define SWEEP_MAX_POINTS (RUN_MAX_RATES + SWEEP_MAX_STEPS + SWEEP_REFINE)

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

static struct point read_point(const json_t *cell, double offered, json_int_t index)
{
	struct point p = {.offered = offered, .index = index};

	p.ok = doc_cell_ok(cell) && doc_fig(cell, "requests_per_sec", &p.achieved) &&
	       doc_fig(cell, "latency_us.p99", &p.p99);
	p.client = json_is_true(json_object_get(cell, "client_bound_schedule"));
	p.skipped = !strcmp(doc_cell_status(cell), "skipped");
	return p;
}

/*
 * The knee's test (docs/results.md): a point the server still served (achieved at
 * least 95% of offered, the client on schedule) with p99 within the SLO, or, for a
 * sweep without an SLO, within SWEEP_KNEE_X times the low-load floor. The knee is
 * the busiest such point: above it latency leaves the SLO or the server falls
 * behind. (A rule on the floor alone read noise as the knee: on a 2-core VM p99 at
 * low load jumps 2-3x from point to point.)
 */
static bool knee_ok(const struct run_opts *o, const struct point *p, double floor)
{
	double limit = o->slo_p99_us > 0 ? o->slo_p99_us : SWEEP_KNEE_X * floor;

	return p->ok && !p->client && p->achieved >= SWEEP_SAT_FRAC * p->offered && p->p99 <= limit;
}

static double p99_floor(const struct point *pts, int n)
{
	double floor = INFINITY;

	for (int i = 0; i < n; i++)
		if (pts[i].ok && !pts[i].client && pts[i].p99 < floor)
			floor = pts[i].p99;
	return floor;
}

static int cmp_offered(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	return (x->offered > y->offered) - (x->offered < y->offered);
}

/* The points (sorted), knee, floor and capacity at the SLO into the curve. */
static void finish_curve(const struct run_opts *o, json_t *curve, struct point *pts, int n,
			 const char *ended_by)
{
	json_t *idx = json_array();
	double floor = p99_floor(pts, n), cap = -1;
	const struct point *knee = NULL;

	qsort(pts, n, sizeof(*pts), cmp_offered);
	for (int i = 0; i < n; i++) {
		json_array_append_new(idx, json_integer(pts[i].index));
		if (isfinite(floor) && knee_ok(o, &pts[i], floor))
			knee = &pts[i];
		if (o->slo_p99_us > 0 && pts[i].ok && !pts[i].client &&
		    pts[i].p99 <= o->slo_p99_us && pts[i].achieved > cap)
			cap = pts[i].achieved;
	}
	json_object_set_new(curve, "points", idx);
	json_object_set_new(curve, "p99_floor_us",
			    isfinite(floor) ? json_real(floor) : json_null());
	json_object_set_new(curve, "knee",
			    knee ? json_pack("{s:f,s:f,s:f,s:I}", "offered", knee->offered,
					     "achieved", knee->achieved, "p99_us", knee->p99,
					     "cell", knee->index)
				 : json_null());
	json_object_set_new(curve, "capacity_at_slo", cap >= 0 ? json_real(cap) : json_null());
	json_object_set_new(curve, "ended_by", json_string(ended_by));
}

/* Between the highest point that passes the knee's test and the lowest above it that fails it. */
static int refine(struct sweep *w, const struct run_opts *so, const char *model,
		  unsigned long conns, struct point *pts, int n)
{
	double floor = p99_floor(pts, n), good = 0, bad = INFINITY;

	if (!isfinite(floor))
		return n;
	for (int i = 0; i < n; i++)
		if (knee_ok(so, &pts[i], floor) && pts[i].offered > good)
			good = pts[i].offered;
	for (int i = 0; i < n; i++)
		if (!knee_ok(so, &pts[i], floor) && !pts[i].client && pts[i].offered > good &&
		    pts[i].offered < bad)
			bad = pts[i].offered;
	for (int r = 0; r < SWEEP_REFINE && good > 0 && isfinite(bad) && !run_interrupted; r++) {
		double rate = sqrt(good * bad);
		json_int_t index = -1;
		json_t *cell = measure(w, so, model, conns, rate, 0, &index);

		if (!cell)
			break;
		json_object_set_new(cell, "sweep_step", json_integer(n));
		pts[n] = read_point(cell, rate, index);
		json_decref(cell);
		if (pts[n].client || !pts[n].ok)
			return n + 1;
		if (knee_ok(so, &pts[n], floor))
			good = rate;
		else
			bad = rate;
		n++;
	}
	return n;
}

/* One curve: the probe (auto), the points until a stop rule, refinement, the summary. */
static void run_curve(struct sweep *w, const struct run_opts *so, const char *model,
		      unsigned long conns, json_t *curve)
{
	struct point pts[SWEEP_MAX_POINTS];
	bool autor = so->nrates == 0;
	int n = 0, over = 0, steps = autor ? SWEEP_MAX_STEPS : so->nrates;
	const char *ended = autor ? "steps" : "rates";
	double cap = 0;

	if (autor) {
		json_t *probe = measure(w, so, model, conns, 0, SWEEP_PROBE_S, NULL);

		if (!probe) {
			finish_curve(so, curve, pts, 0, "interrupted");
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
			finish_curve(so, curve, pts, 0,
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
			finish_curve(so, curve, pts, n, "interrupted");
			return;
		}
		json_object_set_new(cell, "sweep_step", json_integer(k));
		pts[n] = read_point(cell, rate, index);
		json_decref(cell);
		if (!pts[n++].ok) {
			ended = pts[n - 1].skipped ? "skipped" : "failed";
			break;
		}
		if (!autor)
			continue;
		/* The client first: a client that lagged also explains a shortfall. */
		if (pts[n - 1].client) {
			ended = "client";
			break;
		}
		if (pts[n - 1].achieved < SWEEP_SAT_FRAC * rate) {
			ended = "saturation";
			break;
		}
		over = so->slo_p99_us > 0 && pts[n - 1].p99 > so->slo_p99_us ? over + 1 : 0;
		if (over >= SWEEP_SLO_RUNS) {
			ended = "slo";
			break;
		}
	}
	if (autor && (!strcmp(ended, "saturation") || !strcmp(ended, "slo")))
		n = refine(w, so, model, conns, pts, n);
	finish_curve(so, curve, pts, n, run_interrupted ? "interrupted" : ended);
}

void sweep_run(struct drive *d, const struct run_opts *size_opts)
{
	const struct run_opts *o = d->o;
	struct cell_plan probe_plan = cell_plan_make(NULL);
	json_t *curves = json_array();
	struct sweep w = {.d = d, .plan = d->plan, .probe_plan = &probe_plan};
	int per_curve = o->nrates ? o->nrates : 1 + SWEEP_MAX_STEPS / 2 + SWEEP_REFINE;

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
