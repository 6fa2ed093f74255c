/*
 * The run object of docs/results.md from what one run gathered: the load
 * generator's figures, the server's /proc deltas over the measured window
 * (per request where requests > 0, else null), its exit, and the client's CPU;
 * cell_noise.c adds the noise and saturation figures.
 */
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "cell_run.h"
#include "core/bound.h"
#include "run/servers/server.h"

static json_t *num_or_null(double v, bool ok)
{
	return ok && isfinite(v) ? json_real(v) : json_null();
}

static double jget(const json_t *obj, const char *key, bool *ok)
{
	const json_t *v = json_object_get(obj, key);

	*ok = json_is_number(v);
	return *ok ? json_number_value(v) : 0;
}

json_t *cell_run_json(struct run_state *st, enum run_rc rc)
{
	json_t *run = json_object(), *l = st->load_json, *server, *client, *ex;
	bool have = rc == RUN_OK && l, ok_req;
	double req = have ? jget(l, "requests", &ok_req) : 0;
	bool per = have && ok_req && req > 0, ok_w = false;
	/* Remote runs: the server's window is the hosts' common one (remote.h). */
	double wreq = have ? jget(l, "window_requests", &ok_w) : 0;
	bool wper = ok_w ? per && wreq > 0 : per;
	int status = st->server.status;
	struct proc_usage u;
	bool have_u = st->started && st->stopped;

	json_object_set_new(run, "index", json_integer(st->rep));
	json_object_set_new(run, "probed", json_boolean(st->probed));
	json_object_set_new(run, "status", json_string(rc == RUN_OK ? "ok" : "failed"));
	json_object_set_new(run, "reason", rc == RUN_OK ? json_null() : json_string(st->reason));
	/* Measured figures come from the load generator, even for a failed run if it finished. */
	if (l) {
		static const char *const keys[] = {"duration_s", "requests", "bytes",
						   "requests_per_sec", "bytes_per_sec"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			json_t *v = json_object_get(l, keys[i]);
			json_object_set(run, keys[i], json_is_number(v) ? v : json_null());
		}
		json_object_set(run, "errors", json_object_get(l, "errors") ?: json_null());
		json_object_set(run, "latency_us", json_object_get(l, "latency_us") ?: json_null());
	} else {
		json_object_set_new(run, "duration_s", json_null());
		json_object_set_new(run, "requests", json_null());
		json_object_set_new(run, "bytes", json_null());
		json_object_set_new(run, "errors", json_null());
		json_object_set_new(run, "requests_per_sec", json_null());
		json_object_set_new(run, "bytes_per_sec", json_null());
		json_object_set_new(run, "latency_us", json_null());
	}

	server = json_object();
	if (have_u) {
		double sreq = ok_w ? wreq : req;
		long rss = st->rss_peak;
		double conns = (double)st->c->connections;

		proc_usage_delta(&st->snap0, &st->snap1, &u);
		if (st->snap1.hwm_kib > rss)
			rss = st->snap1.hwm_kib;
		json_object_set_new(server, "cpu_us",
				    json_pack("{s:f,s:f,s:f,s:f}", "user", u.user_us, "system",
					      u.system_us, "sqpoll", u.sqpoll_us, "iou_wrk",
					      u.iou_wrk_us));
		json_object_set_new(server, "cpu_us_per_request",
				    json_pack("{s:o,s:o,s:o}", "user",
					      num_or_null(u.user_us / sreq, wper), "system",
					      num_or_null(u.system_us / sreq, wper), "sqpoll",
					      num_or_null(u.sqpoll_us / sreq, wper)));
		/* Nanoseconds from the scheduler, every thread (procstat.h's sched rule). */
		json_object_set_new(server, "cpu_ns_per_request",
				    num_or_null(u.sched_us * 1e3 / sreq, wper));
		json_object_set_new(
		    server, "cpu_sched",
		    json_pack("{s:f,s:f,s:f,s:o,s:o,s:s}", "total_us", u.sched_us, "sqpoll_us",
			      u.sched_sqpoll_us, "iou_wrk_us", u.sched_iou_wrk_us, "exited_share",
			      num_or_null(u.sched_exited_us / u.sched_us, u.sched_us > 0),
			      "ticks_share",
			      num_or_null(u.sched_ticks_us / u.sched_us, u.sched_us > 0), "source",
			      u.schedstat ? "schedstat" : "ticks"));
		json_object_set_new(server, "context_switches",
				    json_pack("{s:I,s:I}", "voluntary", (json_int_t)u.voluntary,
					      "involuntary", (json_int_t)u.involuntary));
		json_object_set_new(server, "context_switches_per_request",
				    json_pack("{s:o,s:o}", "voluntary",
					      num_or_null(u.voluntary / sreq, wper), "involuntary",
					      num_or_null(u.involuntary / sreq, wper)));
		json_object_set_new(server, "rss_kib", rss >= 0 ? json_integer(rss) : json_null());
		json_object_set_new(
		    server, "rss_kib_per_connection",
		    num_or_null((rss - st->rss_ready) / conns,
				rss >= 0 && st->rss_ready >= 0 && rss >= st->rss_ready));
		json_object_set_new(server, "threads", json_integer(u.threads));
	} else {
		static const char *const keys[] = {
		    "cpu_us",	 "cpu_us_per_request",	   "cpu_ns_per_request",
		    "cpu_sched", "context_switches",	   "context_switches_per_request",
		    "rss_kib",	 "rss_kib_per_connection", "threads"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			json_object_set_new(server, keys[i], json_null());
	}
	ex = json_object();
	if (st->server.reaped) {
		bool sig = WIFSIGNALED(status);
		json_object_set_new(ex, "code",
				    WIFEXITED(status) ? json_integer(WEXITSTATUS(status))
						      : json_null());
		json_object_set_new(ex, "signal",
				    sig ? json_integer(WTERMSIG(status)) : json_null());
		json_object_set_new(ex, "signal_name",
				    sig ? json_string(strsignal(WTERMSIG(status))) : json_null());
	} else {
		json_object_set_new(ex, "code", json_null());
		json_object_set_new(ex, "signal", json_null());
		json_object_set_new(ex, "signal_name", json_null());
	}
	json_object_set_new(ex, "forced", json_boolean(st->server.forced));
	json_object_set_new(server, "exit", ex);
	json_object_set_new(run, "server", server);

	if (l) {
		const json_t *cpu = json_object_get(l, "cpu");
		bool oku, oks, okt;
		double us = jget(cpu, "user_s", &oku), sy = jget(cpu, "system_s", &oks);
		double util = jget(cpu, "utilisation", &okt);

		client = json_pack("{s:{s:o,s:o},s:o,s:b}", "cpu_us_per_request", "user",
				   num_or_null(us * 1e6 / req, per && oku), "system",
				   num_or_null(sy * 1e6 / req, per && oks), "cpu_utilisation",
				   num_or_null(util, okt), "bottleneck", okt && bound_busy(util));
	} else {
		client = json_null();
	}
	json_object_set_new(run, "client", client);
	cell_noise_fill(st, have_u ? &u : NULL, wper ? (ok_w ? wreq : req) : 0, run, server);
	json_object_set_new(run, "syscalls", json_null());
	json_object_set_new(run, "io_uring", json_null());
	json_object_set_new(run, "context_switches_bpf", json_null());
	json_object_set_new(run, "syscall_time_us_per_request", json_null());
	json_object_set_new(run, "syscall_blocked_us_per_request", json_null());
	json_object_set_new(run, "runqueue_delay_us", json_null());
	json_object_set_new(run, "wakeups_per_request", json_null());
	if (st->probed && st->plan->probes && rc == RUN_OK && wper)
		st->plan->probes->fill(run, ok_w ? wreq : req);
	server_kind_json(st, run);
	json_object_set(run, "load", l ? l : json_null());
	json_object_set_new(run, "remote", json_boolean(st->o->remote != NULL));
	json_object_set(run, "clients", st->clients ? st->clients : json_null());
	return run;
}
