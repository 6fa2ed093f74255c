/* Small text helpers shared by the harness: appending to a fixed buffer. */
#ifndef RS_TEXT_H
#define RS_TEXT_H

#include <stddef.h>

/* Appends printf-style text to the string in buf; stops quietly when buf is full. */
void text_cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
