/*
 * Remote load generators, the measuring half (remote.h): one ringside-load per
 * host under ssh or the exec prefix, stdin a pipe we hold (--exit-on-stdin-eof),
 * stdout a pipe carrying "start"/"stop" then its JSON (--phase-fd 1); the
 * common window (last start to first stop) and the exact merge of their JSON.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hist_json.h"
#include "remote.h"
#include "remote_cmd.h"
#include "load_cmd.h"
#include "log.h"
#include "clock.h"

#define OUT_MAX	     (8u << 20) /* a load generator's stdout: phase lines + JSON */
#define STOP_WAIT_MS 2000

struct remote_child {
	const struct remote_host *h;
	struct proc_child p;
	int in_w, out_r; /* our ends: its stdin, its stdout (-1 once closed) */
	char *buf;	 /* its stdout so far */
	size_t used, cap, scan, json_at;
	bool in_json, started, stopped, exited;
	unsigned long conns;
};

struct remote_run {
	struct remote_set *s;
	struct remote_child c[REMOTE_MAX];
	int n, nstarted;
	bool started, stopped; /* the common window's ends were reported */
	uint64_t t0, t1;
	char target[300];
};

static void child_init(struct remote_child *k)
{
	memset(k, 0, sizeof(*k));
	k->in_w = k->out_r = -1;
	k->p.pidfd = k->p.out_fd = k->p.err_fd = -1;
}

static int spawn_one(struct remote_run *r, struct remote_child *k, const struct run_opts *o,
		     const struct cell_spec *c, int i, char *why, size_t len)
{
	struct load_cmd lc;
	struct remote_argv a;
	int in[2], out[2];

	k->conns = remote_share(c->connections, r->n, i);
	if (load_cmd_build(&lc, o, c,
			   &(struct load_cmd_share){
			       .bin = k->h->load,
			       .target = r->target,
			       .conns = k->conns,
			       .rate = o->rate > 0 ? remote_rate_share(o->rate, r->n, i) : 0,
			       .remote = true}) ||
	    remote_argv(r->s, k->h, lc.argv, NULL, &a)) {
		snprintf(why, len, "load generator on %s: cannot build its command line",
			 k->h->spec);
		return -1;
	}
	if (pipe2(in, O_CLOEXEC))
		goto pipe_fail;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		goto pipe_fail;
	}
	/* Pinned like a local load generator: --client-exec ones run on this machine. */
	if (proc_spawn_io(&k->p, "load generator", a.argv, in[0], out[1], -1, &o->client_cpus)) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		snprintf(why, len, "load generator on %s: cannot start %s", k->h->spec, a.argv[0]);
		return -1;
	}
	close(in[0]);
	close(out[1]);
	k->in_w = in[1];
	k->out_r = out[0];
	fcntl(k->out_r, F_SETFL, O_NONBLOCK);
	return 0;
pipe_fail:
	snprintf(why, len, "pipe: %s", strerror(errno));
	return -1;
}

struct remote_run *remote_run_start(struct remote_set *s, const struct run_opts *o,
				    const struct cell_spec *c, unsigned port, char *why, size_t len)
{
	struct remote_run *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	r->s = s;
	r->n = s->n;
	remote_target(s->server_addr, port, r->target, sizeof(r->target));
	for (int i = 0; i < r->n; i++)
		child_init(&r->c[i]);
	for (int i = 0; i < r->n; i++) {
		r->c[i].h = &s->h[i];
		if (spawn_one(r, &r->c[i], o, c, i, why, len)) {
			remote_run_free(r);
			return NULL;
		}
	}
	return r;
}

static int on_line(struct remote_run *r, struct remote_child *k, const char *line,
		   const struct remote_hooks *h, char *why, size_t len)
{
	if (!strcmp(line, "start")) {
		if (k->started)
			return 0;
		k->started = true;
		if (++r->nstarted < r->n)
			return 0;
		r->t0 = now_ns();
		r->started = true;
		return h->phase(h->ctx, true);
	}
	if (!strcmp(line, "stop")) {
		if (k->stopped || !k->started)
			return 0;
		k->stopped = true;
		if (r->stopped)
			return 0;
		if (!r->started) {
			for (int i = 0; i < r->n; i++)
				if (!r->c[i].started) {
					snprintf(why, len,
						 "the hosts' measured windows did not overlap: %s "
						 "stopped before %s started (a longer --warmup or "
						 "--duration helps)",
						 k->h->spec, r->c[i].h->spec);
					break;
				}
			return -1;
		}
		r->t1 = now_ns();
		r->stopped = true;
		return h->phase(h->ctx, false);
	}
	return 0;
}

