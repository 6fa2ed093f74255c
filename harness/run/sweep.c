/*
 * Rate sweeps and the size axis (sweep.h): their options, each curve's probe
 * and open-loop points, the stop rules, refinement, knee and capacity at the
 * SLO, and the client-lag mark of open-loop cells. Needs nothing beyond what
 * `ringside run` needs; the curves' keys are in docs/results.md, "Curves".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/doc.h"
#include "results.h"
#include "sweep.h"
#include "table.h"
#include "workloads.h"
#include "log.h"
#include "models.h"
#include "clock.h"
#include "opts.h"

/* ---- options ---- */

static void parse_rates(struct run_opts *o, const char *arg)
{
	char buf[512], *save = NULL, *tok, *end;

	if (strlen(arg) >= sizeof(buf) || !*arg || strstr(arg, ",,") || *arg == ',' ||
	    arg[strlen(arg) - 1] == ',')
		usage_error("invalid --rates '%s': expected auto or e.g. 1000,2000,4000", arg);
	strcpy(buf, arg);
	o->nrates = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double r = strtod(tok, &end);

		if (*end || !(r >= 1 && r <= 1e9))
			usage_error("invalid rate '%s' in --rates: expected 1 to 1e9 req/s", tok);
		if (o->nrates == RUN_MAX_RATES)
			usage_error("too many rates in --rates (at most %d)", RUN_MAX_RATES);
		if (o->nrates && r <= o->rates[o->nrates - 1])
			usage_error("--rates must rise: %g after %g", r, o->rates[o->nrates - 1]);
		o->rates[o->nrates++] = r;
	}
}

void sweep_parse_opts(struct run_opts *o, const char *sweep, const char *rates, const char *slo,
		      const char *sizes)
{
	bool echo = o->workload == &rs_workload_echo;

	if (sizes) {
		unsigned long max = echo ? 1ul << 20 : 16ul << 20;

		if (parse_uint_list(sizes, o->sizes, RUN_MAX_SIZES, &o->nsizes, 1, max))
			usage_error("invalid --%s '%s': expected up to %d comma-separated sizes "
				    "from 1 to %lu bytes",
				    echo ? "payload" : "body", sizes, RUN_MAX_SIZES, max);
		o->size = o->sizes[0];
	}
	if (sweep && strcmp(sweep, "rate"))
		usage_error("invalid --sweep '%s': expected rate", sweep);
	o->sweep_rate = sweep != NULL;
	if ((rates || slo) && !o->sweep_rate)
		usage_error("--rates and --slo-p99-us need --sweep rate");
	if (o->sweep_rate && o->rate > 0)
		usage_error("--sweep rate chooses the rates itself: use --rates LIST, not --rate");
	if (o->sweep_rate && o->depth > 1)
		usage_error("--sweep rate is open loop: --depth cannot be combined with it");
	if (rates && strcmp(rates, "auto"))
		parse_rates(o, rates);
	if (slo)
		o->slo_p99_us = opt_double("slo-p99-us", slo, 1, 60e6);
	if (o->churn && o->depth > 1)
		usage_error("--churn sends one request per connection: --depth must be 1");
	for (int i = 0; o->work_us && i < o->nmodels; i++)
		if (workloads_model_find(o->models[i])->flags & MODEL_PEER)
			usage_error(
			    "--work-us is ringside's servers' knob: model %s cannot take it",
			    o->models[i]);
}

struct run_opts *sweep_size_opts(const struct run_opts *o)
{
	struct run_opts *v = calloc(o->nsizes, sizeof(*v));

	for (int i = 0; v && i < o->nsizes; i++) {
		v[i] = *o;
		v[i].size = o->sizes[i];
	}
	return v;
}

