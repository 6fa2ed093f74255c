/*
 * Rate sweeps and the message-size axis (curves.h): the report's curve tables,
 * and the makers, for plot.c's registry, of charts of p99 and p50 against
 * achieved requests/s with each knee ringed and the SLO as a line
 * (scripts/curve.gp), server CPU per request against offered load, and
 * requests/s against payload or body size (lines.gp). Uses chart.c's shared
 * parts; calls nothing in plot.c.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "text.h"
#include "curves.h"

#define MAX_NOTES 5
#define MAX_SIZES 16

static const struct {
	const char *key, *text;
} ended_texts[] = {
    {"saturation", "saturation: the server fell behind (achieved below 95% of offered)"},
    {"slo", "slo: p99 over the SLO at two points in a row"},
    {"client", "client: the client ended this sweep (its send schedule lagged), so the curve "
	       "says nothing about the server's limit"},
    {"steps", "steps: the step limit came before any stop rule"},
    {"rates", "rates: every listed rate ran"},
    {"failed", "failed: a point or the capacity probe failed"},
    {"skipped", "skipped: the model could not run here"},
    {"interrupted", "interrupted: the run was stopped"},
};

const char *rpt_ended_by_text(const char *ended_by)
{
	for (size_t i = 0; i < sizeof(ended_texts) / sizeof(ended_texts[0]); i++)
		if (!strcmp(ended_by, ended_texts[i].key))
			return ended_texts[i].text;
	return *ended_by ? ended_by : "unknown";
}

json_t *rpt_curve_point(const struct rpt_doc *doc, const json_t *curve, size_t i)
{
	json_t *idx = json_array_get(json_object_get(curve, "points"), i);

	if (!json_is_integer(idx) || json_integer_value(idx) < 0)
		return NULL;
	return json_array_get(doc->cells, (size_t)json_integer_value(idx));
}

static long long curve_conns(const json_t *curve)
{
	return json_integer_value(json_object_get(curve, "connections"));
}

int rpt_curve_sets(const struct rpt_doc *doc, struct rpt_curve_set *s, int cap)
{
	json_t *curves = json_object_get(doc->root, "curves"), *curve;
	size_t i;
	int n = 0;

	json_array_foreach(curves, i, curve)
	{
		const char *wl = doc_str(curve, "workload");
		long long conns = curve_conns(curve), size = doc_cell_size(curve);
		struct rpt_curve_set *set;
		double slo;
		int k, j;

		if (!json_is_object(curve) || !*wl)
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp(s[k].workload, wl) && s[k].conns == conns && s[k].size == size)
				break;
		if (k == n) {
			if (n == cap)
				continue;
			memset(&s[n], 0, sizeof(s[n]));
			s[n].workload = wl;
			s[n].conns = conns;
			s[n].size = size;
			s[n].slo = -1;
			n++;
		}
		set = &s[k];
		if (set->slo < 0 && doc_num(curve, "slo_p99_us", &slo) && slo > 0)
			set->slo = slo;
		if (set->n == RPT_MAX_MODELS)
			continue;
		/* stable insertion in canonical model order */
		for (j = set->n; j > 0 && rpt_model_rank(doc_str(curve, "model")) <
					      rpt_model_rank(doc_str(set->curves[j - 1], "model"));
		     j--)
			set->curves[j] = set->curves[j - 1];
		set->curves[j] = curve;
		set->n++;
	}
	for (int k = 0; k < n; k++) {
		bool conns = false, sizes = false;
		size_t at;

		for (int j = 0; j < n; j++) {
			if (j == k || strcmp(s[j].workload, s[k].workload))
				continue;
			conns |= s[j].conns != s[k].conns;
			sizes |= s[j].size != s[k].size;
		}
		snprintf(s[k].name, sizeof(s[k].name), "%.40s", s[k].workload);
		at = strlen(s[k].name);
		if (conns)
			at +=
			    snprintf(s[k].name + at, sizeof(s[k].name) - at, "-%lldc", s[k].conns);
		if (sizes && at < sizeof(s[k].name))
			snprintf(s[k].name + at, sizeof(s[k].name) - at, "-%lldB", s[k].size);
		for (char *p = s[k].name; *p; p++)
			if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
			    !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_')
				*p = '_';
	}
	return n;
}

