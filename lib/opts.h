/*
 * Bounded option-value parsers shared by every binary. Each returns 0 on
 * success and -1 on a malformed or out-of-range value, leaving *out untouched;
 * callers turn -1 into usage_error() so bad input is one line and exit 2.
 */
#ifndef RS_OPTS_H
#define RS_OPTS_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

int parse_uint(const char *arg, unsigned long *out, unsigned long min, unsigned long max);
int parse_double(const char *arg, double *out, double min, double max);
/* "0", "0-3", "0,2,4-5"; every CPU must exist (< CPU_SETSIZE and online). */
int parse_cpu_list(const char *arg, cpu_set_t *out);
/* Formats a set back into canonical list form ("0-2,5"). */
void format_cpu_list(const cpu_set_t *set, char *buf, size_t len);
/* "HOST:PORT" or "[V6]:PORT" into host (no brackets) and port (1..65535). */
int parse_hostport(const char *arg, char *host, size_t hostlen, unsigned *port);
/* Comma-separated list of unsigned values, each in [min,max]; at most cap entries. */
int parse_uint_list(const char *arg, unsigned long *out, int cap, int *n, unsigned long min,
		    unsigned long max);

/* Convenience wrappers for getopt loops: on error, usage_error naming the option. */
unsigned long opt_uint(const char *name, const char *arg, unsigned long min, unsigned long max);
double opt_double(const char *name, const char *arg, double min, double max);
void opt_cpus(const char *name, const char *arg, cpu_set_t *out);

#endif
