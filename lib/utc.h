/* Wall-clock timestamps in UTC, as the results documents record them (RFC 3339). */
#ifndef RS_UTC_H
#define RS_UTC_H

#include <stdbool.h>
#include <stddef.h>

/* Now: "2024-05-01T12:00:00Z", or compact "20240501T120000Z" (for directory names). */
void utc_now(char *buf, size_t len, bool compact);
/* Now with microseconds ("2024-05-01T12:00:00.123456Z"): runs sort by it. */
void utc_precise(char *buf, size_t len);

#endif
