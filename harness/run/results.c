/*
 * The results document (docs/results.md, schema ringside/1): its top level,
 * per-cell summaries computed from the runs (medians with their 95% CI from
 * stats.c, nulls kept null), outlier marks, and the atomic write: temp file in the same directory,
 * fsync, rename, fsync of the directory.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/doc.h"
#include "core/stats.h"
#include "core/verdict.h"
#include "cell.h"
#include "sys/hostinfo.h"
#include "remote.h"
#include "results.h"
#include "results_int.h"
#include "sweep.h"
#include "fsio.h"
#include "log.h"
#include "opts.h"

void results_utc_now(char *buf, size_t len, bool compact)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void results_utc_precise(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", sec, ts.tv_nsec / 1000);
}

char *results_quote_argv(int argc, char *const argv[])
{
	size_t cap = 16;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		cap += strlen(argv[i]) * 4 + 3;
	s = p = calloc(1, cap);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool plain = *a != '\0';

		for (const char *q = a; *q && plain; q++)
			plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789-_./=:,+@%",
				       *q) != NULL;
		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (const char *q = a; *q; q++) {
			if (*q == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *q;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

static json_t *cpus_json(const cpu_set_t *set)
{
	char buf[256];

	format_cpu_list(set, buf, sizeof(buf));
	return json_string(buf);
}

json_t *results_new(const struct run_opts *o, const struct cell_plan *plan, const char *probes_off,
		    const char *command)
{
	json_t *doc = json_object(), *cfg = json_object(), *models = json_array(),
	       *conns = json_array(), *server_args = json_array(), *layout, *probes, *host;
	bool echo = !strcmp(o->workload->name, "echo");
	char now[40];

	for (int i = 0; i < o->nmodels; i++)
		json_array_append_new(models, json_string(o->models[i]));
	for (int i = 0; i < o->nconns; i++)
		json_array_append_new(conns, json_integer(o->conns[i]));
	layout = json_pack("{s:o,s:o,s:o,s:o,s:b}", "server", cpus_json(&o->server_cpus), "client",
			   cpus_json(&o->client_cpus), "origin", cpus_json(&o->origin_cpus),
			   "sqpoll", o->sq_cpu >= 0 ? json_sprintf("%d", o->sq_cpu) : json_null(),
			   "shared", o->shared_cpu);
	json_object_set_new(cfg, "workload", json_string(o->workload->name));
	json_object_set_new(cfg, "models", models);
	json_object_set_new(cfg, "connections", conns);
	json_object_set_new(cfg, "payload_bytes", echo ? json_integer(o->size) : json_null());
	json_object_set_new(cfg, "body_bytes", echo ? json_null() : json_integer(o->size));
	json_object_set_new(cfg, "origin", echo ? json_null() : json_string(o->origin));
	json_object_set_new(cfg, "duration_s", json_real(o->duration_s));
	json_object_set_new(cfg, "warmup_s", json_real(o->warmup_s));
	json_object_set_new(cfg, "warmup_per_connection_s", json_real(o->warmup_per_conn_s));
	json_object_set_new(cfg, "repeat",
			    o->repeat ? json_integer(o->repeat) : json_string("auto"));
	json_object_set_new(cfg, "target_ci_pct", json_real(o->target_ci_pct));
	json_object_set_new(cfg, "max_repeat", json_integer(o->max_repeat));
	json_object_set_new(cfg, "order",
			    json_string(o->sequential ? "sequential" : "interleaved"));
	json_object_set_new(cfg, "seed", json_integer((json_int_t)o->seed));
	for (int i = 0; i < o->nserver_args; i++)
		json_array_append_new(server_args, json_string(o->server_args[i]));
	json_object_set_new(cfg, "server_args", server_args);
	json_object_set_new(cfg, "load_threads",
			    json_integer(o->load_threads
					     ? o->load_threads
					     : (unsigned long)CPU_COUNT(&o->client_cpus)));
	json_object_set_new(cfg, "depth", json_integer(o->depth));
	json_object_set_new(cfg, "rate", o->rate > 0 ? json_real(o->rate) : json_null());
	json_object_set_new(cfg, "timeout_s", json_real(o->timeout_s));
	json_object_set_new(cfg, "probes", json_string(o->probes));
	json_object_set_new(cfg, "cpu_layout", layout);
	json_object_set_new(cfg, "server_addr",
			    json_string(o->server_addr ? o->server_addr : "127.0.0.1"));
	json_object_set_new(cfg, "clients", remote_config_json(o->remote, o));
	run_custom_config(o, cfg);
	sweep_config_json(o, cfg);

	if (plan->probes)
		probes = json_pack("{s:s,s:n}", "mode", "bpf", "reason");
	else
		probes = json_pack("{s:s,s:s}", "mode", "off", "reason", probes_off);
	results_utc_now(now, sizeof(now), false);
	json_object_set_new(doc, "schema", json_string("ringside/1"));
	json_object_set_new(doc, "suite", json_string(o->suite));
	json_object_set_new(doc, "status", json_string("running"));
	json_object_set_new(doc, "started_at", json_string(now));
	json_object_set_new(doc, "finished_at", json_null());
	json_object_set_new(doc, "command", json_string(command));
	host = hostinfo_json();
	json_object_set_new(host, "null_syscall_ns", results_time_host(o));
	json_object_set_new(doc, "host", host);
	json_object_set_new(doc, "config", cfg);
	json_object_set_new(doc, "probes", probes);
	json_object_set_new(doc, "cells", json_array());
	return doc;
}

void results_set_status(json_t *doc, const char *status)
{
	char now[40];

	json_object_set_new(doc, "status", json_string(status));
	if (strcmp(status, "running")) {
		results_utc_now(now, sizeof(now), false);
		json_object_set_new(doc, "finished_at", json_string(now));
	}
}

/* ---- summaries ---- */

