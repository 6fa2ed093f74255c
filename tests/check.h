/*
 * The C tests' checks: a failed CHECK prints where and what and is counted, and the
 * test goes on, so one run reports every failure; main returns check_exit().
 * CHECKF adds a printf-style message. A test built from several files defines
 * CHECK_FAILURES as one shared counter before including this.
 */
#ifndef RS_CHECK_H
#define RS_CHECK_H

#include <stdio.h>

#ifndef CHECK_FAILURES
static int check_failures;
#define CHECK_FAILURES check_failures
#endif
static int check_count __attribute__((unused)); /* checks made, failed or not */

#define CHECKF(cond, fmt, ...)                                                                     \
	do {                                                                                       \
		check_count++;                                                                     \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: " fmt "\n", __FILE__, __LINE__,               \
				##__VA_ARGS__);                                                    \
			CHECK_FAILURES++;                                                          \
		}                                                                                  \
	} while (0)
#define CHECK(cond) CHECKF(cond, "%s", #cond)

/* 1 (saying how many failed) if any check failed, else 0. */
static inline int check_exit(void)
{
	if (CHECK_FAILURES)
		fprintf(stderr, "%d check(s) failed\n", CHECK_FAILURES);
	return CHECK_FAILURES ? 1 : 0;
}

#endif
