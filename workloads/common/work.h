/*
 * Simulated application work per request (--work-us N): a CPU spin of a
 * calibrated iteration count, so a request costs about N µs of the server's CPU
 * whatever the I/O model. Calibrated once at start-up against CLOCK_MONOTONIC;
 * the spin itself never reads the clock. Needs nothing from the kernel.
 */
#ifndef RS_WORK_H
#define RS_WORK_H

#include <stdint.h>

/* Sets the work per request and, if it is nonzero, calibrates the spin (a few ms). */
void work_init(unsigned us);
/* The configured work per request, in µs (0: none). */
unsigned work_us(void);
/* Spins the configured work once; nothing when it is 0. */
void work_do(void);
/* Spins n iterations of the calibrated loop (for calibration and tests). */
void work_spin(uint64_t n);

#endif
