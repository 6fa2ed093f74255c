/*
 * Runs `ringside trace --json -o FILE -- trace_target MODE ...` and checks the counts
 * against what trace_target is known to do: exact syscall counts, io_uring
 * SQEs/CQEs per enter, followed forks, and BPF context switches against
 * wait4's rusage; time per syscall (sleep, getppid-time); and -p attaching to a
 * running process (attach); the wakeups of a known ping-pong, exactly, and the
 * CPU the cost model gives them (wakeups). Needs root and BPF: skips (77) with the reason
 * otherwise. usage: test_trace RINGSIDE TRACE_TARGET exact|switches|uring|sqpoll|fork|sleep|
 *        getppid-time|attach|wakeups
 */
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "nullsys.h"
#include "probe.h"
#include "probe_skip.h"

#include "check.h"

/*
 * Runs the trace with the report in a file of its own (-o), so nothing the
 * command prints can get into the JSON; returns the JSON (NULL on failure) and
 * the exit status. opts go before the command ("-p PID" with no command).
 */
static json_t *trace_with(const char *ringside, const char *opts, char *const target_argv[],
			  int *status)
{
	char cmd[1024] = "", report[] = "/tmp/rs-trace-XXXXXX";
	json_error_t jerr;
	json_t *j;
	int fd = mkstemp(report);

	if (fd < 0)
		return NULL;
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s' trace --json -o '%s' %s%s", ringside, report, opts,
		 target_argv ? " --" : "");
	for (int i = 0; target_argv && target_argv[i]; i++) {
		strncat(cmd, " '", sizeof(cmd) - strlen(cmd) - 1);
		strncat(cmd, target_argv[i], sizeof(cmd) - strlen(cmd) - 1);
		strncat(cmd, "'", sizeof(cmd) - strlen(cmd) - 1);
	}
	*status = system(cmd);
	j = json_load_file(report, 0, &jerr);
	if (!j)
		fprintf(stderr, "%s: not JSON (%s)\n", report, jerr.text);
	unlink(report);
	return j;
}

static json_t *trace(const char *ringside, char *const target_argv[], int *status)
{
	return trace_with(ringside, "", target_argv, status);
}

static json_int_t get_int(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return json_is_integer(j) ? json_integer_value(j) : -1;
}

static double get_real(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return json_is_number(j) ? json_number_value(j) : -1;
}

/*
 * 50 x nanosleep(10 ms): 0.50-0.65 s in nanosleep (on CPU + blocked), > 90%
 * blocked. A switch-in that finds the task storage busy loses the rest of that
 * call's time (syscalls.intervals_lost, seen once in a few runs on a 2-CPU VM):
 * each lost call lowers the floor by its 10 ms, and more than 2 fail.
 */
static json_t *check_sleep(const char *ringside, const char *target, int *status)
{
	json_t *j =
	    trace(ringside, (char *[]){(char *)target, "nanosleep", "50", "10", NULL}, status);
	json_int_t lost;
	double on, off;

	CHECKF(j, "no JSON");
	on = get_real(j, "syscalls.time_us_by_name.nanosleep") / 1e6;
	off = get_real(j, "syscalls.blocked_us_by_name.nanosleep") / 1e6;
	lost = get_int(j, "syscalls.intervals_lost");
	printf("nanosleep: %lld calls, %.4f s on CPU, %.4f s blocked, %lld intervals lost\n",
	       (long long)get_int(j, "syscalls.by_name.nanosleep"), on, off, (long long)lost);
	CHECKF(get_int(j, "syscalls.by_name.nanosleep") == 50, "nanosleep %lld != 50",
	       (long long)get_int(j, "syscalls.by_name.nanosleep"));
	CHECKF(on >= 0 && off >= 0, "no time figures");
	CHECKF(lost >= 0 && lost <= 2, "%lld intervals lost (0-2)", (long long)lost);
	CHECKF(on + off >= (50 - lost) * 0.010 && on + off <= 0.65,
	       "%.4f s in nanosleep, not %.2f-0.65", on + off, (50 - lost) * 0.010);
	CHECKF(off > 0.9 * (on + off), "only %.1f%% of it blocked", 100 * off / (on + off));
	return j;
}

