/*
 * Cell summaries (summary.h): the figure table's figures over the runs, nulls
 * kept null, with the outlier marks, the bound and the open-loop client lag.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/bound.h"
#include "core/curve.h"
#include "core/doc.h"
#include "core/figs.h"
#include "core/stats.h"
#include "core/summary.h"
#include "core/verdict.h"

/* Sets obj.path (creating intermediate objects), stealing v (NULL: null). */
static void set_path(json_t *obj, const char *path, json_t *v)
{
	char key[64];

	for (;;) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		json_t *next;

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!dot) {
			json_object_set_new(obj, key, v ? v : json_null());
			return;
		}
		next = json_object_get(obj, key);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(obj, key, next);
		}
		obj = next;
		path = dot + 1;
	}
}

static json_t *jnum(double v, bool ok)
{
	return ok && isfinite(v) ? json_real(v) : json_null();
}

static int collect1(const json_t *runs, const char *path, enum fig_set set, double *v)
{
	const char *const from[3] = {path};

	return fig_collect(runs, from, set, v, NULL, FIG_RUNS_MAX);
}

/* {"median","min","max","n","ci95","ci95_kind"}: nulls when n = 0. */
static json_t *fig_json(const struct stats_sum *s)
{
	bool ok = s->n > 0;

	return json_pack(
	    "{s:o,s:o,s:o,s:i,s:o,s:o}", "median", jnum(s->median, ok), "min", jnum(s->min, ok),
	    "max", jnum(s->max, ok), "n", s->n, "ci95",
	    ok ? json_pack("[o,o]", jnum(s->ci_lo, true), jnum(s->ci_hi, true)) : json_null(),
	    "ci95_kind", ok ? json_string(s->ci_exact ? "order-statistic" : "range") : json_null());
}

static json_t *spread_json(const struct stats_sum *s)
{
	return json_pack("{s:o,s:o}", "min", jnum(s->min, s->n), "max", jnum(s->max, s->n));
}

static void put_fig(json_t *sum, json_t *spread, const json_t *runs, const struct fig *f)
{
	double v[FIG_RUNS_MAX];
	struct stats_sum s;

	stats_summarise(v, fig_values(runs, f, v, FIG_RUNS_MAX), &s);
	if (f->optional && !s.n)
		return;
	set_path(sum, f->name, f->kind == FIG_OBJ ? fig_json(&s) : jnum(s.median, s.n));
	if (!f->no_spread)
		set_path(spread, f->name, spread_json(&s));
}

/* A map of names (syscalls by name): each name's median over the probed runs. */
static void put_map(json_t *sum, json_t *spread, const json_t *runs, const struct fig *f)
{
	json_t *names = json_object(), *med, *spr;
	const json_t *run, *m;
	const char *name;
	size_t i;
	json_t *x;

	json_array_foreach(runs, i, run)
	{
		if (json_is_true(json_object_get(run, "probed")) &&
		    json_is_object(m = doc_get(run, f->from[0])))
			json_object_foreach((json_t *)m, name, x)
			    json_object_set(names, name, json_true());
	}
	if (!json_object_size(names)) {
		set_path(sum, f->name, json_null());
		if (!f->no_spread)
			set_path(spread, f->name, json_null());
		json_decref(names);
		return;
	}
	med = json_object();
	spr = json_object();
	json_object_foreach(names, name, x)
	{
		char from[256];
		double v[FIG_RUNS_MAX];
		struct stats_sum s;

		snprintf(from, sizeof(from), "%s.%s", f->from[0], name);
		stats_summarise(v, collect1(runs, from, FIG_PROBED, v), &s);
		json_object_set_new(med, name, jnum(s.median, s.n));
		json_object_set_new(spr, name, spread_json(&s));
	}
	set_path(sum, f->name, med);
	if (f->no_spread)
		json_decref(spr);
	else
		set_path(spread, f->name, spr);
	json_decref(names);
}

