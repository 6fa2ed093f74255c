/*
 * `ringside compare BASE NEW`: two results.json side by side, cell by cell.
 * Each change in requests/s, p99, CPU and syscalls per request is estimated
 * over the runs with the verdicts' own estimator and decision (core/estimate.h:
 * the two-sample Hodges-Lehmann ratio NEW / BASE with its Mann-Whitney 95%
 * interval): a change named, equivalence, or cannot tell. --fail-above gates
 * regressions on the interval's bound.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "opts.h"
#include "core/estimate.h"
#include "core/figs.h"
#include "core/verdict.h"
#include "data.h"

#define CMP_ALPHA EST_ALPHA

enum { M_RPS, M_P99, M_CPU, M_SYSCALLS, M_N };

/*
 * Each metric is a figure of core/figs.h (its summary path, its runs' paths and
 * set, its head as the text's label); key names it in the --json output.
 */
static const struct {
	const char *key;
	enum fig_id fig;
	bool gated;	     /* --fail-above applies */
	bool higher_better;  /* the direction that is an improvement */
	const char *up, *dn; /* words for a rise and a fall */
} metrics[M_N] = {
    [M_RPS] = {"requests_per_sec", FIG_REQUESTS_PER_SEC, true, true, "faster", "slower"},
    [M_P99] = {"latency_us_p99", FIG_LATENCY_P99, true, false, "p99 higher", "p99 lower"},
    [M_CPU] = {"cpu_us_per_request", FIG_CPU_TOTAL, true, false, "CPU/request higher",
	       "CPU/request lower"},
    [M_SYSCALLS] = {"syscalls_per_request", FIG_SYSCALLS, false, false, "syscalls/request higher",
		    "syscalls/request lower"},
};

struct opts {
	double min_effect, equivalence, limit; /* percent; limit < 0: no gate */
};

struct change {
	bool have; /* both sides have the figure */
	double base, new, pct;
	bool pct_ok;
	int nb, nn;  /* runs behind each side */
	bool tested; /* ratio (and lo, hi when ci) are set */
	bool ci;     /* enough runs for a 95% interval */
	double ratio, lo, hi;
	enum est_decision decision;
	bool significant, regression; /* significant: decision is EST_WINNER */
	double effect, elo, ehi;      /* |change| and its CI, percent */
	char text[200];
};

/*
 * The metric's median in the cell's summary. A file older than
 * cpu_us_per_request.total has only its parts: their medians' sum stands in.
 */
static bool summary_figure(const json_t *cell, int m, double *v)
{
	return fig_cell(cell, &figs[metrics[m].fig], v);
}

/* The figure of each ok run of the figure's set (probed or not); caller frees. */
static double *run_values(const json_t *cell, int m, int *n)
{
	const struct fig *f = &figs[metrics[m].fig];
	json_t *runs = json_object_get(cell, "runs");
	double *v = calloc(json_array_size(runs) + 1, sizeof(*v));

	if (!v)
		DIE("out of memory");
	*n = fig_collect(runs, f->from, f->set, v, NULL, (int)json_array_size(runs));
	return v;
}

static void describe(struct change *c, int m, const struct opts *o, const struct est *e)
{
	bool up = c->ratio > 1;
	char why[160];

	if (!c->have) {
		snprintf(c->text, sizeof(c->text), "n/a");
		return;
	}
	if (!c->tested) {
		snprintf(c->text, sizeof(c->text), "cannot tell (no runs with a figure above 0)");
		return;
	}
	c->decision =
	    est_decide(e, o->min_effect / 100, o->equivalence / 100, NULL, NULL, why, sizeof(why));
	c->significant = c->decision == EST_WINNER;
	c->effect = fabs(c->ratio - 1) * 100;
	c->elo = (up ? c->lo - 1 : 1 - c->hi) * 100; /* the bound nearest no change */
	c->ehi = (up ? c->hi - 1 : 1 - c->lo) * 100;
	/* a regression gate: the CI's bound nearest 1 is worse than the limit */
	c->regression = o->limit >= 0 && metrics[m].gated && c->ci &&
			up != metrics[m].higher_better && (c->lo > 1 || c->hi < 1) &&
			c->elo > o->limit;
	if (c->significant)
		snprintf(c->text, sizeof(c->text), "%s by %.1f%% (95%% CI %.1f–%.1f%%)",
			 up ? metrics[m].up : metrics[m].dn, c->effect, c->elo, c->ehi);
	else if (c->decision == EST_EQUIVALENT)
		snprintf(c->text, sizeof(c->text),
			 "equivalent within ±%g%% (%+.1f%%, 95%% CI %+.1f to %+.1f%%)",
			 o->equivalence, (c->ratio - 1) * 100, (c->lo - 1) * 100,
			 (c->hi - 1) * 100);
	else if (c->ci && (c->lo > 1 || c->hi < 1))
		snprintf(c->text, sizeof(c->text),
			 "under --min-effect %g%% (%+.1f%%, 95%% CI %+.1f to %+.1f%%)",
			 o->min_effect, (c->ratio - 1) * 100, (c->lo - 1) * 100, (c->hi - 1) * 100);
	else if (c->ci)
		snprintf(c->text, sizeof(c->text),
			 "cannot tell (%+.1f%%, 95%% CI %+.1f to %+.1f%%)", (c->ratio - 1) * 100,
			 (c->lo - 1) * 100, (c->hi - 1) * 100);
	else
		snprintf(c->text, sizeof(c->text), "cannot tell (%+.1f%%; %s)",
			 (c->ratio - 1) * 100, why);
}

