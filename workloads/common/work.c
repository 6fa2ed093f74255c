/*
 * The calibrated spin behind --work-us (work.h): iterations per µs are measured
 * once, best of a few short trials so that a preemption does not make the spin
 * too long, then each request spins us × that many iterations.
 */
#include <time.h>

#include "work.h"

#define WORK_TRIAL_ITERS 200000u
#define WORK_TRIALS	 5

static unsigned work_per_req_us;
static uint64_t work_iters; /* per request */

void work_spin(uint64_t n)
{
	/* A data dependence the compiler cannot fold away, and no memory traffic. */
	uint64_t x = n | 1;

	for (uint64_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		__asm__ volatile("" : "+r"(x));
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void work_init(unsigned us)
{
	double best = 0; /* iterations per ns */

	work_per_req_us = us;
	work_iters = 0;
	if (!us)
		return;
	work_spin(WORK_TRIAL_ITERS); /* warm the core up */
	for (int i = 0; i < WORK_TRIALS; i++) {
		uint64_t t0 = mono_ns(), dt;
		double rate;

		work_spin(WORK_TRIAL_ITERS);
		dt = mono_ns() - t0;
		rate = (double)WORK_TRIAL_ITERS / (double)(dt ? dt : 1);
		if (rate > best)
			best = rate;
	}
	work_iters = (uint64_t)(best * 1000.0 * us);
	if (!work_iters)
		work_iters = 1;
}

unsigned work_us(void)
{
	return work_per_req_us;
}

void work_do(void)
{
	if (work_iters)
		work_spin(work_iters);
}
