/* Small text helpers shared by the harness: appending to a fixed buffer, shell quoting. */
#ifndef RS_TEXT_H
#define RS_TEXT_H

#include <stddef.h>

/* Appends printf-style text to the string in buf; stops quietly when buf is full. */
void text_cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* argv as one shell-quoted command line ('...' where needed); NULL when out of memory. Caller
 * frees. */
char *text_quote_argv(int argc, char *const argv[]);

#endif