/* ---- the report's tables ---- */

const char *const rpt_curve_head[RPT_CURVE_COLS] = {"model",
						    "points",
						    "p99 floor µs",
						    "knee: offered req/s",
						    "knee: achieved req/s",
						    "knee: p99 µs",
						    "capacity at SLO req/s",
						    "ended by"};
/* The figures of a point's row, columns 2 to 5 (rpt_curve_point_row). */
static const enum fig_id point_figs[] = {FIG_REQUESTS_PER_SEC, FIG_LATENCY_P50, FIG_LATENCY_P99,
					 FIG_CPU_TOTAL};

void rpt_curve_point_head(const char *head[RPT_CURVE_COLS], char achieved[32])
{
	snprintf(achieved, 32, "achieved %s", figs[FIG_REQUESTS_PER_SEC].abbr);
	head[0] = "model";
	head[1] = "offered req/s";
	head[2] = achieved;
	for (int i = 1; i < 4; i++)
		head[2 + i] = figs[point_figs[i]].head;
	head[6] = "bound";
	head[7] = "client lagged";
}

/* fmt of the number at key, else "—". */
static void num_text(const json_t *obj, const char *key, const char *fmt, char *buf, size_t len)
{
	double v;

	if (doc_num(obj, key, &v))
		snprintf(buf, len, fmt, v);
	else
		snprintf(buf, len, "—");
}

void rpt_curve_set_title(const struct rpt_curve_set *set, char *buf, size_t len)
{
	snprintf(buf, len, "Curves: %s, %lld connection%s", set->workload, set->conns,
		 set->conns == 1 ? "" : "s");
	if (set->size >= 0)
		text_cat(buf, len, ", %lld-byte %s", set->size,
			 strcmp(set->workload, "proxy") ? "messages" : "bodies");
	if (set->slo > 0)
		text_cat(buf, len, " (rate sweep, SLO p99 %.0f µs)", set->slo);
	else
		text_cat(buf, len, " (rate sweep, no SLO)");
}

void rpt_curve_row(const json_t *curve, char c[RPT_CURVE_COLS][RPT_CURVE_CELL])
{
	const json_t *knee = json_object_get(curve, "knee");

	snprintf(c[0], RPT_CURVE_CELL, "%s", rpt_model_label(doc_str(curve, "model")));
	snprintf(c[1], RPT_CURVE_CELL, "%zu", json_array_size(json_object_get(curve, "points")));
	num_text(curve, "p99_floor_us", "%.1f", c[2], RPT_CURVE_CELL);
	num_text(knee, "offered", "%.0f", c[3], RPT_CURVE_CELL);
	num_text(knee, "achieved", "%.0f", c[4], RPT_CURVE_CELL);
	num_text(knee, "p99_us", "%.1f", c[5], RPT_CURVE_CELL);
	if (!json_is_object(knee))
		snprintf(c[3], RPT_CURVE_CELL, "no knee");
	num_text(curve, "capacity_at_slo", "%.0f", c[6], RPT_CURVE_CELL);
	snprintf(c[7], RPT_CURVE_CELL, "%s", rpt_ended_by_text(doc_str(curve, "ended_by")));
}

void rpt_curve_point_row(const json_t *curve, const json_t *cell,
			 char c[RPT_CURVE_COLS][RPT_CURVE_CELL])
{
	snprintf(c[0], RPT_CURVE_CELL, "%s", rpt_model_label(doc_str(curve, "model")));
	num_text(cell, "rate", "%.0f", c[1], RPT_CURVE_CELL);
	for (int i = 0; i < 4; i++)
		fig_text(cell, &figs[point_figs[i]], c[2 + i], RPT_CURVE_CELL);
	if (!doc_cell_ok(cell))
		snprintf(c[2], RPT_CURVE_CELL, "%s", doc_cell_status(cell));
	snprintf(c[6], RPT_CURVE_CELL, "%s",
		 *doc_str(cell, "bound") ? doc_str(cell, "bound") : "—");
	snprintf(c[7], RPT_CURVE_CELL, "%s",
		 json_is_true(json_object_get(cell, "client_bound_schedule"))
		     ? "yes: measures the client"
		     : "no");
}

