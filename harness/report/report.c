/*
 * report/: everything that reads a results.json and never writes one: data.c
 * (loading, groups), chart.c and curves.c (chart data), plot.c (gnuplot),
 * export.c, claims.c, compare.c, table.c (the table main.c prints after
 * `ringside run`), and this file. Every figure is named by its row of
 * core/figs.h, which gives its path, head and format; no file here spells one.
 * `ringside report`: DIR/report.html (self-contained: charts inlined as SVG
 * data, all JSON strings escaped) and DIR/report.md (same content, PNG links):
 * run, claims check, summary tables, charts, environment and command line.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "fsio.h"
#include "log.h"
#include "text.h"
#include "chart.h"
#include "claims.h"
#include "curves.h"
#include "core/figs.h"
#include "core/verdict.h"

struct emit {
	FILE *f;
	bool html;
};

static void text(struct emit *e, const char *s)
{
	for (; s && *s; s++) {
		if (e->html) {
			switch (*s) {
			case '&':
				fputs("&amp;", e->f);
				break;
			case '<':
				fputs("&lt;", e->f);
				break;
			case '>':
				fputs("&gt;", e->f);
				break;
			case '"':
				fputs("&quot;", e->f);
				break;
			case '\'':
				fputs("&#39;", e->f);
				break;
			default:
				fputc(*s, e->f);
			}
		} else if (strchr("\\|*_<>[]`#", *s)) {
			fprintf(e->f, "\\%c", *s);
		} else {
			fputc(*s == '\n' ? ' ' : *s, e->f);
		}
	}
}

static void heading(struct emit *e, int level, const char *s)
{
	if (e->html) {
		fprintf(e->f, "<h%d>", level);
		text(e, s);
		fprintf(e->f, "</h%d>\n", level);
	} else {
		fprintf(e->f, "\n%.*s ", level, "######");
		text(e, s);
		fprintf(e->f, "\n\n");
	}
}

static void para(struct emit *e, const char *s)
{
	fputs(e->html ? "<p>" : "", e->f);
	text(e, s);
	fputs(e->html ? "</p>\n" : "\n\n", e->f);
}

static void table_row(struct emit *e, const char *const *cells, int n, bool head)
{
	fputs(e->html ? "<tr>" : "|", e->f);
	for (int i = 0; i < n; i++) {
		if (e->html)
			fputs(head ? "<th>" : "<td>", e->f);
		else
			fputc(' ', e->f);
		text(e, cells[i]);
		if (e->html)
			fputs(head ? "</th>" : "</td>", e->f);
		else
			fputs(" |", e->f);
	}
	fputs(e->html ? "</tr>\n" : "\n", e->f);
	if (head && !e->html) {
		fputc('|', e->f);
		for (int i = 0; i < n; i++)
			fputs("---|", e->f);
		fputc('\n', e->f);
	}
}

static void table_begin(struct emit *e, const char *const *head, int n)
{
	if (e->html)
		fputs("<table>\n", e->f);
	else
		fputc('\n', e->f);
	table_row(e, head, n, true);
}

static void table_end(struct emit *e)
{
	fputs(e->html ? "</table>\n" : "\n", e->f);
}

static void value_text(json_t *v, char *buf, size_t len)
{
	char *dump;

	if (!v || json_is_null(v)) {
		snprintf(buf, len, "null");
	} else if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
	} else if (json_is_number(v)) {
		rpt_fmt_num(json_number_value(v), buf, len);
	} else {
		dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(buf, len, "%s", dump ? dump : "?");
		free(dump);
	}
}

/* Key/value table of an object's members (nested objects as compact JSON). */
static void kv_table(struct emit *e, json_t *obj, const char *prefix)
{
	static const char *const head[] = {"key", "value"};
	const char *key;
	json_t *v;
	char k[256], val[1024];

	table_begin(e, head, 2);
	json_object_foreach(obj, key, v)
	{
		const char *row[2] = {k, val};

		snprintf(k, sizeof(k), "%s%s", prefix, key);
		value_text(v, val, sizeof(val));
		table_row(e, row, 2, false);
	}
	table_end(e);
}

