/*
 * Verdicts between cells from their runs: the estimate of the ratio (core/
 * estimate.h), paired by round where the cells shared rounds, the decision,
 * and the "verdicts" array of results.json. Pure reading of the document; see
 * verdict.h for the bases and docs/claims.md for the rules.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/bound.h"
#include "core/figs.h"
#include "core/verdict.h"

/* Runs a cell may hold (--max-repeat is at most 1000). */
#define VERDICT_RUNS 1024
/* Rounds in common from which a comparison is paired. */
#define VERDICT_MIN_PAIRS 3
/* Efficiency: the share of the offered rate a cell's median must serve. */
#define VERDICT_KEPT_SHARE 0.97
/*
 * A run whose window lost more than this share of the machine's CPU time to
 * steal (the hypervisor running other guests) is left out of comparisons: a
 * burst of steal hits one run of a pair and not the other. Steal is the host's,
 * not the model's, so leaving such runs out does not favour either side.
 */
#define VERDICT_STEAL_PCT 5.0

const char *verdict_bound(const json_t *cell)
{
	return doc_str(cell, "bound");
}

bool verdict_client_bound(const json_t *cell)
{
	return bound_cell_client(cell);
}

bool verdict_noisy(const json_t *cell)
{
	return json_is_true(json_object_get(cell, "noisy"));
}

const char *verdict_kind_text(enum verdict_kind k)
{
	switch (k) {
	case VERDICT_WINNER:
		return "wins";
	case VERDICT_EQUIVALENT:
		return "equivalent";
	case VERDICT_CANNOT_TELL:
		return "cannot tell";
	default:
		return "no verdict";
	}
}

void verdict_opts_doc(const json_t *doc, struct verdict_opts *o)
{
	const json_t *cfg = json_object_get(doc, "config");
	double x;

	o->min_effect = doc_num(cfg, "min_effect_pct", &x) && x >= 0 ? x / 100 : EST_MIN_EFFECT;
	o->equivalence = doc_num(cfg, "equivalence_pct", &x) && x > 0 ? x / 100 : EST_EQUIVALENCE;
}

/*
 * The alpha of the verdict's look: --repeat auto plans looks up to the most
 * rounds a compared cell makes (config.max_rounds; the cap in older files).
 */
static double doc_alpha(const json_t *doc)
{
	const json_t *cfg = json_object_get(doc, "config");
	double cap;
	int looks;

	if (strcmp(doc_str(cfg, "repeat"), "auto") ||
	    (!doc_num(cfg, "max_rounds", &cap) && !doc_num(cfg, "max_repeat", &cap)))
		return EST_ALPHA;
	looks = (int)cap - 2; /* a look after every round from the third to the last */
	return est_look_alpha(looks, looks);
}

/*
 * Efficiency's figure: the scheduler's ns per request (every thread, SQPOLL and
 * io-wq included; sys/procstat.h) when both cells have it, else, for older
 * files, the ticks' user + system + sqpoll in µs. A bool sched below picks it.
 */
static bool cell_sched(const json_t *cell)
{
	double x;

	return cell && doc_fig(cell, figs[FIG_CPU_NS].name, &x);
}

/* A run that skipped sends did not serve the load: left out of efficiency comparisons. */
static bool run_skipped(const json_t *run)
{
	double q;

	return doc_num(run, "load.skipped", &q) && q > 0;
}

static bool run_stolen(const json_t *run)
{
	double st;

	return doc_num(run, "noise.steal_pct", &st) && st > VERDICT_STEAL_PCT;
}

/* Counted once: a stolen run that also skipped sends is counted as stolen. */
static bool run_skipped_only(const json_t *run)
{
	return run_skipped(run) && !run_stolen(run);
}

