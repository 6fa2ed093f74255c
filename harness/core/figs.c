/*
 * The figure table (figs.h) and the collection of a figure's values over a
 * cell's runs. Pure reading of run objects; summary.c turns the values into
 * the summary's figures.
 */
#include <string.h>

#include "core/doc.h"
#include "core/figs.h"

#define SRV_CPU	 "server.cpu_us_per_request."
#define SRV_CTX	 "server.context_switches_per_request."
#define BPF_CTX	 "context_switches_bpf.server."
#define SYS_TIME "syscall_time_us_per_request."
#define SYS_BLK	 "syscall_blocked_us_per_request."
#define RUNQ	 "runqueue_delay_us."

/* clang-format off */
const struct fig figs[] = {
    {"requests_per_sec", {"requests_per_sec"}, FIG_HEAD, FIG_OBJ, "req/s", "requests/s"},
    {"bytes_per_sec", {"bytes_per_sec"}, FIG_HEAD, FIG_OBJ, "B/s", "bytes/s"},
    {"latency_us.p50", {"latency_us.p50"}, FIG_HEAD, FIG_OBJ, "us", "p50 latency"},
    {"latency_us.p90", {"latency_us.p90"}, FIG_HEAD, FIG_OBJ, "us", "p90 latency"},
    {"latency_us.p99", {"latency_us.p99"}, FIG_HEAD, FIG_OBJ, "us", "p99 latency"},
    {"latency_us.p999", {"latency_us.p999"}, FIG_HEAD, FIG_OBJ, "us", "p99.9 latency"},
    {"latency_us.max", {"latency_us.max"}, FIG_HEAD, FIG_OBJ, "us", "max latency"},
    {"cpu_us_per_request.user", {SRV_CPU "user"}, FIG_HEAD, FIG_OBJ, "us", "server user CPU per request"},
    {"cpu_us_per_request.system", {SRV_CPU "system"}, FIG_HEAD, FIG_OBJ, "us", "server system CPU per request"},
    {"cpu_us_per_request.sqpoll", {SRV_CPU "sqpoll"}, FIG_HEAD, FIG_OBJ, "us", "SQPOLL thread CPU per request"},
    {"cpu_us_per_request.total", {SRV_CPU "user", SRV_CPU "system", SRV_CPU "sqpoll"}, FIG_HEAD,
     FIG_OBJ, "us", "server CPU per request", .no_spread = true},
    {"cpu_us_per_request_core", {"server.cpu_us_per_request_core"}, FIG_HEAD, FIG_OBJ, "us",
     "server CPU per request from the cores' counters", .no_spread = true, .optional = true},
    /* The scheduler's ns, every thread (sys/procstat.h); older files have ticks alone. */
    {"cpu_ns_per_request", {"server.cpu_ns_per_request"}, FIG_HEAD, FIG_OBJ, "ns",
     "server CPU per request (scheduler, ns)", .no_spread = true, .optional = true},
    {"cpu_sched_ticks_share", {"server.cpu_sched.ticks_share"}, FIG_HEAD, FIG_OBJ, "",
     "share of the ns CPU figure counted from ticks", .no_spread = true, .optional = true},
    {"context_switches_per_request_proc.voluntary", {SRV_CTX "voluntary"}, FIG_HEAD, FIG_NUM, "",
     "voluntary context switches per request (/proc)"},
    {"context_switches_per_request_proc.involuntary", {SRV_CTX "involuntary"}, FIG_HEAD, FIG_NUM,
     "", "involuntary context switches per request (/proc)"},
    {"rss_kib", {"server.rss_kib"}, FIG_HEAD, FIG_NUM, "KiB", "server RSS"},
    {"rss_kib_per_connection", {"server.rss_kib_per_connection"}, FIG_HEAD, FIG_NUM, "KiB",
     "server RSS per connection"},
    {"client_cpu_utilisation", {"client.cpu_utilisation"}, FIG_HEAD, FIG_NUM, "",
     "load generator CPU utilisation"},
    {"schedule_lag_us.p50", {"load.schedule_lag_us.p50"}, FIG_HEAD, FIG_OBJ, "us", "p50 schedule lag"},
    {"schedule_lag_us.p99", {"load.schedule_lag_us.p99"}, FIG_HEAD, FIG_OBJ, "us", "p99 schedule lag"},
    {"schedule_lag_us.max", {"load.schedule_lag_us.max"}, FIG_HEAD, FIG_OBJ, "us", "max schedule lag"},
    {"syscalls_per_request", {"syscalls.server.per_request"}, FIG_PROBED, FIG_OBJ, "",
     "server syscalls per request"},
    {"syscalls_by_name", {"syscalls.server.by_name"}, FIG_PROBED, FIG_MAP, "",
     "server syscalls per request by name"},
    {"client.syscalls_per_request", {"syscalls.client.per_request"}, FIG_PROBED, FIG_NUM, "",
     "client syscalls per request"},
    {"client.syscalls_by_name", {"syscalls.client.by_name"}, FIG_PROBED, FIG_MAP, "",
     "client syscalls per request by name"},
    {"io_uring.enter_calls_per_request", {"io_uring.enter_calls_per_request"}, FIG_PROBED, FIG_NUM,
     "", "io_uring_enter calls per request"},
    {"io_uring.sqes_per_enter", {"io_uring.sqes_per_enter"}, FIG_PROBED, FIG_NUM, "",
     "SQEs per io_uring_enter"},
    {"io_uring.cqes_per_enter", {"io_uring.cqes_per_enter"}, FIG_PROBED, FIG_NUM, "",
     "CQEs per io_uring_enter"},
    /* Context switches: from BPF when probed runs have them, else from /proc. */
    {"context_switches_per_request.voluntary", {BPF_CTX "voluntary"}, FIG_PROBED, FIG_OBJ, "",
     "voluntary context switches per request", .alt = {SRV_CTX "voluntary"}, .alt_set = FIG_HEAD},
    {"context_switches_per_request.involuntary", {BPF_CTX "involuntary"}, FIG_PROBED, FIG_OBJ, "",
     "involuntary context switches per request", .alt = {SRV_CTX "involuntary"},
     .alt_set = FIG_HEAD},
    {"context_switches_per_request.total", {BPF_CTX "voluntary", BPF_CTX "involuntary"},
     FIG_PROBED, FIG_OBJ, "", "context switches per request", .no_spread = true,
     .alt = {SRV_CTX "voluntary", SRV_CTX "involuntary"}, .alt_set = FIG_HEAD},
    /* Where a request's time goes (docs/time.md): probed runs, newer than spread. */
    {"syscall_time_us_per_request.total", {SYS_TIME "server.total"}, FIG_PROBED, FIG_OBJ, "us",
     "server syscall time per request", true},
    {"syscall_time_us_per_request.by_name", {SYS_TIME "server.by_name"}, FIG_PROBED, FIG_MAP,
     "us", "server syscall time per request by name", true},
    {"syscall_blocked_us_per_request.total", {SYS_BLK "server.total"}, FIG_PROBED, FIG_OBJ, "us",
     "server time blocked in syscalls per request", true},
    {"syscall_blocked_us_per_request.by_name", {SYS_BLK "server.by_name"}, FIG_PROBED, FIG_MAP,
     "us", "server time blocked in syscalls per request by name", true},
    {"runqueue_delay_us.p50", {RUNQ "server.p50"}, FIG_PROBED, FIG_OBJ, "us",
     "server p50 run-queue delay", true},
    {"runqueue_delay_us.p99", {RUNQ "server.p99"}, FIG_PROBED, FIG_OBJ, "us",
     "server p99 run-queue delay", true},
    {"runqueue_delay_us.per_request", {RUNQ "server.per_request"}, FIG_PROBED, FIG_OBJ, "us",
     "server run-queue delay per request", true},
    {"wakeups_per_request", {"wakeups_per_request.server"}, FIG_PROBED, FIG_OBJ, "",
     "server wakeups per request", true},
    {"io_uring.iowq_punts_per_request", {"io_uring.iowq_punts_per_request"}, FIG_PROBED, FIG_NUM,
     "", "io-wq punts per request", true},
    {"io_uring.poll_arms_per_request", {"io_uring.poll_arms_per_request"}, FIG_PROBED, FIG_NUM,
     "", "poll arms per request", true},
    {"io_uring.task_work_per_request", {"io_uring.task_work_per_request"}, FIG_PROBED, FIG_NUM,
     "", "task work items per request", true},
    {"client.syscall_time_us_per_request.total", {SYS_TIME "client.total"}, FIG_PROBED, FIG_NUM,
     "us", "client syscall time per request", true},
    {"client.syscall_time_us_per_request.by_name", {SYS_TIME "client.by_name"}, FIG_PROBED,
     FIG_MAP, "us", "client syscall time per request by name", true},
    {"client.syscall_blocked_us_per_request.total", {SYS_BLK "client.total"}, FIG_PROBED,
     FIG_NUM, "us", "client time blocked in syscalls per request", true},
    {"client.runqueue_delay_us.p50", {RUNQ "client.p50"}, FIG_PROBED, FIG_NUM, "us",
     "client p50 run-queue delay", true},
    {"client.runqueue_delay_us.p99", {RUNQ "client.p99"}, FIG_PROBED, FIG_NUM, "us",
     "client p99 run-queue delay", true},
    {"client.runqueue_delay_us.per_request", {RUNQ "client.per_request"}, FIG_PROBED, FIG_NUM,
     "us", "client run-queue delay per request", true},
    {"client.wakeups_per_request", {"wakeups_per_request.client"}, FIG_PROBED, FIG_NUM, "",
     "client wakeups per request", true},
    {NULL},
};
/* clang-format on */

