/*
 * `ringside trace`: run any command under the BPF probes, like `strace -c -f`
 * but counted in the kernel, or attach to a running process (-p, like bcc's
 * syscount -p): syscalls by name with their on-CPU and blocked time, context
 * switches (BPF beside wait4's rusage) and io_uring SQEs/CQEs per io_uring_enter,
 * for the process and every process it forks. Needs root and kernel BTF (bpf/probe.h).
 */
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "fsio.h"
#include "log.h"
#include "opts.h"
#include "nullsys.h"
#include "probe.h"
#include "wakeup.h"

struct trace_opts {
	bool json;
	const char *output; /* -o: where the report goes; "-" is stdout */
	pid_t attach;	    /* -p: a running process instead of a command; 0 for none */
	double duration_s;  /* --duration with -p: 0 is until SIGINT or its exit */
};

static const struct trace_opts trace_defaults = {
    .json = false,
    .output = "-",
    .attach = 0,
    .duration_s = 0,
};

struct trace_result {
	bool attached; /* -p: no exit status, no rusage; the process runs on */
	pid_t pid;
	int status;
	struct rusage ru;
	long held_nvcsw, held_nivcsw; /* the child's switches before release (/proc) */
	long nvcsw, nivcsw;	      /* rusage minus those: comparable with BPF */
	double elapsed_s;
	struct probe_snapshot d; /* counts over the command's life */
	/* This host's costs, timed before the command ran (NaN: not measured). */
	double null_ns, wake_same_us, wake_cross_us;
};

/*
 * The costs the model charges: a null syscall and a sleep and wake on this CPU,
 * and across to another CPU (docs/time.md), timed with the probes attached and
 * no targets, since the command runs probed: the programs on sys_enter/exit and
 * the scheduler's tracepoints add to each (about 2x here). Before any target.
 */
static void trace_costs(struct probe *p, struct trace_result *r)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int a = sched_getcpu();
	struct wakeup_cost w;

	r->null_ns = r->wake_same_us = r->wake_cross_us = NAN;
	if (a < 0 || probe_attach(p))
		return;
	if (nullsys_measure(a, &r->null_ns))
		r->null_ns = NAN;
	if (wakeup_measure(a, a, &w) == 0)
		r->wake_same_us = w.us;
	for (int b = 0; b < n && b < CPU_SETSIZE; b++)
		if (b != a && wakeup_measure(a, b, &w) == 0) {
			r->wake_cross_us = w.us;
			break;
		}
	probe_detach(p);
}

/*
 * The wakeups' estimated CPU: every sleep (voluntary switch) at the same-CPU
 * cost, one that left the CPU idle at the cross-CPU one (its wake brought an
 * idle CPU back). NaN without the costs.
 */
static double wakeups_cpu_us(const struct trace_result *r)
{
	const struct probe_role_counts *c = probe_role(&r->d, PROBE_ROLE_SERVER);
	double extra = isfinite(r->wake_cross_us) ? r->wake_cross_us - r->wake_same_us : 0;

	return c->vcsw * r->wake_same_us + c->idle_sleeps * extra;
}

static double rusage_cpu_us(const struct trace_result *r)
{
	return (r->ru.ru_utime.tv_sec + r->ru.ru_stime.tv_sec) * 1e6 + r->ru.ru_utime.tv_usec +
	       r->ru.ru_stime.tv_usec;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* "wakeups" and "cpu_model" of the JSON report. */
static void model_json(json_t *j, const struct trace_result *r)
{
	const struct probe_role_counts *c = probe_role(&r->d, PROBE_ROLE_SERVER);
	double sys_us = probe_syscall_total(&r->d, PROBE_ROLE_SERVER) * r->null_ns / 1e3,
	       wake_us = wakeups_cpu_us(r), cpu = r->attached ? NAN : rusage_cpu_us(r);

	json_object_set_new(j, "wakeups",
			    json_pack("{s:I,s:I,s:o,s:{s:o,s:o}}", "voluntary_switches",
				      (json_int_t)c->vcsw, "to_idle", (json_int_t)c->idle_sleeps,
				      "cpu_us", num_or_null(wake_us), "cost_us", "same_cpu",
				      num_or_null(r->wake_same_us), "cross_cpu",
				      num_or_null(r->wake_cross_us)));
	json_object_set_new(j, "cpu_model",
			    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "null_syscall_ns",
				      num_or_null(r->null_ns), "syscalls_us", num_or_null(sys_us),
				      "wakeups_us", num_or_null(wake_us), "modelled_us",
				      num_or_null(sys_us + wake_us), "rusage_cpu_us",
				      num_or_null(cpu), "modelled_share",
				      num_or_null(cpu > 0 ? (sys_us + wake_us) / cpu : NAN)));
}

