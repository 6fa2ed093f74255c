/*
 * One cell: for each repetition a fresh server (pinned, ready through fd 3, or
 * a peer from peers.c), behind it the origin for proxy cells, the load generator
 * (pinned, its measured window reported through fd 3), /proc snapshots of the
 * server at the window's start and stop, then SIGTERM: load, server, origin.
 * Builds the cell's JSON (docs/results.md, "A cell" and "A run").
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cell_run.h"
#include "sys/tool.h"
#include "sys/ptree.h"
#include "cell.h"
#include "load_cmd.h"
#include "run/servers/server.h"
#include "sys/proc.h"
#include "remote.h"
#include "utc.h"
#include "fsio.h"
#include "models.h"
#include "log.h"
#include "clock.h"
#include "opts.h"

#define STOP_WAIT_MS  3000
#define RSS_SAMPLE_MS 250

struct cell_plan cell_plan_make(const struct cell_probe_ops *probes)
{
	return (struct cell_plan){.probes = probes, .passes = probes ? 2 : 1};
}

static void origin_died(struct run_state *st)
{
	char how[96], last[160];

	proc_try_reap(&st->origin);
	proc_describe(st->origin.status, how, sizeof(how));
	proc_last_line(st->origin.err_fd, last, sizeof(last));
	cell_fail(st, "origin %s during run %d%s%s", how, st->rep + 1, last[0] ? ": " : "", last);
}

/*
 * The server's threads and memory: its own plus its pre-forked workers' (nginx).
 * nginx's master listens before its workers exist, so a peer's children are
 * looked up again until some are found: else its CPU would read as 0 and all of
 * it as foreign.
 */
static int server_snapshot(struct run_state *st, struct proc_snap *s)
{
	if (st->kind->workers)
		st->kind->workers(st);
	return proc_snapshot_group(st->server.pid, st->workers, st->nworkers, s);
}

static long server_rss(struct run_state *st)
{
	return proc_rss_group_kib(st->server.pid, st->workers, st->nworkers);
}

static void server_died(struct run_state *st)
{
	char how[96], last[160];

	proc_try_reap(&st->server);
	proc_describe(st->server.status, how, sizeof(how));
	proc_last_line(st->server.err_fd, last, sizeof(last));
	cell_fail(st, "server %s during run %d%s%s", how, st->rep + 1, last[0] ? ": " : "", last);
}

/* A "start" or "stop" line from the load generator: snapshot the server. */
static int on_phase(struct run_state *st, const char *line)
{
	char err[200] = "";
	bool start = !strcmp(line, "start");

	if (!start && strcmp(line, "stop"))
		return 0;
	if (start && st->probe_attached && st->plan->probes->start(err, sizeof(err)))
		goto probe_fail;
	if (server_snapshot(st, start ? &st->snap0 : &st->snap1)) {
		cell_fail(st, "cannot read /proc/%d of the server", (int)st->server.pid);
		return -1;
	}
	cell_noise_sample(st, start);
	if (!start && st->probe_attached && st->plan->probes->stop(err, sizeof(err)))
		goto probe_fail;
	if (start)
		st->started = true;
	else
		st->stopped = st->started;
	if (st->snap0.rss_kib > st->rss_peak)
		st->rss_peak = st->snap0.rss_kib;
	if (!start && st->snap1.rss_kib > st->rss_peak)
		st->rss_peak = st->snap1.rss_kib;
	return 0;
probe_fail:
	cell_fail(st, "probes: %s", err);
	return -1;
}

/* Reads every complete phase line available; closes *fd at EOF. -1 on a failed snapshot. */
static int drain_phase(struct run_state *st, int *fd, char *buf, size_t cap, size_t *used)
{
	for (int i = 0; i < 64 && *fd >= 0; i++) {
		ssize_t n = read(*fd, buf + *used, cap - 1 - *used);
		char *nl;

		if (n == 0) {
			close(*fd);
			*fd = -1;
		}
		if (n <= 0)
			break;
		*used += n;
		buf[*used] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			if (on_phase(st, buf))
				return -1;
			*used -= nl + 1 - buf;
			memmove(buf, nl + 1, *used + 1);
		}
		if (*used == cap - 1)
			*used = 0; /* garbage without newlines: drop it */
	}
	return 0;
}

