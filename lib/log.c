/* Program name and verbosity for the log macros, and usage_error(). */
#include <stdarg.h>

#include "log.h"

const char *rs_prog = "ringside";
int rs_verbose;

void log_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	rs_prog = slash ? slash + 1 : argv0;
	if (getenv("RINGSIDE_VERBOSE"))
		rs_verbose = 1;
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", rs_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(RS_EXIT_USAGE);
}