static const struct fig figs[] = {
    {"requests_per_sec", {"requests_per_sec"}, SET_HEAD, FIG_OBJ},
    {"bytes_per_sec", {"bytes_per_sec"}, SET_HEAD, FIG_OBJ},
    {"latency_us.p50", {"latency_us.p50"}, SET_HEAD, FIG_OBJ},
    {"latency_us.p90", {"latency_us.p90"}, SET_HEAD, FIG_OBJ},
    {"latency_us.p99", {"latency_us.p99"}, SET_HEAD, FIG_OBJ},
    {"latency_us.p999", {"latency_us.p999"}, SET_HEAD, FIG_OBJ},
    {"latency_us.max", {"latency_us.max"}, SET_HEAD, FIG_OBJ},
    {"cpu_us_per_request.user", {"server.cpu_us_per_request.user"}, SET_HEAD, FIG_OBJ},
    {"cpu_us_per_request.system", {"server.cpu_us_per_request.system"}, SET_HEAD, FIG_OBJ},
    {"cpu_us_per_request.sqpoll", {"server.cpu_us_per_request.sqpoll"}, SET_HEAD, FIG_OBJ},
    {"cpu_us_per_request.total",
     {"server.cpu_us_per_request.user", "server.cpu_us_per_request.system",
      "server.cpu_us_per_request.sqpoll"},
     SET_HEAD,
     FIG_OBJ,
     true},
    {"cpu_us_per_request_core", {"server.cpu_us_per_request_core"}, SET_HEAD, FIG_OBJ, true, true},
    {"context_switches_per_request_proc.voluntary",
     {"server.context_switches_per_request.voluntary"},
     SET_HEAD,
     FIG_NUM},
    {"context_switches_per_request_proc.involuntary",
     {"server.context_switches_per_request.involuntary"},
     SET_HEAD,
     FIG_NUM},
    {"rss_kib", {"server.rss_kib"}, SET_HEAD, FIG_NUM},
    {"rss_kib_per_connection", {"server.rss_kib_per_connection"}, SET_HEAD, FIG_NUM},
    {"client_cpu_utilisation", {"client.cpu_utilisation"}, SET_HEAD, FIG_NUM},
    {"schedule_lag_us.p50", {"load.schedule_lag_us.p50"}, SET_HEAD, FIG_OBJ},
    {"schedule_lag_us.p99", {"load.schedule_lag_us.p99"}, SET_HEAD, FIG_OBJ},
    {"schedule_lag_us.max", {"load.schedule_lag_us.max"}, SET_HEAD, FIG_OBJ},
    {"syscalls_per_request", {"syscalls.server.per_request"}, SET_PROBED, FIG_OBJ},
    {"syscalls_by_name", {"syscalls.server.by_name"}, SET_PROBED, FIG_MAP},
    {"client.syscalls_per_request", {"syscalls.client.per_request"}, SET_PROBED, FIG_NUM},
    {"client.syscalls_by_name", {"syscalls.client.by_name"}, SET_PROBED, FIG_MAP},
    {"io_uring.enter_calls_per_request", {"io_uring.enter_calls_per_request"}, SET_PROBED, FIG_NUM},
    {"io_uring.sqes_per_enter", {"io_uring.sqes_per_enter"}, SET_PROBED, FIG_NUM},
    {"io_uring.cqes_per_enter", {"io_uring.cqes_per_enter"}, SET_PROBED, FIG_NUM},
};

