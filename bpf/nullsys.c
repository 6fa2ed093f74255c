/*
 * nullsys_measure(): ns per getppid(2) on a pinned CPU, the median of a few
 * passes of a tight loop. Needs only sched_setaffinity and CLOCK_MONOTONIC;
 * nothing here knows about the probes. See nullsys.h.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "nullsys.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per call of one pass; syscall(2) itself, so libc cannot cache it. */
static double pass(void)
{
	double start = now_ns();

	for (long i = 0; i < NULLSYS_CALLS; i++)
		syscall(SYS_getppid);
	return (now_ns() - start) / NULLSYS_CALLS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int nullsys_measure(int cpu, double *median_ns)
{
	double ns[NULLSYS_PASSES];
	cpu_set_t old, one;

	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	if (sched_getaffinity(0, sizeof(old), &old))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -1;
	for (int i = 0; i < NULLSYS_PASSES; i++)
		ns[i] = pass();
	if (sched_setaffinity(0, sizeof(old), &old))
		return -1;
	qsort(ns, NULLSYS_PASSES, sizeof(ns[0]), cmp_double);
	*median_ns = ns[NULLSYS_PASSES / 2];
	return 0;
}