static void model_table(FILE *f, const struct trace_result *r)
{
	const struct probe_role_counts *c = probe_role(&r->d, PROBE_ROLE_SERVER);
	__u64 calls = probe_syscall_total(&r->d, PROBE_ROLE_SERVER);
	double sys_us = calls * r->null_ns / 1e3, wake_us = wakeups_cpu_us(r);

	fprintf(f,
		"wakeups: %llu sleeps (voluntary switches), %llu of them left the CPU idle: "
		"about %.1f us of CPU\n"
		"  (a sleep and wake costs %.2f us on one CPU, %.2f us across CPUs here)\n",
		(unsigned long long)c->vcsw, (unsigned long long)c->idle_sleeps, wake_us,
		r->wake_same_us, r->wake_cross_us);
	fprintf(f,
		"cost model: %llu syscalls x %.0f ns = %.1f us entry/exit, + %.1f us sleeps "
		"and wakes = %.1f us",
		(unsigned long long)calls, r->null_ns, sys_us, wake_us, sys_us + wake_us);
	if (!r->attached && rusage_cpu_us(r) > 0)
		fprintf(f, " of %.1f us CPU (rusage): %.0f%%", rusage_cpu_us(r),
			100 * (sys_us + wake_us) / rusage_cpu_us(r));
	fprintf(f, "\n\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ringside trace [--json] [-o FILE] -- COMMAND [ARGS...]\n"
		   "       ringside trace [--json] [-o FILE] -p PID [--duration S]\n\n"
		   "Runs COMMAND under the BPF probes, or attaches to the running process PID\n"
		   "(its threads and the processes it forks from then on), and prints: syscalls\n"
		   "by name (descending) with their time on CPU and blocked (switched out inside\n"
		   "the syscall), context switches counted by BPF next to wait4's rusage (the\n"
		   "command and its waited-for descendants; not with -p), and io_uring SQEs, CQEs\n"
		   "and io_uring_enter calls. Exits with COMMAND's status (128+signal if killed),\n"
		   "0 after -p; 1 if the probes cannot load (needs root, kernel BTF and a build\n"
		   "with BPF).\n\n"
		   "  --json            print one JSON object instead of tables\n"
		   "  -o, --output FILE write the report to FILE (atomically; - is stdout, the\n"
		   "                    default), so COMMAND keeps stdout and stderr to itself\n"
		   "  -p, --pid PID     attach to PID instead of running a command; detaching\n"
		   "                    leaves it running\n"
		   "  --duration S      with -p: trace for S seconds (default: until ^C or until\n"
		   "                    PID exits)\n\n"
		   "examples:\n"
		   "  ringside trace -- /bin/true\n"
		   "  ringside trace --json -o trace.json -- ./build/ringside-echo --model epoll "
		   "--port 0\n"
		   "  ringside trace -p \"$(pgrep -o nginx)\" --duration 5\n");
}

/* PATH lookup in the parent, so the traced child makes exactly one execve. */
static int resolve(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return access(out, X_OK);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(out, len, "%.*s%s%s", (int)n, path, n ? "/" : "", cmd);
		if (access(out, X_OK) == 0)
			return 0;
		path += n + (path[n] == ':');
	}
	errno = ENOENT;
	return -1;
}