/* Follows the load generator until it exits; RUN_OK means it exited (any status). */
static enum run_rc follow_load(struct run_state *st, int phase_fd)
{
	const struct run_opts *o = st->o;
	double limit = load_cmd_warmup_s(o, st->c) + o->duration_s + o->timeout_s;
	uint64_t deadline = now_ns() + (uint64_t)(limit * 1e9);
	uint64_t next_rss = 0;
	enum run_rc rc = RUN_FAILED;
	char buf[256];
	size_t used = 0;

	fcntl(phase_fd, F_SETFL, O_NONBLOCK);
	cell_fail(st, "load generator did not finish");
	for (int iter = 0; iter < 10000000; iter++) {
		struct pollfd pf[4] = {
		    {.fd = st->load.pidfd, .events = POLLIN},
		    {.fd = st->server.pidfd, .events = POLLIN},
		    {.fd = st->origin.pid > 0 ? st->origin.pidfd : -1, .events = POLLIN},
		    {.fd = phase_fd, .events = POLLIN}};
		uint64_t now = now_ns();

		if (run_interrupted) {
			rc = RUN_INTERRUPTED;
			break;
		}
		if (now >= deadline) {
			cell_fail(st, "load generator did not finish within %g s", limit);
			break;
		}
		if (st->started && !st->stopped && now >= next_rss) {
			long rss = server_rss(st);

			if (rss > st->rss_peak)
				st->rss_peak = rss;
			next_rss = now + RSS_SAMPLE_MS * 1000000ull;
		}
		poll(pf, 4, 100);
		if (pf[1].revents || proc_try_reap(&st->server)) {
			server_died(st);
			break;
		}
		if (st->origin.pid > 0 && (pf[2].revents || proc_try_reap(&st->origin))) {
			origin_died(st);
			break;
		}
		if (drain_phase(st, &phase_fd, buf, sizeof(buf), &used))
			break;
		if (proc_try_reap(&st->load)) {
			/* Lines written just before it exited are still in the pipe. */
			if (drain_phase(st, &phase_fd, buf, sizeof(buf), &used) == 0)
				rc = RUN_OK;
			break;
		}
	}
	if (phase_fd >= 0)
		close(phase_fd);
	return rc;
}

/* Remote load generators (remote.h): their window drives the same snapshots. */
static int remote_phase(void *ctx, bool start)
{
	return on_phase(ctx, start ? "start" : "stop");
}

static int remote_tick(void *ctx)
{
	struct run_state *st = ctx;

	if (st->started && !st->stopped) {
		long rss = server_rss(st);

		if (rss > st->rss_peak)
			st->rss_peak = rss;
	}
	if (proc_try_reap(&st->server)) {
		server_died(st);
		return -1;
	}
	if (st->origin.pid > 0 && proc_try_reap(&st->origin)) {
		origin_died(st);
		return -1;
	}
	return 0;
}

static enum run_rc follow_remote(struct run_state *st)
{
	const struct run_opts *o = st->o;
	struct remote_hooks hooks = {.phase = remote_phase, .tick = remote_tick, .ctx = st};
	struct remote_run *r;
	enum remote_rc rc;

	if (remote_prepare(o->remote, st->reason, sizeof(st->reason)))
		return run_interrupted ? RUN_INTERRUPTED : RUN_FAILED;
	r = remote_run_start(o->remote, o, st->c, st->port, st->reason, sizeof(st->reason));
	if (!r)
		return RUN_FAILED;
	rc =
	    remote_run_follow(r, &hooks, load_cmd_warmup_s(o, st->c) + o->duration_s + o->timeout_s,
			      st->reason, sizeof(st->reason));
	if (rc == REMOTE_OK) {
		st->load_json = remote_run_merge(r, &st->clients, st->reason, sizeof(st->reason));
		if (!st->load_json)
			rc = REMOTE_FAILED;
	}
	remote_run_free(r);
	return rc == REMOTE_OK ? RUN_OK : rc == REMOTE_INTERRUPTED ? RUN_INTERRUPTED : RUN_FAILED;
}

