/*
 * CPU pinning for one-thread-per-CPU programs (cpus.c): pin the calling thread
 * to a set, pick a set's n-th CPU. Uses sched_setaffinity through pthreads.
 */
#ifndef RS_CPUS_H
#define RS_CPUS_H

#include <sched.h>

/* Pins the calling thread to set (if non-empty); -1 with errno on failure. */
int pin_self(const cpu_set_t *set);
/* The n-th CPU of set (wrapping), for one-thread-per-CPU pinning; -1 if empty. */
int cpu_nth(const cpu_set_t *set, int n);

#endif
