/*
 * Helpers for the ringside-load tests: run the binary as a child with a time
 * limit and capture stdout, stderr and the parsed JSON, always with the engine
 * the test was started for; small loopback servers (echo with optional
 * corruption, canned HTTP responses, silent, resetting) on ephemeral ports.
 */
#ifndef RS_LOADTEST_H
#define RS_LOADTEST_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

extern int lt_failures;

#define CHECK_FAILURES lt_failures
#include "check.h"

struct lt_run {
	int exit_code; /* -1 if killed (timeout) or signalled */
	double elapsed_s;
	char out[65536], err[8192];
	json_t *json; /* stdout parsed, or NULL */
};

/* Path of build/ringside-load from $RS_BUILD; exits 1 if it is missing. */
const char *lt_binary(void);
/*
 * The engine from the test's argv[1] ("uring" or "epoll"; exits 1 otherwise),
 * passed as --engine to every run. Also checks the binary is there.
 */
const char *lt_init(int argc, char **argv);
extern const char *lt_engine;
/*
 * Runs ringside-load --engine lt_engine with args (NULL-terminated, without
 * argv[0]); extra_fd, if >= 0, stays open in the child. Kills it after
 * timeout_s. If the kernel refuses the engine (exit 3), exits 77: a skip.
 */
void lt_exec(struct lt_run *r, const char *const *args, int extra_fd, double timeout_s);
/* The pid of the ringside-load that lt_exec is running, 0 when none. */
extern atomic_int lt_child;
void lt_free(struct lt_run *r);
/* Integer at a dotted path ("errors.total"); -1 if missing or not a number. */
long long lt_int(const json_t *j, const char *path);
double lt_num(const json_t *j, const char *path); /* NAN if missing */

/* A listening socket on 127.0.0.1 with an ephemeral port. */
int lt_listen(unsigned *port);

/* A server's acceptor thread runs until the test exits: keep the struct static. */
struct lt_server {
	int lfd;
	unsigned port;
	unsigned corrupt_every; /* echo: flip one byte in every Nth read (0 = never) */
	atomic_ulong accepted;
};
/* Starts an echo server (thread per connection) in the background. */
void lt_echo_start(struct lt_server *s);
/*
 * Starts an HTTP/1.1 server. Paths: /fixed (Content-Length 100), /chunked (40
 * body bytes in chunks with extensions and a trailer), /close (HTTP/1.0, 50
 * bytes, close-delimited), /404, /badcl (conflicting Content-Length). Honours
 * "Connection: close".
 */
void lt_http_start(struct lt_server *s);
/* Accepts and reads, never answers: every request times out. */
void lt_silent_start(struct lt_server *s);
/* Reads a request, then resets the connection (SO_LINGER 0): a `reset` error. */
void lt_reset_start(struct lt_server *s);
/*
 * The echo server in a child process (so the test can SIGSTOP it); killed when
 * the test exits. Returns its pid.
 */
pid_t lt_echo_fork(struct lt_server *s);

#endif
