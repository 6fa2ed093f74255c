/*
 * Unit test of harness/core's summaries (summary.h, figs.h, bound.h) on
 * synthetic runs and on a genuine run's results file: medians and their CIs
 * (range under 6 runs, order statistics from 6), nulls kept null, probed and
 * unprobed runs apart, context switches from BPF else /proc, syscalls by name,
 * probe_overhead, syscall_overhead_share from host.null_syscall_ns, outliers,
 * noisy runs, the bound rule, the open-loop client lag, and re-summarising a
 * document. No processes, no kernel features. Usage: test_summary FIXTURES_DIR.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/bound.h"
#include "core/doc.h"
#include "core/figs.h"
#include "core/summary.h"

/* An ok run: requests/s, CPU parts and utilisations; probed runs add syscalls. */
static json_t *run(bool probed, double rps, double user, double sys, double srv_util,
		   double cli_util)
{
	json_t *r = json_pack("{s:s,s:b,s:f,s:I,s:{s:f,s:f},s:{s:{s:f,s:f,s:f},s:{s:f,s:f}},"
			      "s:f,s:{s:f},s:{s:b}}",
			      "status", "ok", "probed", probed, "requests_per_sec", rps, "requests",
			      (json_int_t)(rps * 2), "latency_us", "p50", 1e6 / rps, "p99",
			      3e6 / rps, "server", "cpu_us_per_request", "user", user, "system",
			      sys, "sqpoll", 0.0, "context_switches_per_request", "voluntary", 0.5,
			      "involuntary", 0.25, "server_cpu_utilisation", srv_util, "client",
			      "cpu_utilisation", cli_util, "noise", "noisy", false);

	if (probed) {
		json_object_set_new(r, "syscalls",
				    json_pack("{s:{s:f,s:{s:f,s:f}}}", "server", "per_request", 3.0,
					      "by_name", "read", 1.0, "write",
					      rps > 0 ? 2.0 : 0.0));
		json_object_set_new(r, "context_switches_bpf",
				    json_pack("{s:{s:f,s:f}}", "server", "voluntary", 0.125,
					      "involuntary", 0.0625));
	}
	return r;
}

static json_t *cell_of(json_t *runs)
{
	return json_pack("{s:s,s:s,s:I,s:s,s:o}", "workload", "echo", "model", "epoll",
			 "connections", (json_int_t)10, "status", "ok", "runs", runs);
}

static json_t *doc_with_null_ns(double ns)
{
	return json_pack("{s:s,s:{s:{s:f}},s:[]}", "schema", "ringside/1", "host",
			 "null_syscall_ns", "unprobed", ns, "cells");
}

