/*
 * The one clock every ringside program measures with: CLOCK_MONOTONIC in
 * nanoseconds (clock.c). Needs nothing beyond clock_gettime.
 */
#ifndef RS_CLOCK_H
#define RS_CLOCK_H

#include <stdint.h>

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

#endif