/* The figure of one run; false when it has none or is left out. */
static bool run_figure(const json_t *run, enum verdict_basis basis, bool sched, double *x)
{
	const char *const *cpu = figs[FIG_CPU_TOTAL].from; /* user, system, SQPOLL */
	double u, s, q = 0;

	if (strcmp(doc_str(run, "status"), "ok") || json_is_true(json_object_get(run, "probed")) ||
	    run_stolen(run))
		return false;
	if (basis == VERDICT_THROUGHPUT)
		return doc_num(run, figs[FIG_REQUESTS_PER_SEC].from[0], x);
	if (run_skipped(run))
		return false;
	if (sched)
		return doc_num(run, figs[FIG_CPU_NS].from[0], x);
	q = 0;
	if (!doc_num(run, cpu[0], &u) || !doc_num(run, cpu[1], &s))
		return false;
	doc_num(run, cpu[2], &q);
	*x = u + s + q;
	return true;
}

/* The cell's figures and their rounds (-1 without one); returns how many. */
static int cell_runs(const json_t *cell, enum verdict_basis basis, bool sched, double *x,
		     int *round)
{
	const json_t *run;
	size_t i;
	int n = 0;
	double r;

	json_array_foreach(json_object_get(cell, "runs"), i, run)
	{
		if (n < VERDICT_RUNS && run_figure(run, basis, sched, &x[n])) {
			round[n] = doc_num(run, "round", &r) ? (int)r : -1;
			n++;
		}
	}
	return n;
}

/* The summary figure of a basis; sched: efficiency's ns figure. */
static const char *fig_path(enum verdict_basis basis, bool sched)
{
	return figs[basis == VERDICT_THROUGHPUT ? FIG_REQUESTS_PER_SEC
		    : sched			? FIG_CPU_NS
						: FIG_CPU_TOTAL]
	    .name;
}

/* Both cells have efficiency's ns figure (the two sides compare the same one). */
static bool verdict_sched(const struct verdict *v)
{
	return v->basis == VERDICT_EFFICIENCY && cell_sched(v->best.cell) &&
	       cell_sched(v->runner_up.cell);
}

/* false when the cell has no median of the figure (efficiency's in µs either way) */
static bool side(const json_t *cell, enum verdict_basis basis, struct verdict_side *s)
{
	bool sched = basis == VERDICT_EFFICIENCY && cell_sched(cell);
	const char *path = fig_path(basis, sched);

	memset(s, 0, sizeof(*s));
	if (!cell || !doc_fig(cell, path, &s->median))
		return false;
	s->cell = cell;
	s->model = doc_str(cell, "model");
	if (!doc_ci(cell, path, &s->lo, &s->hi, &s->exact)) {
		s->exact = false;
		if (!doc_range(cell, path, &s->lo, &s->hi))
			s->lo = s->hi = s->median; /* one run: a point */
	}
	if (sched) {
		s->median /= 1e3;
		s->lo /= 1e3;
		s->hi /= 1e3;
	}
	s->client_bound = verdict_client_bound(cell);
	s->noisy = verdict_noisy(cell);
	return true;
}

/* best is better than runner_up by its median? */
static bool better(enum verdict_basis basis, double x, double than)
{
	return basis == VERDICT_THROUGHPUT ? x > than : x < than;
}

static bool paired_order(const json_t *doc)
{
	return strcmp(doc_str(json_object_get(doc, "config"), "order"), "sequential") != 0;
}

/* est from the two cells' runs; false when either has no runs. */
static bool estimate(const json_t *doc, struct verdict *v)
{
	static double xa[VERDICT_RUNS], xb[VERDICT_RUNS], pa[VERDICT_RUNS], pb[VERDICT_RUNS];
	static int ra[VERDICT_RUNS], rb[VERDICT_RUNS];
	int na = cell_runs(v->best.cell, v->basis, verdict_sched(v), xa, ra);
	int nb = cell_runs(v->runner_up.cell, v->basis, verdict_sched(v), xb, rb), np = 0;
	double alpha = v->look_alpha > 0 ? v->look_alpha : doc_alpha(doc);

	if (!na || !nb)
		return false;
	/* Pair the rounds both ran (the first run of each round in each cell). */
	for (int i = 0; paired_order(doc) && i < na; i++) {
		bool dup = ra[i] < 0;

		for (int k = 0; k < i && !dup; k++)
			dup = ra[k] == ra[i];
		for (int j = 0; j < nb && !dup; j++)
			if (rb[j] == ra[i]) {
				pa[np] = xa[i];
				pb[np++] = xb[j];
				break;
			}
	}
	if (np >= VERDICT_MIN_PAIRS)
		return est_paired(pa, pb, np, alpha, &v->est) == 0;
	return est_two_sample(xa, na, xb, nb, alpha, &v->est) == 0;
}