/* Context switches: from BPF when probed runs have them ([0]), else from /proc ([1]). */
static const struct fig ctx_figs[2][3] = {
    {{"context_switches_per_request.voluntary",
      {"context_switches_bpf.server.voluntary"},
      SET_PROBED,
      FIG_OBJ},
     {"context_switches_per_request.involuntary",
      {"context_switches_bpf.server.involuntary"},
      SET_PROBED,
      FIG_OBJ},
     {"context_switches_per_request.total",
      {"context_switches_bpf.server.voluntary", "context_switches_bpf.server.involuntary"},
      SET_PROBED,
      FIG_OBJ,
      true}},
    {{"context_switches_per_request.voluntary",
      {"server.context_switches_per_request.voluntary"},
      SET_HEAD,
      FIG_OBJ},
     {"context_switches_per_request.involuntary",
      {"server.context_switches_per_request.involuntary"},
      SET_HEAD,
      FIG_OBJ},
     {"context_switches_per_request.total",
      {"server.context_switches_per_request.voluntary",
       "server.context_switches_per_request.involuntary"},
      SET_HEAD,
      FIG_OBJ,
      true}},
};

/* Sets obj.path (creating intermediate objects), stealing v. */
static void set_path(json_t *obj, const char *path, json_t *v)
{
	char key[64];

	for (;;) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		json_t *next;

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!dot) {
			json_object_set_new(obj, key, v ? v : json_null());
			return;
		}
		next = json_object_get(obj, key);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(obj, key, next);
		}
		obj = next;
		path = dot + 1;
	}
}

static json_t *jnum(double v, bool ok)
{
	return ok && isfinite(v) ? json_real(v) : json_null();
}

static bool run_in_set(const json_t *run, enum fig_set set)
{
	return !strcmp(doc_str(run, "status"), "ok") &&
	       json_is_true(json_object_get(run, "probed")) == (set == SET_PROBED);
}

/* The sum of the numbers at the paths in run; false when one is missing. */
static bool run_value(const json_t *run, const char *const *from, int nfrom, double *out)
{
	double sum = 0, x;

	for (int k = 0; k < nfrom && from[k]; k++) {
		if (!doc_num(run, from[k], &x))
			return false;
		sum += x;
	}
	*out = sum;
	return true;
}

/* Collects the figure's values over the chosen runs; runs_out (if given) gets the runs. */
static int collect(const json_t *runs, const char *const *from, int nfrom, enum fig_set set,
		   double *v, const json_t **runs_out, int cap)
{
	const json_t *run;
	size_t i;
	int n = 0;

	json_array_foreach(runs, i, run)
	{
		if (n < cap && run_in_set(run, set) && run_value(run, from, nfrom, &v[n])) {
			if (runs_out)
				runs_out[n] = run;
			n++;
		}
	}
	return n;
}

static int collect1(const json_t *runs, const char *path, enum fig_set set, double *v, int cap)
{
	return collect(runs, &path, 1, set, v, NULL, cap);
}

/* {"median","min","max","n","ci95","ci95_kind"}: nulls when n = 0. */
static json_t *fig_json(const struct stats_sum *s)
{
	bool ok = s->n > 0;

	return json_pack(
	    "{s:o,s:o,s:o,s:i,s:o,s:o}", "median", jnum(s->median, ok), "min", jnum(s->min, ok),
	    "max", jnum(s->max, ok), "n", s->n, "ci95",
	    ok ? json_pack("[o,o]", jnum(s->ci_lo, true), jnum(s->ci_hi, true)) : json_null(),
	    "ci95_kind", ok ? json_string(s->ci_exact ? "order-statistic" : "range") : json_null());
}

static void put_fig(json_t *sum, json_t *spread, const json_t *runs, const struct fig *f)
{
	double v[RUN_VALUES_MAX];
	struct stats_sum s;

	stats_summarise(v, collect(runs, f->from, 3, f->set, v, NULL, RUN_VALUES_MAX), &s);
	if (f->optional && !s.n)
		return;
	set_path(sum, f->to, f->kind == FIG_OBJ ? fig_json(&s) : jnum(s.median, s.n));
	if (!f->no_spread)
		set_path(spread, f->to,
			 json_pack("{s:o,s:o}", "min", jnum(s.min, s.n), "max", jnum(s.max, s.n)));
}

