/*
 * The results document (docs/results.md, schema ringside/1): its top level,
 * per-cell summaries computed from the runs (medians, min, max, with nulls
 * kept null), and the atomic write: temp file in the same directory, fsync,
 * rename, fsync of the directory.
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

#include "doc.h"
#include "cell.h"
#include "hostinfo.h"
#include "probes.h"
#include "remote.h"
#include "results.h"
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

json_t *results_new(const struct run_opts *o, const char *command)
{
	json_t *doc = json_object(), *cfg = json_object(), *models = json_array(),
	       *conns = json_array(), *layout, *probes;
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
	json_object_set_new(cfg, "repeat", json_integer(o->repeat));
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

	if (cell_probes && strcmp(o->probes, "off"))
		probes = json_pack("{s:s,s:n}", "mode", "bpf", "reason");
	else
		probes = json_pack("{s:s,s:s}", "mode", "off", "reason", cell_probes_reason);
	results_utc_now(now, sizeof(now), false);
	json_object_set_new(doc, "schema", json_string("ringside/1"));
	json_object_set_new(doc, "suite", json_string(o->suite));
	json_object_set_new(doc, "status", json_string("running"));
	json_object_set_new(doc, "started_at", json_string(now));
	json_object_set_new(doc, "finished_at", json_null());
	json_object_set_new(doc, "command", json_string(command));
	json_object_set_new(doc, "host", hostinfo_json());
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

enum fig_set { SET_HEAD, SET_PROBED };

/* One summarised figure: where it goes in summary, where it comes from in a run. */
struct fig {
	const char *to;	  /* dotted path in summary (and in spread) */
	const char *from; /* dotted path in a run */
	enum fig_set set;
	bool map; /* an object of name -> number (syscalls by name) */
};

static const struct fig figs[] = {
    {"latency_us.p50", "latency_us.p50", SET_HEAD},
    {"latency_us.p90", "latency_us.p90", SET_HEAD},
    {"latency_us.p99", "latency_us.p99", SET_HEAD},
    {"latency_us.p999", "latency_us.p999", SET_HEAD},
    {"latency_us.max", "latency_us.max", SET_HEAD},
    {"cpu_us_per_request.user", "server.cpu_us_per_request.user", SET_HEAD},
    {"cpu_us_per_request.system", "server.cpu_us_per_request.system", SET_HEAD},
    {"cpu_us_per_request.sqpoll", "server.cpu_us_per_request.sqpoll", SET_HEAD},
    {"context_switches_per_request_proc.voluntary", "server.context_switches_per_request.voluntary",
     SET_HEAD},
    {"context_switches_per_request_proc.involuntary",
     "server.context_switches_per_request.involuntary", SET_HEAD},
    {"rss_kib", "server.rss_kib", SET_HEAD},
    {"rss_kib_per_connection", "server.rss_kib_per_connection", SET_HEAD},
    {"client_cpu_utilisation", "client.cpu_utilisation", SET_HEAD},
    {"syscalls_per_request", "syscalls.server.per_request", SET_PROBED},
    {"syscalls_by_name", "syscalls.server.by_name", SET_PROBED, true},
    {"client.syscalls_per_request", "syscalls.client.per_request", SET_PROBED},
    {"client.syscalls_by_name", "syscalls.client.by_name", SET_PROBED, true},
    {"io_uring.enter_calls_per_request", "io_uring.enter_calls_per_request", SET_PROBED},
    {"io_uring.sqes_per_enter", "io_uring.sqes_per_enter", SET_PROBED},
    {"io_uring.cqes_per_enter", "io_uring.cqes_per_enter", SET_PROBED},
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double median, min, max;
	int n;
};

static struct stats stats_of(double *v, int n)
{
	struct stats s = {.n = n};