/* An efficiency cell served the load it was offered, by its median (verdict.h). */
static bool schedule_kept(const json_t *cell)
{
	double rate = json_number_value(json_object_get(cell, "rate")), rps;

	return !doc_fig(cell, figs[FIG_REQUESTS_PER_SEC].name, &rps) ||
	       rps >= VERDICT_KEPT_SHARE * rate;
}

/* The unprobed ok runs of cell that test leaves out. */
static int runs_left_out(const json_t *cell, bool (*test)(const json_t *))
{
	const json_t *run;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(cell, "runs"), i, run)
	{
		n += !strcmp(doc_str(run, "status"), "ok") &&
		     !json_is_true(json_object_get(run, "probed")) && test(run);
	}
	return n;
}

int verdict_stolen_runs(const json_t *cell)
{
	return runs_left_out(cell, run_stolen);
}

/* Appends "; N runs <what> left out" to the reason when both cells left N > 0 out. */
static void say_left_out(struct verdict *v, bool (*test)(const json_t *), const char *what)
{
	int n = runs_left_out(v->best.cell, test) + runs_left_out(v->runner_up.cell, test);
	size_t at = strlen(v->reason);

	if (n && at < sizeof(v->reason))
		snprintf(v->reason + at, sizeof(v->reason) - at, "; %d run%s %s left out", n,
			 n == 1 ? "" : "s", what);
}

static void decide(const json_t *doc, struct verdict *v)
{
	struct verdict_opts o;
	bool a_wins, cb = v->best.client_bound || v->runner_up.client_bound;
	char why[200], stolen[48];
	enum est_decision d;
	int per;

	verdict_opts_doc(doc, &o);
	v->rule = v->reason;
	v->more = -1;
	v->estimated = estimate(doc, v);
	snprintf(stolen, sizeof(stolen), "with over %.0f%% of the CPU stolen", VERDICT_STEAL_PCT);
	if (!v->estimated) {
		v->kind = VERDICT_CANNOT_TELL;
		snprintf(v->reason, sizeof(v->reason), "a cell has no runs with the figure");
		say_left_out(v, run_stolen, stolen);
		return;
	}
	d = est_decide(&v->est, o.min_effect, o.equivalence, &a_wins, &v->more, why, sizeof(why));
	if (v->basis == VERDICT_EFFICIENCY)
		a_wins = !a_wins; /* less CPU per request is better */
	if (v->basis == VERDICT_EFFICIENCY &&
	    (!schedule_kept(v->best.cell) || !schedule_kept(v->runner_up.cell))) {
		v->kind = VERDICT_CANNOT_TELL;
		snprintf(v->reason, sizeof(v->reason),
			 "the load generator did not keep the schedule (under %.0f%% of the "
			 "offered rate served), so the cells did not serve the same load",
			 VERDICT_KEPT_SHARE * 100);
		return;
	}
	if (v->basis == VERDICT_THROUGHPUT && cb && !v->est.paired) {
		v->kind = VERDICT_CANNOT_TELL;
		snprintf(v->reason, sizeof(v->reason),
			 "a cell is client-bound and the runs are not paired by round: its rate is "
			 "its load generator's; compare server CPU per request at equal open-loop "
			 "load instead");
		return;
	}
	v->kind = d == EST_WINNER	? VERDICT_WINNER
		  : d == EST_EQUIVALENT ? VERDICT_EQUIVALENT
					: VERDICT_CANNOT_TELL;
	if (v->kind == VERDICT_WINNER)
		v->winner = a_wins ? v->best.model : v->runner_up.model;
	per = v->est.paired ? v->est.n : (v->est.na < v->est.nb ? v->est.na : v->est.nb);
	snprintf(v->reason, sizeof(v->reason), "%s (%s over %d %s)%s", why,
		 v->est.paired ? "paired" : "two samples", per,
		 v->est.paired ? (per == 1 ? "round" : "rounds")
			       : (per == 1 ? "run a side" : "runs a side"),
		 cb && v->basis == VERDICT_THROUGHPUT
		     ? "; a cell is client-bound, but paired by round the throughput ratio still "
		       "decides"
		     : "");
	if (v->basis == VERDICT_EFFICIENCY)
		say_left_out(v, run_skipped_only, "that skipped sends");
	say_left_out(v, run_stolen, stolen);
}

