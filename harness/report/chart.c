/*
 * Chart data files for gnuplot (the .gp scripts in scripts/), one per chart, plain
 * whitespace-separated columns: what every chart shares (chart.h), and the makers
 * of the charts drawn per (workload, size) group that plot.c's registry names.
 * Null figures and cells that did not run are left out and named in the
 * chart's note, never written as zero.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "fsio.h"
#include "log.h"
#include "text.h"
#include "chart.h"

#define MAX_NOTES    5
#define TOP_SYSCALLS 6
#define TOP_TIMES    4 /* + user, other syscalls, outside, SQPOLL: the 8 colours of S[] */

struct ctx {
	const struct rpt_doc *doc;
	const struct rpt_group *g;
	const struct rpt_chart_kind *k;
	struct rpt_chart *ch;
	void (*write)(struct ctx *c); /* the maker's own part */
	FILE *f;
	int nnotes, more;
	bool probes_off, noted_probes;
	int points;
};

void rpt_gp_quote(char *buf, size_t len, const char *s)
{
	text_cat(buf, len, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			text_cat(buf, len, "\\%c", *s);
		else if (*s == '\n')
			text_cat(buf, len, "\\n");
		else if ((unsigned char)*s >= 0x20)
			text_cat(buf, len, "%c", *s);
	}
	text_cat(buf, len, "\"");
}

static void note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct ctx *c, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	if (c->nnotes == MAX_NOTES) {
		c->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	text_cat(c->ch->note, sizeof(c->ch->note), "%s%s", c->nnotes ? "\n" : "", line);
	c->nnotes++;
}

/* The cell for (model, conns) when it ran; otherwise NULL, with a note saying why. */
static json_t *usable(struct ctx *c, const char *model, long long conns)
{
	json_t *cell = rpt_find_cell(c->doc, c->g->workload, c->g->size, c->g->rate, model, conns);
	char cl[48];
	const char *reason;

	rpt_conns_label(conns, cl, sizeof(cl));
	if (!cell) {
		note(c, "not measured: %s at %s", rpt_model_label(model), cl);
		return NULL;
	}
	if (doc_cell_ok(cell))
		return cell;
	reason = json_string_value(json_object_get(cell, "reason"));
	note(c, "%s: %s at %s%s%s", doc_cell_status(cell), rpt_model_label(model), cl,
	     reason ? ": " : "", reason ? reason : "");
	return NULL;
}

/* A figure this chart needs is null in a cell that ran. */
static void missing(struct ctx *c, const char *model, long long conns, bool needs_probes)
{
	char cl[48];
	const char *why = doc_str(c->doc->root, "probes.reason");

	if (needs_probes && c->probes_off) {
		if (!c->noted_probes)
			note(c, "no data: probes off%s%s%s", *why ? " (" : "", why,
			     *why ? ")" : "");
		c->noted_probes = true;
		return;
	}
	rpt_conns_label(conns, cl, sizeof(cl));
	note(c, "no data: %s at %s", rpt_model_label(model), cl);
}

static void num(FILE *f, bool ok, double v)
{
	if (ok)
		fprintf(f, " %.9g", v);
	else
		fprintf(f, " NaN");
}

/* A y value the chart draws: written, and kept in ymax. */
static void yval(struct ctx *c, bool ok, double v)
{
	num(c->f, ok, v);
	if (ok && fabs(v) > c->ch->ymax)
		c->ch->ymax = fabs(v);
}

void rpt_legend_add(struct rpt_legend *lg, const struct rpt_doc *doc, const char *model)
{
	const char *sep = lg->blocks ? " " : "";

	lg->blocks++;
	text_cat(lg->names, sizeof(lg->names), "%s'%s'", sep, rpt_model_label(model));
	text_cat(lg->colours, sizeof(lg->colours), "%s%s", sep, rpt_model_colour(doc, model));
	text_cat(lg->styles, sizeof(lg->styles), "%s%d", sep, rpt_model_style(doc, model));
}