const struct fig *fig_find(const char *name)
{
	for (const struct fig *f = figs; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

bool fig_run_in_set(const json_t *run, enum fig_set set)
{
	return !strcmp(doc_str(run, "status"), "ok") &&
	       json_is_true(json_object_get(run, "probed")) == (set == FIG_PROBED);
}

bool fig_run_value(const json_t *run, const char *const from[3], double *out)
{
	double sum = 0, x;

	for (int k = 0; k < 3 && from[k]; k++) {
		if (!doc_num(run, from[k], &x))
			return false;
		sum += x;
	}
	*out = sum;
	return true;
}

int fig_collect(const json_t *runs, const char *const from[3], enum fig_set set, double *v,
		const json_t **who, int cap)
{
	const json_t *run;
	size_t i;
	int n = 0;

	json_array_foreach(runs, i, run)
	{
		if (n < cap && fig_run_in_set(run, set) && fig_run_value(run, from, &v[n])) {
			if (who)
				who[n] = run;
			n++;
		}
	}
	return n;
}

int fig_values(const json_t *runs, const struct fig *f, double *v, int cap)
{
	const char *const first[3] = {f->from[0]};

	if (f->alt[0] && !fig_collect(runs, first, f->set, v, NULL, cap))
		return fig_collect(runs, f->alt, f->alt_set, v, NULL, cap);
	return fig_collect(runs, f->from, f->set, v, NULL, cap);
}