static void put_map(json_t *sum, json_t *spread, const json_t *runs, const struct fig *f)
{
	json_t *names = json_object(), *med = json_object(), *spr = json_object();
	const json_t *run, *m;
	const char *name;
	size_t i;
	json_t *x;

	json_array_foreach(runs, i, run)
	{
		if (json_is_true(json_object_get(run, "probed")) &&
		    json_is_object(m = doc_get(run, f->from[0])))
			json_object_foreach((json_t *)m, name, x)
			    json_object_set(names, name, json_true());
	}
	if (!json_object_size(names)) {
		set_path(sum, f->to, json_null());
		if (!f->no_spread)
			set_path(spread, f->to, json_null());
		json_decref(names);
		json_decref(med);
		json_decref(spr);
		return;
	}
	json_object_foreach(names, name, x)
	{
		char from[256];
		double v[RUN_VALUES_MAX];
		struct stats_sum s;

		snprintf(from, sizeof(from), "%s.%s", f->from[0], name);
		stats_summarise(v, collect1(runs, from, SET_PROBED, v, RUN_VALUES_MAX), &s);
		json_object_set_new(med, name, jnum(s.median, s.n));
		json_object_set_new(
		    spr, name,
		    json_pack("{s:o,s:o}", "min", jnum(s.min, s.n), "max", jnum(s.max, s.n)));
	}
	set_path(sum, f->to, med);
	if (f->no_spread)
		json_decref(spr);
	else
		set_path(spread, f->to, spr);
	json_decref(names);
}

void results_put(json_t *sum, json_t *spread, const json_t *runs, const struct fig *f)
{
	if (f->kind == FIG_MAP)
		put_map(sum, spread, runs, f);
	else
		put_fig(sum, spread, runs, f);
}

int results_collect(const json_t *runs, const char *const *from, int nfrom, enum fig_set set,
		    double *v, int cap)
{
	return collect(runs, from, nfrom, set, v, NULL, cap);
}

void results_set_path(json_t *obj, const char *path, json_t *v)
{
	set_path(obj, path, v);
}

/* requests and errors: sums over every run that has them (null if none does). */
static void put_sums(json_t *sum, const json_t *runs)
{
	static const char *const ekeys[] = {"connect",	"reset",  "timeout",
					    "mismatch", "status", "total"};
	json_int_t req = 0, err[6] = {0};
	bool have_req = false, have_err = false;
	const json_t *run;
	size_t i;

	json_array_foreach(runs, i, run)
	{
		const json_t *r = json_object_get(run, "requests"), *e;

		if (json_is_number(r)) {
			req += (json_int_t)json_number_value(r);
			have_req = true;
		}
		e = json_object_get(run, "errors");
		if (json_is_object(e)) {
			have_err = true;
			for (int k = 0; k < 6; k++) {
				const json_t *x = json_object_get(e, ekeys[k]);
				err[k] += json_is_number(x) ? (json_int_t)json_number_value(x) : 0;
			}
		}
	}
	json_object_set_new(sum, "requests", have_req ? json_integer(req) : json_null());
	if (have_err) {
		json_t *e = json_object();

		for (int k = 0; k < 6; k++)
			json_object_set_new(e, ekeys[k], json_integer(err[k]));
		json_object_set_new(sum, "errors", e);
	} else {
		json_object_set_new(sum, "errors", json_null());
	}
}

json_t *results_summarise(const json_t *cell)
{
	const json_t *runs = json_object_get(cell, "runs");
	json_t *sum = json_object(), *spread = json_object();
	double v[RUN_VALUES_MAX], rps, rps_probed;
	int n, np;
	bool bpf;

	put_sums(sum, runs);
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
		results_put(sum, spread, runs, &figs[i]);
	bpf = collect1(runs, ctx_figs[0][0].from[0], SET_PROBED, v, RUN_VALUES_MAX) > 0;
	for (int k = 0; k < 3; k++)
		put_fig(sum, spread, runs, &ctx_figs[bpf ? 0 : 1][k]);
	results_time_summarise(sum, spread, runs);
	n = collect1(runs, "requests_per_sec", SET_HEAD, v, RUN_VALUES_MAX);
	rps = stats_median(v, n);
	np = collect1(runs, "requests_per_sec", SET_PROBED, v, RUN_VALUES_MAX);
	rps_probed = stats_median(v, np);
	json_object_set_new(sum, "probe_overhead", jnum(rps_probed / rps, n && np && rps > 0));
	json_object_set_new(sum, "spread", spread);
	return sum;
}