/* "median (95% CI lo–hi)", or "(min–max lo–hi)" when the runs are too few for a CI. */
static void fig_ci(json_t *cell, const struct fig *f, char *buf, size_t len)
{
	char m[48], a[48], b[48];
	double lo, hi;
	bool exact = false;

	fig_text(cell, f, m, sizeof(m));
	if (!doc_ci(cell, f->name, &lo, &hi, &exact) && !doc_range(cell, f->name, &lo, &hi)) {
		snprintf(buf, len, "%s", m);
		return;
	}
	snprintf(a, sizeof(a), f->fmt, lo);
	snprintf(b, sizeof(b), f->fmt, hi);
	snprintf(buf, len, "%s (%s %s–%s)", m, exact ? "95% CI" : "min–max", a, b);
}

/* A total's parts as "a / b / c" (each as fig_text writes it). */
static void parts_text(json_t *cell, const struct fig *total, char *buf, size_t len)
{
	char part[48];

	buf[0] = '\0';
	for (int i = 0; i < 4 && total->parts[i]; i++) {
		fig_text(cell, total->parts[i], part, sizeof(part));
		text_cat(buf, len, "%s%s", i ? " / " : "", part);
	}
}

/* "CPU µs/req user / system / SQPOLL thread": a total's head and its parts'. */
static void parts_head(const struct fig *total, char *buf, size_t len)
{
	snprintf(buf, len, "%s", total->head);
	for (int i = 0; i < 4 && total->parts[i]; i++)
		text_cat(buf, len, "%s%s", i ? " / " : " ", total->parts[i]->head);
}

/* noisy runs, outlier runs, a CI target not reached: "" when none */
static void marks(json_t *cell, char *buf, size_t len)
{
	json_t *runs = json_object_get(cell, "runs");
	double nr = 0, out = 0;
	size_t at = 0;

	buf[0] = '\0';
	fig_cell(cell, &figs[FIG_NOISY_RUNS], &nr);
	if (!fig_cell(cell, &figs[FIG_OUTLIERS], &out))
		for (size_t i = 0; i < json_array_size(runs); i++)
			out += json_is_true(json_object_get(json_array_get(runs, i), "outlier"));
	if (verdict_noisy(cell) || nr > 0)
		at += snprintf(buf + at, len - at, "noisy (%.0f of %zu runs)", nr,
			       json_array_size(runs));
	if (out > 0 && at < len)
		at += snprintf(buf + at, len - at, "%s%.0f outlier run%s", at ? "; " : "", out,
			       out == 1 ? "" : "s");
	if (!strcmp(doc_str(cell, "repeat_stopped"), "max") && at < len)
		snprintf(buf + at, len - at, "%sCI target not reached (max repeats)",
			 at ? "; " : "");
}

/* A peer's settings as "key value, key value". */
static void peer_text(json_t *conf, char *buf, size_t len)
{
	const char *key;
	json_t *v;
	size_t at = 0;
	char val[256];

	buf[0] = '\0';
	json_object_foreach(conf, key, v)
	{
		if (at >= len)
			break;
		value_text(v, val, sizeof(val));
		at += snprintf(buf + at, len - at, "%s%s %s", at ? ", " : "", key, val);
	}
}

/* The verdict object for (workload, size, conns, rate or -1) in list, or NULL. */
static const json_t *find_verdict(const json_t *list, const char *w, long long size,
				  long long conns, double rate)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		const json_t *sz = json_object_get(v, "size_bytes");
		bool eff = !strcmp(doc_str(v, "basis"), "efficiency");
		double r;

		if (!strcmp(doc_str(v, "workload"), w) &&
		    (json_is_integer(sz) ? json_integer_value(sz) : -1) == size &&
		    json_integer_value(json_object_get(v, "connections")) == conns &&
		    eff == (rate >= 0) && (!eff || (doc_num(v, "rate", &r) && r == rate)))
			return v;
	}
	return NULL;
}