static void reset(struct verdict *v, enum verdict_basis basis)
{
	memset(v, 0, sizeof(*v));
	v->kind = VERDICT_NONE;
	v->basis = basis;
	v->size = -1;
	v->more = -1;
	v->rule = v->reason;
	snprintf(v->reason, sizeof(v->reason), "fewer than two models measured %s here",
		 basis == VERDICT_THROUGHPUT ? "requests/s" : "server CPU per request");
}

static void context(struct verdict *v, const json_t *cell)
{
	v->workload = doc_str(cell, "workload");
	v->size = doc_cell_size(cell);
	v->conns = json_integer_value(json_object_get(cell, "connections"));
}

/* verdict_pair on basis at alpha (0: the document's). */
static int pair_at(const json_t *doc, const json_t *a, const json_t *b, enum verdict_basis basis,
		   double alpha, struct verdict *v)
{
	struct verdict_side t;

	reset(v, basis);
	v->look_alpha = alpha;
	if (a)
		context(v, a);
	v->candidates = side(a, v->basis, &v->best) + side(b, v->basis, &v->runner_up);
	if (!v->best.cell) {
		v->best = v->runner_up;
		memset(&v->runner_up, 0, sizeof(v->runner_up));
	}
	if (v->candidates < 2)
		return -1;
	if (better(v->basis, v->runner_up.median, v->best.median))
		t = v->best, v->best = v->runner_up, v->runner_up = t;
	decide(doc, v);
	return 0;
}

int verdict_pair(const json_t *doc, const json_t *a, const json_t *b, struct verdict *v)
{
	return pair_at(doc, a, b, VERDICT_THROUGHPUT, 0, v);
}

/* The best and the runner-up among the group's cells (rate < 0: closed loop). */
static int best_of(const json_t *doc, const char *workload, long long size, long long conns,
		   double rate, struct verdict *v)
{
	json_t *cells = json_object_get(doc, "cells");
	struct verdict_side s;

	v->workload = workload;
	v->size = size;
	v->conns = conns;
	v->rate = rate;
	for (size_t i = 0; i < json_array_size(cells); i++) {
		const json_t *c = json_array_get(cells, i);
		const json_t *r = json_object_get(c, "rate");

		if (strcmp(doc_str(c, "workload"), workload) || doc_cell_size(c) != size ||
		    json_integer_value(json_object_get(c, "connections")) != conns ||
		    json_is_number(r) != (rate >= 0) ||
		    json_is_number(json_object_get(c, "sweep_step")) ||
		    (rate >= 0 && json_number_value(r) != rate) || !doc_cell_ok(c) ||
		    !side(c, v->basis, &s))
			continue;
		v->candidates++;
		if (!v->best.cell || better(v->basis, s.median, v->best.median)) {
			v->runner_up = v->best;
			v->best = s;
		} else if (!v->runner_up.cell || better(v->basis, s.median, v->runner_up.median)) {
			v->runner_up = s;
		}
	}
	if (v->candidates < 2)
		return -1;
	decide(doc, v);
	return 0;
}

/* The group's verdict at alpha (0: the document's): throughput (rate < 0) or efficiency. */
static int group_at(const json_t *doc, const char *workload, long long size, long long conns,
		    double rate, double alpha, struct verdict *v)
{
	reset(v, rate < 0 ? VERDICT_THROUGHPUT : VERDICT_EFFICIENCY);
	v->look_alpha = alpha;
	return best_of(doc, workload, size, conns, rate, v);
}

