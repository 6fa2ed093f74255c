/*
 * `ringside compare BASE NEW`: two results.json side by side, cell by cell.
 * A change whose NEW median lies inside BASE's min-max over runs is noise.
 * --fail-above PCT turns a throughput drop or p99 rise beyond PCT into exit 1.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "opts.h"
#include "data.h"

enum { M_RPS, M_P99, M_SYSCALLS, M_CPU, M_N };

static const struct {
	const char *key, *label, *path;
} metrics[M_N] = {
    [M_RPS] = {"requests_per_sec", "req/s", "requests_per_sec.median"},
    [M_P99] = {"latency_us_p99", "p99", "latency_us.p99"},
    [M_SYSCALLS] = {"syscalls_per_request", "syscalls/req", "syscalls_per_request"},
    [M_CPU] = {"cpu_us_per_request", "CPU us/req", NULL},
};

struct change {
	bool have; /* both sides measured */
	double base, new, pct;
	bool pct_ok, noise;
};

static const char *const cpu_parts[] = {"cpu_us_per_request.user", "cpu_us_per_request.system",
					"cpu_us_per_request.sqpoll"};

/* Figure and BASE-style min-max; CPU is user + system + SQPOLL thread. */
static bool figure(json_t *cell, int m, double *v, double *lo, double *hi, bool *ranged)
{
	double x, l, h;
	bool any = false;

	*ranged = true;
	if (metrics[m].path) {
		if (!doc_fig(cell, metrics[m].path, v))
			return false;
		*ranged = doc_range(cell, metrics[m].path, lo, hi);
		return true;
	}
	*v = *lo = *hi = 0;
	for (int i = 0; i < 3; i++) {
		if (!doc_fig(cell, cpu_parts[i], &x))
			continue;
		any = true;
		*v += x;
		if (doc_range(cell, cpu_parts[i], &l, &h))
			*lo += l, *hi += h;
		else
			*ranged = false;
	}
	return any;
}

static struct change compare_one(json_t *base, json_t *new, int m)
{
	struct change c = {0};
	double lo, hi, l2, h2;
	bool ranged, r2;

	if (!figure(base, m, &c.base, &lo, &hi, &ranged) || !figure(new, m, &c.new, &l2, &h2, &r2))
		return c;
	c.have = true;
	if (c.base != 0) {
		c.pct = (c.new - c.base) / fabs(c.base) * 100.0;
		c.pct_ok = true;
	} else if (c.new == 0) {
		c.pct_ok = true;
	}
	c.noise = ranged && c.new >= lo &&c.new <= hi;
	return c;
}

static bool regression(const struct change *c, int m, double limit)
{
	if (!c->have || !c->pct_ok || c->noise)
		return false;
	if (m == M_RPS)
		return c->pct < -limit;
	if (m == M_P99)
		return c->pct > limit;
	return false;
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

/* The same for a results cell. */
static void key_text(json_t *cell, char *buf, size_t len)
{
	json_t *id = cell_id(cell);

	id_text(id, buf, len);
	json_decref(id);
}

static json_t *find_match(const struct rpt_doc *d, json_t *cell)
{
	return rpt_find_cell(d, doc_str(cell, "workload"), doc_cell_size(cell),
			     doc_str(cell, "model"),
			     json_integer_value(json_object_get(cell, "connections")));
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ringside compare BASE NEW [--fail-above PCT] [--json]\n\n"
		   "BASE and NEW are result directories or results.json files. For each cell in\n"
		   "both (same workload, model, connections, size): %% change in requests/s\n"
		   "(median), p99 latency, server syscalls/request, and server CPU us/request\n"
		   "(user + system + SQPOLL thread). A change is noise (marked ~) when NEW's\n"
		   "median lies inside BASE's min-max over its runs. Cells on one side only, and\n"
		   "cells skipped or failed on either side, are listed apart.\n\n"
		   "  --fail-above PCT  exit 1 when a throughput falls, or a p99 rises, by more\n"
		   "                    than PCT %% and the change is not noise (marked !)\n"
		   "  --json            the comparison as JSON on stdout instead of the table\n\n"
		   "examples:\n"
		   "  ringside compare results/before results/after\n"
		   "  ringside compare base/results.json new/results.json --fail-above 5\n");
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"json", no_argument, NULL, 'j'},
	    {"fail-above", required_argument, NULL, 'f'},
	    {0},
	};
	struct rpt_doc base, new;
	double limit = -1;
	bool as_json = false, failed = false;
	json_t *out, *rows, *only_base, *only_new, *skipped;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hjf:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		case 'j':
			as_json = true;
			break;
		case 'f':
			limit = opt_double("fail-above", optarg, 0, 1e6);
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
	if (!as_json)
		printf("%-42s %14s %14s %14s %14s\n", "cell (workload model connections size)",
		       metrics[0].label, metrics[1].label, metrics[2].label, metrics[3].label);
	for (size_t i = 0; i < json_array_size(base.cells); i++) {
		json_t *b = json_array_get(base.cells, i), *n = find_match(&new, b), *row, *ms;
		char key[200];

		key_text(b, key, sizeof(key));
		if (!n) {
			json_array_append_new(only_base, cell_id(b));
			continue;
		}
		if (!doc_cell_ok(b) || !doc_cell_ok(n)) {
			row = cell_id(b);
			json_object_set_new(row, "base_status", json_string(doc_cell_status(b)));
			json_object_set_new(row, "new_status", json_string(doc_cell_status(n)));
			json_array_append_new(skipped, row);
			continue;
		}
		row = cell_id(b);
		ms = json_object();
		if (!as_json)
			printf("%-42s", key);
		for (int m = 0; m < M_N; m++) {
			struct change c = compare_one(b, n, m);
			bool bad = limit >= 0 && regression(&c, m, limit);
			char txt[40];

			failed |= bad;
			if (!c.have)
				snprintf(txt, sizeof(txt), "n/a");
			else if (!c.pct_ok)
				snprintf(txt, sizeof(txt), "from 0");
			else
				snprintf(txt, sizeof(txt), "%+.1f%%%s", c.pct,
					 bad ? " !" : (c.noise ? " ~" : ""));
			if (!as_json)
				printf(" %14s", txt);
			if (c.have)
				json_object_set_new(
				    ms, metrics[m].key,
				    json_pack("{s:f, s:f, s:o, s:b, s:b}", "base", c.base, "new",
					      c.new, "change_pct",
					      c.pct_ok ? json_real(c.pct) : json_null(), "noise",
					      c.noise, "regression", bad));
			else
				json_object_set_new(ms, metrics[m].key, json_null());
		}
		if (!as_json)
			printf("\n");
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
		json_object_set_new(out, "noise_rule",
				    json_string("noise: NEW median inside BASE min-max over runs"));
		json_object_set_new(out, "fail_above_pct",
				    limit >= 0 ? json_real(limit) : json_null());
		json_object_set(out, "cells", rows);
		json_object_set(out, "only_in_base", only_base);
		json_object_set(out, "only_in_new", only_new);
		json_object_set(out, "not_comparable", skipped);
		json_object_set_new(out, "failed", json_boolean(failed));
		json_dumpf(out, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		char key[200];
		json_t *v;
		size_t i;

		printf("\n~ noise: NEW median inside BASE's min-max over runs");
		if (limit >= 0)
			printf("; ! throughput down or p99 up by more than %g%%", limit);
		printf("\n");
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
			printf("not comparable: %s (BASE %s, NEW %s)\n", key,
			       doc_str(v, "base_status"), doc_str(v, "new_status"));
		}
		if (failed)
			printf("FAIL: a change beyond %g%% (marked !)\n", limit);
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
