/*
 * The summary table `ringside run` prints at the end, and the line it logs per
 * cell: read from the results document alone (results.json), so the table
 * shows what the file says. The client-bound mark is core/bound.h's rule.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/bound.h"
#include "core/doc.h"
#include "core/verdict.h"
#include "table.h"

static double num(const json_t *j, const char *path, bool *ok)
{
	char key[64];

	while (j && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		j = json_object_get(j, key);
		path += n + (dot ? 1 : 0);
	}
	*ok = json_is_number(j);
	return *ok ? json_number_value(j) : NAN;
}

/* "12.3k" style for rates, "-" for null. */
static void fmt_rate(double v, bool ok, char *buf, size_t len)
{
	if (!ok)
		snprintf(buf, len, "-");
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

static void fmt_num(double v, bool ok, char *buf, size_t len)
{
	if (!ok)
		snprintf(buf, len, "-");
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

/* The cell's summary figure at path (its median), formatted; "-" when null or missing. */
static void fig_at(const json_t *cell, const char *path, char *buf, size_t len)
{
	double v;
	bool ok = doc_fig(cell, path, &v);

	fmt_num(v, ok, buf, len);
}

/*
 * "42.1k [41.0k-43.5k]": the median requests/s and its 95% CI; a trailing "~"
 * when the CI is only [min, max] (under 6 runs). "-" without a median.
 */
static void fmt_tput(const json_t *cell, char *buf, size_t len)
{
	char med[24], lo[24], hi[24];
	double m, l, h;
	bool exact = false;

	if (!doc_fig(cell, "requests_per_sec", &m)) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_rate(m, true, med, sizeof(med));
	if (!doc_ci(cell, "requests_per_sec", &l, &h, &exact) &&
	    !doc_range(cell, "requests_per_sec", &l, &h)) {
		snprintf(buf, len, "%s", med);
		return;
	}
	fmt_rate(l, true, lo, sizeof(lo));
	fmt_rate(h, true, hi, sizeof(hi));
	snprintf(buf, len, "%s [%s-%s]%s", med, lo, hi, exact ? "" : "~");
}

/* ", noisy", ", 2 outliers", the stop reason of --repeat auto: the cell's marks. */
static void fmt_marks(const json_t *cell, char *buf, size_t len)
{
	double outliers = 0;
	const char *stopped = doc_str(cell, "repeat_stopped");

	buf[0] = '\0';
	if (json_is_true(json_object_get(cell, "noisy")))
		snprintf(buf + strlen(buf), len - strlen(buf), " noisy");
	if (doc_num(cell, "summary.outliers", &outliers) && outliers > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), " %.0f outlier%s", outliers,
			 outliers == 1 ? "" : "s");
	if (!strcmp(stopped, "max"))
		snprintf(buf + strlen(buf), len - strlen(buf), " ci-wide");
}

void table_cell_text(const json_t *cell, char *buf, size_t len)
{
	const json_t *s = json_object_get(cell, "summary");
	char rps[64], p99[32], marks[64];
	bool ok3;
	double errs;

	fmt_tput(cell, rps, sizeof(rps));
	fig_at(cell, "latency_us.p99", p99, sizeof(p99));
	fmt_marks(cell, marks, sizeof(marks));
	errs = num(s, "errors.total", &ok3);
	snprintf(buf, len, "ok after %zu runs (%s), %s req/s, p99 %s us%s%s%s",
		 json_array_size(json_object_get(cell, "runs")), doc_str(cell, "repeat_stopped"),
		 rps, p99, ok3 && errs > 0 ? ", ERRORS" : "",
		 bound_cell_client(cell) ? ", client-bound" : "", marks);
}

/* Where the load came from, when not from this machine (config.clients). */
static void table_load_origin(FILE *f, const json_t *doc)
{
	const json_t *cfg = json_object_get(doc, "config"), *cl = json_object_get(cfg, "clients"),
		     *c;
	const char *addr = json_string_value(json_object_get(cfg, "server_addr"));
	char list[512] = "";
	size_t i;

	json_array_foreach(cl, i, c)
	{
		const char *h = json_string_value(json_object_get(c, "host"))
				    ?: json_string_value(json_object_get(c, "exec"));

		if (!h)
			return;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 h);
	}
	if (list[0])
		fprintf(f, "load: %zu load generators (%s) dialling %s\n", json_array_size(cl),
			list, addr ? addr : "?");
}

