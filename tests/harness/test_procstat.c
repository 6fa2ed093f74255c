/*
 * sys/procstat.c's nanosecond CPU figure on real processes: a forked child
 * spins a known thread CPU time (CLOCK_THREAD_CPUTIME_ID, sent back through a
 * pipe) between two snapshots, and sched_us agrees within a few % and is not
 * in 10 ms ticks; a thread that spins and exits inside the window still counts
 * (from the process's CPU clock, and by the tick rule when that clock is
 * taken away), and so does one whose schedstat vanished as it was read (a
 * run once fell back to ticks for that); a group snapshot sums two
 * processes; without schedstat the figure is the ticks' and says so. Needs
 * /proc/PID/task/TID/schedstat (CONFIG_SCHED_INFO), else exits 77. Spins about 1 s of CPU: run it
 * alone.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sys/procstat.h"

#define SPIN_NS 200000000ull /* thread CPU each spin burns: 200 ms */
#define TICK_US 10000.0	     /* one USER_HZ tick */

/* A child's end of its two pipes: commands in, measured nanoseconds out. */
struct kid {
	pid_t pid;
	int cmd, res;
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Burns SPIN_NS of this thread's CPU; returns what it burnt, measured. */
static uint64_t spin(void)
{
	uint64_t t0 = thread_cpu_ns(), t;
	volatile uint64_t x = 0;

	do {
		for (int i = 0; i < 10000; i++)
			x += (uint64_t)i;
		t = thread_cpu_ns();
	} while (t - t0 < SPIN_NS);
	return t - t0;
}

static void *spin_thread(void *arg)
{
	*(uint64_t *)arg = spin();
	return NULL;
}

/*
 * A joined thread's /proc entry may outlive the join by a moment (the joiner is
 * woken before the thread has quite gone): wait, at most 1 s, until this
 * process has one task left, so that the snapshot after sees it as exited.
 */
static void wait_one_task(void)
{
	for (int i = 0; i < 1000; i++) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *e;
		int n = 0;

		while (d && (e = readdir(d)))
			n += e->d_name[0] != '.';
		if (d)
			closedir(d);
		if (n <= 1)
			return;
		usleep(1000);
	}
}

static uint64_t process_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/*
 * The child: "s" spins in the main thread and answers the ns spun; "t" spins
 * in a thread that then exits (joined before the answer) and answers the
 * process's CPU clock across create, spin, exit and join, since a thread's
 * start and teardown are its own run time too (milliseconds under ASan);
 * "q" quits.
 */
static void kid_main(int cmd, int res)
{
	char c;

	while (read(cmd, &c, 1) == 1 && c != 'q') {
		uint64_t ns = 0;
		pthread_t th;

		if (c == 's')
			ns = spin();
		else if (c == 't') {
			uint64_t t0 = process_cpu_ns(), spun = 0;

			if (!pthread_create(&th, NULL, spin_thread, &spun)) {
				pthread_join(th, NULL);
				wait_one_task();
				ns = spun ? process_cpu_ns() - t0 : 0;
			}
		}
		if (write(res, &ns, sizeof(ns)) != sizeof(ns))
			_exit(1);
	}
	_exit(0);
}

