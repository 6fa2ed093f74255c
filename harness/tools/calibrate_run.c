/*
 * The children of `ringside calibrate`: ringside-origin (ready through fd 3), the
 * probe for ringside-load's --engine, and one client run (ringside-load, or wrk with a
 * Lua done() that prints its summary as JSON), pinned, bounded in time, and accounted
 * with wait4's rusage (RUSAGE_CHILDREN) for the client and /proc for the server.
 */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/calibrate.h"
#include "fsio.h"
#include "log.h"
#include "clock.h"
#include "opts.h"

#define CAL_SLACK_S    10 /* a client may run this long past its duration before SIGKILL */
#define CAL_WRK_MARKER "RINGSIDE-WRK "

const char *const cal_server_names[] = {"ringside-origin", "nginx"};

/* How a child ended, within ms; it is stopped (TERM, then KILL) if it has not. */
static int cal_wait(struct proc_child *c, int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000ull;

	while (!proc_try_reap(c) && !run_interrupted && now_ns() < end) {
		struct pollfd p = {.fd = c->pidfd, .events = POLLIN};

		poll(&p, c->pidfd >= 0, 20);
	}
	proc_stop(c, CAL_STOP_MS);
	return c->status;
}

/* True when this ringside-load takes --engine (another build may not have it yet). */
bool cal_load_has_engines(const char *load)
{
	char *argv[] = {(char *)load, "--engine", "epoll", "--help", NULL};
	struct proc_child c;
	int st;

	if (proc_spawn(&c, "ringside-load --help", argv, -1, NULL))
		return false;
	st = cal_wait(&c, 5000);
	proc_release(&c);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && !c.forced;
}

/* ringside-origin on the server CPUs, ready once it writes "ready PORT" on fd 3. */
int cal_start_origin(struct cal *k)
{
	char bin[PATH_MAX], cpus[256], threads[16], body[16], line[64] = "", how[96], last[200];
	char *argv[] = {bin,  "--body-bytes", body, "--threads",  threads, "--cpus",
			cpus, "--port",	      "0",  "--ready-fd", "3",	   NULL};
	uint64_t end = now_ns() + 10000000000ull;
	size_t used = 0;
	int pfd[2];

	snprintf(bin, sizeof(bin), "%s/ringside-origin", fs_exe_dir());
	format_cpu_list(&k->o.server_cpus, cpus, sizeof(cpus));
	snprintf(threads, sizeof(threads), "%d", CPU_COUNT(&k->o.server_cpus));
	snprintf(body, sizeof(body), "%d", CAL_BODY);
	if (access(bin, X_OK)) {
		PLOG_ERR("cannot execute %s", bin);
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		PLOG_ERR("pipe");
		return -1;
	}
	if (proc_spawn(&k->origin, "ringside-origin", argv, pfd[1], &k->o.server_cpus)) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[1]);
	while (!strchr(line, '\n') && used < sizeof(line) - 1 && now_ns() < end &&
	       !run_interrupted) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(pfd[0], line + used, sizeof(line) - 1 - used);
		if (n <= 0)
			break; /* it closed fd 3: it is exiting */
		used += (size_t)n;
		line[used] = '\0';
	}
	close(pfd[0]);
	if (strchr(line, '\n') && sscanf(line, "ready %u", &k->origin_port) == 1 && k->origin_port)
		return 0;
	proc_stop(&k->origin, CAL_STOP_MS);
	if (run_interrupted)
		return -1;
	proc_describe(k->origin.status, how, sizeof(how));
	proc_last_line(k->origin.err_fd, last, sizeof(last));
	LOG_ERR("ringside-origin did not become ready (%s)%s%s", how, last[0] ? ": " : "", last);
	return -1;
}

/* wrk's summary as one JSON line after its own report (wrk runs done() at the end). */
static const char cal_lua[] =
    "-- written by ringside calibrate: wrk's summary as one JSON line\n"
    "done = function(summary, latency, requests)\n"
    "  local e = summary.errors\n"
    "  io.write(string.format('" CAL_WRK_MARKER "{\"duration_us\": %.0f, \"requests\": %.0f, '\n"
    "    .. '\"errors\": {\"connect\": %.0f, \"read\": %.0f, \"write\": %.0f, '\n"
    "    .. '\"status\": %.0f, \"timeout\": %.0f}, \"latency_us\": {\"p50\": %.0f, '\n"
    "    .. '\"p99\": %.0f, \"max\": %.0f}}\\n', summary.duration, summary.requests,\n"
    "    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50),\n"
    "    latency:percentile(99), latency.max))\n"
    "end\n";

