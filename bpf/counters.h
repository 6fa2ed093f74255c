/*
 * Shared between counters.bpf.c and the loader (probe.c): constants and the
 * __u64-only value structs the BPF programs count into. Nothing user-only here.
 * Counters are per CPU and per role; user space sums the CPUs.
 */
#ifndef RS_COUNTERS_H
#define RS_COUNTERS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Roles a target tgid can have; also the value in the targets map (low byte). */
#define PROBE_ROLE_SERVER 1
#define PROBE_ROLE_CLIENT 2
#define PROBE_ROLES	  2 /* counters are indexed by role - 1 */

/* Set in a targets value by BPF when it followed a fork (removed when it dies). */
#define PROBE_TARGET_FOLLOWED 0x100
#define PROBE_ROLE_MASK	      0xff

/* Syscall ids counted per role; the generated name table must fit below this. */
#define PROBE_NR_SYSCALLS 512

#define PROBE_MAX_TARGETS 4096 /* tgids: servers, their forked workers, clients */
#define PROBE_MAX_RINGS	  4096 /* io_uring contexts attributed to a role */

/*
 * Run-queue delay histogram: log-linear in ns, 4 buckets per power of two (a
 * value is known to within 25%). Bucket i < 4 holds i ns; above, with m =
 * i / 4 + 1 and s = i % 4, it holds [(4 + s) << (m - 2), (5 + s) << (m - 2)).
 * The last bucket also holds everything longer (2^41 ns, about 37 minutes).
 */
#define PROBE_RQ_SUB_BITS 2
#define PROBE_RQ_SUB	  (1 << PROBE_RQ_SUB_BITS)
#define PROBE_RQ_BUCKETS  (40 * PROBE_RQ_SUB)

/*
 * Optional tracepoints a kernel may lack: bits of probe_snapshot.missing, set
 * when the program that counts the field named was not loaded.
 */
#define PROBE_MISSING_IOWQ	0x1 /* io_uring_queue_async_work: iowq_punts */
#define PROBE_MISSING_POLL_ARM	0x2 /* io_uring_poll_arm: poll_arms */
#define PROBE_MISSING_TASK_WORK 0x4 /* io_uring_task_work_run: task_work */
#define PROBE_MISSING_OVERFLOW	0x8 /* io_uring_cqe_overflow: cq_overflows */

/* One per role per CPU (the "roles" PERCPU_ARRAY). */
struct probe_role_counts {
	__u64 vcsw;    /* voluntary context switches (the kernel's nvcsw) */
	__u64 ivcsw;   /* involuntary (nivcsw) */
	__u64 sqes;    /* io_uring SQEs submitted (io_uring_submit_req) */
	__u64 cqes;    /* io_uring CQEs posted (io_uring_complete), by ring */
	__u64 forks;   /* child processes followed into the targets map */
	__u64 dropped; /* forks not followed: the targets map was full */
	__u64 guessed; /* switches classified from tracepoint args, not counters */
	/* Scheduler: sched_wakeup / sched_wakeup_new of a target thread. */
	__u64 wakeups;
	/*
	 * Run-queue delay, as bcc's runqlat measures it: from a wakeup, or from
	 * a preemption (switched out still runnable), to the next switch-in.
	 */
	__u64 rq_delays;   /* intervals measured */
	__u64 rq_delay_ns; /* their sum */
	__u64 rq_hist[PROBE_RQ_BUCKETS];
	/* io_uring's hidden work, attributed by ring like cqes. */
	__u64 iowq_punts;   /* requests handed to an io-wq worker (queue_async_work) */
	__u64 poll_arms;    /* requests parked on a poll wait queue (poll_arm) */
	__u64 task_work;    /* task-work items run (task_work_run + local_work_run) */
	__u64 cq_overflows; /* CQEs that did not fit the CQ ring (cqe_overflow) */
	/*
	 * Switched-out intervals in a syscall whose end was missed (task storage
	 * busy on that CPU at the switch-in): their blocked time is not counted.
	 */
	__u64 time_lost;
	/*
	 * Voluntary switches that left the CPU to its idle task (next is pid 0):
	 * sleeps whose wake must bring an idle CPU back (a halted vCPU, an IPI),
	 * the rest switched straight to another runnable task (docs/time.md).
	 */
	__u64 idle_sleeps;
};

/*
 * Time inside syscalls, per syscall id per role per CPU (the "syscall_time"
 * PERCPU_ARRAY, indexed like "syscalls"). A target thread's time from sys_enter
 * to sys_exit splits into the time it ran (on_cpu_ns) and the time it was
 * switched out (blocked_ns: asleep in epoll_wait, waiting for completions in
 * io_uring_enter, or runnable on the run queue after a wakeup or preemption).
 * Each part is added when it ends, so a window gets the time spent in it.
 */
struct probe_syscall_time {
	__u64 on_cpu_ns;
	__u64 blocked_ns;
};

#endif
