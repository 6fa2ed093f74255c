/*
 * Levelled logging shared by every ringside binary. Messages go to stderr, one
 * line each, prefixed with the program name. PLOG_* appends strerror(errno).
 * *_or_die / DIE are for setup only, never inside a measurement.
 */
#ifndef RS_LOG_H
#define RS_LOG_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit codes shared by all binaries (the harness relies on them). */
enum {
	RS_EXIT_OK = 0,
	RS_EXIT_FAIL = 1,	 /* runtime failure */
	RS_EXIT_USAGE = 2,	 /* bad option or value: one line on stderr */
	RS_EXIT_UNSUPPORTED = 3, /* the kernel refuses this model (io_uring off, no SQPOLL) */
};

extern const char *rs_prog; /* set by log_init(argv[0]) */
extern int rs_verbose;

void log_init(const char *argv0);

#define LOG_ERR(fmt, ...)  fprintf(stderr, "%s: " fmt "\n", rs_prog, ##__VA_ARGS__)
#define LOG_WARN(fmt, ...) fprintf(stderr, "%s: warning: " fmt "\n", rs_prog, ##__VA_ARGS__)
#define LOG_INFO(fmt, ...) fprintf(stderr, "%s: " fmt "\n", rs_prog, ##__VA_ARGS__)
#define LOG_DBG(fmt, ...)                                                                          \
	do {                                                                                       \
		if (rs_verbose)                                                                    \
			fprintf(stderr, "%s: debug: " fmt "\n", rs_prog, ##__VA_ARGS__);           \
	} while (0)
#define PLOG_ERR(fmt, ...)                                                                         \
	fprintf(stderr, "%s: " fmt ": %s\n", rs_prog, ##__VA_ARGS__, strerror(errno))
#define PLOG_WARN(fmt, ...)                                                                        \
	fprintf(stderr, "%s: warning: " fmt ": %s\n", rs_prog, ##__VA_ARGS__, strerror(errno))

#define DIE(fmt, ...)                                                                              \
	do {                                                                                       \
		LOG_ERR(fmt, ##__VA_ARGS__);                                                       \
		exit(RS_EXIT_FAIL);                                                                \
	} while (0)
#define PDIE(fmt, ...)                                                                             \
	do {                                                                                       \
		PLOG_ERR(fmt, ##__VA_ARGS__);                                                      \
		exit(RS_EXIT_FAIL);                                                                \
	} while (0)

/* One line on stderr naming the problem, then exit 2. */
void usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