/* Fills argv with the strings up to NULL (and the NULL); returns how many. */
static int cal_argv(char **argv, ...)
{
	va_list ap;
	int n = 0;

	va_start(ap, argv);
	while ((argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	return n;
}

static double tv_us(const struct timeval *t)
{
	return t->tv_sec * 1e6 + t->tv_usec;
}

/* Reads the figures out of the client's stdout: ringside-load's JSON, wrk's Lua line. */
static void parse_client(const struct cal_arm *a, const char *out, struct cal_run *r)
{
	const char *js = out;
	json_t *doc, *v;

	if (out && a->client == CAL_WRK)
		js = strstr(out, CAL_WRK_MARKER)
			 ? strstr(out, CAL_WRK_MARKER) + strlen(CAL_WRK_MARKER)
			 : NULL;
	doc = js ? json_loads(js, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (!doc) {
		snprintf(r->note, sizeof(r->note), "no figures in its output");
		return;
	}
	r->requests = json_number_value(json_object_get(doc, "requests"));
	if (a->client == CAL_LOAD) {
		r->rps = json_number_value(json_object_get(doc, "requests_per_sec"));
		r->errors =
		    json_number_value(json_object_get(json_object_get(doc, "errors"), "total"));
		r->lag_p99 = json_number_value(
		    json_object_get(json_object_get(doc, "schedule_lag_us"), "p99"));
		r->skipped = json_number_value(json_object_get(doc, "skipped"));
	} else {
		double us = json_number_value(json_object_get(doc, "duration_us"));
		const char *k;

		r->rps = us > 0 ? r->requests / (us / 1e6) : 0;
		json_object_foreach(json_object_get(doc, "errors"), k, v)
		{
			r->errors += json_number_value(v);
		}
	}
	json_decref(doc);
	r->ok = r->rps > 0 && r->requests > 0 && r->errors == 0;
	if (r->errors > 0)
		snprintf(r->note, sizeof(r->note), "%.0f errors", r->errors);
	else if (!r->ok)
		snprintf(r->note, sizeof(r->note), "no requests completed");
}

/*
 * One run of arm a for secs: the client pinned to the client CPUs, bounded by secs +
 * CAL_SLACK_S, its CPU from the kernel's accounting of reaped children (wait4), the
 * server's from /proc snapshots around it. wrk takes whole seconds only: it gets the
 * next whole number and a SIGINT at secs, which ends it with its report (and done()).
 * Returns -1 when interrupted.
 */
int cal_run_client(struct cal *k, const struct cal_arm *a, double secs, struct cal_run *r)
{
	char target[64], url[80], conns[16], threads[16], cpus[256], dur[32], body[16], rate[32];
	char *argv[24], *out, how[96], last[120];
	struct proc_child *srv = a->server == CAL_ORIGIN ? &k->origin : &k->nginx;
	double whole = ceil(secs);
	struct proc_snap s0 = {0}, s1 = {0};
	struct proc_usage su;
	struct rusage ru0, ru1;
	struct proc_child c;
	uint64_t t0, sigint_at, end;
	bool sent = false;
	int n = 0;

	memset(r, 0, sizeof(*r));
	snprintf(target, sizeof(target), "127.0.0.1:%u",
		 a->server == CAL_ORIGIN ? k->origin_port : k->nginx_port);
	snprintf(url, sizeof(url), "http://%s/", target);
	snprintf(conns, sizeof(conns), "%lu", k->o.conns);
	snprintf(threads, sizeof(threads), "%u", k->threads);
	format_cpu_list(&k->o.client_cpus, cpus, sizeof(cpus));
	snprintf(body, sizeof(body), "%d", CAL_BODY);
	if (a->client == CAL_WRK) {
		snprintf(dur, sizeof(dur), "%.0fs", whole);
		n = cal_argv(argv, k->wrk, "-t", threads, "-c", conns, "-d", dur, "-s", k->lua, url,
			     NULL);
	} else {
		snprintf(dur, sizeof(dur), "%g", secs);
		n = cal_argv(argv, k->load, "--target", target, "--mode", "http", "-c", conns, "-t",
			     threads, "--cpus", cpus, "-d", dur, "--warmup", "0", "--expect-body",
			     body, NULL);
		if (a->engine)
			n = cal_argv(argv + n, "--engine", a->engine, NULL) + n;
		if (a->rate > 0) {
			snprintf(rate, sizeof(rate), "%.0f", a->rate);
			n = cal_argv(argv + n, "--rate", rate, NULL) + n;
		}
	}
	getrusage(RUSAGE_CHILDREN, &ru0);
	proc_snapshot_group(srv->pid, srv == &k->nginx ? k->workers : NULL,
			    srv == &k->nginx ? k->nworkers : 0, &s0);
	t0 = now_ns();
	sigint_at = a->client == CAL_WRK && whole > secs ? t0 + (uint64_t)(secs * 1e9) : 0;
	end = t0 + (uint64_t)((secs + CAL_SLACK_S) * 1e9);
	if (proc_spawn(&c, a->label, argv, -1, &k->o.client_cpus)) {
		proc_snap_free(&s0);
		snprintf(r->note, sizeof(r->note), "cannot start %s", a->label);
		return 0;
	}
	while (!proc_try_reap(&c) && !run_interrupted && now_ns() < end) {
		struct pollfd p = {.fd = c.pidfd, .events = POLLIN};
		uint64_t now = now_ns(), wake = sigint_at && !sent ? sigint_at : end;

		if (sigint_at && !sent && now >= sigint_at) {
			kill(c.pid, SIGINT);
			sent = true;
			continue;
		}
		poll(&p, c.pidfd >= 0, wake > now ? (int)((wake - now) / 1000000 + 1) : 0);
	}
	proc_stop(&c, CAL_STOP_MS);
	r->wall_s = (now_ns() - t0) / 1e9;
	getrusage(RUSAGE_CHILDREN, &ru1);
	proc_snapshot_group(srv->pid, srv == &k->nginx ? k->workers : NULL,
			    srv == &k->nginx ? k->nworkers : 0, &s1);
	proc_usage_delta(&s0, &s1, &su);
	proc_snap_free(&s0);
	proc_snap_free(&s1);
	if (run_interrupted) {
		proc_release(&c);
		return -1;
	}
	out = proc_read_all(c.out_fd);
	parse_client(a, out, r);
	free(out);
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) || c.forced) {
		proc_describe(c.status, how, sizeof(how));
		proc_last_line(c.err_fd, last, sizeof(last));
		snprintf(r->note, sizeof(r->note), "%s%s%s%s", c.forced ? "ran too long, " : "",
			 how, last[0] ? ": " : "", last);
		r->ok = false;
	}
	if (proc_try_reap(srv) && r->ok) {
		snprintf(r->note, sizeof(r->note), "%s exited during the run",
			 cal_server_names[a->server]);
		r->ok = false;
	}
	proc_release(&c);
	if (r->requests > 0) {
		double sys = tv_us(&ru1.ru_stime) - tv_us(&ru0.ru_stime);
		double cpu = tv_us(&ru1.ru_utime) - tv_us(&ru0.ru_utime) + sys;
		int nsrv = CPU_COUNT(&k->o.server_cpus);

		r->ccpu_us = cpu / r->requests;
		r->scpu_us = (su.user_us + su.system_us) / r->requests;
		r->util = r->wall_s > 0 ? cpu / 1e6 / (r->wall_s * k->threads) : 0;
		r->ckernel = cpu > 0 ? sys / cpu : 0;
		r->sutil = r->wall_s > 0 && nsrv > 0
			       ? (su.user_us + su.system_us) / 1e6 / (r->wall_s * nsrv)
			       : 0;
	}
	return 0;
}

int cal_write_lua(struct cal *k, const char *dir)
{
	FILE *f;

	snprintf(k->lua, sizeof(k->lua), "%s/wrk-summary.lua", dir);
	f = fopen(k->lua, "we");
	if (!f) {
		PLOG_ERR("cannot write %s", k->lua);
		return -1;
	}
	/* fclose in any case: a failed fputs must not leak the FILE. */
	if ((fputs(cal_lua, f) == EOF) | (fclose(f) != 0)) {
		PLOG_ERR("cannot write %s", k->lua);
		return -1;
	}
	return 0;
}
