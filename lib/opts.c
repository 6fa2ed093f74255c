/* Bounded parsers for option values: numbers, CPU lists, HOST:PORT. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "opts.h"

int parse_uint(const char *arg, unsigned long *out, unsigned long min, unsigned long max)
{
	unsigned long long v;
	char *end;

	if (!arg || !isdigit((unsigned char)*arg))
		return -1;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_double(const char *arg, double *out, double min, double max)
{
	char *end;
	double v;

	if (!arg || !*arg || isspace((unsigned char)*arg))
		return -1;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_cpu_list(const char *arg, cpu_set_t *out)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	const char *p = arg;
	cpu_set_t set;

	if (!arg || !*arg)
		return -1;
	if (ncpu < 1 || ncpu > CPU_SETSIZE)
		ncpu = CPU_SETSIZE;
	CPU_ZERO(&set);
	while (*p) {
		unsigned long lo, hi;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -1;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			hi = strtoul(p, &end, 10);
			p = end;
		}
		if (lo > hi || hi >= (unsigned long)ncpu)
			return -1;
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, &set);
		if (*p == ',') {
			p++;
			if (!*p)
				return -1;
		} else if (*p) {
			return -1;
		}
	}
	*out = set;
	return 0;
}

void format_cpu_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;
	int c = 0;

	buf[0] = '\0';
	while (c < CPU_SETSIZE) {
		int lo, hi;

		if (!CPU_ISSET(c, set)) {
			c++;
			continue;
		}
		lo = hi = c;
		while (hi + 1 < CPU_SETSIZE && CPU_ISSET(hi + 1, set))
			hi++;
		if (used < len) {
			int n = lo == hi
				    ? snprintf(buf + used, len - used, "%s%d", used ? "," : "", lo)
				    : snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "",
					       lo, hi);
			used += n > 0 ? (size_t)n : 0;
		}
		c = hi + 1;
	}
}

int parse_hostport(const char *arg, char *host, size_t hostlen, unsigned *port)
{
	const char *colon, *h = arg;
	size_t hl;
	unsigned long p;

	if (!arg || !*arg)
		return -1;
	if (*arg == '[') {
		const char *close = strchr(arg, ']');

		if (!close || close[1] != ':')
			return -1;
		h = arg + 1;
		hl = close - h;
		colon = close + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon)
			return -1;
		hl = colon - arg;
	}
	if (hl == 0 || hl >= hostlen || parse_uint(colon + 1, &p, 1, 65535))
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = p;
	return 0;
}

int parse_uint_list(const char *arg, unsigned long *out, int cap, int *n, unsigned long min,
		    unsigned long max)
{
	char buf[1024], *save = NULL, *tok;
	int count = 0;

	if (!arg || !*arg || strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	if (buf[strlen(buf) - 1] == ',' || buf[0] == ',' || strstr(buf, ",,"))
		return -1;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (count >= cap || parse_uint(tok, &out[count], min, max))
			return -1;
		count++;
	}
	*n = count;
	return count ? 0 : -1;
}

unsigned long opt_uint(const char *name, const char *arg, unsigned long min, unsigned long max)
{
	unsigned long v;

	if (parse_uint(arg, &v, min, max))
		usage_error("invalid value '%s' for --%s: expected an integer from %lu to %lu", arg,
			    name, min, max);
	return v;
}

double opt_double(const char *name, const char *arg, double min, double max)
{
	double v;

	if (parse_double(arg, &v, min, max))
		usage_error("invalid value '%s' for --%s: expected a number from %g to %g", arg,
			    name, min, max);
	return v;
}

void opt_cpus(const char *name, const char *arg, cpu_set_t *out)
{
	if (parse_cpu_list(arg, out))
		usage_error("invalid CPU list '%s' for --%s: expected e.g. 0 or 0-1 or 0,2 "
			    "naming CPUs that exist",
			    arg, name);
}
