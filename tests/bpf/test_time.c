/*
 * Where a target's time goes, through the rs_probe API: trace_target runs as the
 * server role and the probe's syscall time (on CPU and blocked apart), wakeups,
 * run-queue delay and io_uring hidden work are checked against what it is known
 * to do and against wait4's rusage. "figures" checks probe_delta_figures on
 * made-up snapshots and needs nothing; the others need root and BPF, else 77.
 * usage: test_time TRACE_TARGET sleep|getppid|wakeups|pingpong|iowq|iowq-nop|poll|figures
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "probe_skip.h"

#include "check.h"

#define MS 1000000.0 /* ns */

struct traced {
	struct probe_snapshot d; /* the target's life, exec to reap */
	struct rusage ru;	 /* wait4's: the target and the children it reaped */
	int status;
	double wall_ns;	 /* attach to reap */
	double irq_ns;	 /* hardirq and softirq time on all CPUs meanwhile (/proc/stat) */
	double steal_ns; /* time the hypervisor ran something else (/proc/stat) */
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * The machine's irq + softirq and steal time so far, in ns: an on-CPU interval
 * measured by the clock includes them, a task's rusage does not. Rounded up by
 * a tick per CPU, /proc/stat's resolution.
 */
static void host_ticks(double *irq_ns, double *steal_ns)
{
	unsigned long long v[8] = {0};
	double tick = 1e9 / sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			 &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		fprintf(stderr, "cannot read /proc/stat\n");
	if (f)
		fclose(f);
	*irq_ns = (v[5] + v[6]) * tick;
	*steal_ns = v[7] * tick;
}

/*
 * Runs argv as a server target: the child waits on a pipe until it is a target
 * and the probe is attached, so the window holds its whole life. 0 or -1.
 */
static int trace_target(struct probe *p, char *const argv[], struct traced *t)
{
	struct probe_snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	double irq0, steal0, slack = 1e9 / sysconf(_SC_CLK_TCK) * sysconf(_SC_NPROCESSORS_ONLN);
	int go[2], ret = -1;
	pid_t pid;
	char c;

	if (!a || !b || pipe(go))
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(go[0]);
	/* The window opens at the attach: the child may enter its read before. */
	host_ticks(&irq0, &steal0);
	t->wall_ns = now_ns();
	probe_clear_targets(p);
	if (probe_add_target(p, pid, PROBE_ROLE_SERVER) || probe_attach(p) || probe_snapshot(p, a))
		fprintf(stderr, "arming the probe failed\n");
	if (write(go[1], "g", 1) != 1)
		fprintf(stderr, "releasing the target failed\n");
	close(go[1]);
	if (wait4(pid, &t->status, 0, &t->ru) != pid)
		goto out;
	t->wall_ns = now_ns() - t->wall_ns;
	host_ticks(&t->irq_ns, &t->steal_ns);
	t->irq_ns += slack - irq0;
	t->steal_ns += slack - steal0;
	if (probe_attached(p) && probe_snapshot(p, b) == 0) {
		probe_delta(a, b, &t->d);
		ret = 0;
	}
	probe_detach(p);
out:
	free(a);
	free(b);
	return ret;
}

/* The target did what it was asked: trace_target exits 0 only then. */
static void check_exited_ok(const struct traced *t)
{
	CHECKF(WIFEXITED(t->status) && WEXITSTATUS(t->status) == 0, "trace_target status %#x",
	       t->status);
}

static double ru_cpu_ns(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
	       (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3;
}

static double get_num(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return json_is_number(j) ? json_number_value(j) : NAN;
}

static bool is_null(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return json_is_null(j);
}

#define ON_CPU(d, nr)  probe_syscall_time(d, PROBE_ROLE_SERVER, nr)->on_cpu_ns
#define BLOCKED(d, nr) probe_syscall_time(d, PROBE_ROLE_SERVER, nr)->blocked_ns

/*
 * Time inside the syscalls of a target with `tasks` threads fits in its life;
 * their on-CPU part in its CPU time (rusage), but for the interrupts, softirqs
 * and steal the clock counted while it was on CPU (rusage leaves them out).
 */
static void check_time_bounds(const struct traced *t, int tasks)
{
	struct probe_syscall_time sum = probe_syscall_time_total(&t->d, PROBE_ROLE_SERVER);

	check_exited_ok(t);
	printf("life %.3f ms, rusage CPU %.3f ms, host irq %.3f ms, steal %.3f ms\n",
	       t->wall_ns / MS, ru_cpu_ns(&t->ru) / MS, t->irq_ns / MS, t->steal_ns / MS);
	for (int nr = 0; nr < PROBE_NR_SYSCALLS; nr++)
		if (ON_CPU(&t->d, nr) + BLOCKED(&t->d, nr) > MS / 10)
			printf("  %s: %.3f ms on CPU, %.3f ms blocked\n", probe_syscall_name(nr),
			       ON_CPU(&t->d, nr) / MS, BLOCKED(&t->d, nr) / MS);
	CHECKF(sum.on_cpu_ns > 0, "no on-CPU syscall time");
	CHECKF(sum.on_cpu_ns + sum.blocked_ns <= t->wall_ns * tasks,
	       "%.3f ms in syscalls > %d x life %.3f ms", (sum.on_cpu_ns + sum.blocked_ns) / MS,
	       tasks, t->wall_ns / MS);
	CHECKF(sum.on_cpu_ns <= ru_cpu_ns(&t->ru) * 1.1 + t->irq_ns + t->steal_ns + 2 * MS,
	       "on-CPU syscall time %.3f ms > rusage CPU %.3f ms + irq and steal",
	       sum.on_cpu_ns / MS, ru_cpu_ns(&t->ru) / MS);
}

/* nanosleep N x 50 ms: ~N x 50 ms blocked in nanosleep, almost none of it on CPU. */
static void check_sleep(struct probe *p, char *target)
{
	const int n = 10, ms = 50;
	const struct probe_snapshot *d;
	struct traced t;
	json_t *fig;
	__u64 lost;
	double rq;

	CHECKF(trace_target(p, (char *[]){target, "nanosleep", "10", "50", NULL}, &t) == 0,
	       "trace");
	d = &t.d;
	CHECKF(probe_syscall_count(d, PROBE_ROLE_SERVER, SYS_nanosleep) == n, "nanosleep %llu",
	       (unsigned long long)probe_syscall_count(d, PROBE_ROLE_SERVER, SYS_nanosleep));
	rq = probe_role(d, PROBE_ROLE_SERVER)->rq_delay_ns;
	printf("nanosleep: blocked %.3f ms, on CPU %.3f ms; run-queue delay %.3f ms; lost %llu\n",
	       BLOCKED(d, SYS_nanosleep) / MS, ON_CPU(d, SYS_nanosleep) / MS, rq / MS,
	       (unsigned long long)probe_role(d, PROBE_ROLE_SERVER)->time_lost);
	/*
	 * Timers fire late, never early. Blocked = asleep + waiting for a CPU once
	 * woken (run-queue delay, however loaded the machine): the rest is the
	 * sleeps, 10% timer lateness allowed, and what the hypervisor stole.
	 */
	/*
	 * On a loaded host a switch-in can find task storage busy and its interval
	 * is lost, counted in time_lost (1 in ~4 runs at load 12 on 2 CPUs).
	 */
	lost = probe_role(d, PROBE_ROLE_SERVER)->time_lost;
	CHECKF(lost <= 2, "%llu of %d sleeps lost", (unsigned long long)lost, n);
	CHECKF(BLOCKED(d, SYS_nanosleep) >= (n - lost) * ms * MS * 0.99,
	       "blocked %.3f ms < %d x %d ms", BLOCKED(d, SYS_nanosleep) / MS, n - (int)lost, ms);
	CHECKF(BLOCKED(d, SYS_nanosleep) - rq <= n * ms * MS * 1.1 + t.steal_ns + 5 * MS,
	       "blocked %.3f ms - run-queue %.3f ms >> %d x %d ms", BLOCKED(d, SYS_nanosleep) / MS,
	       rq / MS, n, ms);
	CHECKF(ON_CPU(d, SYS_nanosleep) < n * 2 * MS, "on CPU %.3f ms in nanosleep",
	       ON_CPU(d, SYS_nanosleep) / MS);
	check_time_bounds(&t, 1);

	/* The same through the JSON, per request (one sleep = one request). */
	fig = probe_delta_figures(d, n);
	CHECKF(fig, "figures");
	CHECKF(get_num(fig, "syscall_blocked_us_per_request.server.by_name.nanosleep") >=
		   ms * 990 * (n - lost) / n,
	       "JSON blocked per sleep %g us",
	       get_num(fig, "syscall_blocked_us_per_request.server.by_name.nanosleep"));
	CHECKF(get_num(fig, "syscall_blocked_us_per_request.server.total") >=
		   get_num(fig, "syscall_blocked_us_per_request.server.by_name.nanosleep"),
	       "blocked total < its nanosleep part");
	CHECKF(get_num(fig, "syscall_time_us_per_request.server.by_name.nanosleep") < 2000,
	       "JSON on-CPU per sleep %g us",
	       get_num(fig, "syscall_time_us_per_request.server.by_name.nanosleep"));
	CHECKF(get_num(fig, "wakeups_per_request.server") >= 0.8, "wakeups per sleep %g",
	       get_num(fig, "wakeups_per_request.server"));
	json_decref(fig);
}

/* 100,000 getppid: their on-CPU time dominates, and they never block. */
static void check_getppid(struct probe *p, char *target)
{
	const struct probe_snapshot *d;
	struct probe_syscall_time sum;
	struct traced t;

	CHECKF(trace_target(p, (char *[]){target, "getppid", "100000", NULL}, &t) == 0, "trace");
	d = &t.d;
	sum = probe_syscall_time_total(d, PROBE_ROLE_SERVER);
	CHECKF(probe_syscall_count(d, PROBE_ROLE_SERVER, SYS_getppid) == 100000, "getppid %llu",
	       (unsigned long long)probe_syscall_count(d, PROBE_ROLE_SERVER, SYS_getppid));
	printf("getppid: on CPU %.3f ms (%.1f ns per call) of %.3f ms in all syscalls; blocked "
	       "%.3f ms; rusage CPU %.3f ms\n",
	       ON_CPU(d, SYS_getppid) / MS, ON_CPU(d, SYS_getppid) / 100000.0, sum.on_cpu_ns / MS,
	       BLOCKED(d, SYS_getppid) / MS, ru_cpu_ns(&t.ru) / MS);
	CHECKF(ON_CPU(d, SYS_getppid) > 100000 * 10.0, "getppid on CPU %.3f ms: < 10 ns per call",
	       ON_CPU(d, SYS_getppid) / MS);
	CHECKF(ON_CPU(d, SYS_getppid) * 2 > sum.on_cpu_ns, "getppid %.3f ms of %.3f ms on CPU",
	       ON_CPU(d, SYS_getppid) / MS, sum.on_cpu_ns / MS);
	/* It only leaves the CPU when preempted (another engineer's load, here). */
	CHECKF(BLOCKED(d, SYS_getppid) < ON_CPU(d, SYS_getppid), "getppid blocked %.3f ms",
	       BLOCKED(d, SYS_getppid) / MS);
	check_time_bounds(&t, 1);
}

/* block 200: the reader is woken through the pipe 200 times, each after a block. */
static void check_wakeups(struct probe *p, char *target)
{
	const struct probe_role_counts *c;
	double p50, p99;
	struct traced t;
	json_t *fig;

	CHECKF(trace_target(p, (char *[]){target, "block", "200", NULL}, &t) == 0, "trace");
	c = probe_role(&t.d, PROBE_ROLE_SERVER);
	p50 = probe_rq_delay_quantile_ns(&t.d, PROBE_ROLE_SERVER, 0.5);
	p99 = probe_rq_delay_quantile_ns(&t.d, PROBE_ROLE_SERVER, 0.99);
	printf("wakeups %llu, run-queue delays %llu (%.3f ms), p50 %.1f us, p99 %.1f us; read "
	       "blocked %.3f ms\n",
	       (unsigned long long)c->wakeups, (unsigned long long)c->rq_delays,
	       c->rq_delay_ns / MS, p50 / 1e3, p99 / 1e3, BLOCKED(&t.d, SYS_read) / MS);
	CHECKF(c->wakeups >= 200, "wakeups %llu < 200", (unsigned long long)c->wakeups);
	CHECKF(c->rq_delays >= 200, "run-queue delays %llu < 200",
	       (unsigned long long)c->rq_delays);
	CHECKF(c->rq_delay_ns > 0 && p50 > 0 && p99 >= p50, "delay %llu ns, p50 %g, p99 %g",
	       (unsigned long long)c->rq_delay_ns, p50, p99);
	CHECKF(p50 * c->rq_delays <= c->rq_delay_ns * 2.5 + 1e6, "p50 %g ns vs mean %g ns", p50,
	       (double)c->rq_delay_ns / c->rq_delays);
	CHECKF(BLOCKED(&t.d, SYS_read) > 0, "no blocked read time");
	fig = probe_delta_figures(&t.d, 200);
	CHECKF(fabs(get_num(fig, "runqueue_delay_us.server.p50") - p50 / 1e3) < 1e-6, "JSON p50 %g",
	       get_num(fig, "runqueue_delay_us.server.p50"));
	CHECKF(fabs(get_num(fig, "runqueue_delay_us.server.per_request") -
		    c->rq_delay_ns / 1e3 / 200) < 1e-6,
	       "JSON per_request %g", get_num(fig, "runqueue_delay_us.server.per_request"));
	CHECKF(get_num(fig, "wakeups_per_request.server") >= 1.0, "JSON wakeups %g",
	       get_num(fig, "wakeups_per_request.server"));
	CHECKF(is_null(fig, "runqueue_delay_us.client.p50"), "client p50 without samples");
	json_decref(fig);
	check_time_bounds(&t, 2); /* the reader and its writer */
}

/*
 * pingpong 500: two threads pinned to one CPU wake each other through pipes
 * while a third spins there, so a woken thread waits for the CPU: run-queue
 * delay above zero. A round trip wakes the main thread at least once (it blocks
 * on the reply: the ponger cannot run before); the ponger is woken only when it
 * reached its read first. Half of that is asked for: a tick may preempt.
 */
static void check_pingpong(struct probe *p, char *target)
{
	const int k = 500;
	const struct probe_role_counts *c;
	struct traced t;
	double p99;

	CHECKF(trace_target(p, (char *[]){target, "pingpong", "500", NULL}, &t) == 0, "trace");
	check_exited_ok(&t);
	c = probe_role(&t.d, PROBE_ROLE_SERVER);
	p99 = probe_rq_delay_quantile_ns(&t.d, PROBE_ROLE_SERVER, 0.99);
	printf("pingpong: wakeups %llu, run-queue delays %llu (%.3f ms), p99 %.1f us, involuntary "
	       "switches %llu\n",
	       (unsigned long long)c->wakeups, (unsigned long long)c->rq_delays,
	       c->rq_delay_ns / MS, p99 / 1e3, (unsigned long long)c->ivcsw);
	CHECKF(c->wakeups >= (__u64)k / 2, "wakeups %llu < %d", (unsigned long long)c->wakeups,
	       k / 2);
	CHECKF(c->rq_delays >= (__u64)k / 2, "run-queue delays %llu < %d",
	       (unsigned long long)c->rq_delays, k / 2);
	CHECKF(c->rq_delay_ns > 0 && p99 > 0, "run-queue delay %llu ns, p99 %g ns",
	       (unsigned long long)c->rq_delay_ns, p99);
}

/* An io_uring mode of trace_target: each op is punted to io-wq, or poll-armed. */
struct uring_case {
	const char *mode;
	bool punted;
	__u64 needs;	 /* the PROBE_MISSING_* tracepoint that shows it */
	const char *key; /* its figure, 1 per op */
};

static const struct uring_case uring_iowq = {
    /* IOSQE_ASYNC: each read is queued to io-wq once, never polled. */
    "uring-async", true, PROBE_MISSING_IOWQ, "io_uring.iowq_punts_per_request"};
static const struct uring_case uring_iowq_nop = {
    /* IOSQE_ASYNC on a NOP: queued to io-wq all the same, exactly one punt each. */
    "uring-async-nop", true, PROBE_MISSING_IOWQ, "io_uring.iowq_punts_per_request"};
static const struct uring_case uring_poll = {
    /* Each recv finds no data: one poll armed, then the write completes it. */
    "uring-poll", false, PROBE_MISSING_POLL_ARM, "io_uring.poll_arms_per_request"};

/* 77 when trace_target found io_uring refused or the tracepoint is missing. */
static int check_uring(struct probe *p, char *target, const struct uring_case *u)
{
	const char *mode = u->mode;
	const int k = 100;
	const struct probe_role_counts *c;
	struct traced t;
	json_t *fig;

	CHECKF(trace_target(p, (char *[]){target, (char *)mode, "100", NULL}, &t) == 0, "trace");
	if (WIFEXITED(t.status) && WEXITSTATUS(t.status) == 77) {
		printf("skip: io_uring unavailable\n");
		return 77;
	}
	check_exited_ok(&t);
	c = probe_role(&t.d, PROBE_ROLE_SERVER);
	printf("%s: sqes %llu cqes %llu, io-wq punts %llu, poll arms %llu, task work %llu, "
	       "overflows %llu\n",
	       mode, (unsigned long long)c->sqes, (unsigned long long)c->cqes,
	       (unsigned long long)c->iowq_punts, (unsigned long long)c->poll_arms,
	       (unsigned long long)c->task_work, (unsigned long long)c->cq_overflows);
	CHECKF(c->sqes == (__u64)k && c->cqes == (__u64)k, "sqes %llu, cqes %llu",
	       (unsigned long long)c->sqes, (unsigned long long)c->cqes);
	CHECKF(c->cq_overflows == 0, "overflows %llu", (unsigned long long)c->cq_overflows);
	if (probe_missing(&t.d, u->needs)) {
		printf("skip: %s\n", probe_missing(&t.d, u->needs));
		return 77;
	}
	CHECKF(c->iowq_punts == (u->punted ? (__u64)k : 0), "punts %llu",
	       (unsigned long long)c->iowq_punts);
	CHECKF(c->poll_arms == (u->punted ? 0 : (__u64)k), "poll arms %llu",
	       (unsigned long long)c->poll_arms);
	/* Either way the completion reaches the submitter as task work. */
	if (!probe_missing(&t.d, PROBE_MISSING_TASK_WORK))
		CHECKF(c->task_work >= (__u64)k, "task work %llu < %d",
		       (unsigned long long)c->task_work, k);
	fig = probe_delta_figures(&t.d, k);
	CHECKF(get_num(fig, u->key) == 1.0, "JSON %s %g", u->key, get_num(fig, u->key));
	CHECKF(!json_object_get(fig, "probe_unavailable") || t.d.missing,
	       "unavailable without a missing tracepoint");
	json_decref(fig);
	return 0;
}

/* Made-up snapshots: shapes, nulls, quantiles and the missing-tracepoint reasons. */
static void check_figures(void)
{
	struct probe_snapshot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct probe_role_counts *srv = &b->role[PROBE_ROLE_SERVER - 1];
	double p50, p99;
	json_t *fig;

	/* 90 delays in [896, 1024) ns (bucket 35), 10 in [7168, 8192) (bucket 47). */
	srv->rq_hist[35] = 90;
	srv->rq_hist[47] = 10;
	srv->rq_delays = 100;
	srv->rq_delay_ns = 90 * 1000 + 10 * 8000;
	srv->wakeups = 50;
	srv->iowq_punts = 20;
	b->syscalls[PROBE_ROLE_SERVER - 1][SYS_getppid] = 10;
	b->syscall_time[PROBE_ROLE_SERVER - 1][SYS_getppid].on_cpu_ns = 10000;
	b->syscall_time[PROBE_ROLE_SERVER - 1][SYS_read].blocked_ns = 30000;
	b->missing = PROBE_MISSING_TASK_WORK;

	p50 = probe_rq_delay_quantile_ns(b, PROBE_ROLE_SERVER, 0.5);
	p99 = probe_rq_delay_quantile_ns(b, PROBE_ROLE_SERVER, 0.99);
	CHECKF(p50 >= 896 && p50 < 1024, "p50 %g not in bucket 35", p50);
	CHECKF(p99 >= 7168 && p99 < 8192, "p99 %g not in bucket 47", p99);
	CHECKF(probe_rq_delay_quantile_ns(a, PROBE_ROLE_SERVER, 0.5) == -1, "quantile of none");

	fig = probe_figures(a, b, 10);
	CHECK(fig);
	CHECKF(get_num(fig, "syscall_time_us_per_request.server.total") == 1.0, "on-CPU %g",
	       get_num(fig, "syscall_time_us_per_request.server.total"));
	CHECKF(get_num(fig, "syscall_time_us_per_request.server.by_name.getppid") == 1.0,
	       "getppid %g", get_num(fig, "syscall_time_us_per_request.server.by_name.getppid"));
	CHECKF(get_num(fig, "syscall_blocked_us_per_request.server.by_name.read") == 3.0, "read %g",
	       get_num(fig, "syscall_blocked_us_per_request.server.by_name.read"));
	CHECKF(get_num(fig, "syscall_blocked_us_per_request.server.by_name.getppid") == 0.0,
	       "called, never blocked: 0");
	CHECKF(get_num(fig, "runqueue_delay_us.server.per_request") == 17.0, "rq per request %g",
	       get_num(fig, "runqueue_delay_us.server.per_request"));
	CHECKF(get_num(fig, "runqueue_delay_us.server.samples") == 100, "samples");
	CHECKF(fabs(get_num(fig, "runqueue_delay_us.server.p50") - p50 / 1e3) < 1e-9, "p50");
	CHECKF(is_null(fig, "runqueue_delay_us.client.p99"), "client p99 not null");
	CHECKF(get_num(fig, "wakeups_per_request.server") == 5.0, "wakeups");
	CHECKF(get_num(fig, "io_uring.iowq_punts_per_request") == 2.0, "punts");
	CHECKF(get_num(fig, "io_uring.cq_overflows") == 0, "overflows");
	CHECKF(is_null(fig, "io_uring.task_work_per_request"), "task work not null when missing");
	/* A dotted key, not a path: get_num's walk would split it. */
	CHECKF(json_is_string(json_object_get(json_object_get(fig, "probe_unavailable"),
					      "io_uring.task_work_per_request")),
	       "no reason for the missing task work");
	CHECKF(json_object_size(json_object_get(fig, "probe_unavailable")) == 1,
	       "reasons for figures that were counted");
	CHECKF(get_num(fig, "syscalls.server.by_name.getppid") == 1.0, "existing keys changed");
	json_decref(fig);

	fig = probe_figures(a, b, 0);
	CHECKF(is_null(fig, "syscall_time_us_per_request.server.total") &&
		   is_null(fig, "syscall_blocked_us_per_request.server.by_name.read") &&
		   is_null(fig, "runqueue_delay_us.server.per_request") &&
		   is_null(fig, "wakeups_per_request.server") &&
		   is_null(fig, "io_uring.poll_arms_per_request"),
	       "per-request figures not null with 0 requests");
	CHECKF(get_num(fig, "runqueue_delay_us.server.p99") > 0, "quantiles need no requests");
	json_decref(fig);
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	char *target = argv[1];
	const char *mode = argv[2];
	struct probe *p;
	int ret = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: test_time TRACE_TARGET MODE\n");
		return 2;
	}
	alarm(60); /* the deadline for every wait below */
	if (!strcmp(mode, "figures")) {
		check_figures();
		return check_exit();
	}
	p = probe_open_or_skip();
	if (!strcmp(mode, "sleep")) {
		check_sleep(p, target);
	} else if (!strcmp(mode, "getppid")) {
		check_getppid(p, target);
	} else if (!strcmp(mode, "wakeups")) {
		check_wakeups(p, target);
	} else if (!strcmp(mode, "pingpong")) {
		check_pingpong(p, target);
	} else if (!strcmp(mode, "iowq")) {
		ret = check_uring(p, target, &uring_iowq);
	} else if (!strcmp(mode, "iowq-nop")) {
		ret = check_uring(p, target, &uring_iowq_nop);
	} else if (!strcmp(mode, "poll")) {
		ret = check_uring(p, target, &uring_poll);
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		ret = 2;
	}
	probe_close(p);
	if (ret && !check_failures)
		return ret;
	return check_exit();
}
