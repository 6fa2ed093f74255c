/*
 * The CPU one sleep and wake costs a thread on this host: a pipe ping-pong
 * between two pinned threads, each side's CPU read from the scheduler
 * (CLOCK_THREAD_CPUTIME_ID). Plain Linux, no BPF: the harness measures it with
 * the probes detached and attached, like the null syscall (bpf/nullsys.h).
 *
 * One round trip: side A writes a byte to B and blocks reading B's reply; B,
 * woken, reads it, writes the reply (waking A) and blocks on the next byte. So
 * per round trip each side makes two syscalls, sleeps once, is woken once and
 * wakes its peer once. Its CPU per round trip, less what the same write and
 * read cost when nothing sleeps (the "pair": entry/exit plus the pipe's work,
 * timed on the same CPU by one thread writing to and reading from its own
 * pipe), is the cost of one sleep and wake as that thread pays it: its
 * switch out and back in, and its share of the wake it sends (the waker's
 * try_to_wake_up and, across CPUs, the IPI). The wakee's idle exit is the idle
 * task's, not the thread's, and is not in it. docs/time.md gives the counting rule.
 */
#ifndef RS_WAKEUP_H
#define RS_WAKEUP_H

#define WAKEUP_ROUND_TRIPS 100 /* per pass (about 12 ms across two vCPUs here) */
#define WAKEUP_PASSES	   5   /* passes; the median pass is reported */
#define WAKEUP_WARMUP	   20  /* round trips before the first pass */

struct wakeup_cost {
	double us;	   /* one sleep and wake on the counted side: side_us - pair_us */
	double side_us[2]; /* CPU per round trip of side A (cpu_a) and side B, median pass */
	double pair_us;	   /* one write + read of a byte that never sleeps, on cpu_a */
	double wall_us;	   /* wall time per round trip, median pass */
};

/*
 * Ping-pong between a thread pinned to cpu_a and one pinned to cpu_b (the same
 * CPU for the same-CPU cost). The counted side is the one on cpu_a (the server
 * CPU); with cpu_a == cpu_b both sides are on it and us is their mean, less the
 * pair. The caller's own affinity is untouched. 0 on success; -1 with errno on
 * failure (EINVAL: a CPU out of range or not allowed), *out untouched.
 */
int wakeup_measure(int cpu_a, int cpu_b, struct wakeup_cost *out);

#endif