/* Reads what k's stdout has; phase lines go to on_line until its JSON begins. */
static int drain(struct remote_run *r, struct remote_child *k, const struct remote_hooks *h,
		 char *why, size_t len)
{
	for (int iter = 0; iter < 256 && k->out_r >= 0; iter++) {
		ssize_t n;

		if (k->cap - k->used < 4096) {
			size_t cap = k->cap ? k->cap * 2 : 16384;
			char *b = cap <= OUT_MAX ? realloc(k->buf, cap + 1) : NULL;

			if (!b) {
				snprintf(why, len, "load generator on %s wrote over %u bytes",
					 k->h->spec, OUT_MAX);
				return -1;
			}
			k->buf = b;
			k->cap = cap;
		}
		n = read(k->out_r, k->buf + k->used, k->cap - k->used);
		if (n == 0) {
			close(k->out_r);
			k->out_r = -1;
		}
		if (n <= 0)
			break;
		k->used += (size_t)n;
		k->buf[k->used] = '\0';
		while (!k->in_json) {
			char *nl = memchr(k->buf + k->scan, '\n', k->used - k->scan);
			char *line = k->buf + k->scan;

			if (!nl)
				break;
			*nl = '\0';
			if (strcmp(line, "start") && strcmp(line, "stop")) {
				*nl = '\n';
				k->in_json = true;
				k->json_at = k->scan;
				break;
			}
			k->scan = (size_t)(nl + 1 - k->buf);
			if (on_line(r, k, line, h, why, len))
				return -1;
		}
	}
	return 0;
}

static void child_failed(struct remote_child *k, char *why, size_t len)
{
	char how[96], last[200];

	proc_describe(k->p.status, how, sizeof(how));
	proc_last_line(k->p.err_fd, last, sizeof(last));
	/* ssh exits 255 on its own errors; the last stderr line is ssh's or the remote's. */
	snprintf(why, len, "load generator on %s %s%s%s", k->h->spec, how, last[0] ? ": " : "",
		 last);
}

enum remote_rc remote_run_follow(struct remote_run *r, const struct remote_hooks *h, double limit_s,
				 char *why, size_t len)
{
	uint64_t deadline = now_ns() + (uint64_t)(limit_s * 1e9);
	int left = r->n;

	for (int iter = 0; iter < 10000000 && left > 0; iter++) {
		struct pollfd pf[2 * REMOTE_MAX];
		int np = 0;

		if (run_interrupted)
			return REMOTE_INTERRUPTED;
		if (now_ns() >= deadline) {
			for (int i = 0; i < r->n; i++)
				if (!r->c[i].exited) {
					snprintf(why, len,
						 "load generator on %s did not finish within %g s",
						 r->c[i].h->spec, limit_s);
					break;
				}
			return REMOTE_FAILED;
		}
		if (h->tick(h->ctx))
			return REMOTE_FAILED;
		for (int i = 0; i < r->n; i++) {
			pf[np++] = (struct pollfd){.fd = r->c[i].out_r, .events = POLLIN};
			pf[np++] = (struct pollfd){.fd = r->c[i].exited ? -1 : r->c[i].p.pidfd,
						   .events = POLLIN};
		}
		poll(pf, (nfds_t)np, 100);
		for (int i = 0; i < r->n; i++) {
			struct remote_child *k = &r->c[i];

			if (drain(r, k, h, why, len))
				return REMOTE_FAILED;
			if (k->exited || !proc_try_reap(&k->p))
				continue;
			/* What it wrote just before it exited is still in the pipe. */
			for (int j = 0; j < 64 && k->out_r >= 0; j++)
				if (drain(r, k, h, why, len))
					return REMOTE_FAILED;
			k->exited = true;
			left--;
			if (!WIFEXITED(k->p.status) || WEXITSTATUS(k->p.status) != 0) {
				child_failed(k, why, len);
				return REMOTE_FAILED;
			}
			if (!k->started || !k->stopped) {
				snprintf(why, len,
					 "load generator on %s never reported its measured window",
					 k->h->spec);
				return REMOTE_FAILED;
			}
		}
	}
	return left ? REMOTE_FAILED : REMOTE_OK;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static json_t *latency_json(const struct hist *h)
{
	bool have = hist_count(h) > 0;

	if (!have)
		return json_pack("{s:n,s:n,s:n,s:n,s:n,s:n}", "p50", "p90", "p99", "p999", "max",
				 "mean");
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}", "p50", hist_percentile(h, 50) / 1e3, "p90",
			 hist_percentile(h, 90) / 1e3, "p99", hist_percentile(h, 99) / 1e3, "p999",
			 hist_percentile(h, 99.9) / 1e3, "max", hist_max(h) / 1e3, "mean",
			 hist_mean(h) / 1e3);
}

/* One host's figures for the run's clients array. */
static json_t *client_json(const struct remote_child *k, const json_t *j)
{
	json_t *c = json_object();

	json_object_set_new(c, "host", json_string(k->h->spec));
	json_object_set_new(c, "connections", json_integer((json_int_t)k->conns));
	for (const char *const *key =
		 (const char *const[]){"duration_s", "requests", "requests_per_sec", "errors",
				       "cpu", "latency_us", "histogram", NULL};
	     *key; key++)
		json_object_set(c, *key, json_object_get(j, *key) ?: json_null());
	return c;
}

