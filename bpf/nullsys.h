/*
 * The cost of one null syscall on this host: getppid(2) in a tight loop on one
 * pinned CPU, entry/exit and the kernel's mitigations included. Plain Linux, no
 * BPF: the harness measures it with the probes detached ("unprobed") and
 * attached ("probed"), since an attached sys_enter/sys_exit program slows every
 * syscall on the machine, a target's or not.
 */
#ifndef RS_NULLSYS_H
#define RS_NULLSYS_H

#define NULLSYS_CALLS  40000 /* getppid calls per pass (about 10 ms here; 25 ms probed) */
#define NULLSYS_PASSES 5      /* passes; the median pass is reported */

/*
 * Pins the calling thread to cpu, makes NULLSYS_PASSES passes of NULLSYS_CALLS
 * syscall(SYS_getppid), restores the thread's old affinity and sets *median_ns
 * to the median pass's ns per call. 0 on success; -1 with errno on failure
 * (EINVAL: cpu out of range or not in the allowed set), *median_ns untouched.
 */
int nullsys_measure(int cpu, double *median_ns);

#endif