static int kid_start(struct kid *k)
{
	int cmd[2], res[2];

	if (pipe(cmd) || pipe(res))
		return -1;
	k->pid = fork();
	if (k->pid < 0)
		return -1;
	if (k->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		kid_main(cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	k->cmd = cmd[1];
	k->res = res[0];
	return 0;
}

/* Sends c and waits for the answer: the ns spun, 0 on failure. */
static uint64_t kid_do(const struct kid *k, char c)
{
	uint64_t ns = 0;

	if (write(k->cmd, &c, 1) != 1 || read(k->res, &ns, sizeof(ns)) != sizeof(ns))
		return 0;
	return ns;
}

static void kid_stop(struct kid *k)
{
	int st;

	if (write(k->cmd, "q", 1) != 1)
		kill(k->pid, SIGKILL);
	close(k->cmd);
	close(k->res);
	while (waitpid(k->pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* within pct % of want, or slack_us */
static bool near(double got_us, double want_us, double pct, double slack_us)
{
	return fabs(got_us - want_us) <= want_us * pct / 100 + slack_us;
}

static bool on_tick(double us)
{
	return fmod(us, TICK_US) == 0;
}

/* One spin of the main thread between two snapshots. */
static void test_spin(const struct kid *k)
{
	struct proc_snap a = {0}, b = {0};
	struct proc_usage u;
	double want;

	CHECK(proc_snapshot(k->pid, &a) == 0);
	want = kid_do(k, 's') / 1e3;
	CHECK(proc_snapshot(k->pid, &b) == 0);
	CHECK(want >= SPIN_NS / 1e3);
	proc_usage_delta(&a, &b, &u);
	printf("spin: thread clock %.1f us, sched %.3f us (ticks' user+system %.0f us), exited "
	       "%.3f us\n",
	       want, u.sched_us, u.user_us + u.system_us, u.sched_exited_us);
	CHECK(u.schedstat && a.schedstat && b.schedstat);
	/* The child also reads and writes a pipe outside the spin: a few µs at most. */
	CHECKF(near(u.sched_us, want, 2, 500), "sched %.3f us against %.1f us", u.sched_us, want);
	CHECKF(!on_tick(u.sched_us), "sched %.3f us is a whole number of ticks", u.sched_us);
	/* The tick figure really is quantised: what the ns figure is for. */
	CHECKF(on_tick(u.user_us + u.system_us), "ticks %.1f us", u.user_us + u.system_us);
	CHECK(u.sched_ticks_us == 0);
	/* No thread exited and the child slept through both snapshots. */
	CHECKF(u.sched_exited_us < 200, "exited %.3f us", u.sched_exited_us);
	CHECK(u.sched_sqpoll_us == 0 && u.sched_iou_wrk_us == 0);

	/*
	 * A thread whose schedstat vanished as it was read (it was exiting) is not a
	 * kernel without schedstat: the process clock still counts it, as exited.
	 */
	b.t[0].have_run_ns = false;
	proc_usage_delta(&a, &b, &u);
	CHECKF(u.schedstat && near(u.sched_us, want, 2, 500) && u.sched_ticks_us == 0 &&
		   near(u.sched_exited_us, want, 2, 500),
	       "vanished thread: sched %.3f us, exited %.3f us, schedstat %d", u.sched_us,
	       u.sched_exited_us, u.schedstat);
	b.t[0].have_run_ns = true;

	/* Without schedstat (a kernel without CONFIG_SCHED_INFO): ticks, flagged. */
	a.schedstat = false;
	proc_usage_delta(&a, &b, &u);
	CHECK(!u.schedstat && u.sched_us == u.user_us + u.system_us + u.sqpoll_us + u.iou_wrk_us);
	CHECK(u.sched_ticks_us == u.sched_us);
	proc_snap_free(&a);
	proc_snap_free(&b);
}

/* A thread that spins and exits between the snapshots: no schedstat left, still counted. */
static void test_exited(const struct kid *k)
{
	struct proc_snap a = {0}, b = {0};
	struct proc_usage u;
	double want;

	CHECK(proc_snapshot(k->pid, &a) == 0);
	want = kid_do(k, 't') / 1e3;
	CHECK(proc_snapshot(k->pid, &b) == 0);
	CHECK(want >= SPIN_NS / 1e3 && a.n == 1 && b.n == 1);
	CHECK(a.self.have_run_ns && b.self.have_run_ns);
	CHECK(a.self.run_ns_before <= a.self.run_ns_after);
	proc_usage_delta(&a, &b, &u);
	printf("exited thread: process clock %.1f us, sched %.3f us, exited %.3f us\n", want,
	       u.sched_us, u.sched_exited_us);
	/* The pipe and the snapshots' moments around the answer are the rest: under 1 ms. */
	CHECKF(near(u.sched_us, want, 2, 1000), "sched %.3f us against %.1f us", u.sched_us, want);
	/* The exited thread: its spin at least, the process's clock (plus the joiner) at most. */
	CHECKF(u.sched_exited_us >= SPIN_NS / 1e3 && u.sched_exited_us <= want * 1.02 + 1000,
	       "exited %.3f us", u.sched_exited_us);
	CHECK(u.sched_ticks_us == 0 && !on_tick(u.sched_us));

	/* The tick rule, when the process's clock is not there. */
	a.self.have_run_ns = b.self.have_run_ns = false;
	proc_usage_delta(&a, &b, &u);
	printf("exited thread, tick rule: sched %.3f us, of which ticks %.3f us\n", u.sched_us,
	       u.sched_ticks_us);
	CHECK(u.schedstat);
	/* Two truncations a snapshot on each side of the difference: up to 3 ticks off. */
	CHECKF(near(u.sched_us, want, 0, 3 * TICK_US), "tick rule %.3f us against %.1f us",
	       u.sched_us, want);
	CHECKF(u.sched_ticks_us > 0 && u.sched_ticks_us == u.sched_exited_us,
	       "ticks %.3f us, exited %.3f us", u.sched_ticks_us, u.sched_exited_us);
	proc_snap_free(&a);
	proc_snap_free(&b);
}

/* Two processes as one group: each counts its own spin. */
static void test_group(const struct kid *k, const struct kid *k2)
{
	struct proc_snap a = {0}, b = {0};
	struct proc_usage u;
	double want;

	CHECK(proc_snapshot_group(k->pid, &k2->pid, 1, &a) == 0);
	want = kid_do(k, 's') / 1e3;
	want += kid_do(k2, 't') / 1e3;
	CHECK(proc_snapshot_group(k->pid, &k2->pid, 1, &b) == 0);
	CHECK(a.nprocs == 2 && b.nprocs == 2 && b.schedstat);
	proc_usage_delta(&a, &b, &u);
	printf("group: clocks %.1f us, sched %.3f us, exited %.3f us\n", want, u.sched_us,
	       u.sched_exited_us);
	CHECKF(near(u.sched_us, want, 2, 1000), "group sched %.3f us against %.1f us", u.sched_us,
	       want);
	/* Only the second process's thread exited. */
	CHECKF(u.sched_exited_us > 0.9 * SPIN_NS / 1e3 && u.sched_exited_us < 0.6 * want,
	       "group exited %.3f us", u.sched_exited_us);
	proc_snap_free(&a);
	proc_snap_free(&b);
}

int main(void)
{
	char path[64];
	struct kid k, k2;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)getpid(), (int)getpid());
	f = fopen(path, "re");
	if (!f) {
		printf("skip: no %s (%s): kernel without CONFIG_SCHED_INFO\n", path,
		       strerror(errno));
		return 77;
	}
	fclose(f);
	if (kid_start(&k) || kid_start(&k2)) {
		perror("fork");
		return 1;
	}
	test_spin(&k);
	test_exited(&k);
	test_group(&k, &k2);
	kid_stop(&k);
	kid_stop(&k2);
	printf("test_procstat: %d checks\n", check_count);
	return check_exit();
}
