/*
 * rs_probe: the user-space side of ringside's eBPF counters (counters.bpf.c).
 * Needs root (CAP_BPF + CAP_PERFMON), kernel BTF and BPF raw tracepoints.
 *
 * Lifecycle: probe_open (open, configure, load) -> probe_add_target ->
 * probe_attach -> probe_snapshot ... probe_snapshot -> probe_detach ->
 * probe_close. Attach/detach are cheap and keep the maps, so one loaded probe
 * serves every cell, probed and unprobed: attaching the sys_enter tracepoint
 * slows every syscall on the machine, so unprobed runs must be detached.
 *
 * Counts are exact (no sampling) and cumulative; a figure for a window is the
 * difference of two snapshots, taken while attached. Targets are tgids with a
 * role; processes they fork join the same role (nginx/haproxy workers), threads
 * are covered by their tgid. Context switches are classified as the kernel
 * counts nvcsw/nivcsw, so they compare with /proc and getrusage.
 *
 * Time: a target thread's time from sys_enter to sys_exit is split, per syscall,
 * into on-CPU time (it ran: the work from sys_enter to sys_exit; the user/kernel
 * transition around them is not in it, see bpf/nullsys.h)
 * and blocked time (it was switched out: asleep in epoll_wait or io_uring_enter,
 * or runnable but waiting for a CPU), so idle waiting never reads as cost. The
 * run-queue delay is runqlat's: from a wakeup or a preemption to the switch-in,
 * in a log-linear histogram (25% resolution). Times are added when each interval
 * ends, so a syscall that spans a snapshot is split between the two windows; the
 * intervals open at an attach or a clear_targets are not counted.
 */
#ifndef RS_PROBE_H
#define RS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <jansson.h>

#include "counters.h"

struct probe;

/* Cumulative counts, summed over CPUs, indexed by role - 1. */
struct probe_snapshot {
	__u64 syscalls[PROBE_ROLES][PROBE_NR_SYSCALLS];
	struct probe_syscall_time syscall_time[PROBE_ROLES][PROBE_NR_SYSCALLS];
	struct probe_role_counts role[PROBE_ROLES];
	__u64 missing; /* PROBE_MISSING_*: flags, not a count (a delta ORs them) */
};

/* io_uring_enter's number: its calls are the "enter calls" of the io_uring figures. */
#define PROBE_NR_IO_URING_ENTER __NR_io_uring_enter

/*
 * Loads the programs (does not attach). On failure returns -1 and writes one
 * line to why: not root, no kernel BTF, BPF refused, a verifier error.
 */
int probe_open(struct probe **out, char *why, size_t whylen);
/* role: PROBE_ROLE_SERVER or PROBE_ROLE_CLIENT. 0 on success, -1 (errno) on error. */
int probe_add_target(struct probe *p, pid_t tgid, int role);
/* Forgets every target (and followed fork) and every learned io_uring ring. */
void probe_clear_targets(struct probe *p);
/* Attach all programs; 0 or -1 with errno. Attaching twice is a no-op. */
int probe_attach(struct probe *p);
void probe_detach(struct probe *p);
bool probe_attached(const struct probe *p);
/* Reads and sums the per-CPU counters; 0 or -1 with errno. */
int probe_snapshot(struct probe *p, struct probe_snapshot *s);
void probe_close(struct probe *p);

/* d = b - a, counter by counter. */
void probe_delta(const struct probe_snapshot *a, const struct probe_snapshot *b,
		 struct probe_snapshot *d);
/* Raw counts from a snapshot (or a delta); role is PROBE_ROLE_*. */
__u64 probe_syscall_count(const struct probe_snapshot *s, int role, int nr);
__u64 probe_syscall_total(const struct probe_snapshot *s, int role);
const struct probe_role_counts *probe_role(const struct probe_snapshot *s, int role);
/* On-CPU and blocked ns inside syscall nr (zeros out of range), or in all of them. */
const struct probe_syscall_time *probe_syscall_time(const struct probe_snapshot *s, int role,
						    int nr);
struct probe_syscall_time probe_syscall_time_total(const struct probe_snapshot *s, int role);
/*
 * The q-quantile (0..1) of a role's run-queue delays in ns, interpolated in
 * its histogram bucket; -1 when there are none. Sum and count: probe_role().
 */
double probe_rq_delay_quantile_ns(const struct probe_snapshot *s, int role, double q);
/*
 * NULL when the figure of PROBE_MISSING_* bit was counted, else why not ("this
 * kernel has no io_uring_task_work_run tracepoint"): report it, not a zero.
 */
const char *probe_missing(const struct probe_snapshot *s, __u64 bit);

/*
 * The probed figures of a run between snapshots a and b, divided by requests,
 * as docs/results.md "A run" defines them. Per role ("server", "client"):
 *   syscalls                        {total, per_request, by_name: {name: calls}}
 *   syscall_time_us_per_request     {total, by_name: {name: us}}: on-CPU only
 *   syscall_blocked_us_per_request  {total, by_name: {name: us}}: switched out
 *   runqueue_delay_us               {p50, p99, per_request, samples}
 *   wakeups_per_request             number
 *   context_switches_bpf            {voluntary, involuntary}
 * and for the server, io_uring: {enter_calls_per_request, sqes_per_enter,
 * cqes_per_enter, sqes_per_request, cqes_per_request, iowq_punts_per_request,
 * poll_arms_per_request, task_work_per_request, cq_overflows (a count)}.
 * When a figure is null because this kernel lacks its tracepoint, and only then,
 * probe_unavailable: {"io_uring.task_work_per_request": why, ...} says so.
 * Per-request figures are null when requests <= 0, ratios null when their divisor
 * is 0, quantiles null without samples. Returns a new reference, NULL on failure.
 */
json_t *probe_figures(const struct probe_snapshot *a, const struct probe_snapshot *b,
		      double requests);
/* The same from a delta (probe_delta); requests = 1 gives totals (`ringside trace`). */
json_t *probe_delta_figures(const struct probe_snapshot *d, double requests);

/* The kernel's name for syscall nr ("read"), or "syscall_N" past the table. */
const char *probe_syscall_name(int nr);

#endif