void sweep_config_json(const struct run_opts *o, json_t *cfg)
{
	json_t *sizes = json_array(), *rates;

	for (int i = 0; i < o->nsizes; i++)
		json_array_append_new(sizes, json_integer((json_int_t)o->sizes[i]));
	if (!o->sweep_rate) {
		rates = json_null();
	} else if (!o->nrates) {
		rates = json_string("auto");
	} else {
		rates = json_array();
		for (int i = 0; i < o->nrates; i++)
			json_array_append_new(rates, json_real(o->rates[i]));
	}
	json_object_set_new(cfg, "sizes", sizes);
	json_object_set_new(cfg, "sweep", o->sweep_rate ? json_string("rate") : json_null());
	json_object_set_new(cfg, "rates", rates);
	json_object_set_new(cfg, "slo_p99_us",
			    o->slo_p99_us > 0 ? json_real(o->slo_p99_us) : json_null());
	json_object_set_new(cfg, "work_us", json_integer((json_int_t)o->work_us));
	json_object_set_new(cfg, "churn", json_boolean(o->churn));
}

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
	const struct run_opts *o;
	const struct cell_plan *plan, *probe_plan;
	json_t *doc, *cells;
	const char *path;
	int write_failed;
	int done, total; /* points measured, and an estimate of all, for progress */
	double per_point_s;
};

static void progress(void *arg, const struct cell *c, bool probed)
{
	const struct sweep *w = arg;
	double left = (w->total > w->done ? w->total - w->done : 1) * w->per_point_s;

	table_progress(w->o, c, c->reps, probed, left, true);
}

static void write_doc(struct sweep *w)
{
	w->write_failed += results_write(w->path, w->doc) != 0;
}

/*
 * Measures one point (or, with rate 0 and duration probe_s, the closed-loop
 * probe), its repetitions back to back. Returns the cell (a reference the
 * caller drops), appended to doc.cells unless it is the probe; NULL if interrupted.
 */
static json_t *measure(struct sweep *w, const struct run_opts *so, const char *model,
		       unsigned long conns, double rate, double probe_s)
{
	struct run_opts po = *so;
	const struct cell_plan *plan = probe_s > 0 ? w->probe_plan : w->plan;
	struct cell_spec spec = {
	    .workload = so->workload,
	    .model = model,
	    .info = workloads_model_find(model),
	    .connections = conns,
	    .index = w->done,
	    .total = w->total > w->done ? w->total : w->done + 1,
	};
	struct cell c;
	int reps = probe_s > 0 || !so->repeat ? 1 : (int)so->repeat, rc = 0;

	po.rate = rate;
	if (probe_s > 0)
		po.duration_s = probe_s;
	cell_init(&c, &po, &spec);
	json_object_set_new(c.json, "repeat_stopped", json_null());
	results_update_cell(c.json);
	for (int k = 0; k < reps && !c.done && !rc; k++) {
		uint64_t t0 = now_ns();

		rc = cell_measure(plan, &po, &c, k, progress, w);
		results_update_cell(c.json);
		w->per_point_s = 0.7 * w->per_point_s + 0.3 * (now_ns() - t0) / 1e9;
	}
	json_object_set_new(c.json, "repeat_stopped", json_string("fixed"));
	w->done++;
	if (probe_s <= 0) {
		json_array_append(w->cells, c.json);
		table_cell_line(&po, &spec, c.json);
		write_doc(w);
	}
	if (rc) {
		json_decref(c.json);
		return NULL;
	}
	return c.json;
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
		json_int_t index = (json_int_t)json_array_size(w->cells);
		json_t *cell = measure(w, so, model, conns, rate, 0);

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
		json_t *probe = measure(w, so, model, conns, 0, SWEEP_PROBE_S);

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
		json_int_t index = (json_int_t)json_array_size(w->cells);
		json_t *cell = measure(w, so, model, conns, rate, 0);

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

int sweep_run(const struct run_opts *o, const struct cell_plan *plan, json_t *doc, const char *path)
{
	struct cell_plan probe_plan = cell_plan_make(NULL);
	struct run_opts *so = sweep_size_opts(o);
	json_t *curves = json_array();
	struct sweep w = {
	    .o = o,
	    .plan = plan,
	    .probe_plan = &probe_plan,
	    .doc = doc,
	    .cells = json_object_get(doc, "cells"),
	    .path = path,
	    .per_point_s = (o->warmup_s + o->duration_s + 0.5) * plan->passes,
	};
	int per_curve = o->nrates ? o->nrates : 1 + SWEEP_MAX_STEPS / 2 + SWEEP_REFINE;

	if (!so) {
		LOG_ERR("out of memory");
		json_decref(curves);
		return 1;
	}
	w.total = o->nmodels * o->nconns * o->nsizes * per_curve;
	json_object_set_new(doc, "curves", curves);
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
				run_curve(&w, &so[s], o->models[m], o->conns[c], curve);
				write_doc(&w);
			}
	free(so);
	return w.write_failed;
}
