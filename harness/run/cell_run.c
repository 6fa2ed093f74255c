/*
 * The one way a run says why it failed (cell_run.h), below everything that
 * starts a run's processes: the cell, the server kinds, the load generator.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cell_run.h"

void cell_fail(struct run_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
}
