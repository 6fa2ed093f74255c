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
#include "wakeup.h"

/*
 * host.null_syscall_ns.unprobed of this run: the cost syscall_overhead_share
 * charges per syscall; NaN until results_time_host measured it.
 */
static double null_ns_unprobed = NAN;

/*
 * What wakeup_share charges, from host.wakeup_cpu_us (unprobed, ns; NaN until
 * measured): every sleep the same-CPU cost (a switch to another task), and one
 * that left the CPU idle the extra of the charged layout over it (docs/time.md).
 */
static double wake_ns_same = NAN, wake_ns_idle_extra = NAN;

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* The first CPU of set not in but (NULL: any), or -1. */
static int first_cpu(const cpu_set_t *set, const cpu_set_t *but)
{
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && !(but && CPU_ISSET(cpu, but)))
			return cpu;
	return -1;
}

/* One layout's figures: the counted side's cost probed and unprobed, and its parts. */
static json_t *wakeup_layout(int a, int b, double *unprobed_us)
{
	struct wakeup_cost u, p;

	*unprobed_us = NAN;
	if (b < 0 || probes_wakeup(a, b, &u, &p))
		return json_pack("{s:n,s:n,s:n,s:n,s:n,s:n}", "unprobed", "probed", "side_us",
				 "pair_us", "wall_us", "client_cpu");
	*unprobed_us = u.us;
	return json_pack("{s:f,s:o,s:[f,f],s:f,s:f,s:i}", "unprobed", u.us, "probed",
			 num_or_null(p.us), "side_us", u.side_us[0], u.side_us[1], "pair_us",
			 u.pair_us, "wall_us", u.wall_us, "client_cpu", b);
}

/*
 * host.wakeup_cpu_us: a sleep and wake on the first server CPU (same_cpu) and
 * between it and the first client CPU that is not a server CPU (cross_cpu;
 * null where every client CPU is a server CPU). "charged" names the one
 * wakeup_share uses: same_cpu where the client shares the server's CPUs, else
 * cross_cpu (the client's sends wake the server across CPUs).
 */
