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
	struct probe_role_counts role[PROBE_ROLES];
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

/*
 * The probed figures of a run between snapshots a and b, divided by requests:
 * {"syscalls": {"server": {...}, "client": {...}}, "io_uring": {...},
 *  "context_switches_bpf": {"server": {...}, "client": {...}}} as docs/results.md
 * "A run" defines them. Per-request figures are null when requests <= 0, ratios
 * null when their divisor is 0. Returns a new reference, NULL on allocation failure.
 */
json_t *probe_figures(const struct probe_snapshot *a, const struct probe_snapshot *b,
		      double requests);

/* The kernel's name for syscall nr ("read"), or "syscall_N" past the table. */
const char *probe_syscall_name(int nr);

#endif
