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

/* One per role per CPU (the "roles" PERCPU_ARRAY). */
struct probe_role_counts {
	__u64 vcsw;    /* voluntary context switches (the kernel's nvcsw) */
	__u64 ivcsw;   /* involuntary (nivcsw) */
	__u64 sqes;    /* io_uring SQEs submitted (io_uring_submit_req) */
	__u64 cqes;    /* io_uring CQEs posted (io_uring_complete), by ring */
	__u64 forks;   /* child processes followed into the targets map */
	__u64 dropped; /* forks not followed: the targets map was full */
	__u64 guessed; /* switches classified from tracepoint args, not counters */
};

#endif