static void verdicts(struct emit *e, const struct rpt_doc *doc, const struct rpt_group *g)
{
	json_t *list = verdict_list(doc->root);
	char line[1024];

	bool eff = g->rate >= 0 || g->rate == RPT_RATE_EQUAL;

	heading(e, 4, eff ? "Least server CPU per request" : "Best by requests/s");
	fputs(e->html ? "<ul class=\"verdicts\">\n" : "", e->f);
	for (int k = 0; k < g->nconns; k++) {
		double rate = rpt_group_rate(doc, g, g->conns[k]);
		const json_t *vj =
		    find_verdict(list, g->workload, g->size, g->conns[k], eff ? rate : -1);
		struct verdict v;

		if (vj) {
			verdict_line(vj, line, sizeof(line));
		} else {
			/* fewer than two models: say so with the same words */
			json_t *view = rpt_group_view(doc, g);

			if (eff)
				verdict_efficiency(view, g->workload, g->size, g->conns[k], rate,
						   &v);
			else
				verdict_best(view, g->workload, g->size, g->conns[k], &v);
			verdict_format(&v, line, sizeof(line));
			json_decref(view);
		}
		fputs(e->html ? "<li>" : "- ", e->f);
		text(e, line);
		fputs(e->html ? "</li>\n" : "\n", e->f);
	}
	fputs(e->html ? "</ul>\n" : "\n", e->f);
	json_decref(list);
}

/*
 * The report's first section: every verdict of the file (verdicts array), one
 * line each, with the throughput and equal-load CPU charts beside them.
 */
static int svg_inline(struct emit *e, const char *path);

/* True when the charts hold one with data of kind `kind` for c's group ("G-cpu": "G-cpu-ns"). */
static bool has_sibling(const struct rpt_chart *ch, int n, const struct rpt_chart *c,
			const char *kind)
{
	size_t stem = strlen(c->name) - strlen(c->kind->name);
	char want[sizeof(c->name) + 32];

	snprintf(want, sizeof(want), "%.*s%s", (int)stem, c->name, kind);
	for (int k = 0; k < n; k++)
		if (ch[k].kind && !ch[k].nodata && !strcmp(ch[k].name, want))
			return true;
	return false;
}

static void wins_section(struct emit *e, const struct rpt_doc *doc, struct rpt_chart *ch, int n)
{
	json_t *list = verdict_list(doc->root);
	const json_t *vj;
	char line[1024], path[PATH_MAX + 128];
	size_t i;

	heading(e, 2, "Which model wins here");
	if (!json_array_size(list))
		para(e, "No comparison: fewer than two models ran at any connection count.");
	fputs(e->html ? "<ul class=\"wins\">\n" : "", e->f);
	json_array_foreach(list, i, vj)
	{
		verdict_line(vj, line, sizeof(line));
		fputs(e->html ? "<li>" : "- ", e->f);
		text(e, line);
		fputs(e->html ? "</li>\n" : "\n", e->f);
	}
	fputs(e->html ? "</ul>\n" : "\n", e->f);
	para(e, "Each line estimates the ratio between the best model and the runner-up with a "
		"95% CI, paired by round where both ran in the same rounds (docs/claims.md, "
		"\"Verdict rules\"). Throughput decides on closed-loop cells; server CPU per "
		"request decides at equal open-loop load.");
	for (int k = 0; k < n; k++) {
		/*
		 * closed loop: throughput; equal load: the scheduler's ns of CPU per
		 * request that the efficiency verdicts compare, or the ticks' stacked
		 * CPU chart for a file older than that figure.
		 */
		if (!ch[k].kind || ch[k].nodata)
			continue;
		if (!ch[k].equal_load		       ? strcmp(ch[k].kind->name, "throughput")
		    : !strcmp(ch[k].kind->name, "cpu") ? has_sibling(ch, n, &ch[k], "cpu-ns")
						       : strcmp(ch[k].kind->name, "cpu-ns"))
			continue;
		if (e->html) {
			snprintf(path, sizeof(path), "%s/charts/%s.svg", doc->dir, ch[k].name);
			fputs("<figure>", e->f);
			svg_inline(e, path);
			fputs("<figcaption>", e->f);
			text(e, ch[k].name);
			fputs("</figcaption></figure>\n", e->f);
		} else {
			fputs("![", e->f);
			text(e, ch[k].headline);
			fprintf(e->f, "](charts/%s.png)\n\n", ch[k].name);
		}
	}
	json_decref(list);
}

