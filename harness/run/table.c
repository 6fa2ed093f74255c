/*
 * What `ringside run` prints: a progress line on stderr when it is a terminal,
 * otherwise one log line per cell, and the summary table on stdout at the end,
 * all read back from the cells' JSON so the table shows what results.json says.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "table.h"
#include "log.h"

static bool progress_shown;

void table_fmt_duration(double s, char *buf, size_t len)
{
	long t = s > 0 ? (long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, len, "%lds", t);
}

void table_progress(const struct run_opts *o, const struct cell_spec *c, int rep, bool probed,
		    double eta_s)
{
	char eta[32];

	if (o->quiet || !isatty(STDERR_FILENO))
		return;
	table_fmt_duration(eta_s, eta, sizeof(eta));
	fprintf(stderr, "\r\033[Kcell %d/%d %s c=%lu run %d/%lu%s, ETA %s", c->index + 1, c->total,
		c->model, c->connections, rep + 1, o->repeat, probed ? " (probed)" : "", eta);
	fflush(stderr);
	progress_shown = true;
}

void table_progress_done(void)
{
	if (progress_shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		progress_shown = false;
	}
}

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

/* The figure at path in s, formatted; "-" when it is null or missing. */
static void rate_at(const json_t *s, const char *path, char *buf, size_t len)
{
	bool ok;
	double v = num(s, path, &ok);

	fmt_rate(v, ok, buf, len);
}

static void num_at(const json_t *s, const char *path, char *buf, size_t len)
{
	bool ok;
	double v = num(s, path, &ok);

	fmt_num(v, ok, buf, len);
}

/* The sum of the figures at the paths; "-" if any is null. */
static void sum_at(const json_t *s, const char *const *paths, char *buf, size_t len)
{
	double total = 0;
	bool all = true;

	for (int i = 0; paths[i]; i++) {
		bool ok;
		double v = num(s, paths[i], &ok);

		all &= ok;
		total += ok ? v : 0;
	}
	fmt_num(total, all, buf, len);
}

static bool client_bottleneck(const json_t *cell)
{
	const json_t *runs = json_object_get(cell, "runs"), *run;
	size_t i;

	json_array_foreach(runs, i, run)
	{
		if (json_is_true(json_object_get(json_object_get(run, "client"), "bottleneck")))
			return true;
	}
	return false;
}

void table_cell_line(const struct run_opts *o, const struct cell_spec *c, const json_t *cell)
{
	const json_t *s = json_object_get(cell, "summary");
	const char *status = json_string_value(json_object_get(cell, "status"));
	char rps[32], p99[32];
	bool ok3;
	double errs;

	if (o->quiet)
		return;
	table_progress_done();
	if (strcmp(status, "ok")) {
		LOG_INFO("cell %d/%d %s %s c=%lu: %s: %s", c->index + 1, c->total,
			 c->workload->name, c->model, c->connections, status,
			 json_string_value(json_object_get(cell, "reason")));
		return;
	}
	rate_at(s, "requests_per_sec.median", rps, sizeof(rps));
	num_at(s, "latency_us.p99", p99, sizeof(p99));
	errs = num(s, "errors.total", &ok3);
	LOG_INFO("cell %d/%d %s %s c=%lu: ok, %s req/s, p99 %s us%s%s", c->index + 1, c->total,
		 c->workload->name, c->model, c->connections, rps, p99,
		 ok3 && errs > 0 ? ", ERRORS" : "",
		 client_bottleneck(cell) ? ", client-bound" : "");
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

void table_print(FILE *f, const json_t *doc)
{
	const json_t *cells = json_object_get(doc, "cells"), *cell;
	bool any_bottleneck = false, any_errors = false;
	size_t i;

	fprintf(f, "%-17s %6s %-26s %9s %9s %9s %8s %8s %7s %s\n", "model", "conns",
		"req/s median [min-max]", "p50 us", "p99 us", "cpu us/rq", "ctxsw/rq", "sysc/rq",
		"errors", "status");
	json_array_foreach(cells, i, cell)
	{
		static const char *const cpu_paths[] = {"cpu_us_per_request.user",
							"cpu_us_per_request.system",
							"cpu_us_per_request.sqpoll", NULL};
		static const char *const ctx_paths[] = {"context_switches_per_request.voluntary",
							"context_switches_per_request.involuntary",
							NULL};
		const json_t *s = json_object_get(cell, "summary");
		const char *status = json_string_value(json_object_get(cell, "status"));
		char med[24], lo[24], hi[24], tput[96], p50[24], p99[24], cpu[24], ctx[24], sc[24],
		    err[24];
		bool bott = client_bottleneck(cell), a;
		double errs = num(s, "errors.total", &a);

		rate_at(s, "requests_per_sec.median", med, sizeof(med));
		rate_at(s, "requests_per_sec.min", lo, sizeof(lo));
		rate_at(s, "requests_per_sec.max", hi, sizeof(hi));
		if (strcmp(med, "-"))
			snprintf(tput, sizeof(tput), "%s [%s-%s]", med, lo, hi);
		else
			snprintf(tput, sizeof(tput), "-");
		num_at(s, "latency_us.p50", p50, sizeof(p50));
		num_at(s, "latency_us.p99", p99, sizeof(p99));
		sum_at(s, cpu_paths, cpu, sizeof(cpu));
		sum_at(s, ctx_paths, ctx, sizeof(ctx));
		num_at(s, "syscalls_per_request", sc, sizeof(sc));
		if (a)
			snprintf(err, sizeof(err), "%.0f", errs);
		else
			snprintf(err, sizeof(err), "-");
		any_errors |= a && errs > 0;
		any_bottleneck |= bott;
		fprintf(f, "%-17s %6lld %-26s %9s %9s %9s %8s %8s %7s %s%s%s\n",
			json_string_value(json_object_get(cell, "model")),
			(long long)json_integer_value(json_object_get(cell, "connections")), tput,
			p50, p99, cpu, ctx, sc, err, status, bott ? " (client-bound!)" : "",
			a && errs > 0 ? " (ERRORS!)" : "");
		if (strcmp(status, "ok"))
			fprintf(f, "  ^ %s\n",
				json_string_value(json_object_get(cell, "reason")) ?: "");
	}
	if (any_bottleneck)
		fprintf(f, "warning: the load generator used over 90%% of its CPU in some runs "
			   "(client-bound!): those figures measure the client, not the server\n");
	if (any_errors)
		fprintf(f, "warning: some runs counted errors; see results.json\n");
	table_load_origin(f, doc);
	if (strcmp(json_string_value(json_object_get(json_object_get(doc, "probes"), "mode")) ?: "",
		   "bpf"))
		fprintf(f, "syscalls/req: - (probes off: %s)\n",
			json_string_value(json_object_get(json_object_get(doc, "probes"), "reason"))
			    ?: "");
}
