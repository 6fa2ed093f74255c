/*
 * The figure table (figs.h), the collection of a figure's values over a cell's
 * runs (summary.c turns them into the summary's figures), and the readers'
 * access to a cell's figure by its row: its median, a by-name key, its text.
 * Pure reading of run and cell objects.
 */
#include <stdio.h>
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
#define F(id) (&figs[FIG_##id])
const struct fig figs[FIG_N + 1] = {
    [FIG_REQUESTS_PER_SEC] = {"requests_per_sec", {"requests_per_sec"}, FIG_HEAD, FIG_OBJ, "req/s", "requests/s",
     .head = "requests/s", .abbr = "req/s", .fmt = "%.0f"},
    [FIG_BYTES_PER_SEC] = {"bytes_per_sec", {"bytes_per_sec"}, FIG_HEAD, FIG_OBJ, "B/s", "bytes/s",
     .head = "bytes/s", .fmt = "%.0f"},
    [FIG_LATENCY_P50] = {"latency_us.p50", {"latency_us.p50"}, FIG_HEAD, FIG_OBJ, "us", "p50 latency",
     .head = "p50 µs", .abbr = "p50 us", .fmt = "%.1f"},
    [FIG_LATENCY_P90] = {"latency_us.p90", {"latency_us.p90"}, FIG_HEAD, FIG_OBJ, "us", "p90 latency",
     .head = "p90 µs", .fmt = "%.1f"},
    [FIG_LATENCY_P99] = {"latency_us.p99", {"latency_us.p99"}, FIG_HEAD, FIG_OBJ, "us", "p99 latency",
     .head = "p99 µs", .abbr = "p99 us", .fmt = "%.1f"},
    [FIG_LATENCY_P999] = {"latency_us.p999", {"latency_us.p999"}, FIG_HEAD, FIG_OBJ, "us", "p99.9 latency",
     .head = "p99.9 µs", .fmt = "%.1f"},
    [FIG_LATENCY_MAX] = {"latency_us.max", {"latency_us.max"}, FIG_HEAD, FIG_OBJ, "us", "max latency",
     .head = "max µs", .fmt = "%.1f"},
    [FIG_CPU_USER] = {"cpu_us_per_request.user", {SRV_CPU "user"}, FIG_HEAD, FIG_OBJ, "us", "server user CPU per request",
     .head = "user", .fmt = "%.2f"},
    [FIG_CPU_SYSTEM] = {"cpu_us_per_request.system", {SRV_CPU "system"}, FIG_HEAD, FIG_OBJ, "us", "server system CPU per request",
     .head = "system", .fmt = "%.2f"},
    [FIG_CPU_SQPOLL] = {"cpu_us_per_request.sqpoll", {SRV_CPU "sqpoll"}, FIG_HEAD, FIG_OBJ, "us", "SQPOLL thread CPU per request",
     .head = "SQPOLL thread", .fmt = "%.2f"},
    [FIG_CPU_TOTAL] = {"cpu_us_per_request.total", {SRV_CPU "user", SRV_CPU "system", SRV_CPU "sqpoll"}, FIG_HEAD,
     FIG_OBJ, "us", "server CPU per request", .no_spread = true,
     .head = "CPU µs/req", .abbr = "cpu us/rq", .fmt = "%.2f", .parts = {F(CPU_USER), F(CPU_SYSTEM), F(CPU_SQPOLL)}},
    [FIG_CPU_CORE] = {"cpu_us_per_request_core", {"server.cpu_us_per_request_core"}, FIG_HEAD, FIG_OBJ, "us",
     "server CPU per request from the cores' counters", .no_spread = true, .optional = true,
     .head = "core CPU µs/req", .fmt = "%.2f"},
    /* The scheduler's ns, every thread (sys/procstat.h); older files have ticks alone. */
    [FIG_CPU_NS] = {"cpu_ns_per_request", {"server.cpu_ns_per_request"}, FIG_HEAD, FIG_OBJ, "ns",
     "server CPU per request (scheduler, ns)", .no_spread = true, .optional = true,
     .head = "CPU ns/req", .fmt = "%.0f"},
    [FIG_CPU_SCHED_TICKS] = {"cpu_sched_ticks_share", {"server.cpu_sched.ticks_share"}, FIG_HEAD, FIG_OBJ, "",
     "share of the ns CPU figure counted from ticks", .no_spread = true, .optional = true,
     .head = "ns CPU from ticks", .fmt = "%.2f"},
    [FIG_CTX_PROC_VOLUNTARY] = {"context_switches_per_request_proc.voluntary", {SRV_CTX "voluntary"}, FIG_HEAD, FIG_NUM, "",
     "voluntary context switches per request (/proc)", .head = "voluntary", .fmt = "%.3f"},
    [FIG_CTX_PROC_INVOLUNTARY] = {"context_switches_per_request_proc.involuntary", {SRV_CTX "involuntary"}, FIG_HEAD, FIG_NUM,
     "", "involuntary context switches per request (/proc)", .head = "involuntary", .fmt = "%.3f"},
    [FIG_RSS] = {"rss_kib", {"server.rss_kib"}, FIG_HEAD, FIG_NUM, "KiB", "server RSS",
     .head = "RSS KiB", .fmt = "%.0f"},
    [FIG_RSS_PER_CONNECTION] = {"rss_kib_per_connection", {"server.rss_kib_per_connection"}, FIG_HEAD, FIG_NUM, "KiB",
     "server RSS per connection", .head = "RSS KiB/conn", .fmt = "%.1f"},
    [FIG_CLIENT_UTILISATION] = {"client_cpu_utilisation", {"client.cpu_utilisation"}, FIG_HEAD, FIG_NUM, "",
     "load generator CPU utilisation", .head = "client CPU", .fmt = "%.2f"},
    [FIG_LAG_P50] = {"schedule_lag_us.p50", {"load.schedule_lag_us.p50"}, FIG_HEAD, FIG_OBJ, "us", "p50 schedule lag",
     .head = "lag p50 µs", .fmt = "%.1f"},
    [FIG_LAG_P99] = {"schedule_lag_us.p99", {"load.schedule_lag_us.p99"}, FIG_HEAD, FIG_OBJ, "us", "p99 schedule lag",
     .head = "lag p99 µs", .fmt = "%.1f"},
    [FIG_LAG_MAX] = {"schedule_lag_us.max", {"load.schedule_lag_us.max"}, FIG_HEAD, FIG_OBJ, "us", "max schedule lag",
     .head = "lag max µs", .fmt = "%.1f"},
    [FIG_SYSCALLS] = {"syscalls_per_request", {"syscalls.server.per_request"}, FIG_PROBED, FIG_OBJ, "",
     "server syscalls per request", .head = "syscalls/req", .abbr = "sysc/rq", .fmt = "%.3f"},
    [FIG_SYSCALLS_BY_NAME] = {"syscalls_by_name", {"syscalls.server.by_name"}, FIG_PROBED, FIG_MAP, "",
     "server syscalls per request by name", .head = "syscalls/req", .fmt = "%.3f"},
    [FIG_CLIENT_SYSCALLS] = {"client.syscalls_per_request", {"syscalls.client.per_request"}, FIG_PROBED, FIG_NUM, "",
     "client syscalls per request", .head = "client syscalls/req", .fmt = "%.3f"},
    [FIG_CLIENT_SYSCALLS_BY_NAME] = {"client.syscalls_by_name", {"syscalls.client.by_name"}, FIG_PROBED, FIG_MAP, "",
     "client syscalls per request by name", .head = "client syscalls/req", .fmt = "%.3f"},
    [FIG_ENTER_CALLS] = {"io_uring.enter_calls_per_request", {"io_uring.enter_calls_per_request"}, FIG_PROBED, FIG_NUM,
     "", "io_uring_enter calls per request", .head = "io_uring_enter/req", .fmt = "%.3f"},
    [FIG_SQES_PER_ENTER] = {"io_uring.sqes_per_enter", {"io_uring.sqes_per_enter"}, FIG_PROBED, FIG_NUM, "",
     "SQEs per io_uring_enter", .head = "SQEs/enter", .fmt = "%.1f"},
    [FIG_CQES_PER_ENTER] = {"io_uring.cqes_per_enter", {"io_uring.cqes_per_enter"}, FIG_PROBED, FIG_NUM, "",
     "CQEs per io_uring_enter", .head = "CQEs/enter", .fmt = "%.1f"},
    /* Context switches: from BPF when probed runs have them, else from /proc. */
    [FIG_CTX_VOLUNTARY] = {"context_switches_per_request.voluntary", {BPF_CTX "voluntary"}, FIG_PROBED, FIG_OBJ, "",
     "voluntary context switches per request", .alt = {SRV_CTX "voluntary"}, .alt_set = FIG_HEAD,
     .head = "voluntary", .fmt = "%.3f"},
    [FIG_CTX_INVOLUNTARY] = {"context_switches_per_request.involuntary", {BPF_CTX "involuntary"}, FIG_PROBED, FIG_OBJ, "",
     "involuntary context switches per request", .alt = {SRV_CTX "involuntary"},
     .alt_set = FIG_HEAD, .head = "involuntary", .fmt = "%.3f"},
    [FIG_CTX_TOTAL] = {"context_switches_per_request.total", {BPF_CTX "voluntary", BPF_CTX "involuntary"},
     FIG_PROBED, FIG_OBJ, "", "context switches per request", .no_spread = true,
     .alt = {SRV_CTX "voluntary", SRV_CTX "involuntary"}, .alt_set = FIG_HEAD,
     .head = "ctx sw/req", .abbr = "ctxsw/rq", .fmt = "%.3f", .parts = {F(CTX_VOLUNTARY), F(CTX_INVOLUNTARY)}},
    /* Where a request's time goes (docs/time.md): probed runs, newer than spread. */
    [FIG_SYSCALL_TIME] = {"syscall_time_us_per_request.total", {SYS_TIME "server.total"}, FIG_PROBED, FIG_OBJ, "us",
     "server syscall time per request", true, .head = "syscall µs/req", .fmt = "%.2f"},
    [FIG_SYSCALL_TIME_BY_NAME] = {"syscall_time_us_per_request.by_name", {SYS_TIME "server.by_name"}, FIG_PROBED, FIG_MAP,
     "us", "server syscall time per request by name", true, .head = "syscall µs/req", .fmt = "%.2f"},
    [FIG_SYSCALL_BLOCKED] = {"syscall_blocked_us_per_request.total", {SYS_BLK "server.total"}, FIG_PROBED, FIG_OBJ, "us",
     "server time blocked in syscalls per request", true, .head = "blocked µs/req", .fmt = "%.2f"},
    [FIG_SYSCALL_BLOCKED_BY_NAME] = {"syscall_blocked_us_per_request.by_name", {SYS_BLK "server.by_name"}, FIG_PROBED, FIG_MAP,
     "us", "server time blocked in syscalls per request by name", true, .head = "blocked µs/req", .fmt = "%.2f"},
    [FIG_RUNQ_P50] = {"runqueue_delay_us.p50", {RUNQ "server.p50"}, FIG_PROBED, FIG_OBJ, "us",
     "server p50 run-queue delay", true, .head = "run-queue p50 µs", .fmt = "%.1f"},
    [FIG_RUNQ_P99] = {"runqueue_delay_us.p99", {RUNQ "server.p99"}, FIG_PROBED, FIG_OBJ, "us",
     "server p99 run-queue delay", true, .head = "run-queue p99 µs", .fmt = "%.1f"},
    [FIG_RUNQ_PER_REQUEST] = {"runqueue_delay_us.per_request", {RUNQ "server.per_request"}, FIG_PROBED, FIG_OBJ, "us",
     "server run-queue delay per request", true, .head = "run-queue µs/req", .fmt = "%.2f"},
    [FIG_WAKEUPS] = {"wakeups_per_request", {"wakeups_per_request.server"}, FIG_PROBED, FIG_OBJ, "",
     "server wakeups per request", true, .head = "wakeups/req", .fmt = "%.3f"},
    [FIG_IOWQ_PUNTS] = {"io_uring.iowq_punts_per_request", {"io_uring.iowq_punts_per_request"}, FIG_PROBED, FIG_NUM,
     "", "io-wq punts per request", true, .head = "io-wq punts/req", .fmt = "%.3f"},
    [FIG_POLL_ARMS] = {"io_uring.poll_arms_per_request", {"io_uring.poll_arms_per_request"}, FIG_PROBED, FIG_NUM,
     "", "poll arms per request", true, .head = "poll arms/req", .fmt = "%.3f"},
    [FIG_TASK_WORK] = {"io_uring.task_work_per_request", {"io_uring.task_work_per_request"}, FIG_PROBED, FIG_NUM,
     "", "task work items per request", true, .head = "task work/req", .fmt = "%.3f"},
    [FIG_CLIENT_SYSCALL_TIME] = {"client.syscall_time_us_per_request.total", {SYS_TIME "client.total"}, FIG_PROBED, FIG_NUM,
     "us", "client syscall time per request", true, .head = "client syscall µs/req", .fmt = "%.2f"},
    [FIG_CLIENT_SYSCALL_TIME_BY_NAME] = {"client.syscall_time_us_per_request.by_name", {SYS_TIME "client.by_name"}, FIG_PROBED,
     FIG_MAP, "us", "client syscall time per request by name", true, .head = "client syscall µs/req", .fmt = "%.2f"},
    [FIG_CLIENT_SYSCALL_BLOCKED] = {"client.syscall_blocked_us_per_request.total", {SYS_BLK "client.total"}, FIG_PROBED,
     FIG_NUM, "us", "client time blocked in syscalls per request", true, .head = "client blocked µs/req", .fmt = "%.2f"},
    [FIG_CLIENT_RUNQ_P50] = {"client.runqueue_delay_us.p50", {RUNQ "client.p50"}, FIG_PROBED, FIG_NUM, "us",
     "client p50 run-queue delay", true, .head = "client run-queue p50 µs", .fmt = "%.1f"},
    [FIG_CLIENT_RUNQ_P99] = {"client.runqueue_delay_us.p99", {RUNQ "client.p99"}, FIG_PROBED, FIG_NUM, "us",
     "client p99 run-queue delay", true, .head = "client run-queue p99 µs", .fmt = "%.1f"},
    [FIG_CLIENT_RUNQ_PER_REQUEST] = {"client.runqueue_delay_us.per_request", {RUNQ "client.per_request"}, FIG_PROBED, FIG_NUM,
     "us", "client run-queue delay per request", true, .head = "client run-queue µs/req", .fmt = "%.2f"},
    [FIG_CLIENT_WAKEUPS] = {"client.wakeups_per_request", {"wakeups_per_request.client"}, FIG_PROBED, FIG_NUM, "",
     "client wakeups per request", true, .head = "client wakeups/req", .fmt = "%.3f"},
    /* Derived (summary.c): sums over the runs, marks, and shares of CPU (docs/time.md). */
    [FIG_ERRORS] = {"errors.total", {NULL}, FIG_HEAD, FIG_NUM, "", "errors counted over the runs",
     .derived = true, .head = "errors", .abbr = "errors", .fmt = "%.0f", .older = "errors"},
    [FIG_OUTLIERS] = {"outliers", {NULL}, FIG_HEAD, FIG_NUM, "", "outlier runs by requests/s",
     .derived = true, .head = "outliers", .fmt = "%.0f"},
    [FIG_NOISY_RUNS] = {"noisy_runs", {NULL}, FIG_HEAD, FIG_NUM, "", "runs marked noisy",
     .derived = true, .head = "noisy runs", .fmt = "%.0f"},
    [FIG_SYSCALL_OVERHEAD_SHARE] = {"syscall_overhead_share", {NULL}, FIG_PROBED, FIG_OBJ, "",
     "share of CPU per request in syscall entry and exit", .derived = true,
     .head = "syscall entry/exit share", .fmt = "%.3f"},
    [FIG_WAKEUP_SHARE] = {"wakeup_share", {NULL}, FIG_PROBED, FIG_OBJ, "",
     "share of CPU per request in sleeps and wakes", .derived = true,
     .head = "sleep and wake share", .fmt = "%.3f"},
    [FIG_PROBE_OVERHEAD] = {"probe_overhead", {NULL}, FIG_PROBED, FIG_NUM, "",
     "probed over unprobed requests/s", .derived = true,
     .head = "probe overhead", .fmt = "%.3f"},
    [FIG_N] = {NULL},
};
#undef F
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

bool fig_cell(const json_t *cell, const struct fig *f, double *v)
{
	double x;
	bool any = false;

	if (doc_fig(cell, f->name, v) || (f->older && doc_fig(cell, f->older, v)))
		return true;
	*v = 0;
	for (int i = 0; i < 4 && f->parts[i]; i++)
		if (doc_fig(cell, f->parts[i]->name, &x))
			*v += x, any = true;
	return any;
}

bool fig_cell_key(const json_t *cell, const struct fig *f, const char *key, double *v)
{
	char path[256];

	snprintf(path, sizeof(path), "%s.%s", f->name, key);
	return doc_fig(cell, path, v);
}

void fig_text(const json_t *cell, const struct fig *f, char *buf, size_t len)
{
	double v;

	if (fig_cell(cell, f, &v))
		snprintf(buf, len, f->fmt, v);
	else
		snprintf(buf, len, "—");
}

void fig_head_ascii(const struct fig *f, char *buf, size_t len)
{
	size_t n = 0;

	for (const char *s = f->head; *s && n + 1 < len; s++) {
		if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xb5) /* µ (U+00B5) */
			buf[n++] = 'u', s++;
		else
			buf[n++] = *s;
	}
	buf[n] = '\0';
}
