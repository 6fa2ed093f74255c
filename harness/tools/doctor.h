/*
 * Shared by the parts of `ringside doctor` (doctor.c, doctor_noise.c): one
 * aligned "what status detail" line, and the noise section.
 */
#ifndef RS_DOCTOR_H
#define RS_DOCTOR_H

#include <sched.h>

/* "  what                       status detail" (doctor_noise.c, below doctor.c) */
void doctor_row(const char *what, const char *status, const char *detail);
/* The noise sources doctor can see on and around the server CPUs (doctor_noise.c). */
void doctor_noise(const cpu_set_t *server);

#endif