static double num(const json_t *j, const char *path)
{
	double v = NAN;

	doc_num(j, path, &v);
	return v;
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* Five unprobed runs and one probed: a range CI, sums, probed figures apart. */
static void test_few_runs(void)
{
	double rps[5] = {100, 104, 98, 102, 101};
	json_t *runs = json_array(), *cell, *doc = doc_with_null_ns(500), *s;
	double lo, hi;
	bool exact = true;

	for (int i = 0; i < 5; i++)
		json_array_append_new(runs, run(false, rps[i], 4, 6, 0.95, 0.5));
	json_array_append_new(runs, run(true, 90, 5, 7, 0.95, 0.5));
	json_array_append_new(runs, json_pack("{s:s,s:b}", "status", "failed", "probed", false));
	cell = cell_of(runs);
	summary_update_cell(cell, doc);
	s = json_object_get(cell, "summary");

	CHECK(near(num(s, "requests_per_sec.median"), 101));
	CHECK(num(s, "requests_per_sec.n") == 5);
	CHECK(!strcmp(doc_str(s, "requests_per_sec.ci95_kind"), "range"));
	CHECK(doc_ci(cell, "requests_per_sec", &lo, &hi, &exact) && lo == 98 && hi == 104 &&
	      !exact);
	CHECK(num(s, "spread.requests_per_sec.min") == 98);
	/* requests: summed over every run that has them, probed included */
	CHECK(num(s, "requests") == 2 * (100 + 104 + 98 + 102 + 101 + 90));
	CHECK(json_is_null(json_object_get(s, "errors")));
	CHECK(near(num(s, "cpu_us_per_request.total.median"), 10));
	CHECK(!doc_get(s, "spread.cpu_us_per_request.total") &&
	      doc_get(s, "spread.cpu_us_per_request.user"));
	/* probed figures from the one probed run */
	CHECK(num(s, "syscalls_per_request.median") == 3 && num(s, "syscalls_per_request.n") == 1);
	CHECK(num(s, "syscalls_by_name.write") == 2 && num(s, "syscalls_by_name.read") == 1);
	/* BPF's context switches where probed runs have them, /proc's kept apart */
	CHECK(num(s, "context_switches_per_request.voluntary.median") == 0.125);
	CHECK(near(num(s, "context_switches_per_request.total.median"), 0.1875));
	CHECK(num(s, "context_switches_per_request_proc.voluntary") == 0.5);
	/* optional figures no run has are left out; others are null, not absent */
	CHECK(!json_object_get(s, "cpu_us_per_request_core"));
	CHECK(json_is_null(doc_get(s, "latency_us.p999.median")));
	CHECK(json_is_null(doc_get(s, "io_uring.cq_overflows")));
	CHECK(near(num(s, "probe_overhead"), 90.0 / 101));
	/* 3 syscalls x 500 ns over 10 us of CPU per request */
	CHECK(near(num(s, "syscall_overhead_share.median"), 3 * 500 / 10e3));
	CHECK(!strcmp(doc_str(s, "syscall_overhead_share.ci95_kind"), "ratio"));
	CHECK(num(s, "outliers") == 0 && num(s, "noisy_runs") == 0);
	CHECK(json_is_false(json_object_get(cell, "noisy")));
	CHECK(!strcmp(doc_str(cell, "bound"), "server"));
	CHECK(json_is_null(json_object_get(cell, "client_bound_schedule")));
	CHECK(json_is_null(doc_get(json_array_get(runs, 0), "offered_rate")));
	CHECK(num(json_array_get(runs, 0), "achieved_rate") == 100);

	/* Without a null-syscall cost in the document the share is null, not guessed. */
	json_decref(doc);
	doc = json_object();
	summary_update_cell(cell, doc);
	CHECK(json_is_null(doc_get(cell, "summary.syscall_overhead_share.median")));
	CHECK(num(cell, "summary.syscall_overhead_share.n") == 0);
	json_decref(doc);
	json_decref(cell);
}

/* Eight unprobed runs, one far off: an order-statistic CI and one outlier. */
static void test_outlier_and_ci(void)
{
	double rps[8] = {1000, 1010, 990, 1005, 995, 1002, 998, 5000};
	json_t *runs = json_array(), *cell, *doc = doc_with_null_ns(100), *s;
	double lo, hi;
	bool exact = false;
	int marked = 0;

	for (int i = 0; i < 8; i++) {
		json_array_append_new(runs, run(false, rps[i], 1, 1, 0.5, 0.95));
		if (i == 2)
			json_object_set_new(json_object_get(json_array_get(runs, i), "noise"),
					    "noisy", json_true());
	}
	cell = cell_of(runs);
	summary_update_cell(cell, doc);
	s = json_object_get(cell, "summary");
	/* n = 8: the 95% CI of the median is x(1)..x(8) (k = 1) */
	CHECK(!strcmp(doc_str(s, "requests_per_sec.ci95_kind"), "order-statistic"));
	CHECK(doc_ci(cell, "requests_per_sec", &lo, &hi, &exact) && exact && lo == 990 &&
	      hi == 5000);
	CHECK(near(num(s, "requests_per_sec.median"), 1001));
	for (size_t i = 0; i < 8; i++)
		marked += json_is_true(json_object_get(json_array_get(runs, i), "outlier"));
	CHECK(marked == 1 && json_is_true(json_object_get(json_array_get(runs, 7), "outlier")));
	CHECK(num(s, "outliers") == 1);
	CHECK(num(s, "noisy_runs") == 1 && json_is_true(json_object_get(cell, "noisy")));
	CHECK(!strcmp(doc_str(cell, "bound"), "client") && bound_cell_client(cell));
	/* no probed run: no syscall figures, no overhead share, no probe_overhead */
	CHECK(json_is_null(doc_get(s, "syscalls_per_request.median")));
	CHECK(json_is_null(doc_get(s, "syscalls_by_name")));
	CHECK(json_is_null(json_object_get(s, "probe_overhead")));
	CHECK(num(s, "context_switches_per_request.voluntary.median") == 0.5);
	CHECK(near(summary_ci_halfwidth_pct(cell), (5000 - 990) / 2.0 / 1001 * 100));
	json_decref(doc);
	json_decref(cell);
}

/* An open-loop cell whose client lagged: bound "client" whatever the CPUs say. */
static void test_open_loop(void)
{
	json_t *runs = json_array(), *cell, *doc = json_object();

	for (int i = 0; i < 3; i++) {
		json_t *r = run(false, 1000, 1, 1, 0.2, 0.2);

		/* 10 connections at 1000/s: one send per 10 ms; 2 ms late is over a tenth */
		json_object_set_new(r, "load",
				    json_pack("{s:{s:f,s:f,s:f}}", "schedule_lag_us", "p50", 10.0,
					      "p99", 2000.0 + i, "max", 3000.0));
		json_array_append_new(runs, r);
	}
	cell = cell_of(runs);
	json_object_set_new(cell, "rate", json_real(1000));
	summary_update_cell(cell, doc);
	CHECK(json_is_true(json_object_get(cell, "client_bound_schedule")));
	CHECK(!strcmp(doc_str(cell, "bound"), "client"));
	CHECK(num(json_array_get(runs, 1), "offered_rate") == 1000);
	CHECK(num(json_array_get(runs, 1), "schedule_lag_us.p99") == 2001);
	/* on schedule: 0.5 ms late is under a tenth of 10 ms */
	for (int i = 0; i < 3; i++)
		json_object_set_new(doc_get(json_array_get(runs, i), "load.schedule_lag_us"), "p99",
				    json_real(500));
	summary_update_cell(cell, doc);
	CHECK(json_is_false(json_object_get(cell, "client_bound_schedule")));
	CHECK(!strcmp(doc_str(cell, "bound"), "neither"));
	json_decref(doc);
	json_decref(cell);
}

static void test_bound_rule(void)
{
	json_t *old = json_pack("{s:{s:f}}", "summary", "client_cpu_utilisation", 0.9);

	CHECK(bound_busy(BOUND_UTIL) && !bound_busy(0.899) && !bound_busy(NAN));
	CHECK(!strcmp(bound_name(0.9, 0.95), "both"));
	CHECK(!strcmp(bound_name(0.95, 0.1), "server"));
	CHECK(!strcmp(bound_name(0.1, 0.92), "client"));
	CHECK(!strcmp(bound_name(0.1, 0.2), "neither"));
	CHECK(!bound_name(-1, 0.2) && !bound_name(0.5, NAN));
	/* an older file without cell.bound: the summary's client utilisation decides */
	CHECK(bound_cell_client(old));
	json_object_set_new(json_object_get(old, "summary"), "client_cpu_utilisation",
			    json_real(0.5));
	CHECK(!bound_cell_client(old));
	json_object_set_new(old, "bound", json_string("both"));
	CHECK(bound_cell_client(old));
	json_object_set_new(old, "bound", json_string("server"));
	CHECK(!bound_cell_client(old));
	json_decref(old);
}

static void test_table(void)
{
	int n = 0;

	for (const struct fig *f = figs; f->name; f++, n++) {
		CHECKF(fig_find(f->name) == f, "%s is not unique", f->name);
		CHECKF((f->from[0] || f->derived) && f->label && f->unit && f->head && f->fmt,
		       "%s lacks a source, label, head or format", f->name);
	}
	CHECK(n > 40);
	CHECK(fig_find("latency_us.p99")->set == FIG_HEAD);
	CHECK(fig_find("syscalls_per_request")->set == FIG_PROBED);
	CHECK(!fig_find("no.such.figure"));
}

/* a equals b, numbers within 1e-9 relative (the file keeps 12 digits). */
static bool json_near(const json_t *a, const json_t *b, const char *where)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_number(a) && json_is_number(b)) {
		double u = json_number_value(a), v = json_number_value(b);

		if (fabs(u - v) <= 1e-9 * fmax(fabs(u), fabs(v)))
			return true;
		fprintf(stderr, "%s: %.17g != %.17g\n", where, u, v);
		return false;
	}
	if (json_typeof(a) != json_typeof(b)) {
		fprintf(stderr, "%s: types differ\n", where);
		return false;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b)) {
			fprintf(stderr, "%s: keys differ\n", where);
			return false;
		}
		json_object_foreach((json_t *)a, key, x)
		{
			json_t *y = json_object_get(b, key);

			if (!y || !json_near(x, y, key))
				return false;
		}
		return true;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach((json_t *)a, i,
				   x) if (!json_near(x, json_array_get(b, i), where)) return false;
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