static void peers(struct emit *e, const struct rpt_doc *doc, const struct rpt_group *g)
{
	static const char *const head[] = {"peer", "connections", "settings"};
	char conns[32], set[1024];
	bool any = false;

	for (int m = 0; m < g->nmodels; m++) {
		for (int k = 0; k < g->nconns; k++) {
			json_t *cell = rpt_find_cell(doc, g->workload, g->size, g->rate,
						     g->models[m], g->conns[k]);
			json_t *conf = json_object_get(cell, "peer_config");
			const char *row[3] = {rpt_model_label(g->models[m]), conns, set};

			if (!json_is_object(conf))
				continue;
			if (!any) {
				heading(e, 4, "Peer settings");
				table_begin(e, head, 3);
			}
			any = true;
			snprintf(conns, sizeof(conns), "%lld", g->conns[k]);
			peer_text(conf, set, sizeof(set));
			table_row(e, row, 3, false);
		}
	}
	if (any)
		table_end(e);
}

#define SUMMARY_COLS 13

static void summary_row(struct emit *e, json_t *cell, const char *model, long long conns)
{
	char c[SUMMARY_COLS][240];
	const char *row[SUMMARY_COLS];

	for (int j = 0; j < SUMMARY_COLS; j++)
		row[j] = c[j];
	snprintf(c[0], sizeof(c[0]), "%s", rpt_model_label(model));
	snprintf(c[1], sizeof(c[1]), "%lld", conns);
	snprintf(c[2], sizeof(c[2]), "%s%s%.120s", doc_cell_status(cell),
		 doc_cell_ok(cell) ? "" : ": ", doc_str(cell, "reason"));
	snprintf(c[3], sizeof(c[3]), "%s", *verdict_bound(cell) ? verdict_bound(cell) : "—");
	fig_ci(cell, &figs[FIG_REQUESTS_PER_SEC], c[4], sizeof(c[4]));
	fig_text(cell, &figs[FIG_LATENCY_P50], c[5], sizeof(c[5]));
	fig_ci(cell, &figs[FIG_LATENCY_P99], c[6], sizeof(c[6]));
	fig_text(cell, &figs[FIG_SYSCALLS], c[7], sizeof(c[7]));
	parts_text(cell, &figs[FIG_CTX_TOTAL], c[8], sizeof(c[8]));
	parts_text(cell, &figs[FIG_CPU_TOTAL], c[9], sizeof(c[9]));
	fig_text(cell, &figs[FIG_PROBE_OVERHEAD], c[10], sizeof(c[10]));
	fig_text(cell, &figs[FIG_ERRORS], c[11], sizeof(c[11]));
	marks(cell, c[12], sizeof(c[12]));
	table_row(e, row, SUMMARY_COLS, false);
}

static void summary_tables(struct emit *e, const struct rpt_doc *doc)
{
	char rps[64], p99[64], ctx[128], cpu[128];
	const char *const head[SUMMARY_COLS] = {"model",
						"connections",
						"status",
						"bound",
						rps,
						figs[FIG_LATENCY_P50].head,
						p99,
						figs[FIG_SYSCALLS].head,
						ctx,
						cpu,
						figs[FIG_PROBE_OVERHEAD].head,
						figs[FIG_ERRORS].head,
						"marks"};
	struct rpt_group g[RPT_MAX_GROUPS];
	int ng = rpt_groups(doc, g, RPT_MAX_GROUPS);
	char title[160];

	snprintf(rps, sizeof(rps), "%s (95%% CI)", figs[FIG_REQUESTS_PER_SEC].head);
	snprintf(p99, sizeof(p99), "%s (95%% CI)", figs[FIG_LATENCY_P99].head);
	parts_head(&figs[FIG_CTX_TOTAL], ctx, sizeof(ctx));
	parts_head(&figs[FIG_CPU_TOTAL], cpu, sizeof(cpu));
	for (int i = 0; i < ng; i++) {
		snprintf(title, sizeof(title), "Summary: %s, %lld-byte %s", g[i].workload,
			 g[i].size, strcmp(g[i].workload, "proxy") ? "messages" : "bodies");
		if (g[i].rate > 0)
			text_cat(title, sizeof(title), ", open loop at %.0f req/s offered",
				 g[i].rate);
		else if (g[i].rate == RPT_RATE_EQUAL)
			text_cat(title, sizeof(title),
				 ", open loop at equal load (%.2f of the lowest closed-loop median "
				 "per connection count)",
				 json_number_value(doc_get(doc->root, "equal_load.fraction")));
		heading(e, 3, title);
		table_begin(e, head, SUMMARY_COLS);
		for (int m = 0; m < g[i].nmodels; m++) {
			for (int k = 0; k < g[i].nconns; k++) {
				json_t *cell =
				    rpt_find_cell(doc, g[i].workload, g[i].size, g[i].rate,
						  g[i].models[m], g[i].conns[k]);

				if (cell)
					summary_row(e, cell, g[i].models[m], g[i].conns[k]);
			}
		}
		table_end(e);
		verdicts(e, doc, &g[i]);
		peers(e, doc, &g[i]);
	}
	para(e, "— = not measured (null in results.json: probes off, or the cell did not run). "
		"Figures are medians over the runs, with the 95% CI of the median where the runs "
		"allow one (6 or more), else their min–max. bound: what limited the cell (server, "
		"client, both or neither, at 90% CPU). A model is best only when the 95% CI of the "
		"ratio of its requests/s to the runner-up's excludes no change (docs/claims.md).");
}