/* requests and errors: sums over every run that has them (null if none does). */
static void put_sums(json_t *sum, const json_t *runs)
{
	static const char *const ekeys[] = {"connect",	"reset",  "timeout",
					    "mismatch", "status", "total"};
	json_int_t req = 0, err[6] = {0};
	bool have_req = false, have_err = false;
	const json_t *run;
	size_t i;

	json_array_foreach(runs, i, run)
	{
		const json_t *r = json_object_get(run, "requests"), *e;

		if (json_is_number(r)) {
			req += (json_int_t)json_number_value(r);
			have_req = true;
		}
		e = json_object_get(run, "errors");
		if (json_is_object(e)) {
			have_err = true;
			for (int k = 0; k < 6; k++) {
				const json_t *x = json_object_get(e, ekeys[k]);
				err[k] += json_is_number(x) ? (json_int_t)json_number_value(x) : 0;
			}
		}
	}
	json_object_set_new(sum, "requests", have_req ? json_integer(req) : json_null());
	if (have_err) {
		json_t *e = json_object();

		for (int k = 0; k < 6; k++)
			json_object_set_new(e, ekeys[k], json_integer(err[k]));
		json_object_set_new(sum, "errors", e);
	} else {
		json_object_set_new(sum, "errors", json_null());
	}
}

/* A figure's summary over its runs; false without a finite median. */
static bool summarise(const json_t *runs, const struct fig *f, struct stats_sum *s)
{
	double v[FIG_RUNS_MAX];

	stats_summarise(v, fig_values(runs, f, v, FIG_RUNS_MAX), s);
	return s->n > 0 && isfinite(s->median);
}

/* The host costs the shares charge (ns, unprobed runs' costs; NaN when unmeasured). */
struct host_costs {
	double null_ns;		   /* host.null_syscall_ns.unprobed */
	double wake_same_ns;	   /* host.wakeup_cpu_us.same_cpu.unprobed */
	double wake_idle_extra_ns; /* the charged layout's cost over same_cpu (0 when same_cpu) */
};

static struct host_costs host_costs(const json_t *doc)
{
	struct host_costs h = {summary_null_ns(doc), NAN, NAN};
	const json_t *charged = doc_get(doc, "host.wakeup_cpu_us.charged");
	double same, cross;

	if (doc_num(doc, "host.wakeup_cpu_us.same_cpu.unprobed", &same)) {
		h.wake_same_ns = same * 1e3;
		if (json_is_string(charged) && !strcmp(json_string_value(charged), "same_cpu"))
			h.wake_idle_extra_ns = 0;
		else if (doc_num(doc, "host.wakeup_cpu_us.cross_cpu.unprobed", &cross))
			h.wake_idle_extra_ns = (cross - same) * 1e3;
	}
	return h;
}

/* The summary of the probed runs' count per request at path; false without one. */
static bool count_per_request(const json_t *runs, const char *path, struct stats_sum *s)
{
	double v[FIG_RUNS_MAX];

	stats_summarise(v, collect1(runs, path, FIG_PROBED, v), s);
	return s->n > 0 && isfinite(s->median);
}

/*
 * A share of a request's CPU that counts per request (probed runs) times host
 * costs (ns) take: (median count1 x ns1 + median count2 x ns2) / (median CPU
 * per request, user + system + SQPOLL, of the unprobed runs, in ns); count2
 * NULL for none. syscall_overhead_share is syscalls x the null syscall;
 * wakeup_share is voluntary switches x the same-CPU sleep and wake plus the
 * switches to idle x the charged layout's extra (docs/time.md). Counts and CPU
 * come from different runs, so there is no per-run value: ci95 is the share at
 * the CIs' far ends (the counts' low ends over the most CPU, and the reverse; a
 * negative cost takes the other end), ci95_kind "ratio": a conservative band,
 * not itself a 95% interval; min and max are null.
 */
static json_t *cost_share(const json_t *runs, const char *count1, double ns1, const char *count2,
			  double ns2)
{
	struct stats_sum s1, s2 = {.n = FIG_RUNS_MAX}, c;
	double share, lo, hi;
	int n;

	if (!isfinite(ns1) || !count_per_request(runs, count1, &s1) ||
	    (count2 && (!isfinite(ns2) || !count_per_request(runs, count2, &s2))) ||
	    !summarise(runs, &figs[FIG_CPU_TOTAL], &c) || c.median <= 0 || c.ci_lo <= 0)
		return json_pack("{s:n,s:n,s:n,s:i,s:n,s:n}", "median", "min", "max", "n", 0,
				 "ci95", "ci95_kind");
	if (!count2)
		s2.median = s2.ci_lo = s2.ci_hi = ns2 = 0;
	share = (s1.median * ns1 + s2.median * ns2) / (c.median * 1e3);
	lo = (fmin(s1.ci_lo * ns1, s1.ci_hi * ns1) + fmin(s2.ci_lo * ns2, s2.ci_hi * ns2)) /
	     (c.ci_hi * 1e3);
	hi = (fmax(s1.ci_lo * ns1, s1.ci_hi * ns1) + fmax(s2.ci_lo * ns2, s2.ci_hi * ns2)) /
	     (c.ci_lo * 1e3);
	n = s1.n < c.n ? s1.n : c.n;
	n = n < s2.n ? n : s2.n;
	return json_pack("{s:f,s:n,s:n,s:i,s:[f,f],s:s}", "median", share, "min", "max", "n", n,
			 "ci95", lo, hi, "ci95_kind", "ratio");
}