/* voluntary_ctxt_switches / nonvoluntary_ctxt_switches of a live pid; 0 if unreadable. */
static void proc_switches(pid_t pid, long *vol, long *invol)
{
	char file[64], line[128];
	FILE *f;

	*vol = *invol = 0;
	snprintf(file, sizeof(file), "/proc/%d/status", (int)pid);
	f = fopen(file, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "voluntary_ctxt_switches: %ld", vol);
		sscanf(line, "nonvoluntary_ctxt_switches: %ld", invol);
	}
	fclose(f);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * True once pid sleeps in read(2): its pre-exec syscalls are then behind it, so
 * the counts start exactly at its execve. /proc gives no event for that, so it
 * polls, up to a deadline (10 s: a loaded machine may not run the child sooner).
 */
static bool wait_blocked_in_read(pid_t pid)
{
	char file[64], buf[256], *end;
	double deadline = now_s() + 10;
	int n;

	while (now_s() < deadline) {
		FILE *f;

		snprintf(file, sizeof(file), "/proc/%d/syscall", (int)pid);
		f = fopen(file, "r");
		if (!f)
			return false;
		n = fgets(buf, sizeof(buf), f) ? (int)strtol(buf, &end, 10) : -1;
		fclose(f);
		if (n == __NR_read && end != buf)
			return true;
		usleep(100);
	}
	return false;
}

/*
 * Forks the child held on a pipe read until its tgid is a target and the
 * probes are attached, then releases it and waits. Returns 0 or -1 (logged).
 */
static int trace_run(struct probe *p, const char *path, char **argv, struct trace_result *r)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	struct probe_snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	int hold[2], err = -1;
	double t0 = now_s();
	char go = 'g';

	if (!a || !b) {
		LOG_ERR("out of memory");
		goto out;
	}
	if (pipe2(hold, O_CLOEXEC)) {
		PLOG_ERR("pipe");
		goto out;
	}
	r->pid = fork();
	if (r->pid < 0) {
		PLOG_ERR("fork");
		goto close_pipe;
	}
	if (r->pid == 0) {
		close(hold[1]);
		if (read(hold[0], &go, 1) != 1)
			_exit(127); /* the harness went away */
		execv(path, argv);
		PLOG_ERR("exec %s", path);
		_exit(127);
	}
	close(hold[0]);
	hold[0] = -1;
	/* Like time(1): ^C goes to the command; we stay to report. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	if (!wait_blocked_in_read(r->pid))
		LOG_DBG("pid %d not seen blocked before exec: counts include its setup",
			(int)r->pid);
	if (probe_add_target(p, r->pid, PROBE_ROLE_SERVER) || probe_attach(p) ||
	    probe_snapshot(p, a)) {
		PLOG_ERR("arming the probes for pid %d", (int)r->pid);
		kill(r->pid, SIGKILL);
		goto reap;
	}
	/* Held and blocked: nothing switches until the write below. */
	proc_switches(r->pid, &r->held_nvcsw, &r->held_nivcsw);
	t0 = now_s();
	if (write(hold[1], &go, 1) != 1)
		PLOG_ERR("releasing pid %d", (int)r->pid);
	close(hold[1]);
	hold[1] = -1;
reap:
	while (wait4(r->pid, &r->status, 0, &r->ru) < 0) {
		if (errno != EINTR) {
			PLOG_ERR("wait4");
			goto restore;
		}
	}
	r->elapsed_s = now_s() - t0;
	r->nvcsw = r->ru.ru_nvcsw - r->held_nvcsw;
	r->nivcsw = r->ru.ru_nivcsw - r->held_nivcsw;
	if (probe_attached(p) && probe_snapshot(p, b) == 0) {
		probe_delta(a, b, &r->d);
		err = 0;
	}
restore:
	probe_detach(p);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
close_pipe:
	if (hold[0] >= 0)
		close(hold[0]);
	if (hold[1] >= 0)
		close(hold[1]);
out:
	free(a);
	free(b);
	return err;
}

static volatile sig_atomic_t attach_stop;

static void on_stop(int sig)
{
	attach_stop = sig;
}