/* After the load generator exited: its status and JSON decide the run. */
static enum run_rc judge_load(struct run_state *st)
{
	char last[200], how[96];
	json_error_t jerr;
	char *out;

	if (!WIFEXITED(st->load.status) || WEXITSTATUS(st->load.status) != 0) {
		proc_last_line(st->load.err_fd, last, sizeof(last));
		proc_describe(st->load.status, how, sizeof(how));
		cell_fail(st, "load generator %s: %s", how, last[0] ? last : "(no message)");
		return RUN_FAILED;
	}
	out = proc_read_all(st->load.out_fd);
	st->load_json = out ? json_loads(out, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	free(out);
	if (!json_is_object(st->load_json)) {
		cell_fail(st, "load generator printed no valid JSON on stdout");
		return RUN_FAILED;
	}
	if (!st->started || !st->stopped) {
		cell_fail(st,
			  "load generator never reported its measured window (start/stop on fd 3)");
		return RUN_FAILED;
	}
	return RUN_OK;
}

/* SIGTERM the server and judge how it left. */
static enum run_rc stop_server(struct run_state *st, enum run_rc rc)
{
	bool was_alive = !proc_try_reap(&st->server);

	proc_stop(&st->server, STOP_WAIT_MS);
	if (rc != RUN_OK)
		return rc;
	if (!was_alive) {
		server_died(st);
		return RUN_FAILED;
	}
	if (st->server.forced) {
		cell_fail(st, "server did not exit within %d s of SIGTERM (killed) after run %d",
			  STOP_WAIT_MS / 1000, st->rep + 1);
		return RUN_FAILED;
	}
	/* A peer or a --server may end by the SIGTERM itself (its kind says). */
	if (st->kind->clean_exit && st->kind->clean_exit(st->server.status))
		return RUN_OK;
	if (!WIFEXITED(st->server.status) || WEXITSTATUS(st->server.status) != 0) {
		char how[96], last[160];

		proc_describe(st->server.status, how, sizeof(how));
		proc_last_line(st->server.err_fd, last, sizeof(last));
		cell_fail(st, "server %s on SIGTERM after run %d%s%s", how, st->rep + 1,
			  last[0] ? ": " : "", last);
		return RUN_FAILED;
	}
	return RUN_OK;
}

static void run_release(struct run_state *st)
{
	proc_release(&st->origin);
	proc_release(&st->load);
	proc_release(&st->server);
	proc_snap_free(&st->snap0);
	proc_snap_free(&st->snap1);
	proc_cpustat_free(&st->cpu0);
	proc_cpustat_free(&st->cpu1);
	json_decref(st->load_json);
	json_decref(st->clients);
	free(st->custom_command);
	free(st->custom_config);
}

/* One repetition (probed or not). *out gets the run object unless skipped/interrupted. */
static enum run_rc run_once(const struct cell_plan *plan, const struct run_opts *o,
			    const struct cell_spec *c, int rep, bool probed, json_t **out,
			    char *reason, size_t rlen)
{
	const struct cell_probe_ops *probes = probed ? plan->probes : NULL;
	struct run_state st = {.plan = plan,
			       .o = o,
			       .c = c,
			       .kind = server_kind_of(c->info),
			       .rep = rep,
			       .probed = probed};
	int phase_fd = -1;
	char err[200] = "";
	enum run_rc rc;

	st.server.pidfd = st.server.out_fd = st.server.err_fd = -1;
	st.load.pidfd = st.load.out_fd = st.load.err_fd = -1;
	st.origin.pidfd = st.origin.out_fd = st.origin.err_fd = -1;
	*out = NULL;
	if (c->workload->origin_bin) {
		rc = cell_spawn_origin(&st);
		if (rc != RUN_OK)
			goto done;
	}
	rc = st.kind->spawn(&st);
	if (rc != RUN_OK)
		goto done;
	st.rss_ready = server_rss(&st);
	if (probes) {
		/* The server role is the proxy alone: the origin is not a target. */
		if (probes->attach(st.server.pid, err, sizeof(err))) {
			cell_fail(&st, "probes: %s", err);
			rc = RUN_FAILED;
			goto done;
		}
		st.probe_attached = true;
		for (int i = 0; i < st.nworkers; i++) {
			if (probes->add_server(st.workers[i], err, sizeof(err))) {
				cell_fail(&st, "probes: %s", err);
				rc = RUN_FAILED;
				goto done;
			}
		}
	}
	if (o->remote) {
		rc = follow_remote(&st);
		goto loaded;
	}
	if (cell_spawn_load(&st, &phase_fd)) {
		rc = RUN_FAILED;
		goto done;
	}
	if (st.probe_attached && probes->add_client(st.load.pid, err, sizeof(err))) {
		cell_fail(&st, "probes: %s", err);
		close(phase_fd);
		rc = RUN_FAILED;
		goto done;
	}
	rc = follow_load(&st, phase_fd);
	if (rc == RUN_OK)
		rc = judge_load(&st);
loaded:
	if (st.probe_attached)
		probes->detach();
	st.probe_attached = false;
	if (rc != RUN_INTERRUPTED)
		rc = stop_server(&st, rc);
	if (rc == RUN_OK && proc_try_reap(&st.origin)) {
		origin_died(&st);
		rc = RUN_FAILED;
	}
done:
	if (st.probe_attached)
		probes->detach();
	proc_stop(&st.load, 1000);
	proc_stop(&st.server, 1000);
	proc_stop(&st.origin, 1000);
	if (rc != RUN_SKIPPED && rc != RUN_INTERRUPTED)
		*out = cell_run_json(&st, rc);
	snprintf(reason, rlen, "%s", st.reason);
	run_release(&st);
	return rc;
}

void cell_init(struct cell *cell, const struct run_opts *o, const struct cell_spec *spec)
{
	const struct cell_spec *c = &cell->spec;
	const struct server_kind *kind;
	char reason[320] = "";
	bool skip;

	*cell = (struct cell){.spec = *spec, .json = json_object()};
	json_object_set_new(cell->json, "workload", json_string(c->workload->name));
	json_object_set_new(cell->json, "model", json_string(c->model));
	json_object_set_new(cell->json, "connections", json_integer(c->connections));
	json_object_set_new(cell->json, c->workload->size_key, json_integer(o->size));
	json_object_set_new(cell->json, "rate", o->rate > 0 ? json_real(o->rate) : json_null());
	kind = server_kind_of(c->info);
	skip = (kind->missing && kind->missing(c->model, reason, sizeof(reason))) ||
	       (c->workload->origin_bin && peer_tool_find(o->origin) &&
		tool_missing(o->origin, reason, sizeof(reason)));
	json_object_set_new(cell->json, "status", json_string(skip ? "skipped" : "ok"));
	json_object_set_new(cell->json, "reason", skip ? json_string(reason) : json_null());
	json_object_set_new(cell->json, "runs", json_array());
	cell->done = skip;
}

int cell_measure(const struct cell_plan *plan, const struct run_opts *o, struct cell *cell,
		 int round, cell_progress_fn progress, void *arg)
{
	json_t *runs = json_object_get(cell->json, "runs");
	char reason[320] = "";

	int passes =
	    cell->unprobed_only || (o->probe_rounds && (unsigned long)cell->reps >= o->probe_rounds)
		? 1
		: plan->passes;

	for (int p = 0; p < passes && !cell->done; p++) {
		char started[40];
		json_t *run;
		enum run_rc rc;

		if (progress)
			progress(arg, cell, p == 1);
		utc_precise(started, sizeof(started));
		rc = run_once(plan, o, &cell->spec, cell->reps, p == 1, &run, reason,
			      sizeof(reason));
		if (rc == RUN_INTERRUPTED)
			return -1;
		if (run) {
			json_object_set_new(run, "round", json_integer(round));
			json_object_set_new(run, "started_at", json_string(started));
			json_array_append_new(runs, run);
		}
		if (rc != RUN_OK) {
			json_object_set_new(cell->json, "status",
					    json_string(rc == RUN_SKIPPED ? "skipped" : "failed"));
			json_object_set_new(cell->json, "reason", json_string(reason));
			cell->done = true;
		}
	}
	if (!cell->done)
		cell->reps++;
	return 0;
}