void rpt_legend_vars(struct rpt_chart *ch, const struct rpt_legend *lg)
{
	text_cat(ch->vars, sizeof(ch->vars), "n=%d; names=", lg->blocks);
	rpt_gp_quote(ch->vars, sizeof(ch->vars), lg->names);
	text_cat(ch->vars, sizeof(ch->vars), "; colours=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), lg->colours);
	text_cat(ch->vars, sizeof(ch->vars), "; styles=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), lg->styles);
	text_cat(ch->vars, sizeof(ch->vars), "; ");
}

/* One block per model: conns, then (value lo hi) per figure; a blank line breaks a line. */
static void write_lines(struct ctx *c, const struct fig *const *fig, int nfigs, bool probes)
{
	struct rpt_legend lg = {.blocks = 0};

	for (int m = 0; m < c->g->nmodels; m++) {
		const char *model = c->g->models[m];
		int pts = 0;
		bool gap = false;

		for (int k = 0; k < c->g->nconns; k++) {
			json_t *cell = usable(c, model, c->g->conns[k]);
			double v[4], lo[4], hi[4];
			bool have[4], any = false;

			for (int i = 0; cell && i < nfigs; i++) {
				have[i] = fig_cell(cell, fig[i], &v[i]);
				any |= have[i];
			}
			if (!any) {
				if (cell)
					missing(c, model, c->g->conns[k], probes);
				gap = pts > 0;
				continue;
			}
			if (pts == 0 && lg.blocks > 0)
				fprintf(c->f, "\n\n");
			else if (gap)
				fprintf(c->f, "\n");
			gap = false;
			fprintf(c->f, "%lld", c->g->conns[k]);
			for (int i = 0; i < nfigs; i++) {
				bool r = have[i] && doc_range(cell, fig[i]->name, &lo[i], &hi[i]);

				yval(c, have[i], v[i]);
				num(c->f, r, lo[i]);
				num(c->f, r, hi[i]);
			}
			fprintf(c->f, "\n");
			pts++;
		}
		if (pts)
			rpt_legend_add(&lg, c->doc, model);
		c->points += pts;
	}
	rpt_legend_vars(c->ch, &lg);
}

/* The top names of the group's by-name figure, by summed per-request medians. */
static int top_names(struct ctx *c, const struct fig *by_name, const char **top, int cap)
{
	const char *names[64];
	double sums[64];
	int n = 0;

	for (size_t i = 0; i < json_array_size(c->doc->cells); i++) {
		json_t *cell = json_array_get(c->doc->cells, i);
		json_t *by = doc_get(json_object_get(cell, "summary"), by_name->name);
		const char *name;
		json_t *v;

		if (!rpt_in_group(c->g, cell) || !doc_cell_ok(cell))
			continue;
		json_object_foreach(by, name, v)
		{
			int k;

			if (!json_is_number(v))
				continue;
			for (k = 0; k < n && strcmp(names[k], name); k++)
				;
			if (k == n) {
				if (n == 64)
					continue;
				names[n] = name;
				sums[n++] = 0;
			}
			sums[k] += json_number_value(v);
		}
	}
	for (int i = 0; i < n && i < cap; i++) {
		int best = i;

		for (int j = i + 1; j < n; j++)
			if (sums[j] > sums[best])
				best = j;
		const char *tn = names[i];
		double ts = sums[i];

		names[i] = names[best], sums[i] = sums[best];
		names[best] = tn, sums[best] = ts;
		top[i] = names[i];
	}
	return n < cap ? n : cap;
}

/*
 * Stacked bars: x = group * (models + 1) + model; columns x, label, then the
 * cumulative top of each segment, then (y lo hi) whisker triplets.
 */
static void write_stacked(struct ctx *c, const struct fig *const *segs, int nseg, bool syscalls)
{
	const struct fig *by_name = &figs[FIG_SYSCALLS_BY_NAME], *total = &figs[FIG_SYSCALLS];
	const char *top[TOP_SYSCALLS];
	char names[1024] = "";
	int ntop = 0, nw = syscalls ? 1 : nseg;

	if (syscalls) {
		ntop = top_names(c, by_name, top, TOP_SYSCALLS);

		nseg = ntop + 1;
	}
	for (int k = 0; k < c->g->nconns; k++) {
		for (int m = 0; m < c->g->nmodels; m++) {
			const char *model = c->g->models[m];
			json_t *cell = usable(c, model, c->g->conns[k]);
			double val[TOP_SYSCALLS + 2] = {0}, cum = 0, wy[8], wlo[8], whi[8];
			bool have[TOP_SYSCALLS + 2] = {0}, any = false, wok[8] = {0};
			double all = 0, sum = 0;

			if (!cell)
				continue;
			for (int s = 0; s < nseg; s++) {
				if (syscalls && s < ntop)
					have[s] = fig_cell_key(cell, by_name, top[s], &val[s]);
				else if (!syscalls)
					have[s] = fig_cell(cell, segs[s], &val[s]);
				else
					continue;
				any |= have[s];
				sum += have[s] ? val[s] : 0;
			}
			if (syscalls && fig_cell(cell, total, &all)) {
				any = true;
				have[ntop] = true;
				val[ntop] = all > sum ? all - sum : 0;
				wok[0] = doc_range(cell, total->name, &wlo[0], &whi[0]);
				wy[0] = all > sum ? all : sum;
			}
			if (!any) {
				missing(c, model, c->g->conns[k], syscalls);
				continue;
			}
			fprintf(c->f, "%d \"%s\"", k * (c->g->nmodels + 1) + m,
				rpt_model_label(model));
			for (int s = 0; s < nseg; s++) {
				double base = cum;

				cum += have[s] ? val[s] : 0;
				yval(c, true, cum);
				if (!syscalls && have[s] &&
				    doc_range(cell, segs[s]->name, &wlo[s], &whi[s]) &&
				    whi[s] > 0) {
					wok[s] = true;
					wy[s] = cum, wlo[s] += base, whi[s] += base;
				}
			}
			for (int w = 0; w < nw; w++) {
				num(c->f, wok[w], wy[w]);
				num(c->f, wok[w], wlo[w]);
				num(c->f, wok[w], whi[w]);
			}
			fprintf(c->f, "\n");
			c->points++;
		}
	}
	for (int s = 0; s < nseg; s++)
		text_cat(names, sizeof(names), "%s'%s'", s ? " " : "",
			 syscalls ? (s < ntop ? top[s] : "other") : segs[s]->head);

	text_cat(c->ch->vars, sizeof(c->ch->vars), "n=%d; nw=%d; segs=", nseg, nw);
	rpt_gp_quote(c->ch->vars, sizeof(c->ch->vars), names);
	text_cat(c->ch->vars, sizeof(c->ch->vars), "; ");
}

/*
 * Where the CPU of a request goes, one stacked bar per cell: user; kernel time
 * inside syscalls, by the top names of syscall time, the rest as "other
 * syscalls"; system time outside syscalls (system - syscall time, >= 0:
 * softirqs, entry and exit, the rest); the SQPOLL thread. The last column is
 * the syscall entry/exit cost, syscall_overhead_share x CPU, drawn as a mark;
 * the one after it that plus the sleeps and wakes, (syscall_overhead_share +
 * wakeup_share) x CPU, a second mark: the cost model's two switches, the bar
 * above it the rest (cpu_model_residual_share, docs/time.md).
 */
static void write_cpu_time(struct ctx *c)
{
	const struct fig *by_name = &figs[FIG_SYSCALL_TIME_BY_NAME];
	const char *top[TOP_TIMES];
	char names[1024] = "";
	int ntop = top_names(c, by_name, top, TOP_TIMES), nseg = ntop + 4;

	for (int k = 0; k < c->g->nconns; k++) {
		for (int m = 0; m < c->g->nmodels; m++) {
			const char *model = c->g->models[m];
			json_t *cell = usable(c, model, c->g->conns[k]);
			double user = 0, sys = 0, sq = 0, in = 0, part, named = 0, share, wake,
			       cum = 0;
			bool have_share, have_wake;

			if (!cell)
				continue;
			if (!fig_cell(cell, &figs[FIG_SYSCALL_TIME], &in) ||
			    !fig_cell(cell, &figs[FIG_CPU_SYSTEM], &sys)) {
				missing(c, model, c->g->conns[k], true);
				continue;
			}
			fig_cell(cell, &figs[FIG_CPU_USER], &user);
			fig_cell(cell, &figs[FIG_CPU_SQPOLL], &sq);
			fprintf(c->f, "%d \"%s\"", k * (c->g->nmodels + 1) + m,
				rpt_model_label(model));
			yval(c, true, cum += user);
			for (int s = 0; s < ntop; s++) {
				part = fig_cell_key(cell, by_name, top[s], &part) ? part : 0;
				named += part;
				yval(c, true, cum += part);
			}
			yval(c, true, cum += in > named ? in - named : 0);
			yval(c, true, cum += sys > in ? sys - in : 0);
			yval(c, true, cum += sq);
			have_share = fig_cell(cell, &figs[FIG_SYSCALL_OVERHEAD_SHARE], &share);
			have_wake = have_share && fig_cell(cell, &figs[FIG_WAKEUP_SHARE], &wake);
			num(c->f, have_share, share * (user + sys + sq));
			num(c->f, have_wake, (share + wake) * (user + sys + sq));
			fprintf(c->f, "\n");
			c->points++;
		}
	}
	text_cat(names, sizeof(names), "'%s'", figs[FIG_CPU_USER].head);
	for (int s = 0; s < ntop; s++)
		text_cat(names, sizeof(names), " 'in %s'", top[s]);
	text_cat(names, sizeof(names), " 'in other syscalls' 'kernel outside syscalls' '%s'",
		 figs[FIG_CPU_SQPOLL].head);
	text_cat(c->ch->vars, sizeof(c->ch->vars), "n=%d; nw=0; markcol=%d; marktitle=", nseg,
		 nseg + 3);
	rpt_gp_quote(c->ch->vars, sizeof(c->ch->vars),
		     "syscall entry/exit (null syscall × syscalls per request)");
	text_cat(c->ch->vars, sizeof(c->ch->vars), "; mark2col=%d; mark2title=", nseg + 4);
	rpt_gp_quote(c->ch->vars, sizeof(c->ch->vars),
		     "+ sleeps and wakes (sleeps × wake cost); above: the rest");
	text_cat(c->ch->vars, sizeof(c->ch->vars), "; segs=");
	rpt_gp_quote(c->ch->vars, sizeof(c->ch->vars), names);
	text_cat(c->ch->vars, sizeof(c->ch->vars), "; ");
}

/* Clustered bars, one block per model: x value lo hi. */
static void write_bars(struct ctx *c, const struct fig *fig, bool probes)
{
	struct rpt_legend lg = {.blocks = 0};

	for (int m = 0; m < c->g->nmodels; m++) {
		const char *model = c->g->models[m];
		int pts = 0;

		for (int k = 0; k < c->g->nconns; k++) {
			json_t *cell = usable(c, model, c->g->conns[k]);
			double v, lo, hi;
			bool r;

			if (!cell)
				continue;
			if (!fig_cell(cell, fig, &v)) {
				missing(c, model, c->g->conns[k], probes);
				continue;
			}
			r = doc_range(cell, fig->name, &lo, &hi);
			if (pts == 0 && lg.blocks > 0)
				fprintf(c->f, "\n\n");
			fprintf(c->f, "%d", k * (c->g->nmodels + 1) + m);
			yval(c, true, v);
			num(c->f, r, lo);
			num(c->f, r, hi);
			fprintf(c->f, "\n");
			pts++;
		}
		if (pts)
			rpt_legend_add(&lg, c->doc, model);
		c->points += pts;
	}
	rpt_legend_vars(c->ch, &lg);
}

void rpt_chart_begin(const struct rpt_doc *doc, const struct rpt_chart_kind *k, const char *stem,
		     const char *what, struct rpt_chart *ch)
{
	char host[512];

	memset(ch, 0, sizeof(*ch));
	ch->kind = k;
	ch->script = k->script;
	ch->headline = k->headline;
	snprintf(ch->name, sizeof(ch->name), "%.63s-%s", stem, k->name);
	rpt_host_line(doc, host, sizeof(host));
	snprintf(ch->title, sizeof(ch->title), "%s (%s)\n%s", k->headline, what, host);
}

int rpt_chart_write(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *ch,
		    int (*fill)(FILE *f, struct rpt_chart *ch, void *arg), void *arg)
{
	struct fs_out out;
	FILE *f;
	int points;

	snprintf(ch->data, sizeof(ch->data), "%s/%s.dat", datadir ? datadir : ".", ch->name);
	f = datadir ? fs_out_open(&out, ch->data) : fopen("/dev/null", "w");
	if (!f)
		return -1;
	fprintf(f, "# ringside chart data: %s, from %s\n", ch->name, doc->path);
	ch->ymax = 0;
	points = fill(f, ch, arg);
	if (points < 0) {
		if (datadir)
			fs_out_abort(&out);
		else
			fclose(f);
		return -1;
	}
	if (!datadir)
		fclose(f);
	else if (fs_out_commit(&out) < 0)
		return -1;
	ch->nodata = points == 0 || ch->ymax == 0;
	if (points > 0 && ch->ymax == 0) {
		char why[sizeof(ch->note)];

		snprintf(why, sizeof(why), "none measured: %s is 0 in every cell drawn",
			 ch->kind->ylabel);
		if (ch->note[0])
			text_cat(why, sizeof(why), "\n%s", ch->note);
		memcpy(ch->note, why, sizeof(ch->note));
	} else if (ch->nodata && !ch->note[0]) {
		snprintf(ch->note, sizeof(ch->note), "no data");
	}
	return 0;
}

static int nfigs(const struct rpt_chart_kind *k)
{
	int n = 0;

	while (n < 3 && k->fig[n])
		n++;
	return n;
}

static int group_fill(FILE *f, struct rpt_chart *ch, void *arg)
{
	struct ctx *c = arg;
	const struct rpt_chart_kind *k = c->k;

	c->f = f;
	if (c->probes_off && k->probes_off_note)
		note(c, "%s", k->probes_off_note);
	c->write(c);
	if (k->vars)
		text_cat(ch->vars, sizeof(ch->vars), "%s", k->vars);
	if (c->more)
		text_cat(ch->note, sizeof(ch->note), "\n… and %d more (see the report)", c->more);
	return c->points;
}

/* The chart of kind k for group g (every per-group maker comes here). */
static int chart_group(const struct rpt_doc *doc, const struct rpt_group *g,
		       const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch,
		       void (*write)(struct ctx *c))
{
	struct ctx c = {.doc = doc, .g = g, .k = k, .ch = ch, .write = write};
	char conns[512] = "", what[160] = "";
	const char *unit = strcmp(g->workload, "proxy") ? "-byte messages" : "-byte bodies";

	if ((k->workload && strcmp(k->workload, g->workload)) ||
	    (k->equal_only && g->rate != RPT_RATE_EQUAL))
		return 0;
	c.probes_off = !strcmp(doc_str(doc->root, "probes.mode"), "off");
	if (g->size >= 0)
		snprintf(what, sizeof(what), "%s, %lld%s", g->workload, g->size, unit);
	else
		snprintf(what, sizeof(what), "%s", g->workload);
	if (g->rate > 0)
		text_cat(what, sizeof(what), ", open loop at %.0f req/s", g->rate);
	else if (g->rate == RPT_RATE_EQUAL)
		text_cat(what, sizeof(what), ", open loop at equal load");
	rpt_chart_begin(doc, k, g->name, what, ch);
	ch->equal_load = g->rate == RPT_RATE_EQUAL;
	if (rpt_chart_write(doc, datadir, ch, group_fill, &c) < 0)
		return -1;
	for (int i = 0; i < g->nconns; i++)
		text_cat(conns, sizeof(conns), "%s%lld", i ? " " : "", g->conns[i]);
	text_cat(ch->vars, sizeof(ch->vars), "nm=%d; ylabel=", g->nmodels);
	rpt_gp_quote(ch->vars, sizeof(ch->vars), k->ylabel);
	text_cat(ch->vars, sizeof(ch->vars), "; conns=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), conns);
	return 1;
}

static void lines(struct ctx *c)
{
	write_lines(c, c->k->fig, nfigs(c->k), c->k->probes);
}

static void bars(struct ctx *c)
{
	write_bars(c, c->k->fig[0], c->k->probes);
}

static void stacked(struct ctx *c)
{
	write_stacked(c, c->k->fig, nfigs(c->k), false);
}

static void syscalls(struct ctx *c)
{
	write_stacked(c, NULL, 0, true);
}

int rpt_chart_lines(const struct rpt_doc *doc, const struct rpt_group *g,
		    const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch)
{
	return chart_group(doc, g, k, datadir, ch, lines);
}

int rpt_chart_bars(const struct rpt_doc *doc, const struct rpt_group *g,
		   const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch)
{
	return chart_group(doc, g, k, datadir, ch, bars);
}

int rpt_chart_stacked(const struct rpt_doc *doc, const struct rpt_group *g,
		      const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch)
{
	return chart_group(doc, g, k, datadir, ch, stacked);
}

int rpt_chart_syscalls(const struct rpt_doc *doc, const struct rpt_group *g,
		       const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch)
{
	return chart_group(doc, g, k, datadir, ch, syscalls);
}

int rpt_chart_cpu_time(const struct rpt_doc *doc, const struct rpt_group *g,
		       const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch)
{
	return chart_group(doc, g, k, datadir, ch, write_cpu_time);
}