/*
 * cpu_model_residual_share: 1 - syscall_overhead_share - wakeup_share, its ci95
 * the two shares' bands taken at the same ends (a conservative band, like
 * theirs); null when either share is. Negative when the model charges more
 * than the CPU measured.
 */
static json_t *residual_share(const json_t *sys, const json_t *wake)
{
	const json_t *sci = json_object_get(sys, "ci95"), *wci = json_object_get(wake, "ci95");
	double s = json_number_value(json_object_get(sys, "median")),
	       w = json_number_value(json_object_get(wake, "median"));

	if (!json_is_number(json_object_get(sys, "median")) ||
	    !json_is_number(json_object_get(wake, "median")) || !json_is_array(sci) ||
	    !json_is_array(wci))
		return json_pack("{s:n,s:n,s:n,s:i,s:n,s:n}", "median", "min", "max", "n", 0,
				 "ci95", "ci95_kind");
	return json_pack("{s:f,s:n,s:n,s:O,s:[f,f],s:s}", "median", 1 - s - w, "min", "max", "n",
			 json_object_get(wake, "n"), "ci95",
			 1 - json_number_value(json_array_get(sci, 1)) -
			     json_number_value(json_array_get(wci, 1)),
			 1 - json_number_value(json_array_get(sci, 0)) -
			     json_number_value(json_array_get(wci, 0)),
			 "ci95_kind", "ratio");
}

/* io_uring.cq_overflows: the sum over the probed runs that counted them (null if none). */
static json_t *overflows(const json_t *runs)
{
	double v[FIG_RUNS_MAX], total = 0;
	int n = collect1(runs, "io_uring.cq_overflows", FIG_PROBED, v);

	for (int i = 0; i < n; i++)
		total += v[i];
	return n ? json_integer((json_int_t)total) : json_null();
}

static json_t *summary_of(const json_t *cell, const struct host_costs *hc)
{
	const json_t *runs = json_object_get(cell, "runs");
	json_t *sum = json_object(), *spread = json_object(), *sys, *wake;
	double v[FIG_RUNS_MAX], rps, rps_probed;
	int n, np;

	put_sums(sum, runs);
	for (const struct fig *f = figs; f->name; f++) {
		if (f->derived) /* written below, from the others */
			continue;
		if (f->kind == FIG_MAP)
			put_map(sum, spread, runs, f);
		else
			put_fig(sum, spread, runs, f);
	}
	set_path(sum, "io_uring.cq_overflows", overflows(runs));
	sys = cost_share(runs, "syscalls.server.per_request", hc->null_ns, NULL, 0);
	/* Every sleep pays a switch; one that left the CPU idle, its wake's extra. */
	wake = cost_share(runs, "context_switches_bpf.server.voluntary", hc->wake_same_ns,
			  "context_switches_bpf.server.voluntary_to_idle", hc->wake_idle_extra_ns);
	json_object_set_new(sum, figs[FIG_SYSCALL_OVERHEAD_SHARE].name, sys);
	json_object_set_new(sum, figs[FIG_WAKEUP_SHARE].name, wake);
	json_object_set_new(sum, "cpu_model_residual_share", residual_share(sys, wake));
	n = collect1(runs, figs[FIG_REQUESTS_PER_SEC].from[0], FIG_HEAD, v);
	rps = stats_median(v, n);
	np = collect1(runs, figs[FIG_REQUESTS_PER_SEC].from[0], FIG_PROBED, v);
	rps_probed = stats_median(v, np);
	json_object_set_new(sum, figs[FIG_PROBE_OVERHEAD].name,
			    jnum(rps_probed / rps, n && np && rps > 0));
	json_object_set_new(sum, "spread", spread);
	return sum;
}