json_t *results_time_wakeup(const struct run_opts *o)
{
	int a = first_cpu(&o->server_cpus, NULL), b = first_cpu(&o->client_cpus, &o->server_cpus);
	double same, cross;
	json_t *j;

	if (a < 0)
		a = 0;
	j = json_pack("{s:o,s:o,s:i,s:s,s:i,s:i}", "same_cpu", wakeup_layout(a, a, &same),
		      "cross_cpu", wakeup_layout(a, b, &cross), "server_cpu", a, "charged",
		      b < 0 ? "same_cpu" : "cross_cpu", "round_trips", WAKEUP_ROUND_TRIPS, "passes",
		      WAKEUP_PASSES);
	wake_ns_same = same * 1e3;
	wake_ns_idle_extra = b < 0 ? 0 : (cross - same) * 1e3;
	if (!isfinite(same) || (b >= 0 && !isfinite(cross)))
		PLOG_WARN("cannot time a sleep and wake on CPU %d%s", a,
			  b >= 0 ? " and across CPUs" : "");
	return j;
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

/* The unprobed CPU per request of the runs (user + system + SQPOLL), in us. */
static bool cpu_per_request(const json_t *runs, struct stats_sum *c)
{
	static const char *const cpu[3] = {"server.cpu_us_per_request.user",
					   "server.cpu_us_per_request.system",
					   "server.cpu_us_per_request.sqpoll"};

	return summarise(runs, cpu, SET_HEAD, c) && c->median > 0 && c->ci_lo > 0;
}

/* The summary of the probed runs' count per request at path; false without one. */
static bool count_per_request(const json_t *runs, const char *path, struct stats_sum *s)
{
	const char *const from[3] = {path};

	return summarise(runs, from, SET_PROBED, s);
}

/*
 * A share of a request's CPU that counts per request (probed runs) times host
 * costs (ns, unprobed) take: (median count1 x ns1 + median count2 x ns2) /
 * (median CPU per request of the unprobed runs, in ns); count2 NULL for none.
 * Counts and CPU come from different runs, so there is no per-run value: ci95
 * is the share at the CIs' far ends (the counts' low ends over the most CPU,
 * and the reverse; a negative cost takes the other end), ci95_kind "ratio": a
 * conservative band, not itself a 95% interval; min and max are null.
 */
static json_t *cost_share(const json_t *runs, const char *count1, double ns1, const char *count2,
			  double ns2)
{
	struct stats_sum s1, s2 = {.n = RUN_VALUES_MAX}, c;
	double share, lo, hi;

	if (!isfinite(ns1) || !count_per_request(runs, count1, &s1) ||
	    (count2 && (!isfinite(ns2) || !count_per_request(runs, count2, &s2))) ||
	    !cpu_per_request(runs, &c))
		return json_pack("{s:n,s:n,s:n,s:i,s:n,s:n}", "median", "min", "max", "n", 0,
				 "ci95", "ci95_kind");
	if (!count2)
		s2.median = s2.ci_lo = s2.ci_hi = ns2 = 0;
	share = (s1.median * ns1 + s2.median * ns2) / (c.median * 1e3);
	lo = (fmin(s1.ci_lo * ns1, s1.ci_hi * ns1) + fmin(s2.ci_lo * ns2, s2.ci_hi * ns2)) /
	     (c.ci_hi * 1e3);
	hi = (fmax(s1.ci_lo * ns1, s1.ci_hi * ns1) + fmax(s2.ci_lo * ns2, s2.ci_hi * ns2)) /
	     (c.ci_lo * 1e3);
	return json_pack("{s:f,s:n,s:n,s:i,s:[f,f],s:s}", "median", share, "min", "max", "n",
			 s1.n < c.n ? (s1.n < s2.n ? s1.n : s2.n) : (c.n < s2.n ? c.n : s2.n),
			 "ci95", lo, hi, "ci95_kind", "ratio");
}

/*
 * cpu_model_residual_share: 1 - syscall_overhead_share - wakeup_share, its ci95
 * the two shares' bands taken at the same ends (a conservative band, like
 * theirs); null when either share is. Negative when the model charges more
 * than the CPU measured.
 */
static json_t *residual_share(const json_t *sys, const json_t *wake)
{
	const json_t *sci = json_object_get(sys, "ci95"), *wci = json_object_get(wake, "ci95");
	double s = json_number_value(json_object_get(sys, "median")),
	       w = json_number_value(json_object_get(wake, "median"));

	if (!json_is_number(json_object_get(sys, "median")) ||
	    !json_is_number(json_object_get(wake, "median")) || !json_is_array(sci) ||
	    !json_is_array(wci))
		return json_pack("{s:n,s:n,s:n,s:i,s:n,s:n}", "median", "min", "max", "n", 0,
				 "ci95", "ci95_kind");
	return json_pack("{s:f,s:n,s:n,s:O,s:[f,f],s:s}", "median", 1 - s - w, "min", "max", "n",
			 json_object_get(wake, "n"), "ci95",
			 1 - json_number_value(json_array_get(sci, 1)) -
			     json_number_value(json_array_get(wci, 1)),
			 1 - json_number_value(json_array_get(sci, 0)) -
			     json_number_value(json_array_get(wci, 0)),
			 "ci95_kind", "ratio");
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
	json_t *sys, *wake;

	for (size_t i = 0; i < sizeof(time_figs) / sizeof(time_figs[0]); i++)
		results_put(sum, spread, runs, &time_figs[i]);
	results_set_path(sum, "io_uring.cq_overflows", overflows(runs));
	sys = cost_share(runs, "syscalls.server.per_request", null_ns_unprobed, NULL, 0);
	/* Every sleep pays a switch; one that left the CPU idle, its wake's extra. */
	wake = cost_share(runs, "context_switches_bpf.server.voluntary", wake_ns_same,
			  "context_switches_bpf.server.voluntary_to_idle", wake_ns_idle_extra);
	json_object_set_new(sum, "syscall_overhead_share", sys);
	json_object_set_new(sum, "wakeup_share", wake);
	json_object_set_new(sum, "cpu_model_residual_share", residual_share(sys, wake));
}