/*
 * For each (workload, size, connections) in cell order, the verdict on the best
 * model against the runner-up, from results.json's verdicts (core/verdict.h).
 */
static void table_verdicts(FILE *f, const json_t *doc)
{
	json_t *list = verdict_list(doc), *v;
	char line[1024];
	size_t i;

	json_array_foreach(list, i, v)
	{
		verdict_line(v, line, sizeof(line));
		fprintf(f, "verdict: %s\n", line);
	}
	json_decref(list);
}

void table_print(FILE *f, const json_t *doc)
{
	const json_t *cells = json_object_get(doc, "cells"), *cell;
	bool any_bottleneck = false, any_errors = false, any_range = false;
	size_t i;

	fprintf(f, "%-17s %6s %-28s %4s %8s %8s %9s %8s %8s %6s %-7s %s\n", "model", "conns",
		"req/s median [95% CI]", "runs", "p50 us", "p99 us", "cpu us/rq", "ctxsw/rq",
		"sysc/rq", "errors", "bound", "status");
	json_array_foreach(cells, i, cell)
	{
		const json_t *s = json_object_get(cell, "summary");
		const char *status = json_string_value(json_object_get(cell, "status"));
		char tput[96], p50[24], p99[24], cpu[24], ctx[24], sc[24], err[24], marks[64];
		bool bott = bound_cell_client(cell), a;
		double errs = num(s, "errors.total", &a);

		fmt_tput(cell, tput, sizeof(tput));
		any_range |= tput[strlen(tput) - 1] == '~';
		fig_at(cell, "latency_us.p50", p50, sizeof(p50));
		fig_at(cell, "latency_us.p99", p99, sizeof(p99));
		fig_at(cell, "cpu_us_per_request.total", cpu, sizeof(cpu));
		fig_at(cell, "context_switches_per_request.total", ctx, sizeof(ctx));
		fig_at(cell, "syscalls_per_request", sc, sizeof(sc));
		fmt_marks(cell, marks, sizeof(marks));
		if (a)
			snprintf(err, sizeof(err), "%.0f", errs);
		else
			snprintf(err, sizeof(err), "-");
		any_errors |= a && errs > 0;
		any_bottleneck |= bott;
		fprintf(f, "%-17s %6lld %-28s %4zu %8s %8s %9s %8s %8s %6s %-7s %s%s%s%s\n",
			json_string_value(json_object_get(cell, "model")),
			(long long)json_integer_value(json_object_get(cell, "connections")), tput,
			json_array_size(json_object_get(cell, "runs")), p50, p99, cpu, ctx, sc, err,
			doc_str(cell, "bound")[0] ? doc_str(cell, "bound") : "-", status, marks,
			bott ? " (client-bound!)" : "", a && errs > 0 ? " (ERRORS!)" : "");
		if (strcmp(status, "ok"))
			fprintf(f, "  ^ %s\n",
				json_string_value(json_object_get(cell, "reason")) ?: "");
	}
	table_verdicts(f, doc);
	if (any_range)
		fprintf(f,
			"~: under 6 unprobed runs, so the interval is only [min, max], not a 95%% "
			"CI\n");
	if (any_bottleneck)
		fprintf(f,
			"warning: in the cells marked client-bound! the load generator's CPU was "
			"over %.0f%% busy (bound client or both): their figures measure the client "
			"as much as the server\n",
			100 * BOUND_UTIL);
	if (any_errors)
		fprintf(f, "warning: some runs counted errors; see results.json\n");
	table_load_origin(f, doc);
	if (strcmp(json_string_value(json_object_get(json_object_get(doc, "probes"), "mode")) ?: "",
		   "bpf"))
		fprintf(f, "syscalls/req: - (probes off: %s)\n",
			json_string_value(json_object_get(json_object_get(doc, "probes"), "reason"))
			    ?: "");
}