/* The figure's values that are above 0 (the estimator works on logs), compacted in place. */
static int positive(double *v, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		if (v[i] > 0)
			v[k++] = v[i];
	return k;
}

static struct change compare_one(const json_t *base, const json_t *new, int m, const struct opts *o)
{
	struct change c = {0};
	double *a = run_values(base, m, &c.nb), *b = run_values(new, m, &c.nn);
	struct est e = {0};

	c.have = summary_figure(base, m, &c.base) && summary_figure(new, m, &c.new);
	if (c.have) {
		if (c.base != 0) {
			c.pct = (c.new - c.base) / fabs(c.base) * 100.0;
			c.pct_ok = true;
		} else if (c.new == 0) {
			c.pct_ok = true;
		}
		c.tested =
		    est_two_sample(b, positive(b, c.nn), a, positive(a, c.nb), CMP_ALPHA, &e) == 0;
		if (c.tested) {
			c.ratio = e.ratio;
			c.lo = e.lo;
			c.hi = e.hi;
			c.ci = e.ci;
		}
	}
	describe(&c, m, o, &e);
	free(a);
	free(b);
	return c;
}

static json_t *cell_id(json_t *cell)
{
	return json_pack("{s:s, s:s, s:I, s:I}", "workload", doc_str(cell, "workload"), "model",
			 doc_str(cell, "model"), "connections",
			 (json_int_t)json_integer_value(json_object_get(cell, "connections")),
			 "size", (json_int_t)doc_cell_size(cell));
}

/* "workload model N conns SIZEB" for a cell_id() object. */
static void id_text(json_t *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %lld conns %lldB", doc_str(id, "workload"), doc_str(id, "model"),
		 (long long)json_integer_value(json_object_get(id, "connections")),
		 (long long)json_integer_value(json_object_get(id, "size")));
}

static json_t *find_match(const struct rpt_doc *d, json_t *cell)
{
	return rpt_find_cell(d, doc_str(cell, "workload"), doc_cell_size(cell), rpt_cell_rate(cell),
			     doc_str(cell, "model"),
			     json_integer_value(json_object_get(cell, "connections")));
}

static json_t *change_json(const struct change *c)
{
	json_t *j;

	if (!c->have)
		return json_null();
	j = json_pack("{s:f, s:f, s:o, s:i, s:i, s:b, s:b, s:s}", "base", c->base, "new", c->new,
		      "change_pct", c->pct_ok ? json_real(c->pct) : json_null(), "runs_base", c->nb,
		      "runs_new", c->nn, "significant", c->significant, "regression", c->regression,
		      "verdict", c->text);
	json_object_set_new(j, "ratio", c->tested ? json_real(c->ratio) : json_null());
	json_object_set_new(j, "ratio_ci95",
			    c->ci ? json_pack("[f, f]", c->lo, c->hi) : json_null());
	json_object_set_new(j, "decision", json_string(est_decision_name(c->decision)));
	return j;
}