/* One table per set of curves (model, knee, capacity at the SLO, ended by), then the points. */
static void curves_section(struct emit *e, const struct rpt_doc *doc)
{
	struct rpt_curve_set sets[RPT_MAX_CURVE_SETS];
	int ns = rpt_curve_sets(doc, sets, RPT_MAX_CURVE_SETS);
	char c[RPT_CURVE_COLS][RPT_CURVE_CELL], title[256], achieved[32];
	const char *row[RPT_CURVE_COLS], *point_head[RPT_CURVE_COLS];
	json_t *cell;

	for (int j = 0; j < RPT_CURVE_COLS; j++)
		row[j] = c[j];
	rpt_curve_point_head(point_head, achieved);
	for (int i = 0; i < ns; i++) {
		rpt_curve_set_title(&sets[i], title, sizeof(title));
		heading(e, 3, title);
		table_begin(e, rpt_curve_head, RPT_CURVE_COLS);
		for (int m = 0; m < sets[i].n; m++) {
			rpt_curve_row(sets[i].curves[m], c);
			table_row(e, row, RPT_CURVE_COLS, false);
		}
		table_end(e);
		heading(e, 4, "Points");
		table_begin(e, point_head, RPT_CURVE_COLS);
		for (int m = 0; m < sets[i].n; m++) {
			for (size_t k = 0; (cell = rpt_curve_point(doc, sets[i].curves[m], k));
			     k++) {
				rpt_curve_point_row(sets[i].curves[m], cell, c);
				table_row(e, row, RPT_CURVE_COLS, false);
			}
		}
		table_end(e);
	}
	if (ns)
		para(e,
		     "A rate sweep offers rising open-loop rates (docs/curves.md). The knee is the "
		     "busiest point still served (achieved ≥ 95% of offered) with p99 within 2× "
		     "the curve's floor; capacity at SLO is the highest achieved rate whose p99 "
		     "stayed within the SLO. Points where the client lagged measure the load "
		     "generator and count for neither. Sweep points are left out of the summary "
		     "tables and verdicts above, which compare closed-loop cells only.");
}

static void claims_section(struct emit *e, const struct rpt_doc *doc)
{
	static const char *const head[] = {"claim", "measured as", "this run", "verdict", "why"};
	struct rpt_claim cl[RPT_CLAIMS];

	rpt_claims(doc, cl);
	heading(e, 2, "Claims check");
	para(e, "Each claim from the design's table, what this run measured for it, and whether "
		"this machine agrees. The rule behind each verdict, with its thresholds, is listed "
		"below the table.");
	table_begin(e, head, 5);
	for (int i = 0; i < RPT_CLAIMS; i++) {
		const char *row[5] = {cl[i].claim, cl[i].measured_as, cl[i].figure,
				      rpt_verdict_text(cl[i].verdict), cl[i].why};

		if (e->html) {
			/* the verdict cell carries a class for colour */
			fputs("<tr>", e->f);
			for (int j = 0; j < 5; j++) {
				fprintf(e->f, "<td%s>",
					j != 3				 ? ""
					: cl[i].verdict == RPT_AGREES	 ? " class=\"agrees\""
					: cl[i].verdict == RPT_DISAGREES ? " class=\"disagrees\""
									 : " class=\"cannot\"");
				text(e, row[j]);
				fputs("</td>", e->f);
			}
			fputs("</tr>\n", e->f);
		} else {
			table_row(e, row, 5, false);
		}
	}
	table_end(e);
	heading(e, 3, "Rules");
	fputs(e->html ? "<ol>\n" : "", e->f);
	for (int i = 0; i < RPT_CLAIMS; i++) {
		fputs(e->html ? "<li><b>" : "1. **", e->f);
		text(e, cl[i].claim);
		fputs(e->html ? "</b>: " : "**: ", e->f);
		text(e, cl[i].rule);
		fputs(e->html ? "</li>\n" : "\n", e->f);
	}
	fputs(e->html ? "</ol>\n" : "\n", e->f);
}

