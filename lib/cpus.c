/*
 * Pinning threads to CPU sets (cpus.h).
 */
#include <errno.h>
#include <pthread.h>

#include "cpus.h"

int pin_self(const cpu_set_t *set)
{
	int err;

	if (CPU_COUNT(set) == 0)
		return 0;
	err = pthread_setaffinity_np(pthread_self(), sizeof(*set), set);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int cpu_nth(const cpu_set_t *set, int n)
{
	int count = CPU_COUNT(set), seen = 0;

	if (count == 0)
		return -1;
	n %= count;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, set) && seen++ == n)
			return c;
	}
	return -1;
}