/* ---- charts ---- */

struct fill {
	const struct rpt_doc *doc;
	const struct rpt_curve_set *set;
	const struct rpt_chart_kind *k;
	int nnotes;
	/* the size charts */
	const char *workload;
	double rate; /* -1 closed loop */
	long long conns, sizes[MAX_SIZES];
	int nsizes;
	const char *models[RPT_MAX_MODELS];
	int nmodels;
	bool knees; /* from the curves' knees, not from closed-loop cells */
	const struct rpt_curve_set *sets;
	int nsets;
};

static void note(struct fill *fl, struct rpt_chart *ch, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(struct fill *fl, struct rpt_chart *ch, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	if (fl->nnotes++ >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	text_cat(ch->note, sizeof(ch->note), "%s%s", ch->note[0] ? "\n" : "", line);
}

static void rate_text(double r, char *buf, size_t len)
{
	if (r >= 1e4)
		snprintf(buf, len, "%.0fk", r / 1e3);
	else if (r >= 1e3)
		snprintf(buf, len, "%.1fk", r / 1e3);
	else
		snprintf(buf, len, "%.0f", r);
}

/*
 * A curve kind's fig[0] is its y; x is the achieved requests/s, or the offered
 * rate (x_offered). Latency curves (all but CPU's) are drawn on a log y axis,
 * with the knees.
 */
static bool latency_curve(const struct rpt_chart_kind *k)
{
	return k->fig[0] != &figs[FIG_CPU_TOTAL];
}

/* x and y of a point on this chart; false when it has none. */
static bool point_xy(const struct fill *fl, const json_t *cell, double *x, double *y)
{
	if (!(fl->k->x_offered ? doc_num(cell, "rate", x)
			       : fig_cell(cell, &figs[FIG_REQUESTS_PER_SEC], x)))
		return false;
	if (!latency_curve(fl->k))
		return fig_cell(cell, fl->k->fig[0], y);
	return fig_cell(cell, fl->k->fig[0], y) && *y > 0;
}

static void curve_notes(struct fill *fl, struct rpt_chart *ch, const json_t *curve)
{
	const char *model = rpt_model_label(doc_str(curve, "model"));
	const char *ended = doc_str(curve, "ended_by");

	if (!strcmp(ended, "client"))
		note(fl, ch,
		     "the client ended the %s sweep: its last point measures the load "
		     "generator, not the server",
		     model);
	else if (!strcmp(ended, "failed") || !strcmp(ended, "skipped"))
		note(fl, ch, "%s: sweep %s%s%s", model, ended,
		     *doc_str(curve, "probe.reason") ? ": " : "", doc_str(curve, "probe.reason"));
	if (latency_curve(fl->k) && !json_is_object(json_object_get(curve, "knee")) &&
	    json_array_size(json_object_get(curve, "points")))
		note(fl, ch, "%s: no knee (no point served within the SLO)", model);
}

/*
 * Blocks: one per model with points (x y offered), then, when there are any,
 * one of knees (x y "label") and one of client-bound points (x y).
 */
static int fill_curve(FILE *f, struct rpt_chart *ch, void *arg)
{
	struct fill *fl = arg;
	const struct rpt_curve_set *set = fl->set;
	struct rpt_legend lg = {.blocks = 0};
	double ymin = INFINITY, ymax = 0, x, y;
	int points = 0, nk = 0, nc = 0, blocks = 0;
	char label[64];

	for (int m = 0; m < set->n; m++) {
		const json_t *curve = set->curves[m];
		int pts = 0;

		curve_notes(fl, ch, curve);
		for (size_t i = 0; i < json_array_size(json_object_get(curve, "points")); i++) {
			json_t *cell = rpt_curve_point(fl->doc, curve, i);
			double offered = 0;

			if (!cell)
				continue;
			doc_num(cell, "rate", &offered);
			if (!doc_cell_ok(cell)) {
				note(fl, ch, "%s: %s at %.0f req/s offered%s%s",
				     doc_cell_status(cell),
				     rpt_model_label(doc_str(curve, "model")), offered,
				     *doc_str(cell, "reason") ? ": " : "", doc_str(cell, "reason"));
				continue;
			}
			if (!point_xy(fl, cell, &x, &y))
				continue;
			if (pts == 0 && blocks > 0)
				fprintf(f, "\n\n");
			fprintf(f, "%.9g %.9g %.9g\n", x, y, offered);
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
			pts++;
		}
		if (pts) {
			rpt_legend_add(&lg, fl->doc, doc_str(curve, "model"));
			blocks++;
		}
		points += pts;
	}
	for (int m = 0; points && latency_curve(fl->k) && m < set->n; m++) {
		const json_t *knee = json_object_get(set->curves[m], "knee");
		json_t *cell = json_array_get(fl->doc->cells,
					      json_integer_value(json_object_get(knee, "cell")));

		if (!json_is_object(knee) || !doc_num(knee, "achieved", &x))
			continue;
		if (fl->k->fig[0] == &figs[FIG_LATENCY_P99] ? !doc_num(knee, "p99_us", &y)
							    : !fig_cell(cell, fl->k->fig[0], &y))
			continue;
		fprintf(f, nk ? "" : "\n\n");
		rate_text(x, label, sizeof(label));
		fprintf(f, "%.9g %.9g \"knee %s\"\n", x, y, label);
		nk++;
	}
	for (int m = 0; points && m < set->n; m++) {
		for (size_t i = 0; i < json_array_size(json_object_get(set->curves[m], "points"));
		     i++) {
			json_t *cell = rpt_curve_point(fl->doc, set->curves[m], i);

			if (!cell || !doc_cell_ok(cell) ||
			    !json_is_true(json_object_get(cell, "client_bound_schedule")) ||
			    !point_xy(fl, cell, &x, &y))
				continue;
			fprintf(f, nc ? "" : "\n\n");
			fprintf(f, "%.9g %.9g\n", x, y);
			nc++;
		}
	}
	rpt_legend_vars(ch, &lg);
	ch->ymax = ymax;
	text_cat(ch->vars, sizeof(ch->vars), "nk=%d; nc=%d; logy=%d; ", nk, nc,
		 latency_curve(fl->k));
	if (fl->k->fig[0] == &figs[FIG_LATENCY_P99] && set->slo > 0) {
		text_cat(ch->vars, sizeof(ch->vars), "slo=%.9g; ", set->slo);
		ymin = fmin(ymin, set->slo);
		ymax = fmax(ymax, set->slo);
	}
	if (points && latency_curve(fl->k))
		text_cat(ch->vars, sizeof(ch->vars), "ymin=%.9g; ymax=%.9g; ", ymin / 1.5,
			 ymax * 1.5);
	return points;
}

static const char *unit(const char *workload)
{
	return strcmp(workload, "proxy") ? "-byte messages" : "-byte bodies";
}

int rpt_chart_curve(const struct rpt_doc *doc, const struct rpt_curve_set *set,
		    const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch)
{
	struct fill fl = {.doc = doc, .set = set, .k = k};
	char what[160];

	snprintf(what, sizeof(what), "%s, %lld connection%s", set->workload, set->conns,
		 set->conns == 1 ? "" : "s");
	if (set->size >= 0)
		text_cat(what, sizeof(what), ", %lld%s", set->size, unit(set->workload));
	rpt_chart_begin(doc, k, set->name, what, ch);
	if (rpt_chart_write(doc, datadir, ch, fill_curve, &fl) < 0)
		return -1;
	text_cat(ch->vars, sizeof(ch->vars), "ylabel=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), k->ylabel);
	text_cat(ch->vars, sizeof(ch->vars), "; xlabel=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), k->xlabel);
	return 1;
}

/* The curve of model in the set (workload, conns, size); NULL when none. */
static const json_t *find_curve(const struct rpt_curve_set *sets, int ns, const char *workload,
				long long conns, long long size, const char *model)
{
	for (int i = 0; i < ns; i++) {
		if (strcmp(sets[i].workload, workload) || sets[i].conns != conns ||
		    sets[i].size != size)
			continue;
		for (int m = 0; m < sets[i].n; m++)
			if (!strcmp(doc_str(sets[i].curves[m], "model"), model))
				return sets[i].curves[m];
	}
	return NULL;
}

/* lines.gp's blocks: one per model, size value lo hi. */
static int fill_sizes(FILE *f, struct rpt_chart *ch, void *arg)
{
	struct fill *fl = arg;
	const struct fig *rps = &figs[FIG_REQUESTS_PER_SEC];
	struct rpt_legend lg = {.blocks = 0};
	int points = 0;

	for (int m = 0; m < fl->nmodels; m++) {
		int pts = 0;

		for (int i = 0; i < fl->nsizes; i++) {
			double v, lo, hi;
			bool r = false;

			if (fl->knees) {
				const json_t *c =
				    find_curve(fl->sets, fl->nsets, fl->workload, fl->conns,
					       fl->sizes[i], fl->models[m]);

				if (!doc_num(json_object_get(c, "knee"), "achieved", &v))
					continue;
			} else {
				json_t *c = rpt_find_cell(fl->doc, fl->workload, fl->sizes[i],
							  fl->rate, fl->models[m], fl->conns);

				if (!c || !doc_cell_ok(c) || !fig_cell(c, rps, &v))
					continue;
				r = doc_range(c, rps->name, &lo, &hi);
			}
			if (pts == 0 && lg.blocks > 0)
				fprintf(f, "\n\n");
			fprintf(f, "%lld %.9g", fl->sizes[i], v);
			ch->ymax = fabs(v) > ch->ymax ? fabs(v) : ch->ymax;
			if (r)
				fprintf(f, " %.9g %.9g\n", lo, hi);
			else
				fprintf(f, " NaN NaN\n");
			pts++;
		}
		if (pts)
			rpt_legend_add(&lg, fl->doc, fl->models[m]);
		else
			note(fl, ch, "no data: %s", rpt_model_label(fl->models[m]));
		points += pts;
	}
	rpt_legend_vars(ch, &lg);
	return points;
}

static void add_size(struct fill *fl, long long size)
{
	int i = 0;

	while (i < fl->nsizes && fl->sizes[i] < size)
		i++;
	if ((i < fl->nsizes && fl->sizes[i] == size) || fl->nsizes == MAX_SIZES)
		return;
	memmove(&fl->sizes[i + 1], &fl->sizes[i], (fl->nsizes - i) * sizeof(fl->sizes[0]));
	fl->sizes[i] = size;
	fl->nsizes++;
}

static void add_model(struct fill *fl, const char *model)
{
	int j;

	for (j = 0; j < fl->nmodels; j++)
		if (!strcmp(fl->models[j], model))
			return;
	if (fl->nmodels == RPT_MAX_MODELS)
		return;
	for (j = fl->nmodels; j > 0 && rpt_model_rank(model) < rpt_model_rank(fl->models[j - 1]);
	     j--)
		fl->models[j] = fl->models[j - 1];
	fl->models[j] = model;
	fl->nmodels++;
}

static int size_chart(const struct rpt_doc *doc, const struct rpt_chart_kind *k,
		      const char *datadir, struct fill *fl, struct rpt_chart *ch)
{
	char what[160], sizes[512] = "";
	const char *axis = strcmp(fl->workload, "proxy") ? "payload" : "body";

	snprintf(what, sizeof(what), "%s, %lld connection%s", fl->workload, fl->conns,
		 fl->conns == 1 ? "" : "s");
	if (fl->rate > 0)
		text_cat(what, sizeof(what), ", open loop at %.0f req/s", fl->rate);
	rpt_chart_begin(doc, k, fl->workload, what, ch);
	text_cat(ch->name, sizeof(ch->name), "-%lldc", fl->conns);
	if (fl->rate > 0)
		text_cat(ch->name, sizeof(ch->name), "-r%.0f", fl->rate);
	if (rpt_chart_write(doc, datadir, ch, fill_sizes, fl) < 0)
		return -1;
	for (int i = 0; i < fl->nsizes; i++)
		text_cat(sizes, sizeof(sizes), "%s%lld", i ? " " : "", fl->sizes[i]);
	text_cat(ch->vars, sizeof(ch->vars), "conns=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), sizes);
	text_cat(ch->vars, sizeof(ch->vars), "; ylabel=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), k->ylabel);
	text_cat(ch->vars, sizeof(ch->vars), "; xlabel=\"%s bytes (log scale)\"", axis);
	return 0;
}

/* Closed-loop (or fixed-rate) groups that differ only by size: one chart per count. */
int rpt_chart_sizes(const struct rpt_doc *doc, const struct rpt_chart_kind *k, const char *datadir,
		    struct rpt_chart *out, int cap)
{
	struct rpt_group g[RPT_MAX_GROUPS];
	int ng = rpt_groups(doc, g, RPT_MAX_GROUPS), n = 0;

	for (int i = 0; i < ng; i++) {
		bool first = true;

		for (int j = 0; j < i; j++)
			first &= strcmp(g[j].workload, g[i].workload) || g[j].rate != g[i].rate;
		if (!first)
			continue;
		for (int c = 0; c < g[i].nconns; c++) {
			struct fill fl = {.doc = doc,
					  .k = k,
					  .workload = g[i].workload,
					  .rate = g[i].rate,
					  .conns = g[i].conns[c]};

			for (int j = i; j < ng; j++) {
				if (strcmp(g[j].workload, g[i].workload) || g[j].rate != g[i].rate)
					continue;
				for (int m = 0; m < g[j].nmodels; m++) {
					if (!rpt_find_cell(doc, g[j].workload, g[j].size, g[j].rate,
							   g[j].models[m], fl.conns))
						continue;
					add_size(&fl, g[j].size);
					add_model(&fl, g[j].models[m]);
				}
			}
			if (fl.nsizes < 2)
				continue;
			if (n == cap || size_chart(doc, k, datadir, &fl, &out[n]) < 0)
				return n == cap ? n : -1;
			n++;
		}
	}
	return n;
}

/* Sweeps over several sizes: the knee's throughput against size, one chart per count. */
int rpt_chart_knee_sizes(const struct rpt_doc *doc, const struct rpt_chart_kind *k,
			 const char *datadir, struct rpt_chart *out, int cap)
{
	struct rpt_curve_set sets[RPT_MAX_CURVE_SETS];
	int ns = rpt_curve_sets(doc, sets, RPT_MAX_CURVE_SETS), n = 0;

	for (int i = 0; i < ns; i++) {
		struct fill fl = {.doc = doc,
				  .k = k,
				  .workload = sets[i].workload,
				  .rate = -1,
				  .conns = sets[i].conns,
				  .knees = true,
				  .sets = sets,
				  .nsets = ns};
		bool first = true;

		for (int j = 0; j < i; j++)
			first &= strcmp(sets[j].workload, sets[i].workload) ||
				 sets[j].conns != sets[i].conns;
		if (!first)
			continue;
		for (int j = i; j < ns; j++) {
			if (strcmp(sets[j].workload, sets[i].workload) ||
			    sets[j].conns != sets[i].conns)
				continue;
			add_size(&fl, sets[j].size);
			for (int m = 0; m < sets[j].n; m++)
				add_model(&fl, doc_str(sets[j].curves[m], "model"));
		}
		if (fl.nsizes < 2)
			continue;
		if (n == cap || size_chart(doc, k, datadir, &fl, &out[n]) < 0)
			return n == cap ? n : -1;
		n++;
	}
	return n;
}