/* ["client-bound", "noisy"] as they apply to either side, and the text "[client-bound: NEW]" */
static json_t *labels(json_t *b, json_t *n, char *txt, size_t len)
{
	json_t *l = json_array();
	bool cb = verdict_client_bound(b), cn = verdict_client_bound(n);
	bool nb = verdict_noisy(b), nn = verdict_noisy(n);
	size_t at = 0;

	txt[0] = '\0';
	if (cb || cn) {
		json_array_append_new(l, json_string("client-bound"));
		at += snprintf(txt + at, len - at, " [client-bound: %s]",
			       cb && cn ? "both"
			       : cb	? "BASE"
					: "NEW");
	}
	if ((nb || nn) && at < len) {
		json_array_append_new(l, json_string("noisy"));
		snprintf(txt + at, len - at, " [noisy: %s]",
			 nb && nn ? "both"
			 : nb	  ? "BASE"
				  : "NEW");
	}
	return l;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: ringside compare BASE NEW [--min-effect PCT] [--equivalence PCT]\n"
	    "                        [--fail-above PCT] [--json]\n\n"
	    "BASE and NEW are result directories or results.json files. For each cell in\n"
	    "both (same workload, model, connections, size): the change in requests/s,\n"
	    "p99 latency, server CPU us/request (user + system + SQPOLL thread) and server\n"
	    "syscalls/request, over the runs (unprobed runs; probed ones for syscalls),\n"
	    "estimated as the verdicts estimate a difference: the Hodges-Lehmann ratio\n"
	    "NEW / BASE with its Mann-Whitney 95%% interval (docs/claims.md). It reads\n"
	    "\"faster by 10.0%% (95%% CI 9.1-10.9%%)\" (\"p99 lower by ...\") when the interval\n"
	    "excludes no change and the change is bigger than --min-effect; \"equivalent\n"
	    "within +-2%%\" when the whole interval lies within --equivalence; otherwise\n"
	    "\"cannot tell\", with the interval or why there is none (3 runs a side are too\n"
	    "few for a 95%% interval). Cells that are client-bound or noisy on either side\n"
	    "are labelled so. Cells on one side only, and cells skipped or failed on either\n"
	    "side, are listed apart.\n\n"
	    "  --min-effect PCT   smallest change worth naming (default 2)\n"
	    "  --equivalence PCT  the band that counts as no change (default 2)\n"
	    "  --fail-above PCT   exit 1 when throughput falls, or p99 or CPU/request rises,\n"
	    "                     with the CI's bound nearest no change beyond PCT %%\n"
	    "  --json             the comparison as JSON on stdout instead of the text\n\n"
	    "examples:\n"
	    "  ringside compare results/before results/after\n"
	    "  ringside compare base/results.json new/results.json --fail-above 5\n");
}

static void print_cell(const char *key, const char *lab, const struct change *c)
{
	printf("%s%s\n", key, lab);
	for (int m = 0; m < M_N; m++) {
		char b[32] = "—", n[32] = "—", label[32];

		if (c[m].have) {
			rpt_fmt_num(c[m].base, b, sizeof(b));
			rpt_fmt_num(c[m].new, n, sizeof(n));
			if (strlen(b) > 10)
				snprintf(b, sizeof(b), "%.6g", c[m].base);
			if (strlen(n) > 10)
				snprintf(n, sizeof(n), "%.6g", c[m].new);
		}
		fig_head_ascii(&figs[metrics[m].fig], label, sizeof(label));
		printf("  %-14s %10s -> %-10s %s", label, b, n, c[m].text);
		if (c[m].tested)
			printf("; runs %d/%d", c[m].nb, c[m].nn);
		printf("%s\n", c[m].regression ? "  [regression beyond --fail-above]" : "");
	}
}

static void print_lists(json_t *only_base, json_t *only_new, json_t *skipped)
{
	char key[200];
	json_t *v;
	size_t i;

	json_array_foreach(only_base, i, v)
	{
		id_text(v, key, sizeof(key));
		printf("only in BASE: %s\n", key);
	}
	json_array_foreach(only_new, i, v)
	{
		id_text(v, key, sizeof(key));
		printf("only in NEW: %s\n", key);
	}
	json_array_foreach(skipped, i, v)
	{
		id_text(v, key, sizeof(key));
		printf("not comparable: %s (BASE %s, NEW %s)\n", key, doc_str(v, "base_status"),
		       doc_str(v, "new_status"));
	}
}

