/*
 * Where a request's time goes, in the results document: host.null_syscall_ns
 * (measured at the start of a run, bpf/nullsys.h) and the cell summaries of the
 * probed runs' syscall time, run-queue delay, wakeups and io_uring hidden work,
 * with syscall_overhead_share. The BPF figures need the probes (bpf/probe.h).
 */
#include <math.h>
#include <sched.h>

#include "log.h"
#include "probes.h"
#include "results.h"
#include "results_int.h"
#include "core/stats.h"

/*
 * host.null_syscall_ns.unprobed of this run: the cost syscall_overhead_share
 * charges per syscall; NaN until results_time_host measured it.
 */
static double null_ns_unprobed = NAN;

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *results_time_host(const struct run_opts *o)
{
	double unprobed = NAN, probed = NAN;
	int cpu = 0;

	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &o->server_cpus))
		cpu++;
	if (probes_null_syscall(cpu, &unprobed, &probed))
		PLOG_WARN("cannot time a null syscall on CPU %d", cpu);
	null_ns_unprobed = unprobed;
	return json_pack("{s:o,s:o,s:i}", "unprobed", num_or_null(unprobed), "probed",
			 num_or_null(probed), "cpu", cpu);
}

/* Server figures as {median, ..., ci95} objects; client ones as medians (like syscalls). */
static const struct fig time_figs[] = {
    {"syscall_time_us_per_request.total",
     {"syscall_time_us_per_request.server.total"},
     SET_PROBED,
     FIG_OBJ,
     true},
    {"syscall_time_us_per_request.by_name",
     {"syscall_time_us_per_request.server.by_name"},
     SET_PROBED,
     FIG_MAP,
     true},
    {"syscall_blocked_us_per_request.total",
     {"syscall_blocked_us_per_request.server.total"},
     SET_PROBED,
     FIG_OBJ,
     true},
    {"syscall_blocked_us_per_request.by_name",
     {"syscall_blocked_us_per_request.server.by_name"},
     SET_PROBED,
     FIG_MAP,
     true},
    {"runqueue_delay_us.p50", {"runqueue_delay_us.server.p50"}, SET_PROBED, FIG_OBJ, true},
    {"runqueue_delay_us.p99", {"runqueue_delay_us.server.p99"}, SET_PROBED, FIG_OBJ, true},
    {"runqueue_delay_us.per_request",
     {"runqueue_delay_us.server.per_request"},
     SET_PROBED,
     FIG_OBJ,
     true},
    {"wakeups_per_request", {"wakeups_per_request.server"}, SET_PROBED, FIG_OBJ, true},
    {"io_uring.iowq_punts_per_request",
     {"io_uring.iowq_punts_per_request"},
     SET_PROBED,
     FIG_NUM,
     true},
    {"io_uring.poll_arms_per_request",
     {"io_uring.poll_arms_per_request"},
     SET_PROBED,
     FIG_NUM,
     true},
    {"io_uring.task_work_per_request",
     {"io_uring.task_work_per_request"},
     SET_PROBED,
     FIG_NUM,
     true},
    {"client.syscall_time_us_per_request.total",
     {"syscall_time_us_per_request.client.total"},
     SET_PROBED,
     FIG_NUM,
     true},
    {"client.syscall_time_us_per_request.by_name",
     {"syscall_time_us_per_request.client.by_name"},
     SET_PROBED,
     FIG_MAP,
     true},
    {"client.syscall_blocked_us_per_request.total",
     {"syscall_blocked_us_per_request.client.total"},
     SET_PROBED,
     FIG_NUM,
     true},
    {"client.runqueue_delay_us.p50", {"runqueue_delay_us.client.p50"}, SET_PROBED, FIG_NUM, true},
    {"client.runqueue_delay_us.p99", {"runqueue_delay_us.client.p99"}, SET_PROBED, FIG_NUM, true},
    {"client.runqueue_delay_us.per_request",
     {"runqueue_delay_us.client.per_request"},
     SET_PROBED,
     FIG_NUM,
     true},
    {"client.wakeups_per_request", {"wakeups_per_request.client"}, SET_PROBED, FIG_NUM, true},
};

/* A figure's summary over the chosen runs; false without a finite median. */
static bool summarise(const json_t *runs, const char *const *from, enum fig_set set,
		      struct stats_sum *s)
{
	double v[RUN_VALUES_MAX];

	stats_summarise(v, results_collect(runs, from, 3, set, v, RUN_VALUES_MAX), s);
	return s->n > 0 && isfinite(s->median);
}

/*
 * syscall_overhead_share: median server syscalls per request (probed runs) x
 * null_ns_unprobed / (median CPU per request, user + system + SQPOLL, of the
 * unprobed runs, in ns). Syscalls and CPU come from different runs, so there
 * is no per-run value: ci95 is the share at the two CIs' far ends (fewest
 * syscalls over most CPU, and the reverse), ci95_kind "ratio": a conservative
 * band, not itself a 95% interval; min and max are null.
 */
static json_t *overhead_share(const json_t *runs)
{
	static const char *const sys[3] = {"syscalls.server.per_request"};
	static const char *const cpu[3] = {"server.cpu_us_per_request.user",
					   "server.cpu_us_per_request.system",
					   "server.cpu_us_per_request.sqpoll"};
	double ns = null_ns_unprobed, share, lo, hi;
	struct stats_sum s, c;

	if (!isfinite(ns) || !summarise(runs, sys, SET_PROBED, &s) ||
	    !summarise(runs, cpu, SET_HEAD, &c) || c.median <= 0 || c.ci_lo <= 0)
		return json_pack("{s:n,s:n,s:n,s:i,s:n,s:n}", "median", "min", "max", "n", 0,
				 "ci95", "ci95_kind");
	share = s.median * ns / (c.median * 1e3);
	lo = s.ci_lo * ns / (c.ci_hi * 1e3);
	hi = s.ci_hi * ns / (c.ci_lo * 1e3);
	return json_pack("{s:f,s:n,s:n,s:i,s:[f,f],s:s}", "median", share, "min", "max", "n",
			 s.n < c.n ? s.n : c.n, "ci95", lo, hi, "ci95_kind", "ratio");
}

/* io_uring.cq_overflows: the sum over the probed runs that counted them (null if none). */
static json_t *overflows(const json_t *runs)
{
	static const char *const from[3] = {"io_uring.cq_overflows"};
	double v[RUN_VALUES_MAX], total = 0;
	int n = results_collect(runs, from, 1, SET_PROBED, v, RUN_VALUES_MAX);

	for (int i = 0; i < n; i++)
		total += v[i];
	return n ? json_integer((json_int_t)total) : json_null();
}

void results_time_summarise(json_t *sum, json_t *spread, const json_t *runs)
{
	for (size_t i = 0; i < sizeof(time_figs) / sizeof(time_figs[0]); i++)
		results_put(sum, spread, runs, &time_figs[i]);
	results_set_path(sum, "io_uring.cq_overflows", overflows(runs));
	json_object_set_new(sum, "syscall_overhead_share", overhead_share(runs));
}
