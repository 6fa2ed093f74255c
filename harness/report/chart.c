/*
 * Chart data files for gnuplot (the .gp scripts in scripts/), one per chart, plain
 * whitespace-separated columns. Null figures and cells that did not run are
 * left out and named in the chart's note, never written as zero.
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
	struct rpt_chart *ch;
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

void rpt_legend_add(struct rpt_legend *lg, const char *model)
{
	lg->blocks++;
	text_cat(lg->names, sizeof(lg->names), "%s'%s'", lg->blocks > 1 ? " " : "",
		 rpt_model_label(model));
	text_cat(lg->colours, sizeof(lg->colours), "%s%d", lg->blocks > 1 ? " " : "",
		 rpt_model_colour(model));
}

void rpt_legend_vars(struct rpt_chart *ch, const struct rpt_legend *lg)
{
	text_cat(ch->vars, sizeof(ch->vars), "n=%d; names=", lg->blocks);
	rpt_gp_quote(ch->vars, sizeof(ch->vars), lg->names);
	text_cat(ch->vars, sizeof(ch->vars), "; colours=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), lg->colours);
	text_cat(ch->vars, sizeof(ch->vars), "; ");
}

/* One block per model: conns, then (value lo hi) per figure; a blank line breaks a line. */
static void write_lines(struct ctx *c, const char *const *figs, int nfigs, bool probes)
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
				have[i] = doc_fig(cell, figs[i], &v[i]);
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
				bool r = have[i] && doc_range(cell, figs[i], &lo[i], &hi[i]);

				num(c->f, have[i], v[i]);
				num(c->f, r, lo[i]);
				num(c->f, r, hi[i]);
			}
			fprintf(c->f, "\n");
			pts++;
		}
		if (pts)
			rpt_legend_add(&lg, model);
		c->points += pts;
	}
	rpt_legend_vars(c->ch, &lg);
}

