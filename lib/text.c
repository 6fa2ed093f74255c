/* Appending to fixed-size text buffers: see text.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

void text_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}