double summary_ci_halfwidth_pct(const json_t *cell)
{
	double v[FIG_RUNS_MAX];
	struct stats_sum s;

	stats_summarise(v,
			collect1(json_object_get(cell, "runs"), figs[FIG_REQUESTS_PER_SEC].from[0],
				 FIG_HEAD, v),
			&s);
	return stats_ci_halfwidth_pct(&s);
}

double summary_null_ns(const json_t *doc)
{
	double ns;

	return doc_num(doc, "host.null_syscall_ns.unprobed", &ns) ? ns : NAN;
}

/* Marks each unprobed run whose requests/s has |modified z| > 3.5; returns how many. */
static int mark_outliers(const json_t *runs)
{
	const struct fig *rps = &figs[FIG_REQUESTS_PER_SEC];
	double v[FIG_RUNS_MAX], z[FIG_RUNS_MAX];
	const json_t *who[FIG_RUNS_MAX], *run;
	int n = fig_collect(runs, rps->from, rps->set, v, who, FIG_RUNS_MAX), count = 0;
	size_t i;

	json_array_foreach(runs, i, run)
	    json_object_set_new((json_t *)run, "outlier", json_false());
	stats_modified_z(v, n, z);
	for (int k = 0; k < n; k++) {
		bool out = fabs(z[k]) > STATS_OUTLIER_Z;

		json_object_set_new((json_t *)who[k], "outlier", json_boolean(out));
		count += out;
	}
	return count;
}

/* What bound the cell: from the medians of the unprobed runs' utilisations. */
static json_t *cell_bound(const json_t *runs)
{
	double v[FIG_RUNS_MAX], server, client;

	server = stats_median(v, collect1(runs, "server_cpu_utilisation", FIG_HEAD, v));
	client = stats_median(v, collect1(runs, "client.cpu_utilisation", FIG_HEAD, v));
	return bound_json(server, client);
}

/* Open loop: each run's offered and achieved rate and lag, and the client's lag mark. */
static void mark_open_loop(json_t *cell)
{
	const json_t *rate = json_object_get(cell, "rate"), *run;
	bool open = json_is_number(rate);
	double lag, conns;
	json_int_t skipped = 0;
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
		skipped += json_integer_value(doc_get(run, "load.skipped"));
	}
	json_object_set_new(cell, "skipped_sends", open ? json_integer(skipped) : json_null());
	/* Sends the client skipped (it fell behind its schedule): the client's point. */
	if (open && skipped > 0) {
		json_object_set_new(cell, "client_bound_schedule", json_true());
		json_object_set_new(cell, "bound", json_string("client"));
		return;
	}
	if (!open || !doc_num(cell, "connections", &conns) ||
	    !doc_fig(cell, "schedule_lag_us.p99", &lag)) {
		json_object_set_new(cell, "client_bound_schedule", json_null());
		return;
	}
	if (curve_client_lagged(lag, conns, json_number_value(rate))) {
		json_object_set_new(cell, "client_bound_schedule", json_true());
		json_object_set_new(cell, "bound", json_string("client"));
	} else {
		json_object_set_new(cell, "client_bound_schedule", json_false());
	}
}

void summary_update_cell(json_t *cell, const json_t *doc)
{
	const json_t *runs = json_object_get(cell, "runs"), *run;
	int outliers = mark_outliers(runs), noisy = 0;
	struct host_costs hc = host_costs(doc);
	json_t *sum = summary_of(cell, &hc);
	size_t i;

	json_array_foreach(runs, i, run)
	{
		if (fig_run_in_set(run, FIG_HEAD) && json_is_true(doc_get(run, "noise.noisy")))
			noisy++;
	}
	json_object_set_new(sum, figs[FIG_OUTLIERS].name, json_integer(outliers));
	json_object_set_new(sum, figs[FIG_NOISY_RUNS].name, json_integer(noisy));
	json_object_set_new(cell, "noisy", json_boolean(noisy > 0));
	json_object_set_new(cell, "bound", cell_bound(runs));
	json_object_set_new(cell, "summary", sum);
	mark_open_loop(cell);
}

void summary_update_doc(json_t *doc)
{
	json_t *cell;
	size_t i;

	json_array_foreach(json_object_get(doc, "cells"), i, cell) summary_update_cell(cell, doc);
	verdict_attach(doc);
}