double results_ci_halfwidth_pct(const json_t *cell)
{
	double v[RUN_VALUES_MAX];
	struct stats_sum s;

	stats_summarise(v,
			collect1(json_object_get(cell, "runs"), "requests_per_sec", SET_HEAD, v,
				 RUN_VALUES_MAX),
			&s);
	return stats_ci_halfwidth_pct(&s);
}

/* Marks each unprobed run whose requests/s has |modified z| > 3.5; returns how many. */
static int mark_outliers(const json_t *runs)
{
	static const char *const from[] = {"requests_per_sec"};
	double v[RUN_VALUES_MAX], z[RUN_VALUES_MAX];
	const json_t *who[RUN_VALUES_MAX], *run;
	int n = collect(runs, from, 1, SET_HEAD, v, who, RUN_VALUES_MAX), count = 0;
	size_t i;

	json_array_foreach(runs, i, run)
	    json_object_set_new((json_t *)run, "outlier", json_false());
	stats_modified_z(v, n, z);
	for (int k = 0; k < n; k++) {
		bool out = fabs(z[k]) > STATS_OUTLIER_Z;

		json_object_set_new((json_t *)who[k], "outlier", json_boolean(out));
		count += out;
	}
	return count;
}

/* What bound the cell: from the medians of the unprobed runs' utilisations. */
static json_t *cell_bound(const json_t *runs)
{
	double v[RUN_VALUES_MAX], server, client;
	int ns = collect1(runs, "server_cpu_utilisation", SET_HEAD, v, RUN_VALUES_MAX);
	bool s_bound, c_bound;

	server = stats_median(v, ns);
	client =
	    stats_median(v, collect1(runs, "client.cpu_utilisation", SET_HEAD, v, RUN_VALUES_MAX));
	if (!isfinite(server) || !isfinite(client))
		return json_null();
	s_bound = server >= RESULTS_BOUND_UTIL;
	c_bound = client >= RESULTS_BOUND_UTIL;
	return json_string(s_bound && c_bound ? "both"
			   : s_bound	      ? "server"
			   : c_bound	      ? "client"
					      : "neither");
}

void results_update_cell(json_t *cell)
{
	const json_t *runs = json_object_get(cell, "runs"), *run;
	int outliers = mark_outliers(runs), noisy = 0;
	json_t *sum = results_summarise(cell);
	size_t i;

	json_array_foreach(runs, i, run)
	{
		if (run_in_set(run, SET_HEAD) && json_is_true(doc_get(run, "noise.noisy")))
			noisy++;
	}
	json_object_set_new(sum, "outliers", json_integer(outliers));
	json_object_set_new(sum, "noisy_runs", json_integer(noisy));
	json_object_set_new(cell, "noisy", json_boolean(noisy > 0));
	json_object_set_new(cell, "bound", cell_bound(runs));
	json_object_set_new(cell, "summary", sum);
	sweep_mark_cell(cell); /* open loop: the client's lag against its schedule */
}

/* ---- files ---- */

int results_write(const char *path, const json_t *doc)
{
	struct fs_out out;
	FILE *f = fs_out_open(&out, path);

	if (!f)
		return -1;
	/* The verdicts are data: recomputed from the cells at every write (core/verdict.h). */
	verdict_attach((json_t *)doc);
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) || fputc('\n', f) == EOF) {
		PLOG_ERR("cannot write %s", out.tmp);
		fs_out_abort(&out);
		return -1;
	}
	return fs_out_commit(&out);
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

int results_make_dir(const char *base, char *out, size_t len)
{
	if (mkdir_parents(base)) {
		PLOG_ERR("cannot create the parents of %s", base);
		return -1;
	}
	for (int i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(out, len, "%s", base);
		else
			snprintf(out, len, "%s-%d", base, i);
		if (!mkdir(out, 0755))
			return 0;
		if (errno != EEXIST) {
			PLOG_ERR("cannot create %s", out);
			return -1;
		}
		/* An existing empty directory (e.g. from mktemp -d) is fine to use. */
		if (i == 1 && dir_is_empty(out))
			return 0;
	}
	LOG_ERR("cannot find a free name for %s", base);
	return -1;
}