	if (!n)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static json_t *jnum(double v, bool ok)
{
	return ok && isfinite(v) ? json_real(v) : json_null();
}

/* Collects the numeric values at path over the chosen runs. */
static int collect(const json_t *runs, const char *path, enum fig_set set, double *v, int cap)
{
	size_t i;
	const json_t *run;
	int n = 0;

	json_array_foreach(runs, i, run)
	{
		const json_t *x;

		if (strcmp(json_string_value(json_object_get(run, "status")) ?: "", "ok"))
			continue;
		if (json_is_true(json_object_get(run, "probed")) != (set == SET_PROBED))
			continue;
		x = doc_get(run, path);
		if (json_is_number(x) && n < cap)
			v[n++] = json_number_value(x);
	}
	return n;
}

/* Summarises one scalar: median into summary.to, {min,max} into spread.to. */
static struct stats put_scalar(json_t *sum, json_t *spread, const json_t *runs, const char *to,
			       const char *from, enum fig_set set)
{
	double v[256];
	struct stats s = stats_of(v, collect(runs, from, set, v, 256));

	set_path(sum, to, jnum(s.median, s.n));
	set_path(spread, to,
		 json_pack("{s:o,s:o}", "min", jnum(s.min, s.n), "max", jnum(s.max, s.n)));
	return s;
}

/* A throughput figure: {median,min,max} in summary, {min,max} in spread. */
static struct stats put_triple(json_t *sum, json_t *spread, const json_t *runs, const char *key)
{
	double v[256];
	struct stats s = stats_of(v, collect(runs, key, SET_HEAD, v, 256));

	json_object_set_new(sum, key,
			    json_pack("{s:o,s:o,s:o}", "median", jnum(s.median, s.n), "min",
				      jnum(s.min, s.n), "max", jnum(s.max, s.n)));
	json_object_set_new(
	    spread, key, json_pack("{s:o,s:o}", "min", jnum(s.min, s.n), "max", jnum(s.max, s.n)));
	return s;
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
		    json_is_object(m = doc_get(run, f->from)))
			json_object_foreach((json_t *)m, name, x)
			    json_object_set(names, name, json_true());
	}
	if (!json_object_size(names)) {
		set_path(sum, f->to, json_null());
		set_path(spread, f->to, json_null());
		json_decref(names);
		json_decref(med);
		json_decref(spr);
		return;
	}
	json_object_foreach(names, name, x)
	{
		char from[256];
		double v[256];
		struct stats s;

		snprintf(from, sizeof(from), "%s.%s", f->from, name);
		s = stats_of(v, collect(runs, from, SET_PROBED, v, 256));
		json_object_set_new(med, name, jnum(s.median, s.n));
		json_object_set_new(
		    spr, name,
		    json_pack("{s:o,s:o}", "min", jnum(s.min, s.n), "max", jnum(s.max, s.n)));
	}
	set_path(sum, f->to, med);
	set_path(spread, f->to, spr);
	json_decref(names);
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
	struct stats rps, rps_probed, ctx_bpf;
	double v[256];

	put_sums(sum, runs);
	rps = put_triple(sum, spread, runs, "requests_per_sec");
	put_triple(sum, spread, runs, "bytes_per_sec");
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		if (figs[i].map)
			put_map(sum, spread, runs, &figs[i]);
		else
			put_scalar(sum, spread, runs, figs[i].to, figs[i].from, figs[i].set);
	}
	/* Context switches: from BPF when probed runs have them, else /proc. */
	ctx_bpf =
	    stats_of(v, collect(runs, "context_switches_bpf.server.voluntary", SET_PROBED, v, 256));
	if (ctx_bpf.n) {
		put_scalar(sum, spread, runs, "context_switches_per_request.voluntary",
			   "context_switches_bpf.server.voluntary", SET_PROBED);
		put_scalar(sum, spread, runs, "context_switches_per_request.involuntary",
			   "context_switches_bpf.server.involuntary", SET_PROBED);
	} else {
		json_object_set_new(
		    sum, "context_switches_per_request",
		    json_deep_copy(json_object_get(sum, "context_switches_per_request_proc")));
		json_object_set_new(
		    spread, "context_switches_per_request",
		    json_deep_copy(json_object_get(spread, "context_switches_per_request_proc")));
	}
	rps_probed = stats_of(v, collect(runs, "requests_per_sec", SET_PROBED, v, 256));
	json_object_set_new(
	    sum, "probe_overhead",
	    jnum(rps_probed.median / rps.median, rps.n && rps_probed.n && rps.median > 0));
	json_object_set_new(sum, "spread", spread);
	return sum;
}

void results_add_cell(json_t *doc, json_t *cell)
{
	json_object_set_new(cell, "summary", results_summarise(cell));
	json_array_append_new(json_object_get(doc, "cells"), cell);
}

/* ---- files ---- */

int results_write(const char *path, const json_t *doc)
{
	struct fs_out out;
	FILE *f = fs_out_open(&out, path);

	if (!f)
		return -1;
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