json_t *remote_run_merge(struct remote_run *r, json_t **clients, char *why, size_t len)
{
	static const char *const kinds[] = {"connect",	"reset",  "timeout",
					    "mismatch", "status", "total"};
	struct hist *all = malloc(sizeof(*all)), *one = malloc(sizeof(*one));
	json_t *m = NULL, *cl = json_array(), *err = json_object(), *first = NULL;
	double req = 0, bytes = 0, rps = 0, bps = 0, us = 0, sy = 0, util = 0, body = 0,
	       skipped = 0;
	double win = (double)(r->t1 - r->t0) / 1e9;
	json_int_t errs[6] = {0}, threads = 0, conns = 0;

	*clients = NULL;
	if (!all || !one)
		goto fail_oom;
	hist_init(all);
	for (int i = 0; i < r->n; i++) {
		struct remote_child *k = &r->c[i];
		json_error_t jerr;
		json_t *j = k->in_json ? json_loads(k->buf + k->json_at, 0, &jerr) : NULL;
		const json_t *e;

		if (!json_is_object(j)) {
			snprintf(why, len, "load generator on %s printed no valid JSON on stdout",
				 k->h->spec);
			json_decref(j);
			goto fail;
		}
		if (hist_from_json(one, json_object_get(j, "histogram"), why, len)) {
			char tmp[200];

			snprintf(tmp, sizeof(tmp), "%s", why);
			snprintf(why, len, "load generator on %s: %s", k->h->spec, tmp);
			json_decref(j);
			goto fail;
		}
		hist_merge(all, one);
		req += num(j, "requests");
		skipped += num(j, "skipped");
		bytes += num(j, "bytes");
		rps += num(j, "requests_per_sec");
		bps += num(j, "bytes_per_sec");
		body += num(j, "body_bytes") * num(j, "requests");
		threads += (json_int_t)num(j, "threads");
		conns += (json_int_t)num(j, "connections");
		e = json_object_get(j, "errors");
		for (int q = 0; q < 6; q++)
			errs[q] += (json_int_t)num(e, kinds[q]);
		e = json_object_get(j, "cpu");
		us += num(e, "user_s");
		sy += num(e, "system_s");
		if (num(e, "utilisation") > util)
			util = num(e, "utilisation");
		json_array_append_new(cl, client_json(k, j));
		if (!first)
			first = json_incref(j);
		json_decref(j);
	}
	for (int q = 0; q < 6; q++)
		json_object_set_new(err, kinds[q], json_integer(errs[q]));
	m = json_object();
	json_object_set_new(m, "tool", json_string("ringside-load"));
	json_object_set(m, "version", json_object_get(first, "version"));
	json_object_set(m, "mode", json_object_get(first, "mode"));
	json_object_set_new(m, "target", json_string(r->target));
	json_object_set_new(m, "hosts", json_integer(r->n));
	json_object_set_new(m, "connections", json_integer(conns));
	json_object_set_new(m, "threads", json_integer(threads));
	json_object_set(m, "depth", json_object_get(first, "depth"));
	json_object_set(m, "payload_bytes", json_object_get(first, "payload_bytes"));
	/* The common window, as the harness timed it between the last start and first stop. */
	json_object_set_new(m, "duration_s", json_real(win));
	json_object_set_new(m, "requests", json_integer((json_int_t)req));
	json_object_set_new(m, "skipped", json_integer((json_int_t)skipped));
	json_object_set_new(m, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(m, "requests_per_sec", json_real(rps));
	json_object_set_new(m, "bytes_per_sec", json_real(bps));
	json_object_set_new(m, "window_requests", json_real(rps * win));
	json_object_set_new(m, "latency_us", latency_json(all));
	json_object_set_new(m, "histogram", hist_to_json(all));
	json_object_set_new(m, "errors", err);
	err = NULL;
	/* utilisation: the busiest host's, so that one saturated client still shows. */
	json_object_set_new(
	    m, "cpu",
	    json_pack("{s:f,s:f,s:f}", "user_s", us, "system_s", sy, "utilisation", util));
	if (json_object_get(first, "body_bytes"))
		json_object_set_new(m, "body_bytes", req > 0 ? json_real(body / req) : json_null());
	*clients = cl;
	json_decref(first);
	free(all);
	free(one);
	return m;
fail_oom:
	snprintf(why, len, "out of memory");
fail:
	json_decref(cl);
	json_decref(err);
	json_decref(first);
	free(all);
	free(one);
	return NULL;
}

void remote_run_free(struct remote_run *r)
{
	if (!r)
		return;
	/* Closing their stdin ends them on the far side (--exit-on-stdin-eof). */
	for (int i = 0; i < r->n; i++) {
		if (r->c[i].in_w >= 0)
			close(r->c[i].in_w);
		r->c[i].in_w = -1;
	}
	for (int i = 0; i < r->n; i++) {
		struct remote_child *k = &r->c[i];

		if (k->p.pid > 0)
			proc_stop(&k->p, STOP_WAIT_MS);
		proc_release(&k->p);
		if (k->out_r >= 0)
			close(k->out_r);
		free(k->buf);
	}
	free(r);
}