int verdict_best(const json_t *doc, const char *workload, long long size, long long conns,
		 struct verdict *v)
{
	/* Open-loop cells (a rate, a sweep point) serve what they are sent: no race. */
	return group_at(doc, workload, size, conns, -1, 0, v);
}

int verdict_efficiency(const json_t *doc, const char *workload, long long size, long long conns,
		       double rate, struct verdict *v)
{
	return group_at(doc, workload, size, conns, rate, 0, v);
}

static json_t *num_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *verdict_json(const struct verdict *v)
{
	json_t *j = json_object(), *ratio = json_object();
	static const char *const dec[] = {[VERDICT_NONE] = "cannot-tell",
					  [VERDICT_WINNER] = "winner",
					  [VERDICT_EQUIVALENT] = "equivalent",
					  [VERDICT_CANNOT_TELL] = "cannot-tell"};

	json_object_set_new(j, "workload", json_string(v->workload ? v->workload : ""));
	json_object_set_new(j, "size_bytes", v->size >= 0 ? json_integer(v->size) : json_null());
	json_object_set_new(j, "connections", json_integer(v->conns));
	json_object_set_new(
	    j, "basis", json_string(v->basis == VERDICT_THROUGHPUT ? "throughput" : "efficiency"));
	json_object_set_new(j, "figure", json_string(fig_path(v->basis, verdict_sched(v))));
	json_object_set_new(j, "rate",
			    v->basis == VERDICT_EFFICIENCY ? json_real(v->rate) : json_null());
	json_object_set_new(j, "a", json_string(v->best.model ? v->best.model : ""));
	json_object_set_new(j, "b", json_string(v->runner_up.model ? v->runner_up.model : ""));
	json_object_set_new(ratio, "estimate",
			    v->estimated ? num_or_null(v->est.ratio) : json_null());
	json_object_set_new(ratio, "ci95",
			    v->estimated && v->est.ci ? json_pack("[f, f]", v->est.lo, v->est.hi)
						      : json_null());
	json_object_set_new(j, "ratio", ratio);
	json_object_set_new(j, "decision", json_string(dec[v->kind]));
	json_object_set_new(j, "winner", v->winner ? json_string(v->winner) : json_null());
	json_object_set_new(j, "reason", json_string(v->reason));
	json_object_set_new(j, "paired", json_boolean(v->estimated && v->est.paired));
	json_object_set_new(j, "n",
			    json_integer(!v->estimated		 ? 0
					 : v->est.paired	 ? v->est.n
					 : v->est.na < v->est.nb ? v->est.na
								 : v->est.nb));
	json_object_set_new(j, "alpha", json_real(v->estimated ? v->est.alpha : EST_ALPHA));
	json_object_set_new(j, "more_rounds", v->more > 0 ? json_integer(v->more) : json_null());
	if (v->best.cell)
		json_object_set_new(
		    j, "client_bound",
		    json_boolean(v->best.client_bound || v->runner_up.client_bound));
	return j;
}

/* Are cells p and c of one group: workload, size, connections, and rate or none? */
bool verdict_same_group(const json_t *p, const json_t *c)
{
	const json_t *pr = json_object_get(p, "rate"), *r = json_object_get(c, "rate");

	return !strcmp(doc_str(p, "workload"), doc_str(c, "workload")) &&
	       doc_cell_size(p) == doc_cell_size(c) &&
	       json_integer_value(json_object_get(p, "connections")) ==
		   json_integer_value(json_object_get(c, "connections")) &&
	       json_is_number(pr) == json_is_number(r) &&
	       (!json_is_number(r) || json_number_value(pr) == json_number_value(r));
}

/* Has an earlier cell the same group? */
static bool seen_before(const json_t *cells, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (verdict_same_group(json_array_get(cells, j), json_array_get(cells, i)))
			return true;
	return false;
}

/*
 * The question ringside exists for, epoll against io_uring: where the best and
 * the runner-up of a group are another pair, this pair gets a verdict of its own.
 */
static const char *const headline_pair[2] = {"uring", "epoll"};