static int svg_inline(struct emit *e, const char *path)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char in[3];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		PLOG_ERR("cannot read %s", path);
		return -1;
	}
	fputs("<img alt=\"chart\" src=\"data:image/svg+xml;base64,", e->f);
	while ((n = fread(in, 1, 3, f)) > 0) {
		unsigned v = in[0] << 16 | (n > 1 ? in[1] << 8 : 0) | (n > 2 ? in[2] : 0);

		fputc(b64[v >> 18 & 63], e->f);
		fputc(b64[v >> 12 & 63], e->f);
		fputc(n > 1 ? b64[v >> 6 & 63] : '=', e->f);
		fputc(n > 2 ? b64[v & 63] : '=', e->f);
	}
	fclose(f);
	fputs("\">", e->f);
	return 0;
}

static int charts_section(struct emit *e, const struct rpt_doc *doc, struct rpt_chart *ch, int n)
{
	char path[PATH_MAX + 128];

	heading(e, 2, "Charts");
	if (n <= 0) {
		para(e, "Charts were not drawn (--no-charts).");
		return 0;
	}
	for (int i = 0; i < n; i++) {
		heading(e, 3, ch[i].headline);
		if (e->html) {
			snprintf(path, sizeof(path), "%s/charts/%s.svg", doc->dir, ch[i].name);
			fputs("<figure>", e->f);
			if (svg_inline(e, path) < 0)
				return -1;
			fputs("<figcaption>", e->f);
			text(e, ch[i].name);
			if (ch[i].note[0]) {
				fputs(" — ", e->f);
				text(e, ch[i].note);
			}
			fputs("</figcaption></figure>\n", e->f);
		} else {
			fputs("![", e->f);
			text(e, ch[i].headline);
			fprintf(e->f, "](charts/%s.png)\n\n", ch[i].name);
			if (ch[i].note[0])
				para(e, ch[i].note);
		}
	}
	return 0;
}

static int write_one(struct emit *e, const struct rpt_doc *doc, struct rpt_chart *ch, int n)
{
	json_t *r = doc->root, *host = json_object_get(r, "host"),
	       *cfg = json_object_get(r, "config");
	char title[256], line[1024];

	snprintf(title, sizeof(title), "ringside report: %s suite",
		 *doc_str(r, "suite") ? doc_str(r, "suite") : "unnamed");
	if (e->html) {
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>",
		      e->f);
		text(e, title);
		fputs("</title>\n<style>body{font-family:sans-serif;max-width:1250px;margin:1em "
		      "auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em "
		      "0;font-size:90%}th,td{border:1px solid #ccc;padding:3px "
		      "6px;text-align:left;vertical-align:top}th{background:#f0f0f0}"
		      "td.agrees{background:#dff0d8}td.disagrees{background:#f2dede}"
		      "td.cannot{background:#f5f5f5}pre{background:#f5f5f5;padding:.5em;"
		      "white-space:pre-wrap}figure{margin:1em 0}figure img{width:100%;"
		      "border:1px solid #ddd}</style>\n</head><body>\n",
		      e->f);
	}
	heading(e, 1, title);
	rpt_host_line(doc, line, sizeof(line));
	para(e, line);
	snprintf(line, sizeof(line), "Status %s; started %s, finished %s; probes %s%s%s%s.",
		 doc_str(r, "status"), doc_str(r, "started_at"),
		 *doc_str(r, "finished_at") ? doc_str(r, "finished_at") : "(not finished)",
		 doc_str(r, "probes.mode"), *doc_str(r, "probes.reason") ? " (" : "",
		 doc_str(r, "probes.reason"), *doc_str(r, "probes.reason") ? ")" : "");
	para(e, line);
	wins_section(e, doc, ch, n);
	heading(e, 2, "Command line");
	fputs(e->html ? "<pre>" : "```\n", e->f);
	if (e->html)
		text(e, doc_str(r, "command"));
	else
		fputs(doc_str(r, "command"), e->f); /* literal inside the fence */
	fputs(e->html ? "</pre>\n" : "\n```\n", e->f);
	claims_section(e, doc);
	heading(e, 2, "Results");
	summary_tables(e, doc);
	curves_section(e, doc);
	if (charts_section(e, doc, ch, n) < 0)
		return -1;
	heading(e, 2, "Environment");
	kv_table(e, host, "");
	heading(e, 3, "CPU layout");
	kv_table(e, json_object_get(cfg, "cpu_layout"), "");
	heading(e, 3, "Options");
	kv_table(e, cfg, "");
	if (e->html)
		fputs("</body></html>\n", e->f);
	return ferror(e->f) ? -1 : 0;
}

