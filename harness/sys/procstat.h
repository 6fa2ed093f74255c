/*
 * /proc sampling (procstat.c): a process's (or group's) threads' CPU time and
 * context switches, its RSS, and every CPU's ticks from /proc/stat, as snapshots
 * and the deltas between two of them. The nanosecond CPU time needs
 * /proc/PID/task/TID/schedstat (CONFIG_SCHED_INFO); without it, ticks stand in.
 */
#ifndef RS_PROCSTAT_H
#define RS_PROCSTAT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum proc_class { PROC_USER, PROC_SQPOLL, PROC_IOU_WRK };

struct proc_thread {
	pid_t tid, pid; /* pid: the process it belongs to */
	enum proc_class cls;
	uint64_t utime, stime; /* clock ticks */
	uint64_t run_ns;       /* schedstat's first field: sum_exec_runtime, ns */
	bool have_run_ns;      /* false: no schedstat (or the thread exited as it was read) */
	uint64_t vol, invol;
};

/*
 * One reading of every thread of a process, and of the process as a whole: its
 * utime/stime also hold the time of threads that have exited (a blocking server's
 * connection threads end as their clients close, often before the second reading).
 */
struct proc_total {
	pid_t pid;
	uint64_t utime, stime; /* clock ticks */
	/* its CPU clock (every thread, living or not) before and after its threads, ns */
	uint64_t run_ns_before, run_ns_after;
	bool have_run_ns; /* false: the clock could not be read */
};

struct proc_snap {
	struct proc_thread *t;
	int n, cap;
	/* proc_snapshot_group: each process's totals (0 entries for one process) */
	struct proc_total *procs;
	int nprocs;
	uint64_t utime, stime;	/* the whole process (or group), clock ticks */
	struct proc_total self; /* proc_snapshot's process alone */
	bool schedstat;		/* the kernel has schedstat: some thread's could be read */
	long rss_kib, hwm_kib;	/* -1 if unreadable */
};

/*
 * What the process spent between two snapshots: user and system time from the
 * process totals, less what its io_uring kernel threads (matched by tid) spent.
 *
 * sched_us is the same process's (or group's) on-CPU time at nanosecond
 * resolution, not in 10 ms ticks: the scheduler's sum_exec_runtime of every
 * thread, user threads and the kernel's iou-sqp-* and iou-wrk-* alike, from
 * /proc/PID/task/TID/schedstat. A thread counts its schedstat delta (one born
 * in the window from zero); one whose schedstat vanished as it was read counts
 * as exited. A thread that exited inside the window leaves no
 * schedstat; its time is still in its process's CPU clock
 * (clock_getcpuclockid, ns, exited threads included), so each process adds
 * the part of its clock's delta that its surviving threads do not explain,
 * clipped at 0: sched_exited_us. The clock is read before and after the
 * threads, and its delta taken from the end of the first reading to the start
 * of the second, so the remainder is a lower bound: it never counts what the
 * threads ran while a snapshot read them (ms, with 100 threads on a busy CPU),
 * and falls short of the exited threads' time by at most that much. When a
 * process's clock cannot be read, the remainder comes from its tick totals instead
 * (utime + stime delta less its threads' tick deltas, clipped at 0), which is
 * coarse: up to two ticks per thread per snapshot of rounding, so it is
 * counted in sched_ticks_us. Without schedstat (schedstat false) sched_us is
 * the tick figure user + system + sqpoll + iou_wrk and sched_ticks_us all of it.
 * A process of a group that exits inside the window loses its CPU there, as
 * for the tick figures. The kernel brings a running thread's sum_exec_runtime
 * up to date at each switch and scheduler tick, so a snapshot taken while a
 * server thread runs can miss up to one scheduler tick of it (1/CONFIG_HZ,
 * 4 ms at HZ=250); the tick figures share that lag, on top of their 10 ms
 * rounding at every reading.
 */
struct proc_usage {
	double user_us, system_us, sqpoll_us, iou_wrk_us;
	double sched_us, sched_sqpoll_us, sched_iou_wrk_us; /* ns resolution, in µs */
	double sched_exited_us; /* part of sched_us from threads gone by the later snapshot */
	double sched_ticks_us;	/* part of sched_us counted from clock ticks */
	bool schedstat;		/* both snapshots had schedstat */
	uint64_t voluntary, involuntary;
	int threads; /* in the later snapshot */
};

int proc_snapshot(pid_t pid, struct proc_snap *s);
void proc_snap_free(struct proc_snap *s);
/* utime + stime of the whole process pid, clock ticks; -1 if it cannot be read. */
int proc_cpu_ticks(pid_t pid, uint64_t *ticks);
void proc_usage_delta(const struct proc_snap *a, const struct proc_snap *b, struct proc_usage *u);
/*
 * pid and the processes in more (e.g. nginx's workers, or a --server's forks)
 * as one: their threads together (tids are unique, so window deltas still match
 * by tid), RSS summed, and each process's totals (ticks and CPU clock), so
 * that proc_usage_delta
 * takes CPU process by process: a process that exits inside the window loses
 * its CPU in the window (its parent's cutime/cstime, not read here, would
 * count all its life once reaped), one born inside counts from zero.
 */
int proc_snapshot_group(pid_t pid, const pid_t *more, int nmore, struct proc_snap *s);
long proc_rss_group_kib(pid_t pid, const pid_t *more, int nmore);
/* VmRSS and VmHWM of pid in KiB; -1 on failure. */
long proc_rss_kib(pid_t pid, long *hwm_kib);

/* One CPU's line of /proc/stat, clock ticks since boot. */
struct proc_cputicks {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};

/* Every "cpuN" line of /proc/stat, indexed by N (CPUs absent from the file read 0). */
struct proc_cpustat {
	struct proc_cputicks *cpu;
	int ncpu;
};

int proc_cpustat_read(struct proc_cpustat *s);
void proc_cpustat_free(struct proc_cpustat *s);
/* b - a summed over the CPUs in set (a CPU whose counters fell counts 0). */
void proc_cpustat_delta(const struct proc_cpustat *a, const struct proc_cpustat *b,
			const cpu_set_t *set, struct proc_cputicks *d);
/* Busy ticks as the noise figures count them: user + nice + system + irq + softirq. */
uint64_t proc_cputicks_busy(const struct proc_cputicks *t);
/* Every tick: busy + idle + iowait + steal. */
uint64_t proc_cputicks_all(const struct proc_cputicks *t);

#endif