/*
 * 200,000 getppid: the on-CPU time per call against the probed null syscall
 * measured here (nullsys_measure with a probe attached and no target). The
 * interval runs from sys_enter to sys_exit, inside the round trip the null
 * syscall times, so it must not exceed it by more than 25%. It leaves out the
 * user/kernel transition and the probes' own cost, which can be nearly all of
 * the round trip: on one AMD EPYC VM with retpolines the null syscall took
 * 0.96 us unprobed and 1.1 us probed while the interval was 78-108 ns. So the
 * floor is absolute: 20 ns, under any getppid body plus the probe halves in
 * the interval, and far over what a lost or mis-scaled interval would give.
 */
static json_t *check_getppid_time(const char *ringside, const char *target, int *status)
{
	json_t *j = trace(ringside, (char *[]){(char *)target, "getppid", "200000", NULL}, status);
	struct probe *p = probe_open_or_skip();
	double per_call, probed = -1, unprobed = -1;

	CHECKF(j, "no JSON");
	per_call = get_real(j, "syscalls.time_us_by_name.getppid") * 1e3 /
		   get_int(j, "syscalls.by_name.getppid");
	CHECKF(nullsys_measure(sched_getcpu(), &unprobed) == 0, "nullsys: %m");
	CHECKF(probe_attach(p) == 0, "attach: %m");
	CHECKF(nullsys_measure(sched_getcpu(), &probed) == 0, "nullsys: %m");
	probe_close(p);
	printf("getppid: %.1f ns per call on CPU (trace) vs %.1f ns null syscall probed "
	       "(ratio %.2f), %.1f ns unprobed (ratio %.2f)\n",
	       per_call, probed, per_call / probed, unprobed, per_call / unprobed);
	CHECKF(get_int(j, "syscalls.by_name.getppid") == 200000, "getppid %lld != 200000",
	       (long long)get_int(j, "syscalls.by_name.getppid"));
	CHECKF(per_call <= probed * 1.25, "%.1f ns per call > 1.25 x %.1f ns", per_call, probed);
	CHECKF(per_call >= 20, "%.1f ns per call < 20 ns", per_call);
	return j;
}

/*
 * The known program: two processes on one CPU at SCHED_FIFO ping-pong K times,
 * so they sleep exactly 2K - 1 times and exit twice (trace_target's
 * pingpong-procs): 2K + 1 voluntary switches, none to an idle CPU. The test
 * pins itself there first, so nothing migrates (a migration is a sleep too).
 * The exact count must come in one of three tries (see below).
 * The cost model's fields are there and add up; across two CPUs the modelled
 * share of the measured CPU is printed, a figure, not a timed check.
 */
static json_t *check_wakeups(const char *ringside, const char *target, int *status)
{
	const long k = 2000;
	char ks[16], cs[16], other[16];
	int cpu = sched_getcpu(), b = -1;
	cpu_set_t one, all;
	json_t *j, *x;

	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	for (int c = 0; c < CPU_SETSIZE && b < 0; c++)
		if (c != cpu && CPU_ISSET(c, &all))
			b = c;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
	snprintf(ks, sizeof(ks), "%ld", k);
	snprintf(cs, sizeof(cs), "%d", cpu);
	/*
	 * The ping-pong's own sleeps are exact, but the kernel may add one of its
	 * own now and then (a page lock in the exec, khugepaged holding the mmap
	 * lock): CI once counted 4002. A counting fault repeats, so the exact count
	 * must come in one of three tries; each miss is printed.
	 */
	for (int try = 1;; try++) {
		j = trace(ringside, (char *[]){(char *)target, "pingpong-procs", ks, cs, cs, NULL},
			  status);
		CHECKF(j, "no JSON");
		if (!j || try == 3 || get_int(j, "wakeups.voluntary_switches") == 2 * k + 1)
			break;
		printf("try %d: %lld sleeps, not %ld (rusage %lld); trying again\n", try,
		       (long long)get_int(j, "wakeups.voluntary_switches"), 2 * k + 1,
		       (long long)get_int(j, "context_switches.rusage.voluntary"));
		json_decref(j);
	}
	printf("pingpong-procs %ld on CPU %d: %lld sleeps, %lld to idle; modelled %.1f us of %.1f "
	       "us CPU\n",
	       k, cpu, (long long)get_int(j, "wakeups.voluntary_switches"),
	       (long long)get_int(j, "wakeups.to_idle"), get_real(j, "cpu_model.modelled_us"),
	       get_real(j, "cpu_model.rusage_cpu_us"));
	CHECKF(get_int(j, "wakeups.voluntary_switches") == 2 * k + 1, "wakeups %lld != %ld",
	       (long long)get_int(j, "wakeups.voluntary_switches"), 2 * k + 1);
	CHECKF(get_int(j, "wakeups.voluntary_switches") ==
		   get_int(j, "context_switches.bpf.voluntary"),
	       "wakeups are not the voluntary switches");
	CHECKF(get_int(j, "wakeups.to_idle") == 0, "%lld sleeps to idle on a busy CPU",
	       (long long)get_int(j, "wakeups.to_idle"));
	CHECKF(get_real(j, "wakeups.cost_us.same_cpu") > 0, "no same-CPU cost");
	CHECKF(get_real(j, "cpu_model.null_syscall_ns") > 0, "no null-syscall cost");
	CHECKF(get_real(j, "cpu_model.rusage_cpu_us") > 0, "no rusage CPU");
	CHECKF(fabs(get_real(j, "cpu_model.modelled_us") - get_real(j, "cpu_model.syscalls_us") -
		    get_real(j, "wakeups.cpu_us")) < 1e-3,
	       "modelled != syscalls + wakeups");
	CHECKF(fabs(get_real(j, "wakeups.cpu_us") -
		    (2 * k + 1) * get_real(j, "wakeups.cost_us.same_cpu")) < 1e-3,
	       "wakeups' CPU is not their count x the same-CPU cost");
	if (b < 0 || check_failures)
		return j;
	json_decref(j);
	snprintf(other, sizeof(other), "%d", b);
	j = trace(ringside, (char *[]){(char *)target, "pingpong-procs", ks, cs, other, NULL},
		  status);
	CHECKF(j, "no JSON");
	x = json_object_get(j, "cpu_model");
	printf("pingpong-procs %ld, CPUs %d and %d: %lld sleeps (%lld to idle), modelled %.1f us "
	       "of %.1f us CPU (%.0f%%)\n",
	       k, cpu, b, (long long)get_int(j, "wakeups.voluntary_switches"),
	       (long long)get_int(j, "wakeups.to_idle"), get_real(x, "modelled_us"),
	       get_real(x, "rusage_cpu_us"), 100 * get_real(x, "modelled_share"));
	CHECKF(get_real(j, "wakeups.cost_us.cross_cpu") > 0, "no cross-CPU cost");
	return j;
}