static const char rule_text[] =
    "the Hodges-Lehmann ratio NEW / BASE over the runs, with its Mann-Whitney 95% interval (the "
    "verdicts' two-sample estimate): a change is named when the interval excludes 1 and the "
    "change exceeds --min-effect, equivalence when the whole interval lies within "
    "--equivalence, else cannot tell; --fail-above judges by the interval's bound nearest no "
    "change";

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"json", no_argument, NULL, 'j'},
	    {"fail-above", required_argument, NULL, 'f'},
	    {"min-effect", required_argument, NULL, 'm'},
	    {"equivalence", required_argument, NULL, 'e'},
	    {0},
	};
	struct opts o = {.min_effect = 2, .equivalence = 2, .limit = -1};
	struct rpt_doc base, new;
	bool as_json = false, failed = false;
	json_t *out, *rows, *only_base, *only_new, *skipped;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hjf:m:e:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		case 'j':
			as_json = true;
			break;
		case 'f':
			o.limit = opt_double("fail-above", optarg, 0, 1e6);
			break;
		case 'm':
			o.min_effect = opt_double("min-effect", optarg, 0, 1e6);
			break;
		case 'e':
			o.equivalence = opt_double("equivalence", optarg, 0.01, 100);
			break;
		default:
			usage_error("compare: bad option or missing value: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		usage_error("compare: expected BASE and NEW");
	rc = rpt_doc_load(argv[optind], &base);
	if (rc)
		return rc;
	rc = rpt_doc_load(argv[optind + 1], &new);
	if (rc) {
		rpt_doc_free(&base);
		return rc;
	}
	out = json_object();
	rows = json_array();
	only_base = json_array();
	only_new = json_array();
	skipped = json_array();
	for (size_t i = 0; i < json_array_size(base.cells); i++) {
		json_t *b = json_array_get(base.cells, i), *n = find_match(&new, b), *row, *ms;
		struct change c[M_N];
		char key[200], lab[80];

		if (!n) {
			json_array_append_new(only_base, cell_id(b));
			continue;
		}
		row = cell_id(b);
		if (!doc_cell_ok(b) || !doc_cell_ok(n)) {
			json_object_set_new(row, "base_status", json_string(doc_cell_status(b)));
			json_object_set_new(row, "new_status", json_string(doc_cell_status(n)));
			json_array_append_new(skipped, row);
			continue;
		}
		id_text(row, key, sizeof(key));
		json_object_set_new(row, "labels", labels(b, n, lab, sizeof(lab)));
		json_object_set_new(row, "base_bound", json_string(verdict_bound(b)));
		json_object_set_new(row, "new_bound", json_string(verdict_bound(n)));
		json_object_set_new(row, "base_noisy", json_boolean(verdict_noisy(b)));
		json_object_set_new(row, "new_noisy", json_boolean(verdict_noisy(n)));
		ms = json_object();
		for (int m = 0; m < M_N; m++) {
			c[m] = compare_one(b, n, m, &o);
			failed |= c[m].regression;
			json_object_set_new(ms, metrics[m].key, change_json(&c[m]));
		}
		if (!as_json)
			print_cell(key, lab, c);
		json_object_set_new(row, "metrics", ms);
		json_array_append_new(rows, row);
	}
	for (size_t i = 0; i < json_array_size(new.cells); i++) {
		json_t *n = json_array_get(new.cells, i);

		if (!find_match(&base, n))
			json_array_append_new(only_new, cell_id(n));
	}
	if (as_json) {
		json_object_set_new(out, "base", json_string(base.path));
		json_object_set_new(out, "new", json_string(new.path));
		json_object_set_new(out, "rule", json_string(rule_text));
		json_object_set_new(out, "alpha", json_real(CMP_ALPHA));
		json_object_set_new(out, "min_effect_pct", json_real(o.min_effect));
		json_object_set_new(out, "fail_above_pct",
				    o.limit >= 0 ? json_real(o.limit) : json_null());
		json_object_set_new(out, "equivalence_pct", json_real(o.equivalence));
		json_object_set(out, "cells", rows);
		json_object_set(out, "only_in_base", only_base);
		json_object_set(out, "only_in_new", only_new);
		json_object_set(out, "not_comparable", skipped);
		json_object_set_new(out, "failed", json_boolean(failed));
		json_dumpf(out, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		printf("\nrule: %s (min effect %g%%, equivalence ±%g%%)\n", rule_text, o.min_effect,
		       o.equivalence);
		print_lists(only_base, only_new, skipped);
		if (failed)
			printf("FAIL: a regression whose CI bound is beyond %g%%\n", o.limit);
	}
	json_decref(rows);
	json_decref(only_base);
	json_decref(only_new);
	json_decref(skipped);
	json_decref(out);
	rpt_doc_free(&base);
	rpt_doc_free(&new);
	return failed ? RS_EXIT_FAIL : RS_EXIT_OK;
}