/* The cell of model in c's group (same workload, size, connections, rate or none), or NULL. */
static const json_t *group_cell(const json_t *cells, const json_t *c, const char *model)
{
	for (size_t j = 0; j < json_array_size(cells); j++) {
		const json_t *p = json_array_get(cells, j);

		if (!strcmp(doc_str(p, "model"), model) && verdict_same_group(p, c) &&
		    !json_is_number(json_object_get(p, "sweep_step")) && doc_cell_ok(p))
			return p;
	}
	return NULL;
}

/* The headline pair's verdict when the group's best-against-runner-up is not it. */
static void headline(const json_t *doc, const json_t *c, const struct verdict *best, double alpha,
		     json_t *out)
{
	const json_t *cells = json_object_get(doc, "cells");
	const json_t *a = group_cell(cells, c, headline_pair[0]),
		     *b = group_cell(cells, c, headline_pair[1]);
	struct verdict v;
	bool same = best->best.model && best->runner_up.model &&
		    ((!strcmp(best->best.model, headline_pair[0]) &&
		      !strcmp(best->runner_up.model, headline_pair[1])) ||
		     (!strcmp(best->best.model, headline_pair[1]) &&
		      !strcmp(best->runner_up.model, headline_pair[0])));

	if (!a || !b || same || pair_at(doc, a, b, best->basis, alpha, &v))
		return;
	v.workload = best->workload;
	v.size = best->size;
	v.conns = best->conns;
	v.rate = best->basis == VERDICT_EFFICIENCY ? best->rate : -1;
	json_array_append_new(out, verdict_json(&v));
}

/* Every verdict of doc at alpha (0: the document's). */
static json_t *doc_at(const json_t *doc, double alpha)
{
	const json_t *cells = json_object_get(doc, "cells"), *c;
	json_t *out = json_array();
	struct verdict v;
	size_t i;

	json_array_foreach(cells, i, c)
	{
		const json_t *r = json_object_get(c, "rate");
		const char *w = doc_str(c, "workload");
		long long size = doc_cell_size(c), conns;
		int rc;

		/* sweep points are steps of one model's search, not planned comparisons */
		if (seen_before(cells, i) || json_is_number(json_object_get(c, "sweep_step")))
			continue;
		conns = json_integer_value(json_object_get(c, "connections"));
		rc = group_at(doc, w, size, conns, json_is_number(r) ? json_number_value(r) : -1,
			      alpha, &v);
		if (rc == 0)
			json_array_append_new(out, verdict_json(&v));
		if (rc == 0)
			headline(doc, c, &v, alpha, out);
	}
	return out;
}

json_t *verdict_doc(const json_t *doc)
{
	return doc_at(doc, 0);
}

/* Is verdict object vj about cell's group (workload, size, connections, rate)? */
static bool about_group(const json_t *vj, const json_t *cell)
{
	const json_t *r = json_object_get(cell, "rate"), *vr = json_object_get(vj, "rate");
	const json_t *vs = json_object_get(vj, "size_bytes");

	return !strcmp(doc_str(vj, "workload"), doc_str(cell, "workload")) &&
	       (json_is_integer(vs) ? json_integer_value(vs) : -1) == doc_cell_size(cell) &&
	       json_integer_value(json_object_get(vj, "connections")) ==
		   json_integer_value(json_object_get(cell, "connections")) &&
	       !strcmp(doc_str(vj, "basis"), json_is_number(r) ? "efficiency" : "throughput") &&
	       (!json_is_number(r) || json_number_value(vr) == json_number_value(r));
}

enum stop_cmp verdict_cell_state(const json_t *doc, const json_t *cell, double alpha)
{
	json_t *all = doc_at(doc, alpha), *vj;
	const char *model = doc_str(cell, "model");
	enum stop_cmp st = STOP_CMP_NONE;
	size_t i;

	json_array_foreach(all, i, vj)
	{
		if (!about_group(vj, cell) ||
		    (strcmp(doc_str(vj, "a"), model) && strcmp(doc_str(vj, "b"), model)))
			continue;
		if (!strcmp(doc_str(vj, "decision"), "cannot-tell")) {
			st = STOP_CMP_OPEN;
			break;
		}
		st = STOP_CMP_DECIDED;
	}
	json_decref(all);
	return st;
}