/* Charts present and newer than results.json, else drawn now. */
static int ensure_charts(const struct rpt_doc *doc, struct rpt_chart *ch, int cap)
{
	struct stat rs, cs;
	char path[PATH_MAX + 128];
	int n = rpt_chart_all(doc, NULL, ch, cap);

	if (n < 0 || stat(doc->path, &rs) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			snprintf(path, sizeof(path), "%s/charts/%s.%s", doc->dir, ch[i].name,
				 k ? "png" : "svg");
			if (stat(path, &cs) < 0 || cs.st_mtime < rs.st_mtime) {
				LOG_INFO("drawing the charts first (ringside plot %s)", doc->dir);
				return rpt_plot(doc, ch, cap);
			}
		}
	}
	return n;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ringside report [--no-charts] DIR|results.json\n\n"
		   "Writes DIR/report.html (self-contained, charts inlined) and DIR/report.md\n"
		   "(charts linked as PNG): the run, a claims check against the design's claims\n"
		   "(agrees / disagrees / cannot tell, with the rule used), summary tables,\n"
		   "charts, the environment, CPU layout and the exact command line. Charts that\n"
		   "are missing or older than results.json are drawn first (needs gnuplot).\n\n"
		   "  --no-charts  leave the charts out (no gnuplot needed)\n\n"
		   "examples:\n"
		   "  ringside report results/20250101T100000Z-echo\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"no-charts", no_argument, NULL, 'n'},
	    {"verbose", no_argument, NULL, 'v'},
	    {0},
	};
	struct fs_out html, md;
	struct emit eh = {.html = true}, em = {.html = false};
	struct rpt_chart *charts = NULL;
	struct rpt_doc doc;
	bool no_charts = false;
	char path[PATH_MAX + 32];
	int opt, rc, n = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hnv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		case 'n':
			no_charts = true;
			break;
		case 'v':
			rs_verbose = 1;
			break;
		default:
			usage_error("report: bad option or missing value: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		usage_error("report: expected one DIR or results.json");
	rc = rpt_doc_load(argv[optind], &doc);
	if (rc)
		return rc;
	rc = RS_EXIT_FAIL;
	charts = calloc(RPT_MAX_CHARTS, sizeof(*charts));
	if (!charts)
		DIE("out of memory");
	if (!no_charts && (n = ensure_charts(&doc, charts, RPT_MAX_CHARTS)) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/report.html", doc.dir);
	eh.f = fs_out_open(&html, path);
	if (!eh.f)
		goto out;
	snprintf(path, sizeof(path), "%s/report.md", doc.dir);
	em.f = fs_out_open(&md, path);
	if (!em.f) {
		fs_out_abort(&html);
		goto out;
	}
	if (write_one(&eh, &doc, charts, n) < 0 || write_one(&em, &doc, charts, n) < 0) {
		LOG_ERR("cannot write the report into %s", doc.dir);
		fs_out_abort(&html);
		fs_out_abort(&md);
		goto out;
	}
	if (fs_out_commit(&html) < 0) {
		fs_out_abort(&md);
		goto out;
	}
	if (fs_out_commit(&md) < 0)
		goto out;
	printf("%s/report.html\n%s/report.md\n", doc.dir, doc.dir);
	rc = RS_EXIT_OK;
out:
	free(charts);
	rpt_doc_free(&doc);
	return rc;
}