/* True while pid exists and is not a zombie (its parent has not reaped it yet). */
static bool alive(pid_t pid)
{
	char file[64], buf[512], *rp;
	FILE *f;
	bool ok = false;

	snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
	f = fopen(file, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')) && rp[1] == ' ')
		ok = rp[2] != 'Z' && rp[2] != 'X';
	fclose(f);
	return ok;
}

/*
 * -p: adds the running pid as a target (its threads share the tgid; its forks
 * join it), counts for duration_s (0: until SIGINT/SIGTERM or its exit) and
 * detaches, which leaves it running as before. Returns 0 or -1 (logged).
 */
static int trace_attach(struct probe *p, pid_t pid, double duration_s, struct trace_result *r)
{
	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	struct probe_snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	double t0, end;
	int err = -1;

	r->attached = true;
	r->pid = pid;
	if (!a || !b) {
		LOG_ERR("out of memory");
		goto out;
	}
	if (!alive(pid)) {
		LOG_ERR("trace: no running process %d", (int)pid);
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (probe_add_target(p, pid, PROBE_ROLE_SERVER) || probe_attach(p) ||
	    probe_snapshot(p, a)) {
		PLOG_ERR("arming the probes for pid %d", (int)pid);
		goto restore;
	}
	t0 = now_s();
	end = duration_s > 0 ? t0 + duration_s : 0;
	while (!attach_stop && alive(pid) && (!end || now_s() < end)) {
		double left = end ? end - now_s() : 0.1;

		usleep((useconds_t)((left < 0.1 ? (left > 0 ? left : 0) : 0.1) * 1e6));
	}
	r->elapsed_s = now_s() - t0;
	if (probe_snapshot(p, b) == 0) {
		probe_delta(a, b, &r->d);
		err = 0;
	} else {
		PLOG_ERR("cannot read the BPF counters");
	}
restore:
	probe_detach(p);
	probe_clear_targets(p);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	free(a);
	free(b);
	return err;
}

/* /proc/PID/cmdline as a JSON array of strings (empty when unreadable). */
static json_t *proc_cmdline(pid_t pid)
{
	char file[64], buf[4096];
	json_t *arr = json_array();
	size_t n = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/cmdline", (int)pid);
	f = fopen(file, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
		json_array_append_new(arr, json_string(buf + i));
	return arr;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return RS_EXIT_FAIL;
}

struct sc_row {
	int nr;
	__u64 n;
};

static int by_count_desc(const void *x, const void *y)
{
	const struct sc_row *a = x, *b = y;

	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(probe_syscall_name(a->nr), probe_syscall_name(b->nr));
}

static int sorted_rows(const struct probe_snapshot *d, struct sc_row *rows)
{
	int n = 0;

	for (int nr = 0; nr < PROBE_NR_SYSCALLS; nr++) {
		__u64 c = probe_syscall_count(d, PROBE_ROLE_SERVER, nr);

		if (c)
			rows[n++] = (struct sc_row){nr, c};
	}
	qsort(rows, n, sizeof(*rows), by_count_desc);
	return n;
}

static json_t *per_enter(__u64 n, __u64 enters)
{
	return enters ? json_real((double)n / enters) : json_null();
}

/* {name: us} of on-CPU (blocked false) or blocked time, for the syscalls in rows. */
static json_t *time_by_name(const struct probe_snapshot *d, const struct sc_row *rows, int n,
			    bool blocked)
{
	json_t *m = json_object();

	for (int i = 0; i < n; i++) {
		const struct probe_syscall_time *t =
		    probe_syscall_time(d, PROBE_ROLE_SERVER, rows[i].nr);

		json_object_set_new(m, probe_syscall_name(rows[i].nr),
				    json_real((blocked ? t->blocked_ns : t->on_cpu_ns) / 1e3));
	}
	return m;
}

static json_t *result_json_counts(char **argv, const struct trace_result *r)
{
	const struct probe_role_counts *c = probe_role(&r->d, PROBE_ROLE_SERVER);
	__u64 enters = probe_syscall_count(&r->d, PROBE_ROLE_SERVER, PROBE_NR_IO_URING_ENTER);
	struct probe_syscall_time sum = probe_syscall_time_total(&r->d, PROBE_ROLE_SERVER);
	struct sc_row rows[PROBE_NR_SYSCALLS];
	json_t *cmd, *names = json_object(), *exit, *rusage;
	int n = sorted_rows(&r->d, rows);

	if (r->attached) {
		cmd = proc_cmdline(r->pid);
		exit = json_null();
		rusage = json_null();
	} else {
		cmd = json_array();
		for (int i = 0; argv[i]; i++)
			json_array_append_new(cmd, json_string(argv[i]));
		if (WIFSIGNALED(r->status))
			exit = json_pack("{s:i}", "signal", WTERMSIG(r->status));
		else
			exit = json_pack("{s:i}", "code", WEXITSTATUS(r->status));
		rusage =
		    json_pack("{s:I, s:I, s:s}", "voluntary", (json_int_t)r->nvcsw, "involuntary",
			      (json_int_t)r->nivcsw, "covers",
			      "wait4: the command and its waited-for descendants, after release");
	}
	for (int i = 0; i < n; i++)
		json_object_set_new(names, probe_syscall_name(rows[i].nr),
				    json_integer((json_int_t)rows[i].n));
	return json_pack(
	    "{s:o, s:i, s:b, s:o, s:f, s:I,"
	    " s:{s:I, s:o, s:f, s:o, s:f, s:o, s:I},"
	    " s:{s:{s:I, s:I, s:I}, s:o},"
	    " s:{s:I, s:I, s:I, s:o, s:o}}",
	    "command", cmd, "pid", (int)r->pid, "attached", r->attached, "exit", exit, "elapsed_s",
	    r->elapsed_s, "processes_followed", (json_int_t)c->forks, "syscalls", "total",
	    (json_int_t)probe_syscall_total(&r->d, PROBE_ROLE_SERVER), "by_name", names, "time_us",
	    sum.on_cpu_ns / 1e3, "time_us_by_name", time_by_name(&r->d, rows, n, false),
	    "blocked_us", sum.blocked_ns / 1e3, "blocked_us_by_name",
	    time_by_name(&r->d, rows, n, true), "intervals_lost", (json_int_t)c->time_lost,
	    "context_switches", "bpf", "voluntary", (json_int_t)c->vcsw, "involuntary",
	    (json_int_t)c->ivcsw, "guessed", (json_int_t)c->guessed, "rusage", rusage, "io_uring",
	    "sqes", (json_int_t)c->sqes, "cqes", (json_int_t)c->cqes, "enter_calls",
	    (json_int_t)enters, "sqes_per_enter", per_enter(c->sqes, enters), "cqes_per_enter",
	    per_enter(c->cqes, enters));
}

static json_t *result_json(char **argv, const struct trace_result *r)
{
	json_t *j = result_json_counts(argv, r);

	if (j)
		model_json(j, r);
	return j;
}

static void print_table(FILE *f, char **argv, const struct trace_result *r)
{
	const struct probe_role_counts *c = probe_role(&r->d, PROBE_ROLE_SERVER);
	__u64 enters = probe_syscall_count(&r->d, PROBE_ROLE_SERVER, PROBE_NR_IO_URING_ENTER);
	struct sc_row rows[PROBE_NR_SYSCALLS];
	int n = sorted_rows(&r->d, rows);

	struct probe_syscall_time sum = probe_syscall_time_total(&r->d, PROBE_ROLE_SERVER);

	if (r->attached) {
		fprintf(f,
			"ringside trace: pid %d, attached for %.3f s, %llu forked process(es) "
			"followed; still running\n\n",
			(int)r->pid, r->elapsed_s, (unsigned long long)c->forks);
	} else {
		fprintf(f, "ringside trace: %s (pid %d): ", argv[0], (int)r->pid);
		if (WIFSIGNALED(r->status))
			fprintf(f, "killed by signal %d", WTERMSIG(r->status));
		else
			fprintf(f, "exit %d", WEXITSTATUS(r->status));
		fprintf(f, ", %.3f s, %llu forked process(es) followed\n\n", r->elapsed_s,
			(unsigned long long)c->forks);
	}
	fprintf(f, "%12s %14s %14s %10s  %s\n", "calls", "on CPU us", "blocked us", "us/call",
		"syscall");
	for (int i = 0; i < n; i++) {
		const struct probe_syscall_time *t =
		    probe_syscall_time(&r->d, PROBE_ROLE_SERVER, rows[i].nr);

		fprintf(f, "%12llu %14.1f %14.1f %10.3f  %s\n", (unsigned long long)rows[i].n,
			t->on_cpu_ns / 1e3, t->blocked_ns / 1e3,
			(t->on_cpu_ns + t->blocked_ns) / 1e3 / rows[i].n,
			probe_syscall_name(rows[i].nr));
	}
	fprintf(f, "%12llu %14.1f %14.1f %10s  total\n\n",
		(unsigned long long)probe_syscall_total(&r->d, PROBE_ROLE_SERVER),
		sum.on_cpu_ns / 1e3, sum.blocked_ns / 1e3, "");
	if (c->time_lost)
		fprintf(f,
			"(%llu call(s) lost the time after a switch-in that found its task storage "
			"busy: the times above are short by that)\n\n",
			(unsigned long long)c->time_lost);
	fprintf(f, "context switches   %12s %12s\n", "voluntary", "involuntary");
	fprintf(f, "  BPF              %12llu %12llu\n", (unsigned long long)c->vcsw,
		(unsigned long long)c->ivcsw);
	if (!r->attached)
		fprintf(f,
			"  wait4 rusage     %12ld %12ld   (command + waited-for descendants, from "
			"exec)\n",
			r->nvcsw, r->nivcsw);
	fprintf(f, "\n");
	model_table(f, r);
	fprintf(f, "io_uring: %llu SQEs, %llu CQEs, %llu io_uring_enter calls, ",
		(unsigned long long)c->sqes, (unsigned long long)c->cqes,
		(unsigned long long)enters);
	if (enters)
		fprintf(f, "%.2f SQEs/enter, %.2f CQEs/enter\n", (double)c->sqes / enters,
			(double)c->cqes / enters);
	else
		fprintf(f, "SQEs/enter n/a\n");
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},	   {"output", required_argument, NULL, 'o'},
	    {"pid", required_argument, NULL, 'p'}, {"duration", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	struct trace_opts o = trace_defaults;
	struct trace_result *r;
	struct fs_out out;
	struct probe *p;
	FILE *f;
	char why[256], path[4096];
	unsigned long pid;
	bool have_duration = false;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ho:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, &pid, 1, 1UL << 22))
				usage_error("trace: -p wants a process id, not '%s'", optarg);
			o.attach = (pid_t)pid;
			break;
		case 'd':
			if (parse_double(optarg, &o.duration_s, 0.001, 1e7))
				usage_error("trace: --duration wants seconds > 0, not '%s'",
					    optarg);
			have_duration = true;
			break;
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		default:
			usage_error("trace: bad option or missing value: %s", argv[optind - 1]);
		}
	}
	if (o.attach && optind < argc)
		usage_error("trace: -p and a command are exclusive");
	if (have_duration && !o.attach)
		usage_error("trace: --duration goes with -p (a command is traced until it exits)");
	if (!o.attach && optind >= argc)
		usage_error("trace: no command given (ringside trace -- COMMAND [ARGS...])");
	if (!o.attach && resolve(argv[optind], path, sizeof(path)))
		usage_error("trace: cannot run '%s': %s", argv[optind], strerror(errno));
	if (probe_open(&p, why, sizeof(why))) {
		LOG_ERR("trace: %s", why);
		return RS_EXIT_FAIL;
	}
	/* Opened before the command runs, so a bad -o fails before it starts. */
	f = fs_out_open(&out, o.output);
	if (!f) {
		rc = RS_EXIT_FAIL;
		goto close_probe;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		LOG_ERR("out of memory");
		fs_out_abort(&out);
		rc = RS_EXIT_FAIL;
		goto close_probe;
	}
	fflush(stdout);
	trace_costs(p, r);
	if (o.attach ? trace_attach(p, o.attach, o.duration_s, r) == 0
		     : trace_run(p, path, argv + optind, r) == 0) {
		if (o.json) {
			json_t *j = result_json(argv + optind, r);

			json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fprintf(f, "\n");
			json_decref(j);
		} else {
			print_table(f, argv + optind, r);
		}
		rc = fs_out_commit(&out) < 0 ? RS_EXIT_FAIL
		     : o.attach		     ? RS_EXIT_OK
					     : exit_code(r->status);
	} else {
		fs_out_abort(&out);
		rc = RS_EXIT_FAIL;
	}
	free(r);
close_probe:
	probe_close(p);
	return rc;
}