void verdict_attach(json_t *doc)
{
	json_object_set_new(doc, "verdicts", verdict_doc(doc));
}

json_t *verdict_list(const json_t *doc)
{
	json_t *v = json_object_get(doc, "verdicts");

	if (json_is_array(v))
		return json_incref(v);
	return verdict_doc(doc);
}

static int where(const json_t *vj, char *buf, size_t len)
{
	long long conns = json_integer_value(json_object_get(vj, "connections"));
	const json_t *size = json_object_get(vj, "size_bytes");
	int n;

	if (json_is_integer(size))
		n = snprintf(buf, len, "%s %lldB, %lld connection%s", doc_str(vj, "workload"),
			     (long long)json_integer_value(size), conns, conns == 1 ? "" : "s");
	else
		n = snprintf(buf, len, "%s, %lld connection%s", doc_str(vj, "workload"), conns,
			     conns == 1 ? "" : "s");
	if (!strcmp(doc_str(vj, "basis"), "efficiency") && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", at %.0f req/s",
			      json_number_value(json_object_get(vj, "rate")));
	return n;
}

int verdict_line(const json_t *vj, char *buf, size_t len)
{
	const char *a = doc_str(vj, "a"), *b = doc_str(vj, "b"), *win = doc_str(vj, "winner");
	const char *dec = doc_str(vj, "decision");
	bool eff = !strcmp(doc_str(vj, "basis"), "efficiency");
	double r, lo = NAN, hi = NAN;
	const json_t *ci = doc_get(vj, "ratio.ci95");
	char at[200], ival[120] = "no interval yet";

	where(vj, at, sizeof(at));
	if (!doc_num(vj, "ratio.estimate", &r))
		return snprintf(buf, len, "%s: cannot tell %s from %s: %s", at, a, b,
				doc_str(vj, "reason"));
	if (json_array_size(ci) == 2) {
		lo = json_number_value(json_array_get(ci, 0));
		hi = json_number_value(json_array_get(ci, 1));
		snprintf(ival, sizeof(ival), "95%% CI %.3f–%.3f", lo, hi);
	}
	if (!strcmp(dec, "winner")) {
		const char *other = !strcmp(win, a) ? b : a;
		/* the winner's figure over the other's */
		double q = !strcmp(win, a) ? r : 1 / r, ql = !strcmp(win, a) ? lo : 1 / hi,
		       qh = !strcmp(win, a) ? hi : 1 / lo;

		if (eff)
			return snprintf(buf, len,
					"%s: %s wins on efficiency: %.1f%% less server CPU per "
					"request than %s (95%% CI %.1f–%.1f%%); %s",
					at, win, (1 - q) * 100, other, (1 - qh) * 100,
					(1 - ql) * 100, doc_str(vj, "reason"));
		return snprintf(buf, len,
				"%s: %s wins on throughput: %.1f%% faster than %s (95%% CI "
				"%.1f–%.1f%%); %s",
				at, win, (q - 1) * 100, other, (ql - 1) * 100, (qh - 1) * 100,
				doc_str(vj, "reason"));
	}
	if (!strcmp(dec, "equivalent"))
		return snprintf(buf, len, "%s: %s and %s equivalent on %s: ratio %.3f (%s); %s", at,
				a, b, eff ? "efficiency" : "throughput", r, ival,
				doc_str(vj, "reason"));
	return snprintf(buf, len, "%s: cannot tell %s from %s on %s: ratio %.3f (%s); %s", at, a, b,
			eff ? "efficiency" : "throughput", r, ival, doc_str(vj, "reason"));
}

int verdict_format(const struct verdict *v, char *buf, size_t len)
{
	json_t *j;
	int n;

	if (v->kind == VERDICT_NONE) {
		char at[200];
		json_t *w = verdict_json(v);

		where(w, at, sizeof(at));
		json_decref(w);
		return snprintf(buf, len, "%s: no verdict: %s", at, v->reason);
	}
	j = verdict_json(v);
	n = verdict_line(j, buf, len);
	json_decref(j);
	return n;
}