/* The top names of the group's by-name map at path, by summed per-request medians. */
static int top_names(struct ctx *c, const char *path, const char **top, int cap)
{
	const char *names[64];
	double sums[64];
	int n = 0;

	for (size_t i = 0; i < json_array_size(c->doc->cells); i++) {
		json_t *cell = json_array_get(c->doc->cells, i);
		json_t *by = doc_get(cell, path);
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
static void write_stacked(struct ctx *c, const char *const *segs, const char *const *seglabels,
			  int nseg, bool syscalls)
{
	const char *top[TOP_SYSCALLS];
	char names[1024] = "", path[300];
	int ntop = 0, nw = syscalls ? 1 : nseg;

	if (syscalls) {
		ntop = top_names(c, "summary.syscalls_by_name", top, TOP_SYSCALLS);

		nseg = ntop + 1;
	}
	for (int k = 0; k < c->g->nconns; k++) {
		for (int m = 0; m < c->g->nmodels; m++) {
			const char *model = c->g->models[m];
			json_t *cell = usable(c, model, c->g->conns[k]);
			double val[TOP_SYSCALLS + 2] = {0}, cum = 0, wy[8], wlo[8], whi[8];
			bool have[TOP_SYSCALLS + 2] = {0}, any = false, wok[8] = {0};
			double total = 0, sum = 0;

			if (!cell)
				continue;
			for (int s = 0; s < nseg; s++) {
				if (syscalls && s < ntop)
					snprintf(path, sizeof(path), "syscalls_by_name.%s", top[s]);
				else if (!syscalls)
					snprintf(path, sizeof(path), "%s", segs[s]);
				else
					continue;
				have[s] = doc_fig(cell, path, &val[s]);
				any |= have[s];
				sum += have[s] ? val[s] : 0;
			}
			if (syscalls && doc_fig(cell, "syscalls_per_request", &total)) {
				any = true;
				have[ntop] = true;
				val[ntop] = total > sum ? total - sum : 0;
				wok[0] = doc_range(cell, "syscalls_per_request", &wlo[0], &whi[0]);
				wy[0] = total > sum ? total : sum;
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
				fprintf(c->f, " %.9g", cum);
				if (!syscalls && have[s] &&
				    doc_range(cell, segs[s], &wlo[s], &whi[s]) && whi[s] > 0) {
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
			 syscalls ? (s < ntop ? top[s] : "other") : seglabels[s]);

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
	const char *top[TOP_TIMES];
	char names[1024] = "", path[300];
	int ntop = top_names(c, "summary.syscall_time_us_per_request.by_name", top, TOP_TIMES),
	    nseg = ntop + 4;

	for (int k = 0; k < c->g->nconns; k++) {
		for (int m = 0; m < c->g->nmodels; m++) {
			const char *model = c->g->models[m];
			json_t *cell = usable(c, model, c->g->conns[k]);
			double user = 0, sys = 0, sq = 0, in = 0, part, named = 0, share, wake,
			       cum = 0;
			bool have_share, have_wake;

			if (!cell)
				continue;
			if (!doc_fig(cell, "syscall_time_us_per_request.total", &in) ||
			    !doc_fig(cell, "cpu_us_per_request.system", &sys)) {
				missing(c, model, c->g->conns[k], true);
				continue;
			}
			doc_fig(cell, "cpu_us_per_request.user", &user);
			doc_fig(cell, "cpu_us_per_request.sqpoll", &sq);
			fprintf(c->f, "%d \"%s\"", k * (c->g->nmodels + 1) + m,
				rpt_model_label(model));
			fprintf(c->f, " %.9g", cum += user);
			for (int s = 0; s < ntop; s++) {
				snprintf(path, sizeof(path),
					 "syscall_time_us_per_request.by_name.%s", top[s]);
				part = doc_fig(cell, path, &part) ? part : 0;
				named += part;
				fprintf(c->f, " %.9g", cum += part);
			}
			fprintf(c->f, " %.9g", cum += in > named ? in - named : 0);
			fprintf(c->f, " %.9g", cum += sys > in ? sys - in : 0);
			fprintf(c->f, " %.9g", cum += sq);
			have_share = doc_fig(cell, "syscall_overhead_share", &share);
			have_wake = have_share && doc_fig(cell, "wakeup_share", &wake);
			num(c->f, have_share, share * (user + sys + sq));
			num(c->f, have_wake, (share + wake) * (user + sys + sq));
			fprintf(c->f, "\n");
			c->points++;
		}
	}
	text_cat(names, sizeof(names), "'user'");
	for (int s = 0; s < ntop; s++)
		text_cat(names, sizeof(names), " 'in %s'", top[s]);
	text_cat(names, sizeof(names),
		 " 'in other syscalls' 'kernel outside syscalls' 'SQPOLL "
		 "thread'");
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
static void write_bars(struct ctx *c, const char *fig, bool probes)
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
			if (!doc_fig(cell, fig, &v)) {
				missing(c, model, c->g->conns[k], probes);
				continue;
			}
			r = doc_range(cell, fig, &lo, &hi);
			if (pts == 0 && lg.blocks > 0)
				fprintf(c->f, "\n\n");
			fprintf(c->f, "%d %.9g", k * (c->g->nmodels + 1) + m, v);
			num(c->f, r, lo);
			num(c->f, r, hi);
			fprintf(c->f, "\n");
			pts++;
		}
		if (pts)
			rpt_legend_add(&lg, model);
		c->points += pts;
	}
	rpt_legend_vars(c->ch, &lg);
}

static const struct {
	const char *stem, *script, *headline, *ylabel;
} kinds[RPT_CH_KINDS] = {
    [RPT_CH_THROUGHPUT] = {"throughput", "lines.gp", "Throughput vs connections", "requests/s"},
    [RPT_CH_SYSCALLS] = {"syscalls", "stacked.gp", "Server syscalls per request, by name",
			 "syscalls per request"},
    [RPT_CH_CTXSW] = {"context-switches", "stacked.gp", "Server context switches per request",
		      "context switches per request"},
    [RPT_CH_LATENCY] = {"latency", "latency.gp", "Latency p50 and p99 vs connections",
			"latency (µs, log scale)"},
    [RPT_CH_CPU] = {"cpu", "stacked.gp", "Server CPU time per request", "CPU µs per request"},
    [RPT_CH_TINYGATE] = {"tinygate", "bars.gp", "TinyGate: proxy throughput by architecture",
			 "requests/s"},
    [RPT_CH_TINYGATE_P99] = {"tinygate-p99", "bars.gp",
			     "TinyGate: proxy p99 latency by architecture", "p99 latency (µs)"},
    [RPT_CH_OVERHEAD] = {"probe-overhead", "bars.gp",
			 "Probe overhead: throughput with probes ÷ without",
			 "probed ÷ unprobed requests/s"},
    [RPT_CH_CPU_TIME] = {"cpu-time", "stacked.gp", "Where the CPU of a request goes",
			 "server CPU µs per request"},
    [RPT_CH_RQ_P99] = {"runqueue-p99", "lines.gp", "Server run-queue delay p99 vs connections",
		       "run-queue delay p99 (µs)"},
    [RPT_CH_IOWQ] = {"iowq-punts", "lines.gp", "io-wq punts per request vs connections",
		     "io-wq punts per request"},
};

static int chart_one(struct ctx *c)
{
	static const char *const tput[] = {"requests_per_sec.median"};
	static const char *const lat[] = {"latency_us.p50", "latency_us.p99"};
	static const char *const cs[] = {"context_switches_per_request.voluntary",
					 "context_switches_per_request.involuntary"};
	static const char *const csl[] = {"voluntary", "involuntary"};
	static const char *const cpu[] = {"cpu_us_per_request.user", "cpu_us_per_request.system",
					  "cpu_us_per_request.sqpoll"};
	static const char *const cpul[] = {"user", "system", "SQPOLL thread"};
	static const char *const rq[] = {"runqueue_delay_us.p99"};
	static const char *const iowq[] = {"io_uring.iowq_punts_per_request"};

	switch (c->ch->kind) {
	case RPT_CH_THROUGHPUT:
		write_lines(c, tput, 1, false);
		break;
	case RPT_CH_LATENCY:
		write_lines(c, lat, 2, false);
		break;
	case RPT_CH_OVERHEAD:
		write_bars(c, "probe_overhead", true);
		text_cat(c->ch->vars, sizeof(c->ch->vars), "refline=1; ");
		break;
	case RPT_CH_SYSCALLS:
		write_stacked(c, NULL, NULL, 0, true);
		break;
	case RPT_CH_CTXSW:
		if (c->probes_off)
			note(c, "from /proc (probes off)");
		write_stacked(c, cs, csl, 2, false);
		break;
	case RPT_CH_CPU:
		write_stacked(c, cpu, cpul, 3, false);
		break;
	case RPT_CH_CPU_TIME:
		write_cpu_time(c);
		break;
	case RPT_CH_RQ_P99:
		write_lines(c, rq, 1, true);
		break;
	case RPT_CH_IOWQ:
		write_lines(c, iowq, 1, true);
		break;
	case RPT_CH_TINYGATE:
		write_bars(c, "requests_per_sec.median", false);
		break;
	case RPT_CH_TINYGATE_P99:
		write_bars(c, "latency_us.p99", false);
		break;
	default:
		return -1;
	}
	return 0;
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
	ch->nodata = points == 0;
	if (ch->nodata && !ch->note[0])
		snprintf(ch->note, sizeof(ch->note), "no data");
	return 0;
}

static int group_fill(FILE *f, struct rpt_chart *ch, void *arg)
{
	struct ctx *c = arg;

	c->f = f;
	if (chart_one(c) < 0)
		return -1;
	if (c->more)
		text_cat(ch->note, sizeof(ch->note), "\n… and %d more (see the report)", c->more);
	return c->points;
}

static int chart_group(const struct rpt_doc *doc, const struct rpt_group *g, const char *datadir,
		       struct rpt_chart *ch, enum rpt_chart_kind kind)
{
	struct ctx c = {.doc = doc, .g = g, .ch = ch};
	char host[512], conns[512] = "", what[160] = "";
	const char *unit = strcmp(g->workload, "proxy") ? "-byte messages" : "-byte bodies";

	memset(ch, 0, sizeof(*ch));
	c.probes_off = !strcmp(doc_str(doc->root, "probes.mode"), "off");
	ch->kind = kind;
	ch->script = kinds[kind].script;
	ch->headline = kinds[kind].headline;
	snprintf(ch->name, sizeof(ch->name), "%s-%s", g->name, kinds[kind].stem);
	rpt_host_line(doc, host, sizeof(host));
	if (g->size >= 0)
		snprintf(what, sizeof(what), " (%s, %lld%s", g->workload, g->size, unit);
	else
		snprintf(what, sizeof(what), " (%s", g->workload);
	if (g->rate > 0)
		text_cat(what, sizeof(what), ", open loop at %.0f req/s", g->rate);
	text_cat(what, sizeof(what), ")");
	snprintf(ch->title, sizeof(ch->title), "%s%s\n%s", kinds[kind].headline, what, host);
	if (rpt_chart_write(doc, datadir, ch, group_fill, &c) < 0)
		return -1;
	for (int k = 0; k < g->nconns; k++)
		text_cat(conns, sizeof(conns), "%s%lld", k ? " " : "", g->conns[k]);
	text_cat(ch->vars, sizeof(ch->vars), "nm=%d; ylabel=", g->nmodels);
	rpt_gp_quote(ch->vars, sizeof(ch->vars), kinds[kind].ylabel);
	text_cat(ch->vars, sizeof(ch->vars), "; conns=");
	rpt_gp_quote(ch->vars, sizeof(ch->vars), conns);
	return 0;
}

int rpt_chart_all(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *out, int cap)
{
	struct rpt_group groups[RPT_MAX_GROUPS];
	int ng = rpt_groups(doc, groups, RPT_MAX_GROUPS), n = 0;

	if (datadir && fs_mkdir_p(datadir) < 0)
		return -1;
	for (int i = 0; i < ng; i++) {
		for (int k = 0; k < RPT_CH_KINDS; k++) {
			bool proxy = !strcmp(groups[i].workload, "proxy");

			if ((k == RPT_CH_TINYGATE || k == RPT_CH_TINYGATE_P99) && !proxy)
				continue;
			if (n == cap)
				return n;
			if (chart_group(doc, &groups[i], datadir, &out[n], k) < 0)
				return -1;
			n++;
		}
	}
	ng = rpt_curve_charts(doc, datadir, out + n, cap - n);
	return ng < 0 ? -1 : n + ng;
}