static pid_t start(const char *target, const char *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(target, target, "spin", arg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * -p for 1 s to a getppid loop while another process loops on getppid and
 * getsid: calls counted, none of the other's (no getsid), the window about
 * 1 s, and the traced process still running after the detach.
 */
static json_t *check_attach(const char *ringside, const char *target, int *status)
{
	pid_t a = start(target, "only"), b = start(target, "getsid");
	char opts[64];
	double t;
	json_t *j;
	int st;

	usleep(200000); /* both past exec and looping */
	snprintf(opts, sizeof(opts), "-p %d --duration 1", (int)a);
	j = trace_with(ringside, opts, NULL, status);
	CHECKF(j, "no JSON");
	t = get_real(j, "elapsed_s");
	printf("attach: %lld getppid, %lld getsid in %.3f s\n",
	       (long long)get_int(j, "syscalls.by_name.getppid"),
	       (long long)get_int(j, "syscalls.by_name.getsid"), t);
	CHECKF(get_int(j, "syscalls.by_name.getppid") > 0, "no getppid counted");
	CHECKF(get_int(j, "syscalls.by_name.getsid") == -1, "the other process was counted");
	CHECKF(get_int(j, "syscalls.by_name.execve") == -1, "an execve in the window");
	CHECKF(t >= 0.95 && t < 3, "attached for %.3f s, not 1", t);
	CHECKF(get_int(j, "pid") == a && json_is_true(json_object_get(j, "attached")),
	       "pid/attached");
	CHECKF(waitpid(a, &st, WNOHANG) == 0 && kill(a, 0) == 0, "pid %d gone after detach",
	       (int)a);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, &st, 0);
	waitpid(b, &st, 0);
	return j;
}

int main(int argc, char **argv)
{
	const char *ringside = argv[1], *target = argv[2], *mode = argv[3];
	int status = -1;
	json_t *j = NULL;

	if (argc != 4) {
		fprintf(stderr, "usage: test_trace RINGSIDE TRACE_TARGET MODE\n");
		return 2;
	}
	probe_close(probe_open_or_skip());

	if (!strcmp(mode, "exact")) {
		/* getsid is never called by the loader or libc start-up. */
		j = trace(ringside, (char *[]){(char *)target, "getppid", "100000", "12345", NULL},
			  &status);
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "syscalls.by_name.getppid") == 100000, "getppid %lld != 100000",
		       (long long)get_int(j, "syscalls.by_name.getppid"));
		CHECKF(get_int(j, "syscalls.by_name.getsid") == 12345, "getsid %lld != 12345",
		       (long long)get_int(j, "syscalls.by_name.getsid"));
		CHECKF(get_int(j, "syscalls.by_name.execve") == 1, "execve %lld != 1",
		       (long long)get_int(j, "syscalls.by_name.execve"));
	} else if (!strcmp(mode, "switches")) {
		const long k = 200;
		json_int_t bv, bi, rv, ri;

		j = trace(ringside, (char *[]){(char *)target, "block", "200", NULL}, &status);
		CHECKF(j, "no JSON");
		bv = get_int(j, "context_switches.bpf.voluntary");
		bi = get_int(j, "context_switches.bpf.involuntary");
		rv = get_int(j, "context_switches.rusage.voluntary");
		ri = get_int(j, "context_switches.rusage.involuntary");
		printf("switches: BPF %lld voluntary %lld involuntary; rusage %lld / %lld\n",
		       (long long)bv, (long long)bi, (long long)rv, (long long)ri);
		CHECKF(bv >= k, "BPF voluntary %lld < %ld blocks", (long long)bv, k);
		/*
		 * Same tasks, same window (exec to reap): the kernel's own counters
		 * should match exactly; allow 2 each way for a switch racing the reap.
		 */
		CHECKF(llabs(bv - rv) <= 2, "voluntary: BPF %lld vs rusage %lld", (long long)bv,
		       (long long)rv);
		CHECKF(llabs(bi - ri) <= 2, "involuntary: BPF %lld vs rusage %lld", (long long)bi,
		       (long long)ri);
	} else if (!strcmp(mode, "uring")) {
		j = trace(ringside, (char *[]){(char *)target, "uring", "1000", "8", NULL},
			  &status);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			printf("skip: io_uring unavailable\n");
			return 77;
		}
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "io_uring.sqes") == 1000, "SQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.sqes"));
		CHECKF(get_int(j, "io_uring.cqes") == 1000, "CQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.cqes"));
		CHECKF(get_int(j, "io_uring.enter_calls") == 125, "enter calls %lld != 125",
		       (long long)get_int(j, "io_uring.enter_calls"));
		CHECKF(get_real(j, "io_uring.sqes_per_enter") == 8.0, "SQEs/enter %g != 8",
		       get_real(j, "io_uring.sqes_per_enter"));
	} else if (!strcmp(mode, "sqpoll")) {
		/* The iou-sqp thread submits; it is a thread of the traced process. */
		j = trace(ringside, (char *[]){(char *)target, "sqpoll", "1000", "8", NULL},
			  &status);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			printf("skip: io_uring SQPOLL unavailable\n");
			return 77;
		}
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "io_uring.sqes") == 1000, "SQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.sqes"));
		CHECKF(get_int(j, "io_uring.cqes") == 1000, "CQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.cqes"));
		/*
		 * At most one io_uring_enter per batch, and one more where the enter's wait
		 * ended before the SQ thread had posted the batch (trace_target waits again).
		 */
		CHECKF(get_int(j, "io_uring.enter_calls") <= 250, "enter calls %lld > 250",
		       (long long)get_int(j, "io_uring.enter_calls"));
	} else if (!strcmp(mode, "fork")) {
		j = trace(ringside, (char *[]){(char *)target, "fork", "54321", NULL}, &status);
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "syscalls.by_name.getppid") == 54321, "getppid %lld != 54321",
		       (long long)get_int(j, "syscalls.by_name.getppid"));
		CHECKF(get_int(j, "processes_followed") == 1, "followed %lld != 1",
		       (long long)get_int(j, "processes_followed"));
	} else if (!strcmp(mode, "sleep")) {
		j = check_sleep(ringside, target, &status);
	} else if (!strcmp(mode, "getppid-time")) {
		j = check_getppid_time(ringside, target, &status);
	} else if (!strcmp(mode, "attach")) {
		j = check_attach(ringside, target, &status);
	} else if (!strcmp(mode, "wakeups")) {
		j = check_wakeups(ringside, target, &status);
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "trace exit status %d", status);
	if (strcmp(mode, "attach"))
		CHECKF(get_int(j, "exit.code") == 0, "traced command exit %lld",
		       (long long)get_int(j, "exit.code"));
	json_decref(j);
	if (check_failures)
		return 1;
	printf("ok: %s\n", mode);
	return 0;
}