/* A genuine run's file: re-summarising gives it back; a broken summary is mended. */
static void test_fixture(const char *dir, const char *name)
{
	char path[4096];
	json_error_t err;
	json_t *doc, *copy, *cell;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	doc = json_load_file(path, 0, &err);
	CHECKF(doc, "%s: %s", path, err.text);
	if (!doc)
		return;
	copy = json_deep_copy(doc);
	summary_update_doc(copy);
	CHECK(json_near(doc, copy, "document"));
	cell = json_array_get(json_object_get(copy, "cells"), 0);
	json_object_set_new(doc_get(cell, "summary.requests_per_sec"), "median", json_real(1));
	json_object_del(json_object_get(cell, "summary"), "syscall_overhead_share");
	json_object_set_new(cell, "bound", json_string("both"));
	json_object_set_new(cell, "client_bound_schedule", json_false());
	json_object_set_new(json_array_get(json_object_get(cell, "runs"), 0), "outlier",
			    json_true());
	CHECK(!json_near(doc, copy, "corrupted (a difference is expected here)"));
	summary_update_doc(copy);
	CHECK(json_near(doc, copy, "mended"));
	if (!strcmp(name, "run-echo.json")) /* probed runs and a null-syscall cost */
		CHECK(num(cell, "summary.syscall_overhead_share.median") > 0);
	json_decref(copy);
	json_decref(doc);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_summary FIXTURES_DIR\n");
		return 2;
	}
	test_few_runs();
	test_outlier_and_ci();
	test_open_loop();
	test_bound_rule();
	test_table();
	test_fixture(argv[1], "run-echo.json");
	test_fixture(argv[1], "run-sweep.json");
	printf("test_summary: %d checks\n", check_count);
	return check_exit();
}
